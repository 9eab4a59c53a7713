/* Copyright (c) dovecot-like authors. Validation and parsing of transaction
   log records: everything read from the log goes through here first, so the
   appliers can trust sizes and counts. The log is owned by the user and may
   be corrupt or hostile. */

#include "lib.h"
#include "mail-index.h"
#include "mail-transaction-log.h"


static_assert(sizeof(struct mail_transaction_log_header) == 40, "log hdr");
static_assert(sizeof(struct mail_transaction_header) == 8, "rec hdr");
static_assert(sizeof(struct mail_transaction_flag_update) == 16, "flag upd");
static_assert(sizeof(struct mail_transaction_modseq_update) == 16, "modseq");

int mail_transaction_log_header_validate(const struct mail_transaction_log_header *hdr,
					 size_t file_size, const char **error_r)
{
	if (file_size < sizeof(*hdr))
		*error_r = "log file header truncated";
	else if (hdr->magic != MAIL_TRANSACTION_LOG_MAGIC)
		*error_r = "bad log magic";
	else if (hdr->major_version != MAIL_TRANSACTION_LOG_MAJOR)
		*error_r = "unsupported log version";
	else if (hdr->hdr_size != sizeof(*hdr))
		*error_r = "bad log header size";
	else if (hdr->file_seq == 0 || hdr->indexid == 0)
		*error_r = "log file_seq/indexid is 0";
	else if (hdr->prev_file_seq != 0 &&
		 (hdr->prev_file_seq >= hdr->file_seq ||
		  hdr->prev_file_offset < sizeof(*hdr)))
		*error_r = "bad previous log position";
	else if (hdr->initial_modseq == 0 || hdr->initial_modseq > (1ULL << 62))
		*error_r = "bad initial modseq";
	else
		return 0;
	return -1;
}

static bool uid_ranges_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_uid_range r;
	size_t i;

	if (size == 0 || size % sizeof(r) != 0)
		return false;
	for (i = 0; i < size; i += sizeof(r)) {
		memcpy(&r, data + i, sizeof(r));
		if (r.uid1 == 0 || r.uid1 > r.uid2)
			return false;
	}
	return true;
}

static bool appends_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_append a;
	uint32_t prev = 0;
	size_t i;

	if (size == 0 || size % sizeof(a) != 0)
		return false;
	for (i = 0; i < size; i += sizeof(a)) {
		memcpy(&a, data + i, sizeof(a));
		if (a.uid <= prev || a.uid == (uint32_t)-1 || a.flags > 0xff)
			return false;
		prev = a.uid;
	}
	return true;
}

static bool flag_updates_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_flag_update u;
	size_t i;

	if (size == 0 || size % sizeof(u) != 0)
		return false;
	for (i = 0; i < size; i += sizeof(u)) {
		memcpy(&u, data + i, sizeof(u));
		if (u.uid1 == 0 || u.uid1 > u.uid2 ||
		    (u.add_flags & u.remove_flags) != 0)
			return false;
	}
	return true;
}

bool mail_index_name_is_valid(const void *_name, size_t len, size_t max_len)
{
	const unsigned char *name = _name;
	size_t i;

	if (len == 0 || len > max_len)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] <= ' ' || name[i] >= 0x7f)
			return false;
	}
	return true;
}

static bool keyword_update_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_keyword_update k;
	size_t name_end;

	if (size < sizeof(k))
		return false;
	memcpy(&k, data, sizeof(k));
	if (k.modify_type != 1 && k.modify_type != 2)
		return false;
	if (!mail_index_name_is_valid(data + sizeof(k),
				      MIN(k.name_len, size - sizeof(k)),
				      MAIL_INDEX_MAX_KEYWORD_LEN) ||
	    k.name_len > size - sizeof(k))
		return false;
	name_end = sizeof(k) + MAIL_INDEX_PAD8(k.name_len);
	if (name_end > size)
		return false;
	return uid_ranges_valid(data + name_end, size - name_end);
}

static bool header_updates_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_header_update u;
	size_t i;

	if (size == 0 || size % sizeof(u) != 0)
		return false;
	for (i = 0; i < size; i += sizeof(u)) {
		memcpy(&u, data + i, sizeof(u));
		if (u.field < MAIL_INDEX_HEADER_UID_VALIDITY ||
		    u.field > MAIL_INDEX_HEADER_FLAGS)
			return false;
	}
	return true;
}

static bool ext_update_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_ext_rec_update e;
	size_t need;

	if (size < sizeof(e))
		return false;
	memcpy(&e, data, sizeof(e));
	if (e.uid == 0 || e.data_len == 0 ||
	    e.data_len > MAIL_INDEX_MAX_EXT_RECORD_SIZE ||
	    e.name_len > MAIL_INDEX_MAX_EXT_NAME_LEN)
		return false;
	need = sizeof(e) + MAIL_INDEX_PAD8(e.name_len) +
		MAIL_INDEX_PAD8(e.data_len);
	if (need != size)
		return false;
	return mail_index_name_is_valid(data + sizeof(e), e.name_len,
			  MAIL_INDEX_MAX_EXT_NAME_LEN);
}

static bool modseq_updates_valid(const unsigned char *data, size_t size)
{
	struct mail_transaction_modseq_update m;
	size_t i;

	if (size == 0 || size % sizeof(m) != 0)
		return false;
	for (i = 0; i < size; i += sizeof(m)) {
		memcpy(&m, data + i, sizeof(m));
		if (m.modseq > (1ULL << 62))
			return false;
	}
	return true;
}

static bool rec_valid(uint32_t type, const unsigned char *data, size_t size)
{
	uint32_t base = type & MAIL_TRANSACTION_TYPE_MASK;

	if ((type & ~MAIL_TRANSACTION_TYPE_ALLOWED_BITS) != 0)
		return false;
	/* an expunge must carry the protection bits, nothing else may */
	if ((base == MAIL_TRANSACTION_EXPUNGE) !=
	    ((type & MAIL_TRANSACTION_EXPUNGE_PROT) == MAIL_TRANSACTION_EXPUNGE_PROT))
		return false;
	if ((type & MAIL_TRANSACTION_EXPUNGE_PROT) != 0 &&
	    base != MAIL_TRANSACTION_EXPUNGE)
		return false;
	switch (base) {
	case MAIL_TRANSACTION_APPEND:
		return appends_valid(data, size);
	case MAIL_TRANSACTION_EXPUNGE:
	case MAIL_TRANSACTION_KEYWORD_RESET:
		return uid_ranges_valid(data, size);
	case MAIL_TRANSACTION_FLAG_UPDATE:
		return flag_updates_valid(data, size);
	case MAIL_TRANSACTION_KEYWORD_UPDATE:
		return keyword_update_valid(data, size);
	case MAIL_TRANSACTION_HEADER_UPDATE:
		return header_updates_valid(data, size);
	case MAIL_TRANSACTION_EXT_REC_UPDATE:
		return ext_update_valid(data, size);
	case MAIL_TRANSACTION_MODSEQ_UPDATE:
		return modseq_updates_valid(data, size);
	case MAIL_TRANSACTION_TAIL_UPDATE:
		return size == 0;
	default:
		return false;
	}
}

int mail_transaction_validate(const unsigned char *data, size_t size,
			      uint32_t max_size, const char **error_r)
{
	struct mail_transaction_header hdr;
	struct mail_transaction_boundary b;
	size_t pos;

	if (size < sizeof(hdr) + sizeof(b)) {
		*error_r = "transaction truncated";
		return -1;
	}
	memcpy(&hdr, data, sizeof(hdr));
	memcpy(&b, data + sizeof(hdr), sizeof(b));
	if (hdr.type != MAIL_TRANSACTION_BOUNDARY ||
	    hdr.size != sizeof(hdr) + sizeof(b) || b.size != size ||
	    size > max_size || size % 8 != 0) {
		*error_r = "bad transaction boundary";
		return -1;
	}
	for (pos = hdr.size; pos < size; pos += hdr.size) {
		if (size - pos < sizeof(hdr)) {
			*error_r = "record header truncated";
			return -1;
		}
		memcpy(&hdr, data + pos, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size % 8 != 0 ||
		    hdr.size > size - pos) {
			*error_r = tmp_printf("bad record size %u", hdr.size);
			return -1;
		}
		if (!rec_valid(hdr.type, data + pos + sizeof(hdr),
			       hdr.size - sizeof(hdr))) {
			*error_r = tmp_printf("invalid record type 0x%x",
					      hdr.type);
			return -1;
		}
	}
	return 0;
}

bool mail_transaction_next(const unsigned char *data, size_t size,
			   size_t *pos, struct mail_transaction_rec *rec_r)
{
	struct mail_transaction_header hdr;

	if (*pos == 0)	/* skip the boundary */
		*pos = sizeof(hdr) + sizeof(struct mail_transaction_boundary);
	if (*pos + sizeof(hdr) > size)
		return false;
	memcpy(&hdr, data + *pos, sizeof(hdr));
	rec_r->type = hdr.type;
	rec_r->data = data + *pos + sizeof(hdr);
	rec_r->size = hdr.size - sizeof(hdr);
	*pos += hdr.size;
	return true;
}

bool mail_transaction_rec_counts_modseq(const struct mail_transaction_rec *rec)
{
	struct mail_transaction_flag_update u;
	uint32_t i;

	switch (rec->type & MAIL_TRANSACTION_TYPE_MASK) {
	case MAIL_TRANSACTION_APPEND:
	case MAIL_TRANSACTION_KEYWORD_UPDATE:
	case MAIL_TRANSACTION_KEYWORD_RESET:
		return true;
	case MAIL_TRANSACTION_EXPUNGE:
		/* requests don't count, only the real expunge */
		return (rec->type & MAIL_TRANSACTION_EXTERNAL) != 0;
	case MAIL_TRANSACTION_FLAG_UPDATE:
		for (i = 0; i + sizeof(u) <= rec->size; i += sizeof(u)) {
			memcpy(&u, rec->data + i, sizeof(u));
			if (((u.add_flags | u.remove_flags) &
			     ~MAIL_INDEX_FLAGS_HIDDEN_MASK) != 0)
				return true;
		}
		return false;
	default:
		return false;
	}
}

uint64_t
mail_transaction_rec_next_modseq(const struct mail_transaction_rec *rec,
				 uint64_t modseq)
{
	struct mail_transaction_modseq_update m;
	uint32_t i;

	if (mail_transaction_rec_counts_modseq(rec))
		modseq++;
	if ((rec->type & MAIL_TRANSACTION_TYPE_MASK) ==
	    MAIL_TRANSACTION_MODSEQ_UPDATE) {
		for (i = 0; i + sizeof(m) <= rec->size; i += sizeof(m)) {
			memcpy(&m, rec->data + i, sizeof(m));
			if (m.modseq > modseq)
				modseq = m.modseq;
		}
	}
	return modseq;
}

void mail_transaction_keyword_parse(const struct mail_transaction_rec *rec,
				    uint8_t *modify_type_r,
				    const char **name_r, size_t *name_len_r,
				    const struct mail_transaction_uid_range **ranges_r,
				    unsigned int *count_r)
{
	struct mail_transaction_keyword_update k;
	size_t name_end;

	memcpy(&k, rec->data, sizeof(k));
	name_end = sizeof(k) + MAIL_INDEX_PAD8(k.name_len);
	*modify_type_r = k.modify_type;
	*name_r = (const char *)rec->data + sizeof(k);
	*name_len_r = k.name_len;
	*ranges_r = (const void *)(rec->data + name_end);
	*count_r = (rec->size - name_end) /
		sizeof(struct mail_transaction_uid_range);
}

void mail_transaction_ext_parse(const struct mail_transaction_rec *rec,
				uint32_t *uid_r, const char **name_r,
				size_t *name_len_r, const unsigned char **data_r,
				size_t *data_len_r)
{
	struct mail_transaction_ext_rec_update e;

	memcpy(&e, rec->data, sizeof(e));
	*uid_r = e.uid;
	*name_r = (const char *)rec->data + sizeof(e);
	*name_len_r = e.name_len;
	*data_r = rec->data + sizeof(e) + MAIL_INDEX_PAD8(e.name_len);
	*data_len_r = e.data_len;
}
