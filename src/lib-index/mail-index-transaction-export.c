/* Copyright (c) dovecot-like authors. Turning a transaction into the bytes of
   one log transaction at commit time, under the log lock: UIDs of uid=0
   appends are assigned here, from the just-refreshed next_uid. */

#include "lib.h"
#include "mail-index-private.h"

static int export_appends(struct mail_index_transaction *t, uint32_t next_uid,
			  struct buf *buf, uint32_t *first_uid_r,
			  uint32_t *last_uid_r)
{
	const struct mail_index_append_rec *apps;
	struct mail_transaction_append *out;
	unsigned int i, count;
	uint32_t prev = next_uid - 1;
	struct buf *payload;

	apps = array_get(&t->appends, &count);
	if (count == 0)
		return 0;
	payload = buf_create(system_pool, count * sizeof(*out));
	for (i = 0; i < count; i++) {
		out = buf_get_space(payload, sizeof(*out));
		buf_commit_space(payload, sizeof(*out));
		out->uid = apps[i].uid != 0 ? apps[i].uid : prev + 1;
		out->flags = apps[i].flags;
		if (out->uid <= prev || out->uid == (uint32_t)-1) {
			/* UIDs never go backwards (reference guarantee 1) */
			mail_index_set_error(t->index,
				"Append of UID %u refused: next_uid is %u",
				out->uid, prev + 1);
			buf_free(&payload);
			return -1;
		}
		if (apps[i].uid == 0) {
			if (*first_uid_r == 0)
				*first_uid_r = out->uid;
			*last_uid_r = out->uid;
		}
		prev = out->uid;
	}
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_APPEND | MAIL_TRANSACTION_EXTERNAL,
		   payload->data, payload->used);
	buf_free(&payload);
	return 0;
}

static uint32_t append_uid(const struct buf *buf, unsigned int idx)
{
	struct mail_transaction_append a;
	/* APPEND payload starts after boundary (16) + record header (8) */
	memcpy(&a, buf->data + 24 + idx * sizeof(a), sizeof(a));
	return a.uid;
}

static void export_append_keywords(struct mail_index_transaction *t,
				   struct buf *buf)
{
	const struct mail_index_append_rec *apps;
	char *const *names;
	unsigned int i, j, count, name_count;
	static const unsigned char zeros[8];
	struct mail_transaction_keyword_update k;
	struct mail_transaction_uid_range r;
	struct buf *payload = buf_create(system_pool, 128);

	apps = array_get(&t->appends, &count);
	names = array_get(&t->kw_names, &name_count);
	for (i = 0; i < count; i++) {
		for (j = apps[i].kw_start; j < apps[i].kw_start + apps[i].kw_count; j++) {
			memset(&k, 0, sizeof(k));
			k.modify_type = 1;
			k.name_len = (uint16_t)strlen(names[j]);
			r.uid1 = r.uid2 = append_uid(buf, i);
			buf_reset(payload);
			buf_append(payload, &k, sizeof(k));
			buf_append(payload, names[j], k.name_len);
			buf_append(payload, zeros,
				   MAIL_INDEX_PAD8(k.name_len) - k.name_len);
			buf_append(payload, &r, sizeof(r));
			mail_transaction_rec_append(buf, MAIL_TRANSACTION_KEYWORD_UPDATE |
				   MAIL_TRANSACTION_EXTERNAL,
				   payload->data, payload->used);
		}
	}
	buf_free(&payload);
}

static void export_append_exts(struct mail_index_transaction *t,
			       struct buf *buf)
{
	const unsigned int *owners;
	const uint32_t *offsets;
	unsigned int i, count, count2;
	size_t start = buf->used;
	uint32_t uid;

	buf_append(buf, t->append_exts->data, t->append_exts->used);
	owners = array_get(&t->append_ext_owner, &count);
	offsets = array_get(&t->append_ext_offsets, &count2);
	ASSERT(count == count2);
	for (i = 0; i < count; i++) {
		uid = append_uid(buf, owners[i]);
		/* ext_rec_update.uid follows the 8-byte record header */
		memcpy(buf->data + start + offsets[i] +
		       sizeof(struct mail_transaction_header), &uid, sizeof(uid));
	}
}

int mail_index_transaction_export(struct mail_index_transaction *t,
				  uint32_t next_uid, struct buf *buf,
				  uint32_t *first_uid_r, uint32_t *last_uid_r)
{
	struct mail_transaction_boundary b;
	struct mail_index_map *map = t->index->map;
	bool external = (t->flags & MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL) != 0;

	*first_uid_r = *last_uid_r = 0;
	memset(&b, 0, sizeof(b));
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_BOUNDARY, &b, sizeof(b));
	if (export_appends(t, next_uid, buf, first_uid_r, last_uid_r) < 0)
		return -1;
	export_append_keywords(t, buf);
	export_append_exts(t, buf);
	buf_append(buf, t->changes->data, t->changes->used);
	/* nothing pending for the syncer: keep the tail at the head */
	if (t->sync_tail || (external && map->hdr.log_file_tail_offset ==
			     map->hdr.log_file_head_offset))
		mail_transaction_rec_append(buf, MAIL_TRANSACTION_TAIL_UPDATE, NULL, 0);
	if (buf->used > t->index->set.max_transaction_size) {
		mail_index_set_error(t->index, "Transaction too large (%zu)",
				     buf->used);
		return -1;
	}
	b.size = (uint32_t)buf->used;
	memcpy(buf->data + sizeof(struct mail_transaction_header), &b,
	       sizeof(b));
	return 0;
}
