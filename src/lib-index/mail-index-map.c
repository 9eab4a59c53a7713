/* Copyright (c) dovecot-like authors. The in-memory map (snapshot + applied
   log): record lookups and applying validated log transactions to it. */

#include "lib.h"
#include "mail-index-private.h"

static_assert(sizeof(struct mail_index_record) == 32, "record size");
static_assert(sizeof(struct mail_index_header) % 8 == 0, "header size");

struct mail_index_map *mail_index_map_create(uint32_t indexid)
{
	struct pool *pool = pool_create("index map", 1024, POOL_FLAG_NONE);
	struct mail_index_map *map = pool_new(pool, struct mail_index_map, 1);

	map->pool = pool;
	map->hdr.magic = MAIL_INDEX_MAGIC;
	map->hdr.major_version = MAIL_INDEX_MAJOR_VERSION;
	map->hdr.base_header_size = sizeof(map->hdr);
	map->hdr.header_size = sizeof(map->hdr);
	map->hdr.record_size = MAIL_INDEX_RECORD_BASE_SIZE;
	map->hdr.indexid = indexid;
	map->hdr.next_uid = 1;
	map->hdr.first_recent_uid = 1;
	map->hdr.highest_modseq = 1;
	map->recs = buf_create(system_pool, 1024);
	array_init(&map->keywords, pool, 8);
	array_init(&map->exts, pool, 4);
	return map;
}

void mail_index_map_free(struct mail_index_map **_map)
{
	struct mail_index_map *map = *_map;
	struct pool *pool;

	if (map == NULL)
		return;
	*_map = NULL;
	pool = map->pool;
	buf_free(&map->recs);
	array_free(&map->keywords);
	array_free(&map->exts);
	pool_unref(&pool);
}

struct mail_index_map *mail_index_map_clone(const struct mail_index_map *map)
{
	struct mail_index_map *new_map = mail_index_map_create(map->hdr.indexid);
	char *const *kw;
	const struct mail_index_ext *ext;

	new_map->hdr = map->hdr;
	new_map->generation = map->generation;
	buf_append(new_map->recs, map->recs->data, map->recs->used);
	array_foreach(&map->keywords, kw) {
		char *name = p_strdup(new_map->pool, *kw);
		array_append(&new_map->keywords, &name);
	}
	array_foreach(&map->exts, ext) {
		struct mail_index_ext *e = array_append_space(&new_map->exts);
		*e = *ext;
		e->name = p_strdup(new_map->pool, ext->name);
	}
	return new_map;
}

struct mail_index_record *mail_index_map_rec(struct mail_index_map *map,
					     uint32_t idx)
{
	ASSERT(idx < map->hdr.messages_count);
	return (void *)(map->recs->data + (size_t)idx * map->hdr.record_size);
}

/* Binary search; *idx_r = position of uid or where it would be inserted. */
struct mail_index_record *
mail_index_map_lookup_uid(struct mail_index_map *map, uint32_t uid,
			  uint32_t *idx_r)
{
	uint32_t left = 0, right = map->hdr.messages_count, mid;
	struct mail_index_record *rec;

	while (left < right) {
		mid = left + (right - left) / 2;
		rec = mail_index_map_rec(map, mid);
		if (rec->uid == uid) {
			*idx_r = mid;
			return rec;
		}
		if (rec->uid < uid)
			left = mid + 1;
		else
			right = mid;
	}
	*idx_r = left;
	return NULL;
}

int mail_index_map_keyword_idx(struct mail_index_map *map, const char *name,
			       size_t len, bool add)
{
	char *const *kws;
	unsigned int i, count;
	char *new_name;

	kws = array_get(&map->keywords, &count);
	for (i = 0; i < count; i++) {
		if (strlen(kws[i]) == len && strncasecmp(kws[i], name, len) == 0)
			return (int)i;
	}
	if (!add || count >= MAIL_INDEX_MAX_KEYWORDS)
		return -1;
	new_name = p_strndup(map->pool, name, len);
	array_append(&map->keywords, &new_name);
	map->hdr.keywords_count = count + 1;
	return (int)count;
}

/* Grow every record by a new extension area of record_size bytes. */
static int map_add_ext(struct mail_index_map *map, const char *name,
		       size_t name_len, uint32_t record_size)
{
	struct mail_index_ext *ext;
	uint32_t old_size = map->hdr.record_size, new_size, i;
	struct buf *new_recs;

	if (array_count(&map->exts) >= MAIL_INDEX_MAX_EXTS)
		return -1;
	new_size = old_size + MAIL_INDEX_PAD8(record_size);
	new_recs = buf_create(system_pool, (size_t)new_size *
			      (map->hdr.messages_count + 1));
	for (i = 0; i < map->hdr.messages_count; i++) {
		buf_append(new_recs, map->recs->data + (size_t)i * old_size,
			   old_size);
		buf_write(new_recs, (size_t)(i + 1) * new_size - 1, "", 1);
	}
	buf_free(&map->recs);
	map->recs = new_recs;
	ext = array_append_space(&map->exts);
	ext->name = p_strndup(map->pool, name, name_len);
	ext->record_size = record_size;
	ext->record_offset = old_size;
	map->hdr.record_size = new_size;
	map->hdr.ext_count = array_count(&map->exts);
	return (int)array_count(&map->exts) - 1;
}

int mail_index_map_ext_idx(struct mail_index_map *map, const char *name,
			   size_t name_len, uint32_t record_size, bool add)
{
	const struct mail_index_ext *exts;
	unsigned int i, count;

	exts = array_get(&map->exts, &count);
	for (i = 0; i < count; i++) {
		if (strlen(exts[i].name) == name_len &&
		    memcmp(exts[i].name, name, name_len) == 0) {
			if (record_size != 0 &&
			    exts[i].record_size != record_size)
				return -1;
			return (int)i;
		}
	}
	if (!add)
		return -1;
	return map_add_ext(map, name, name_len, record_size);
}

static void map_set_flags(struct mail_index_map *map,
			  struct mail_index_record *rec, uint8_t new_flags)
{
	uint8_t changed = rec->flags ^ new_flags;

	if ((changed & MAIL_INDEX_MAIL_FLAG_SEEN) != 0) {
		if ((new_flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0)
			map->hdr.seen_messages_count++;
		else
			map->hdr.seen_messages_count--;
	}
	if ((changed & MAIL_INDEX_MAIL_FLAG_DELETED) != 0) {
		if ((new_flags & MAIL_INDEX_MAIL_FLAG_DELETED) != 0)
			map->hdr.deleted_messages_count++;
		else
			map->hdr.deleted_messages_count--;
	}
	if ((new_flags & MAIL_INDEX_MAIL_FLAG_DIRTY) != 0)
		map->hdr.flags |= MAIL_INDEX_HDR_FLAG_HAVE_DIRTY;
	rec->flags = new_flags;
}

void mail_index_map_update_lowwaters(struct mail_index_map *map)
{
	uint32_t i, unseen = map->hdr.next_uid, deleted = map->hdr.next_uid;
	const struct mail_index_record *rec;

	for (i = 0; i < map->hdr.messages_count; i++) {
		rec = mail_index_map_rec(map, i);
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) == 0 &&
		    rec->uid < unseen)
			unseen = rec->uid;
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_DELETED) != 0 &&
		    rec->uid < deleted)
			deleted = rec->uid;
	}
	map->hdr.first_unseen_uid_lowwater = unseen;
	map->hdr.first_deleted_uid_lowwater = deleted;
}

/* Index range [*first, *end) of records with uid1 <= uid <= uid2. */
static void map_uid_range(struct mail_index_map *map, uint32_t uid1,
			  uint32_t uid2, uint32_t *first_r, uint32_t *end_r)
{
	(void)mail_index_map_lookup_uid(map, uid1, first_r);
	if (uid2 == (uint32_t)-1)
		*end_r = map->hdr.messages_count;
	else
		(void)mail_index_map_lookup_uid(map, uid2 + 1, end_r);
}

static void apply_append(struct mail_index_map *map,
			 const struct mail_transaction_rec *rec, uint64_t modseq)
{
	struct mail_transaction_append a;
	struct mail_index_record *r;
	uint32_t i;

	for (i = 0; i + sizeof(a) <= rec->size; i += sizeof(a)) {
		memcpy(&a, rec->data + i, sizeof(a));
		if (a.uid < map->hdr.next_uid)
			continue;	/* never reuse or reorder UIDs */
		r = buf_get_space(map->recs, map->hdr.record_size);
		ASSERT(r != NULL);
		memset(r, 0, map->hdr.record_size);
		buf_commit_space(map->recs, map->hdr.record_size);
		r->uid = a.uid;
		r->modseq = modseq;
		map->hdr.messages_count++;
		map_set_flags(map, r, (uint8_t)a.flags);
		map->hdr.next_uid = a.uid + 1;
	}
}

struct map_idx_range {
	uint32_t first, end;
};

static int map_idx_range_cmp(const struct map_idx_range *r1,
			     const struct map_idx_range *r2)
{
	return r1->first < r2->first ? -1 : (r1->first > r2->first ? 1 : 0);
}

/* Remove every record in the (possibly unsorted, overlapping) uid ranges,
   moving each kept record at most once. */
static void apply_expunge(struct mail_index_map *map,
			  const struct mail_transaction_rec *rec)
{
	struct mail_transaction_uid_range r;
	ARRAY(struct map_idx_range) ranges;
	struct map_idx_range *range;
	const struct map_idx_range *rs;
	size_t rsize = map->hdr.record_size;
	unsigned char *data;
	uint32_t i, j, first, end, count, read = 0, write = 0;

	array_init(&ranges, system_pool, rec->size / sizeof(r) + 1);
	for (i = 0; i + sizeof(r) <= rec->size; i += sizeof(r)) {
		memcpy(&r, rec->data + i, sizeof(r));
		map_uid_range(map, r.uid1, r.uid2, &first, &end);
		if (first >= end)
			continue;
		range = array_append_space(&ranges);
		range->first = first;
		range->end = end;
	}
	array_sort(&ranges, map_idx_range_cmp);
	rs = array_get(&ranges, &count);
	data = map->recs->data;
	for (i = 0; i < count; i++) {
		first = MAX(rs[i].first, read);
		if (rs[i].end <= first)
			continue;	/* inside an earlier range */
		if (write != read) {
			memmove(data + write * rsize, data + read * rsize,
				(first - read) * rsize);
		}
		write += first - read;
		for (j = first; j < rs[i].end; j++)
			map_set_flags(map, mail_index_map_rec(map, j), 0);
		read = rs[i].end;
	}
	array_free(&ranges);
	if (read == write)
		return;	/* nothing expunged */
	memmove(data + write * rsize, data + read * rsize,
		(map->hdr.messages_count - read) * rsize);
	write += map->hdr.messages_count - read;
	buf_truncate(map->recs, write * rsize);
	map->hdr.messages_count = write;
}

static void apply_flags(struct mail_index_map *map,
			const struct mail_transaction_rec *rec,
			uint64_t modseq, bool counts)
{
	struct mail_transaction_flag_update u;
	struct mail_index_record *r;
	uint32_t i, j, first, end;

	for (i = 0; i + sizeof(u) <= rec->size; i += sizeof(u)) {
		memcpy(&u, rec->data + i, sizeof(u));
		map_uid_range(map, u.uid1, u.uid2, &first, &end);
		for (j = first; j < end; j++) {
			r = mail_index_map_rec(map, j);
			map_set_flags(map, r, (uint8_t)((r->flags | u.add_flags) &
							~u.remove_flags));
			if (counts)
				r->modseq = modseq;
		}
	}
}

static void apply_keywords(struct mail_index_map *map,
			   const struct mail_transaction_rec *rec,
			   uint64_t modseq, bool reset)
{
	const struct mail_transaction_uid_range *ranges;
	struct mail_transaction_uid_range r;
	unsigned int i, count;
	uint32_t j, first, end;
	uint8_t type = 0;
	const char *name;
	size_t name_len;
	int idx = -1;

	if (reset) {
		ranges = (const void *)rec->data;
		count = rec->size / sizeof(r);
	} else {
		mail_transaction_keyword_parse(rec, &type, &name, &name_len,
					       &ranges, &count);
		idx = mail_index_map_keyword_idx(map, name, name_len, true);
		if (idx < 0)
			return;	/* keyword list full: ignored */
	}
	for (i = 0; i < count; i++) {
		memcpy(&r, &ranges[i], sizeof(r));
		map_uid_range(map, r.uid1, r.uid2, &first, &end);
		for (j = first; j < end; j++) {
			struct mail_index_record *rp = mail_index_map_rec(map, j);
			if (reset)
				memset(rp->keywords, 0, sizeof(rp->keywords));
			else if (type == 1)
				rp->keywords[idx / 8] |= 1 << (idx % 8);
			else
				rp->keywords[idx / 8] &= ~(1 << (idx % 8));
			rp->modseq = modseq;
		}
	}
}

static void apply_header(struct mail_index_map *map,
			 const struct mail_transaction_rec *rec)
{
	struct mail_transaction_header_update u;
	uint32_t i;

	for (i = 0; i + sizeof(u) <= rec->size; i += sizeof(u)) {
		memcpy(&u, rec->data + i, sizeof(u));
		switch (u.field) {
		case MAIL_INDEX_HEADER_UID_VALIDITY:
			map->hdr.uid_validity = u.value;
			break;
		case MAIL_INDEX_HEADER_NEXT_UID:
			if (u.value > map->hdr.next_uid)
				map->hdr.next_uid = u.value;
			break;
		case MAIL_INDEX_HEADER_FIRST_RECENT_UID:
			map->hdr.first_recent_uid = u.value;
			break;
		case MAIL_INDEX_HEADER_FLAGS:
			map->hdr.flags = u.value;
			break;
		}
	}
}

static void apply_ext(struct mail_index_map *map,
		      const struct mail_transaction_rec *rec)
{
	const struct mail_index_ext *ext;
	struct mail_index_record *r;
	const unsigned char *data;
	size_t name_len, data_len;
	const char *name;
	uint32_t uid, idx;
	int ext_idx;

	mail_transaction_ext_parse(rec, &uid, &name, &name_len,
				   &data, &data_len);
	ext_idx = mail_index_map_ext_idx(map, name, name_len,
					 (uint32_t)data_len, true);
	if (ext_idx < 0)
		return;	/* size conflict or too many: ignored */
	r = mail_index_map_lookup_uid(map, uid, &idx);
	if (r == NULL)
		return;
	ext = array_idx(&map->exts, (unsigned int)ext_idx);
	memcpy((unsigned char *)r + ext->record_offset, data, data_len);
}

static void apply_modseq(struct mail_index_map *map,
			 const struct mail_transaction_rec *rec)
{
	struct mail_transaction_modseq_update m;
	struct mail_index_record *r;
	uint32_t i, idx;

	for (i = 0; i + sizeof(m) <= rec->size; i += sizeof(m)) {
		memcpy(&m, rec->data + i, sizeof(m));
		/* highest_modseq: mail_transaction_rec_next_modseq() */
		if (m.uid == 0)
			continue;
		r = mail_index_map_lookup_uid(map, m.uid, &idx);
		if (r != NULL && r->modseq < m.modseq)
			r->modseq = m.modseq;
	}
}

void mail_index_map_apply(struct mail_index_map *map, const unsigned char *data,
			  size_t size, uint32_t end_offset)
{
	struct mail_transaction_rec rec;
	size_t pos = 0;
	bool counts;

	map->generation++;
	while (mail_transaction_next(data, size, &pos, &rec)) {
		counts = mail_transaction_rec_counts_modseq(&rec);
		map->hdr.highest_modseq = mail_transaction_rec_next_modseq(
			&rec, map->hdr.highest_modseq);
		switch (rec.type & MAIL_TRANSACTION_TYPE_MASK) {
		case MAIL_TRANSACTION_APPEND:
			apply_append(map, &rec, map->hdr.highest_modseq);
			break;
		case MAIL_TRANSACTION_EXPUNGE:
			if ((rec.type & MAIL_TRANSACTION_EXTERNAL) != 0)
				apply_expunge(map, &rec);
			break;	/* a request waits for the syncer */
		case MAIL_TRANSACTION_FLAG_UPDATE:
			apply_flags(map, &rec, map->hdr.highest_modseq, counts);
			break;
		case MAIL_TRANSACTION_KEYWORD_UPDATE:
			apply_keywords(map, &rec, map->hdr.highest_modseq, false);
			break;
		case MAIL_TRANSACTION_KEYWORD_RESET:
			apply_keywords(map, &rec, map->hdr.highest_modseq, true);
			break;
		case MAIL_TRANSACTION_HEADER_UPDATE:
			apply_header(map, &rec);
			break;
		case MAIL_TRANSACTION_EXT_REC_UPDATE:
			apply_ext(map, &rec);
			break;
		case MAIL_TRANSACTION_MODSEQ_UPDATE:
			apply_modseq(map, &rec);
			break;
		case MAIL_TRANSACTION_TAIL_UPDATE:
			map->hdr.log_file_tail_offset = end_offset;
			break;
		}
	}
	map->hdr.log_file_head_offset = end_offset;
}

uint32_t mail_index_map_replay_log(struct mail_index_map *map,
				   const unsigned char *data, size_t size,
				   uint32_t max_transaction_size)
{
	struct mail_transaction_log_header hdr;
	struct mail_transaction_boundary b;
	const char *error;
	size_t offset;

	if (size < sizeof(hdr))
		return 0;
	memcpy(&hdr, data, sizeof(hdr));
	if (mail_transaction_log_header_validate(&hdr, size, &error) < 0)
		return 0;
	if (map->hdr.highest_modseq < hdr.initial_modseq)
		map->hdr.highest_modseq = hdr.initial_modseq;
	map->hdr.log_file_seq = hdr.file_seq;
	for (offset = sizeof(hdr); size - offset >= 16; offset += b.size) {
		memcpy(&b, data + offset + sizeof(struct mail_transaction_header),
		       sizeof(b));
		if (b.size < 16 || b.size > size - offset ||
		    offset + b.size > INT32_MAX ||
		    mail_transaction_validate(data + offset, b.size,
					      max_transaction_size, &error) < 0)
			break;
		mail_index_map_apply(map, data + offset, b.size,
				     (uint32_t)(offset + b.size));
	}
	return (uint32_t)offset;
}
