/* Copyright (c) dovecot-like authors. Backend syncing: under the log lock,
   hand the backend the requests written since the tail offset, let it write
   external records (with UIDs assigned under the lock) and move the tail. */

#include "lib.h"
#include "mail-index-private.h"
#include "mail-index-sync.h"

#include <time.h>
#include <unistd.h>

struct mail_index_sync_ctx {
	struct mail_index *index;
	struct pool *pool;
	struct mail_index_view *view;
	struct mail_index_transaction *trans;
	ARRAY(struct mail_index_sync_rec) recs;
	unsigned int next;
};

static void sync_add_ranges(struct mail_index_sync_ctx *ctx,
			    enum mail_index_sync_type type,
			    const unsigned char *data, size_t size,
			    const char *keyword)
{
	struct mail_transaction_uid_range r;
	struct mail_index_sync_rec *rec;
	size_t i;

	for (i = 0; i + sizeof(r) <= size; i += sizeof(r)) {
		memcpy(&r, data + i, sizeof(r));
		rec = array_append_space(&ctx->recs);
		rec->type = type;
		rec->uid1 = r.uid1;
		rec->uid2 = r.uid2;
		rec->keyword = keyword;
	}
}

static void sync_add_rec(struct mail_index_sync_ctx *ctx,
			 const struct mail_transaction_rec *rec)
{
	struct mail_transaction_flag_update u;
	struct mail_index_sync_rec *srec;
	const struct mail_transaction_uid_range *ranges;
	unsigned int count;
	const char *name;
	size_t name_len, i;
	uint8_t type;

	if ((rec->type & MAIL_TRANSACTION_EXTERNAL) != 0)
		return;
	switch (rec->type & MAIL_TRANSACTION_TYPE_MASK) {
	case MAIL_TRANSACTION_EXPUNGE:
		sync_add_ranges(ctx, MAIL_INDEX_SYNC_TYPE_EXPUNGE,
				rec->data, rec->size, NULL);
		break;
	case MAIL_TRANSACTION_KEYWORD_RESET:
		sync_add_ranges(ctx, MAIL_INDEX_SYNC_TYPE_KEYWORD_RESET,
				rec->data, rec->size, NULL);
		break;
	case MAIL_TRANSACTION_FLAG_UPDATE:
		for (i = 0; i + sizeof(u) <= rec->size; i += sizeof(u)) {
			memcpy(&u, rec->data + i, sizeof(u));
			srec = array_append_space(&ctx->recs);
			srec->type = MAIL_INDEX_SYNC_TYPE_FLAGS;
			srec->uid1 = u.uid1;
			srec->uid2 = u.uid2;
			srec->add_flags = u.add_flags;
			srec->remove_flags = u.remove_flags;
		}
		break;
	case MAIL_TRANSACTION_KEYWORD_UPDATE:
		mail_transaction_keyword_parse(rec, &type, &name, &name_len,
					       &ranges, &count);
		sync_add_ranges(ctx, type == 1 ?
				MAIL_INDEX_SYNC_TYPE_KEYWORD_ADD :
				MAIL_INDEX_SYNC_TYPE_KEYWORD_REMOVE,
				(const void *)ranges, count * sizeof(*ranges),
				p_strndup(ctx->pool, name, name_len));
		break;
	}
}

/* Requests between the tail and the head of the current log file. */
static int sync_collect(struct mail_index_sync_ctx *ctx)
{
	struct mail_index *index = ctx->index;
	struct mail_transaction_rec rec;
	struct buf *buf = buf_create(system_pool, 4096);
	uint32_t offset = index->map->hdr.log_file_tail_offset;
	const char *error;
	size_t pos;
	int ret;

	if (offset < sizeof(struct mail_transaction_log_header))
		offset = sizeof(struct mail_transaction_log_header);
	while (offset < index->log.offset) {
		ret = mail_transaction_log_read_at(index, offset, buf, &error);
		if (ret <= 0) {
			mail_index_set_error(index, "%s: rereading at %u failed",
					     index->log_path, offset);
			buf_free(&buf);
			return -1;
		}
		pos = 0;
		while (mail_transaction_next(buf->data, buf->used, &pos, &rec))
			sync_add_rec(ctx, &rec);
		offset += (uint32_t)buf->used;
	}
	buf_free(&buf);
	return 0;
}

int mail_index_sync_begin(struct mail_index *index,
			  struct mail_index_sync_ctx **ctx_r,
			  struct mail_index_view **view_r,
			  struct mail_index_transaction **trans_r)
{
	struct mail_index_sync_ctx *ctx;
	struct pool *pool;

	if (mail_transaction_log_lock(index) < 0)
		return -1;
	pool = pool_create("index sync", 1024, POOL_FLAG_NONE);
	ctx = pool_new(pool, struct mail_index_sync_ctx, 1);
	ctx->pool = pool;
	ctx->index = index;
	array_init(&ctx->recs, pool, 16);
	if (sync_collect(ctx) < 0) {
		mail_transaction_log_unlock(index);
		array_free(&ctx->recs);
		pool_unref(&pool);
		return -1;
	}
	ctx->view = mail_index_view_open(index);
	ctx->trans = mail_index_transaction_begin(ctx->view,
		MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	ctx->trans->sync_tail = array_count(&ctx->recs) > 0;
	*view_r = ctx->view;
	*trans_r = ctx->trans;
	*ctx_r = ctx;
	return 0;
}

bool mail_index_sync_next(struct mail_index_sync_ctx *ctx,
			  struct mail_index_sync_rec *rec_r)
{
	if (ctx->next >= array_count(&ctx->recs))
		return false;
	*rec_r = *array_idx(&ctx->recs, ctx->next);
	ctx->next++;
	return true;
}

bool mail_index_sync_have_any(struct mail_index_sync_ctx *ctx)
{
	return array_count(&ctx->recs) > 0;
}

static void sync_free(struct mail_index_sync_ctx **_ctx)
{
	struct mail_index_sync_ctx *ctx = *_ctx;
	struct pool *pool = ctx->pool;

	*_ctx = NULL;
	if (ctx->trans != NULL)
		mail_index_transaction_rollback(&ctx->trans);
	mail_index_view_close(&ctx->view);
	mail_transaction_log_unlock(ctx->index);
	array_free(&ctx->recs);
	pool_unref(&pool);
}

static void sync_drop_old_log2(struct mail_index *index)
{
	uint32_t rotated = index->map->hdr.log2_rotate_time;

	if (rotated != 0 &&
	    (time_t)rotated + (time_t)index->set.log2_max_age_secs < time(NULL)) {
		(void)unlink(index->log2_path);
		index->map->hdr.log2_rotate_time = 0;
	}
}

int mail_index_sync_commit(struct mail_index_sync_ctx **_ctx)
{
	struct mail_index_sync_ctx *ctx = *_ctx;
	struct mail_index *index = ctx->index;
	int ret;

	ret = mail_index_transaction_commit(&ctx->trans, NULL);
	if (ret == 0)
		ret = mail_transaction_log_rotate_if_needed(index);
	if (ret == 0) {
		sync_drop_old_log2(index);
		if (index->log.hdr.file_seq != index->last_snapshot_seq ||
		    index->log.offset - index->last_snapshot_log_bytes >
		    index->set.rewrite_min_log_bytes)
			ret = mail_index_file_write(index, index->map);
	}
	sync_free(_ctx);
	return ret;
}

void mail_index_sync_rollback(struct mail_index_sync_ctx **ctx)
{
	sync_free(ctx);
}
