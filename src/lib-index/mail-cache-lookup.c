/* Copyright (c) dovecot-like authors. Reading cached data: walking a
   message's record chain (newest first) without locks. Every offset and
   size comes from a user-owned file and is bounds-checked; chains only go
   backwards, so a walk always ends. */

#include "lib.h"
#include "write-full.h"
#include "mail-cache-private.h"

#include <unistd.h>
#include <sys/stat.h>

/* uid's cache ext record; false if it has none or points nowhere. The
   last uid's answer is remembered until the index map changes (every
   applied transaction bumps its generation): one uid search per message
   instead of one per field. */
static bool cache_ext_rec(struct mail_cache *cache, uint32_t uid,
			  struct mail_cache_ext_rec *rec_r)
{
	const struct mail_index_map *map = cache->index->map;
	const void *data;

	if (map == NULL || cache->last_ext.map != map ||
	    cache->last_ext.generation != map->generation ||
	    cache->last_ext.uid != uid) {
		cache->last_ext.found = map != NULL &&
			mail_index_lookup_ext(cache->index, uid, cache->ext_id,
					      &data) > 0;
		if (cache->last_ext.found)
			memcpy(&cache->last_ext.rec, data,
			       sizeof(cache->last_ext.rec));
		cache->last_ext.map = map;
		cache->last_ext.generation = map == NULL ? 0 : map->generation;
		cache->last_ext.uid = uid;
	}
	if (!cache->last_ext.found)
		return false;
	*rec_r = cache->last_ext.rec;
	return rec_r->offset != 0;
}

static bool cache_rec_in_open_file(const struct mail_cache *cache,
				   const struct mail_cache_ext_rec *rec)
{
	return cache->fd != -1 && rec->file_seq == cache->hdr.file_seq;
}

/* The cache ext record of uid, if it points into the current file. */
bool mail_cache_get_ext(struct mail_cache *cache, uint32_t uid,
			uint32_t *offset_r)
{
	struct mail_cache_ext_rec rec;

	if (!cache_ext_rec(cache, uid, &rec) ||
	    !cache_rec_in_open_file(cache, &rec))
		return false;
	*offset_r = rec.offset;
	return true;
}

/* How much a record read fetches: records of consecutive messages usually
   lie one after the other, so one read serves many lookups. */
#define CACHE_READ_AHEAD (64 * 1024)

/* Is [offset, offset + size) inside the file? Refreshes the size we know
   when it isn't (another process may have appended). */
static bool cache_in_file(struct mail_cache *cache, uint64_t offset,
			  uint64_t size)
{
	struct stat st;

	if (offset + size <= cache->file_size)
		return true;
	if (fstat(cache->fd, &st) < 0)
		return false;
	cache->file_size = (uint64_t)st.st_size;
	return offset + size <= cache->file_size;
}

/* The file's bytes [offset, offset + size) from a read window, reading
   them into the next window to replace (from offset: at least size bytes,
   CACHE_READ_AHEAD if the file has them) when no window has them. NULL on
   a read error or when the file is shorter. */
static const unsigned char *
cache_window_get(struct mail_cache *cache, uint64_t offset, size_t size)
{
	struct mail_cache_window *w;
	uint64_t avail;
	size_t want;
	unsigned int i;

	for (i = 0; i < MAIL_CACHE_READ_WINDOWS; i++) {
		w = &cache->windows[i];
		if (w->buf != NULL && offset >= w->offset &&
		    offset + size <= w->offset + w->buf->used)
			return w->buf->data + (offset - w->offset);
	}
	if (!cache_in_file(cache, offset, size))
		return NULL;
	w = &cache->windows[cache->next_window];
	cache->next_window = (cache->next_window + 1) % MAIL_CACHE_READ_WINDOWS;
	if (w->buf == NULL)
		w->buf = buf_create(system_pool, CACHE_READ_AHEAD);
	avail = cache->file_size - offset;
	want = size > CACHE_READ_AHEAD ? size : CACHE_READ_AHEAD;
	if (want > avail)
		want = (size_t)avail;
	buf_reset(w->buf);
	w->offset = offset;
	if (pread_full(cache->fd, buf_get_space(w->buf, want), want,
		       offset) < 0) {
		buf_reset(w->buf);
		return NULL;
	}
	buf_commit_space(w->buf, want);
	return w->buf->data;
}

/* The record at offset: its header in *rec_r, the whole record (header
   included) in *data_r, valid until the next read. Returns 0 or -1
   (corrupt). */
static int cache_read_record(struct mail_cache *cache, uint32_t offset,
			     struct mail_cache_record *rec_r,
			     const unsigned char **data_r)
{
	const unsigned char *data;

	if (offset % 8 != 0 || offset < sizeof(cache->hdr) ||
	    (data = cache_window_get(cache, offset, sizeof(*rec_r))) == NULL)
		return -1;
	memcpy(rec_r, data, sizeof(*rec_r));
	if (rec_r->size < sizeof(*rec_r) || rec_r->size % 8 != 0 ||
	    rec_r->size > cache->index->set.cache_record_max_size + 4096 ||
	    rec_r->prev_offset >= offset ||
	    (data = cache_window_get(cache, offset, rec_r->size)) == NULL)
		return -1;
	*data_r = data;
	return 0;
}

int mail_cache_chain_walk(struct mail_cache *cache, uint32_t offset,
			  mail_cache_item_callback_t *callback, void *context)
{
	struct mail_cache_record rec;
	struct mail_cache_item item;
	const unsigned char *data;
	uint32_t pos;

	while (offset != 0) {
		if (cache_read_record(cache, offset, &rec, &data) < 0)
			goto corrupt;
		for (pos = sizeof(rec); pos < rec.size; ) {
			if (rec.size - pos < sizeof(item))
				goto corrupt;
			memcpy(&item, data + pos, sizeof(item));
			pos += sizeof(item);
			if (item.data_len > rec.size - pos)
				goto corrupt;
			if (item.file_field >= array_count(&cache->file_to_field)) {
				/* a field another process added after our
				   last read of the list (blocks only grow) */
				if (mail_cache_refresh_fields(cache) < 0)
					return -1;
				if (item.file_field >=
				    array_count(&cache->file_to_field))
					goto corrupt;
			}
			if (!callback(item.file_field, data + pos,
				      item.data_len, context))
				return 0;
			pos += (uint32_t)MAIL_INDEX_PAD8(item.data_len);
		}
		offset = rec.prev_offset;
	}
	return 0;
corrupt:
	mail_cache_set_corrupted(cache, "broken record chain");
	return -1;
}

struct cache_find_ctx {
	uint32_t file_field;
	bool bitmask;
	int found;
	struct buf *dest;
	size_t start;
};

static bool cache_find_item(uint32_t file_field, const unsigned char *data,
			    uint32_t data_len, void *context)
{
	struct cache_find_ctx *ctx = context;
	struct buf *dest = ctx->dest;
	uint32_t i;

	if (file_field != ctx->file_field)
		return true;
	if (!ctx->bitmask) {
		buf_append(dest, data, data_len);
		ctx->found = 1;
		return false;
	}
	if (ctx->found == 0 && data_len > 0)
		buf_write(dest, ctx->start + data_len - 1, "", 1);
	for (i = 0; i < data_len && ctx->start + i < dest->used; i++)
		dest->data[ctx->start + i] |= data[i];
	ctx->found = 1;
	return true;
}

/* Find file_field in the chain starting at offset. For bitmask fields all
   values are ORed into dest (size bytes); otherwise the newest is appended.
   Returns 1 found, 0 not, -1 corrupt (file dropped). */
int mail_cache_chain_find(struct mail_cache *cache, uint32_t offset,
			  uint32_t file_field, bool bitmask, struct buf *dest)
{
	struct cache_find_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file_field = file_field;
	ctx.bitmask = bitmask;
	ctx.dest = dest;
	ctx.start = dest->used;
	if (mail_cache_chain_walk(cache, offset, cache_find_item, &ctx) < 0) {
		buf_truncate(dest, ctx.start);
		return -1;
	}
	return ctx.found;
}

static bool cache_item_any(uint32_t file_field ATTR_UNUSED,
			   const unsigned char *data ATTR_UNUSED,
			   uint32_t data_len ATTR_UNUSED,
			   void *context ATTR_UNUSED)
{
	return true;
}

/* Might the view's pending (not yet written) additions hold uid's value
   of the field? (A search's results read again by a SORT in the same
   session: written first, then found in the file.) */
static bool cache_view_may_have_pending(const struct mail_cache_view *view,
					uint32_t uid, unsigned int field_idx)
{
	const struct mail_cache_uid_range *r;

	if (field_idx >= array_count(&view->pending_uids))
		return false;
	r = array_idx(&view->pending_uids, field_idx);
	return uid >= r->min && uid <= r->max;
}

/* Where uid's records start in the open file. The file is reopened only
   when the index points into another one (a purge or a first file by
   another process), not stat()ed per lookup. */
static bool cache_lookup_offset(struct mail_cache *cache, uint32_t uid,
				uint32_t *offset_r)
{
	struct mail_cache_ext_rec rec;

	if (!cache_ext_rec(cache, uid, &rec))
		return false;
	if (!cache_rec_in_open_file(cache, &rec) &&
	    (mail_cache_reopen(cache) <= 0 ||
	     !cache_rec_in_open_file(cache, &rec)))
		return false;
	*offset_r = rec.offset;
	return true;
}

int mail_cache_lookup_field(struct mail_cache_view *view, uint32_t uid,
			    unsigned int field_idx, time_t saved_date,
			    struct buf *dest)
{
	struct mail_cache *cache = view->cache;
	const struct mail_cache_field_priv *f;
	uint32_t offset;

	ASSERT(field_idx < array_count(&cache->fields));
	if (cache_view_may_have_pending(view, uid, field_idx))
		/* on failure the additions are dropped: parsed again */
		(void)mail_cache_view_flush(view);
	mail_cache_decision_state_update(view, uid, field_idx, saved_date);
	if (!cache_lookup_offset(cache, uid, &offset))
		return 0;
	f = array_idx(&cache->fields, field_idx);
	if (f->file_idx < 0) {
		/* the message's records can hold the field only if another
		   process added it to the list meanwhile: the walk re-reads
		   the list when it meets a field it doesn't know */
		if (mail_cache_chain_walk(cache, offset, cache_item_any,
					  NULL) < 0)
			return 0;
		f = array_idx(&cache->fields, field_idx);
		if (f->file_idx < 0)
			return 0;
	}
	return mail_cache_chain_find(cache, offset, (uint32_t)f->file_idx,
				     f->field.type == MAIL_CACHE_FIELD_BITMASK,
				     dest) > 0 ? 1 : 0;
}
