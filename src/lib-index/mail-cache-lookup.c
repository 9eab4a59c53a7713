/* Copyright (c) dovecot-like authors. Reading cached data: walking a
   message's record chain (newest first) without locks. Every offset and
   size comes from a user-owned file and is bounds-checked; chains only go
   backwards, so a walk always ends. */

#include "lib.h"
#include "mail-cache-private.h"

#include <unistd.h>
#include <sys/stat.h>

/* The cache ext record of uid, if it points into the current file. */
bool mail_cache_get_ext(struct mail_cache *cache, uint32_t uid,
			uint32_t *offset_r)
{
	struct mail_cache_ext_rec rec;
	const void *data;

	if (mail_index_lookup_ext(cache->index, uid, cache->ext_id, &data) <= 0)
		return false;
	memcpy(&rec, data, sizeof(rec));
	if (rec.file_seq != cache->hdr.file_seq || rec.offset == 0 ||
	    cache->fd == -1)
		return false;
	*offset_r = rec.offset;
	return true;
}

/* Find file_field in the chain starting at offset. For bitmask fields all
   values are ORed into dest (size bytes); otherwise the newest is appended.
   Returns 1 found, 0 not, -1 corrupt (file dropped). */
int mail_cache_chain_find(struct mail_cache *cache, uint32_t offset,
			  uint32_t file_field, bool bitmask, struct buf *dest)
{
	struct mail_cache_record rec;
	struct mail_cache_item item;
	unsigned char *data = NULL;
	size_t data_size = 0, start = dest->used;
	uint32_t pos, i;
	struct stat st;
	int found = 0;

	if (fstat(cache->fd, &st) < 0)
		return 0;
	while (offset != 0) {
		if (offset % 8 != 0 || offset < sizeof(cache->hdr) ||
		    (uint64_t)offset + sizeof(rec) > (uint64_t)st.st_size ||
		    pread(cache->fd, &rec, sizeof(rec), offset) != sizeof(rec) ||
		    rec.size < sizeof(rec) || rec.size % 8 != 0 ||
		    rec.size > cache->index->set.cache_record_max_size + 4096 ||
		    (uint64_t)offset + rec.size > (uint64_t)st.st_size ||
		    rec.prev_offset >= offset)
			goto corrupt;
		if (rec.size > data_size) {
			data = p_realloc(system_pool, data, data_size, rec.size);
			data_size = rec.size;
		}
		if (pread(cache->fd, data, rec.size, offset) != (ssize_t)rec.size)
			goto corrupt;
		for (pos = sizeof(rec); pos < rec.size; ) {
			if (rec.size - pos < sizeof(item))
				goto corrupt;
			memcpy(&item, data + pos, sizeof(item));
			pos += sizeof(item);
			if (item.data_len > rec.size - pos ||
			    item.file_field >= array_count(&cache->file_to_field))
				goto corrupt;
			if (item.file_field == file_field) {
				if (!bitmask) {
					buf_append(dest, data + pos, item.data_len);
					p_free(system_pool, data);
					return 1;
				}
				if (!found)
					buf_write(dest, start + item.data_len - 1,
						  "", 1);
				for (i = 0; i < item.data_len &&
				     start + i < dest->used; i++)
					dest->data[start + i] |= data[pos + i];
				found = 1;
			}
			pos += (uint32_t)MAIL_INDEX_PAD8(item.data_len);
		}
		offset = rec.prev_offset;
	}
	p_free(system_pool, data);
	return found;
corrupt:
	p_free(system_pool, data);
	buf_truncate(dest, start);
	mail_cache_set_corrupted(cache, "broken record chain");
	return -1;
}

int mail_cache_lookup_field(struct mail_cache_view *view, uint32_t uid,
			    unsigned int field_idx, time_t saved_date,
			    struct buf *dest)
{
	struct mail_cache *cache = view->cache;
	const struct mail_cache_field_priv *f;
	uint32_t offset;
	struct stat st;

	ASSERT(field_idx < array_count(&cache->fields));
	mail_cache_decision_state_update(view, uid, field_idx, saved_date);
	if (mail_cache_reopen(cache) <= 0 ||
	    !mail_cache_get_ext(cache, uid, &offset))
		return 0;
	f = array_idx(&cache->fields, field_idx);
	if (f->file_idx < 0) {
		/* maybe another process added the field meanwhile */
		if (fstat(cache->fd, &st) < 0 ||
		    pread(cache->fd, &cache->hdr, sizeof(cache->hdr), 0) !=
		    sizeof(cache->hdr) ||
		    mail_cache_read_fields(cache, (uint64_t)st.st_size) < 0) {
			mail_cache_set_corrupted(cache, "field list");
			return 0;
		}
		f = array_idx(&cache->fields, field_idx);
		if (f->file_idx < 0)
			return 0;
	}
	return mail_cache_chain_find(cache, offset, (uint32_t)f->file_idx,
				     f->field.type == MAIL_CACHE_FIELD_BITMASK,
				     dest) > 0 ? 1 : 0;
}
