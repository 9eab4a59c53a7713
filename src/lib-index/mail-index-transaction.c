/* Copyright (c) dovecot-like authors. Building transactions: every change is
   serialized into log records right away (except uid=0 appends, whose UIDs
   are only known under the lock at commit). */

#include "lib.h"
#include "mail-index-private.h"

void mail_transaction_rec_append(struct buf *buf, uint32_t type,
				  const void *payload, size_t size)
{
	struct mail_transaction_header hdr;

	hdr.type = type;
	hdr.size = (uint32_t)(sizeof(hdr) + MAIL_INDEX_PAD8(size));
	buf_append(buf, &hdr, sizeof(hdr));
	if (size > 0)
		buf_append(buf, payload, size);
	while (buf->used % 8 != 0)
		buf_append_c(buf, 0);
}

struct mail_index_transaction *
mail_index_transaction_begin(struct mail_index_view *view,
			     enum mail_index_transaction_flags flags)
{
	struct pool *pool = pool_create("index transaction", 1024,
					POOL_FLAG_NONE);
	struct mail_index_transaction *t;

	t = pool_new(pool, struct mail_index_transaction, 1);
	t->pool = pool;
	t->index = view->index;
	t->flags = flags;
	array_init(&t->appends, pool, 8);
	array_init(&t->kw_names, pool, 8);
	array_init(&t->append_ext_owner, pool, 8);
	array_init(&t->append_ext_offsets, pool, 8);
	t->append_exts = buf_create(system_pool, 256);
	t->changes = buf_create(system_pool, 256);
	t->index->transactions_count++;
	return t;
}

static void transaction_free(struct mail_index_transaction **_t)
{
	struct mail_index_transaction *t = *_t;
	struct pool *pool = t->pool;

	*_t = NULL;
	t->index->transactions_count--;
	buf_free(&t->append_exts);
	buf_free(&t->changes);
	array_free(&t->appends);
	array_free(&t->kw_names);
	array_free(&t->append_ext_owner);
	array_free(&t->append_ext_offsets);
	pool_unref(&pool);
}

void mail_index_transaction_rollback(struct mail_index_transaction **t)
{
	transaction_free(t);
}

bool mail_index_transaction_is_empty(struct mail_index_transaction *t)
{
	return array_count(&t->appends) == 0 && t->changes->used == 0;
}

static bool keyword_name_valid(const char *name)
{
	return mail_index_name_is_valid(name, strlen(name),
					MAIL_INDEX_MAX_KEYWORD_LEN);
}

unsigned int mail_index_append(struct mail_index_transaction *t, uint32_t uid,
			       uint8_t flags, const char *const *keywords,
			       unsigned int keywords_count)
{
	struct mail_index_append_rec *a = array_append_space(&t->appends);
	unsigned int i;

	a->uid = uid;
	a->flags = flags;
	a->kw_start = array_count(&t->kw_names);
	for (i = 0; i < keywords_count; i++) {
		char *name;

		if (!keyword_name_valid(keywords[i]))
			continue;
		name = p_strdup(t->pool, keywords[i]);
		array_append(&t->kw_names, &name);
	}
	a->kw_count = array_count(&t->kw_names) - a->kw_start;
	return array_count(&t->appends) - 1;
}

static const struct mail_index_registered_ext *
reg_ext(struct mail_index *index, uint32_t ext_id, size_t size)
{
	const struct mail_index_registered_ext *ext;

	ASSERT(ext_id < array_count(&index->reg_exts));
	ext = array_idx(&index->reg_exts, ext_id);
	ASSERT(size == ext->record_size);
	return ext;
}

/* EXT_REC_UPDATE payload for uid (may be 0 = patched at commit). */
static void ext_rec_add(struct buf *buf, const char *name, uint32_t uid,
			const void *data, size_t size)
{
	struct mail_transaction_ext_rec_update e;
	struct buf *payload = buf_create(system_pool, 64 + size);
	static const unsigned char zeros[8];

	e.uid = uid;
	e.name_len = (uint16_t)strlen(name);
	e.data_len = (uint16_t)size;
	buf_append(payload, &e, sizeof(e));
	buf_append(payload, name, e.name_len);
	buf_append(payload, zeros, MAIL_INDEX_PAD8(e.name_len) - e.name_len);
	buf_append(payload, data, size);
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_EXT_REC_UPDATE, payload->data,
		payload->used);
	buf_free(&payload);
}

void mail_index_append_ext(struct mail_index_transaction *t,
			   unsigned int append_idx, uint32_t ext_id,
			   const void *data, size_t size)
{
	const struct mail_index_registered_ext *ext =
		reg_ext(t->index, ext_id, size);
	uint32_t offset = (uint32_t)t->append_exts->used;

	ASSERT(append_idx < array_count(&t->appends));
	ext_rec_add(t->append_exts, ext->name, 0, data, size);
	array_append(&t->append_ext_owner, &append_idx);
	array_append(&t->append_ext_offsets, &offset);
}

static uint32_t change_type(struct mail_index_transaction *t, uint32_t type)
{
	if ((t->flags & MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL) != 0)
		type |= MAIL_TRANSACTION_EXTERNAL;
	return type;
}

void mail_index_update_flags(struct mail_index_transaction *t, uint32_t uid1,
			     uint32_t uid2, enum mail_index_modify_type type,
			     uint8_t flags)
{
	struct mail_transaction_flag_update u;

	ASSERT(uid1 > 0 && uid1 <= uid2);
	memset(&u, 0, sizeof(u));
	u.uid1 = uid1;
	u.uid2 = uid2;
	switch (type) {
	case MAIL_INDEX_MODIFY_ADD:
		u.add_flags = flags;
		break;
	case MAIL_INDEX_MODIFY_REMOVE:
		u.remove_flags = flags;
		break;
	case MAIL_INDEX_MODIFY_REPLACE:
		u.add_flags = flags;
		u.remove_flags = (uint8_t)(MAIL_INDEX_FLAGS_MASK & ~flags);
		break;
	}
	if (u.add_flags == 0 && u.remove_flags == 0)
		return;
	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_FLAG_UPDATE),
		&u, sizeof(u));
}

int mail_index_update_keyword(struct mail_index_transaction *t, uint32_t uid1,
			      uint32_t uid2, enum mail_index_modify_type type,
			      const char *name)
{
	struct mail_transaction_keyword_update k;
	struct mail_transaction_uid_range r = { uid1, uid2 };
	struct buf *payload;
	static const unsigned char zeros[8];

	ASSERT(uid1 > 0 && uid1 <= uid2);
	ASSERT(type == MAIL_INDEX_MODIFY_ADD || type == MAIL_INDEX_MODIFY_REMOVE);
	if (!keyword_name_valid(name))
		return -1;
	if (mail_index_keyword_lookup(t->index, name) < 0 &&
	    array_count(&t->index->map->keywords) >= MAIL_INDEX_MAX_KEYWORDS)
		return -1;
	memset(&k, 0, sizeof(k));
	k.modify_type = type == MAIL_INDEX_MODIFY_ADD ? 1 : 2;
	k.name_len = (uint16_t)strlen(name);
	payload = buf_create(system_pool, 64);
	buf_append(payload, &k, sizeof(k));
	buf_append(payload, name, k.name_len);
	buf_append(payload, zeros, MAIL_INDEX_PAD8(k.name_len) - k.name_len);
	buf_append(payload, &r, sizeof(r));
	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_KEYWORD_UPDATE),
		payload->data, payload->used);
	buf_free(&payload);
	return 0;
}

void mail_index_reset_keywords(struct mail_index_transaction *t,
			       uint32_t uid1, uint32_t uid2)
{
	struct mail_transaction_uid_range r = { uid1, uid2 };

	ASSERT(uid1 > 0 && uid1 <= uid2);
	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_KEYWORD_RESET),
		&r, sizeof(r));
}

void mail_index_expunge(struct mail_index_transaction *t, uint32_t uid1,
			uint32_t uid2)
{
	struct mail_transaction_uid_range r = { uid1, uid2 };

	ASSERT(uid1 > 0 && uid1 <= uid2);
	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_EXPUNGE |
					MAIL_TRANSACTION_EXPUNGE_PROT),
		&r, sizeof(r));
}

void mail_index_update_header(struct mail_index_transaction *t,
			      enum mail_index_header_field field,
			      uint32_t value)
{
	struct mail_transaction_header_update u = { field, value };

	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_HEADER_UPDATE),
		&u, sizeof(u));
}

void mail_index_update_ext(struct mail_index_transaction *t, uint32_t uid,
			   uint32_t ext_id, const void *data, size_t size)
{
	const struct mail_index_registered_ext *ext =
		reg_ext(t->index, ext_id, size);

	ASSERT(uid > 0);
	ext_rec_add(t->changes, ext->name, uid, data, size);
}

void mail_index_update_modseq(struct mail_index_transaction *t, uint32_t uid,
			      uint64_t min_modseq)
{
	struct mail_transaction_modseq_update m;

	memset(&m, 0, sizeof(m));
	m.uid = uid;
	m.modseq = min_modseq;
	mail_transaction_rec_append(t->changes, change_type(t, MAIL_TRANSACTION_MODSEQ_UPDATE),
		&m, sizeof(m));
}

int mail_index_transaction_commit(struct mail_index_transaction **_t,
				  struct mail_index_commit_result *result_r)
{
	struct mail_index_transaction *t = *_t;
	struct mail_index *index = t->index;
	struct mail_index_commit_result result;
	struct buf *buf;
	int ret = 0;

	memset(&result, 0, sizeof(result));
	if (mail_index_transaction_is_empty(t) && !t->sync_tail) {
		transaction_free(_t);
		if (result_r != NULL)
			*result_r = result;
		return 0;
	}
	if (mail_transaction_log_lock(index) < 0) {
		transaction_free(_t);
		return -1;
	}
	buf = buf_create(system_pool, 1024);
	if (mail_index_transaction_export(t, index->map->hdr.next_uid, buf,
					  &result.first_uid,
					  &result.last_uid) < 0 ||
	    mail_transaction_log_rotate_if_needed(index) < 0 ||
	    mail_transaction_log_append(index, buf->data, buf->used,
					&result.log_file_offset) < 0)
		ret = -1;
	else {
		result.log_file_seq = index->log.hdr.file_seq;
		/* apply our own transaction the same way readers do */
		ret = mail_transaction_log_sync_map(index, true);
		result.highest_modseq = index->map->hdr.highest_modseq;
		if (ret == 0 && index->log.hdr.file_seq ==
		    index->last_snapshot_seq &&
		    index->log.offset - index->last_snapshot_log_bytes >
		    index->set.rewrite_max_log_bytes)
			ret = mail_index_write_snapshot(index);
	}
	mail_transaction_log_unlock(index);
	buf_free(&buf);
	transaction_free(_t);
	if (result_r != NULL)
		*result_r = result;
	return ret;
}
