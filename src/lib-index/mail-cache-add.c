/* Copyright (c) dovecot-like authors. Adding to the cache: additions are
   buffered per view and appended under a short lock on the cache file;
   data already written is never changed (only the field list link, header
   counters and decision bytes are updated in place). */

#include "lib.h"
#include "write-full.h"
#include "mail-cache-private.h"
#include "mail-index-transaction.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

void mail_cache_add(struct mail_cache_view *view, uint32_t uid,
		    unsigned int field_idx, const void *data, size_t size)
{
	struct mail_cache *cache = view->cache;
	const struct mail_cache_field_priv *f;
	struct mail_cache_pending *p;
	struct mail_cache_uid_range *range;

	ASSERT(field_idx < array_count(&cache->fields));
	f = array_idx(&cache->fields, field_idx);
	if ((f->field.decision & ~MAIL_CACHE_DECISION_FORCED) ==
	    MAIL_CACHE_DECISION_NO)
		return;
	if (size > cache->index->set.cache_record_max_size ||
	    ((f->field.type == MAIL_CACHE_FIELD_FIXED_SIZE ||
	      f->field.type == MAIL_CACHE_FIELD_BITMASK) &&
	     size != f->field.field_size))
		return;
	while (array_count(&view->pending_uids) <= field_idx) {
		struct mail_cache_uid_range *r =
			array_append_space(&view->pending_uids);
		r->min = UINT32_MAX;
	}
	range = array_idx_modifiable(&view->pending_uids, field_idx);
	range->min = MIN(range->min, uid);
	range->max = MAX(range->max, uid);
	p = array_append_space(&view->pending);
	p->uid = uid;
	p->field = field_idx;
	p->data_offset = (uint32_t)view->pending_data->used;
	p->data_len = (uint32_t)size;
	buf_append(view->pending_data, data, size);
}

/* A new empty file with a fresh file_seq at the cache path: linked only if
   there is none (one creator wins), or renamed over a stale one. */
static int cache_install_new(struct mail_cache *cache, bool replace)
{
	const char *tmp_path;
	uint32_t seq;
	int fd;

	/* offsets into any older file must be recognisably stale */
	seq = mail_cache_new_file_seq(cache);
	tmp_path = tmp_printf("%s.new.%ld", cache->path, (long)getpid());
	(void)unlink(tmp_path);
	fd = mail_cache_create_file(cache, tmp_path, seq);
	if (fd < 0)
		return -1;
	(void)close(fd);
	if (replace) {
		if (rename(tmp_path, cache->path) < 0)
			log_error("rename(%s) failed: %m", cache->path);
	} else if (link(tmp_path, cache->path) < 0 && errno != EEXIST)
		log_error("link(%s) failed: %m", cache->path);
	(void)unlink(tmp_path);
	return mail_cache_reopen(cache) > 0 ? 0 : -1;
}

/* Open the file, creating it if there is none. A file of another index
   generation is replaced only under the log lock, which first brings our
   index up to date (following a rebuild by another process): if it still
   doesn't match, it is the stale one, never a newer index's fresh file. */
static int cache_create_if_missing(struct mail_cache *cache)
{
	int ret;

	if (mail_cache_reopen(cache) > 0)
		return 0;
	if (!cache->foreign_indexid)
		return cache_install_new(cache, false);
	if (mail_transaction_log_lock(cache->index) < 0)
		return -1;
	if (mail_cache_reopen(cache) > 0)
		ret = 0;
	else
		ret = cache_install_new(cache, cache->foreign_indexid);
	mail_transaction_log_unlock(cache->index);
	return ret;
}

static int cache_append(struct mail_cache *cache, const void *data,
			size_t size, uint32_t *offset_r)
{
	struct stat st;

	if (fstat(cache->fd, &st) < 0)
		return -1;
	if ((uint64_t)st.st_size + size > cache->index->set.cache_max_size)
		return -1;
	if (pwrite_full(cache->fd, data, size, st.st_size) < 0) {
		/* a partial write is left in place, unreferenced, until the
		   next purge: truncating it would let the next append put
		   other bytes where a reader may already have read these */
		log_error("pwrite(%s) failed: %m", cache->path);
		return -1;
	}
	*offset_r = (uint32_t)st.st_size;
	cache->file_size = (uint64_t)st.st_size + size;
	return 0;
}

/* Put fields that aren't in the file yet into a new field block. */
static int cache_add_fields(struct mail_cache *cache)
{
	struct mail_cache_field_priv *fields;
	struct mail_cache_field_block blk;
	struct buf *buf = buf_create(system_pool, 256);
	unsigned int i, count, file_count;
	uint32_t offset, link_offset;
	int ret = 0;

	fields = array_get_modifiable(&cache->fields, &count);
	memset(&blk, 0, sizeof(blk));
	buf_append(buf, &blk, sizeof(blk));
	for (i = 0; i < count; i++) {
		if (fields[i].file_idx >= 0)
			continue;
		mail_cache_field_def_append(buf, &fields[i].field);
		blk.fields_count++;
	}
	if (blk.fields_count > 0) {
		blk.size = (uint32_t)buf->used;
		memcpy(buf->data, &blk, sizeof(blk));
		link_offset = cache->last_block_offset != 0 ?
			cache->last_block_offset :
			offsetof(struct mail_cache_header, field_header_offset);
		/* the data first, then the 4-byte link that makes it visible */
		if (cache_append(cache, buf->data, buf->used, &offset) < 0 ||
		    pwrite_full(cache->fd, &offset, sizeof(offset),
				link_offset) < 0)
			ret = -1;
		else {
			if (cache->last_block_offset == 0)
				cache->hdr.field_header_offset = offset;
			cache->hdr.field_block_count++;
			file_count = array_count(&cache->file_to_field);
			cache->last_block_offset = offset;
			offset += sizeof(blk);
			for (i = 0; i < count; i++) {
				int idx = (int)i;
				if (fields[i].file_idx >= 0)
					continue;
				fields[i].file_idx = (int)file_count++;
				fields[i].def_offset = offset;
				fields[i].decision_dirty = false;
				array_append(&cache->file_to_field, &idx);
				offset += sizeof(struct mail_cache_field_def) + (uint32_t)
					MAIL_INDEX_PAD8(strlen(fields[i].field.name));
			}
		}
	}
	buf_free(&buf);
	return ret;
}

static void cache_write_decisions(struct mail_cache *cache)
{
	struct mail_cache_field_priv *f;
	uint8_t decision;
	uint32_t last_used;

	array_foreach(&cache->fields, f) {
		if (!f->decision_dirty || f->file_idx < 0)
			continue;
		decision = (uint8_t)f->field.decision;
		last_used = (uint32_t)f->field.last_used;
		(void)pwrite(cache->fd, &decision, 1, f->def_offset +
			     offsetof(struct mail_cache_field_def, decision));
		(void)pwrite(cache->fd, &last_used, 4, f->def_offset +
			     offsetof(struct mail_cache_field_def, last_used));
		f->decision_dirty = false;
	}
}

static int pending_cmp(const struct mail_cache_pending *a,
		       const struct mail_cache_pending *b)
{
	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	return a->data_offset < b->data_offset ? -1 : 1;
}

struct cache_new_rec {
	uint32_t uid;
	uint32_t buf_offset;	/* in the flush buffer */
	uint32_t prev_offset;
};

/* One record per uid, linked to the message's previous record; all of
   them built in one buffer and appended with one pwrite (under the lock). */
static int cache_write_records(struct mail_cache_view *view,
			       struct mail_index_transaction *t)
{
	struct mail_cache *cache = view->cache;
	const struct mail_cache_pending *p;
	struct mail_cache_record rec;
	struct mail_cache_item item;
	struct mail_cache_ext_rec ext;
	struct buf *buf = buf_create(system_pool, 4096);
	ARRAY(struct cache_new_rec) new_recs;
	struct cache_new_rec *nr;
	unsigned int i, j, count;
	uint32_t base = 0, start;
	int ret = 0;

	array_init(&new_recs, system_pool, 16);
	array_sort(&view->pending, pending_cmp);
	p = array_get(&view->pending, &count);
	for (i = 0; i < count; i = j) {
		start = (uint32_t)buf->used;
		memset(&rec, 0, sizeof(rec));
		if (!mail_cache_get_ext(cache, p[i].uid, &rec.prev_offset))
			rec.prev_offset = 0;
		buf_append(buf, &rec, sizeof(rec));
		for (j = i; j < count && p[j].uid == p[i].uid; j++) {
			const struct mail_cache_field_priv *f =
				array_idx(&cache->fields, p[j].field);
			item.file_field = (uint32_t)f->file_idx;
			item.data_len = p[j].data_len;
			buf_append(buf, &item, sizeof(item));
			buf_append(buf, view->pending_data->data +
				   p[j].data_offset, p[j].data_len);
			while (buf->used % 8 != 0)
				buf_append_c(buf, 0);
		}
		if (buf->used - start >
		    cache->index->set.cache_record_max_size) {
			buf_truncate(buf, start);
			continue;	/* too large to cache */
		}
		rec.size = (uint32_t)(buf->used - start);
		memcpy(buf->data + start, &rec, sizeof(rec));
		nr = array_append_space(&new_recs);
		nr->uid = p[i].uid;
		nr->buf_offset = start;
		nr->prev_offset = rec.prev_offset;
	}
	if (buf->used > 0 && cache_append(cache, buf->data, buf->used,
					  &base) < 0)
		ret = -1;
	array_foreach(&new_recs, nr) {
		if (ret < 0)
			break;
		if (nr->prev_offset != 0)
			cache->hdr.continued_record_count++;
		else
			cache->hdr.record_count++;
		ext.file_seq = cache->hdr.file_seq;
		ext.offset = base + nr->buf_offset;
		mail_index_update_ext(t, nr->uid, cache->ext_id, &ext,
				      sizeof(ext));
	}
	array_free(&new_recs);
	buf_free(&buf);
	return ret;
}

void mail_cache_view_pending_clear(struct mail_cache_view *view)
{
	struct mail_cache_uid_range *r;

	array_clear(&view->pending);
	buf_reset(view->pending_data);
	array_foreach(&view->pending_uids, r) {
		r->min = UINT32_MAX;
		r->max = 0;
	}
}

int mail_cache_view_flush(struct mail_cache_view *view)
{
	struct mail_cache *cache = view->cache;
	struct mail_index_transaction *t;
	const struct mail_cache_field_priv *f;
	bool dirty = false;
	int ret;

	array_foreach(&cache->fields, f)
		dirty = dirty || f->decision_dirty;
	if (array_count(&view->pending) == 0 && !dirty)
		return 0;
	if (cache_create_if_missing(cache) < 0 ||
	    mail_transaction_log_fd_lock(cache->fd, true,
			cache->index->set.lock_timeout_secs) < 0) {
		mail_cache_view_pending_clear(view);
		return -1;
	}
	/* others may have added fields and records meanwhile */
	if (mail_cache_refresh_fields(cache) < 0) {
		mail_cache_view_pending_clear(view);
		return -1;
	}
	(void)mail_index_refresh(cache->index);
	t = mail_index_transaction_begin(view->view,
					 MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	ret = cache_add_fields(cache);
	cache_write_decisions(cache);
	if (ret == 0)
		ret = cache_write_records(view, t);
	if (pwrite_full(cache->fd, &cache->hdr, sizeof(cache->hdr), 0) < 0)
		ret = -1;
	/* linked before the lock goes: a writer after us must see our
	   records as the messages' previous ones, or its links would orphan
	   them */
	if (mail_index_transaction_commit(&t, NULL) < 0)
		ret = -1;
	(void)mail_transaction_log_fd_lock(cache->fd, false, 0);
	mail_cache_view_pending_clear(view);
	return ret;
}
