/* Copyright (c) dovecot-like authors. Purging the cache: rewriting it with
   only live messages' data (one record per message, fields whose decision
   is not NO), under the index log lock, then relinking every message. */

#include "lib.h"
#include "write-full.h"
#include "mail-cache-private.h"
#include "mail-index-transaction.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

bool mail_cache_need_purge(struct mail_cache *cache)
{
	const struct mail_index_settings *set = &cache->index->set;
	struct mail_index_map *map = cache->index->map;
	uint32_t i, offset, live = 0, dead, records;
	struct stat st;

	if (mail_cache_reopen(cache) <= 0 || fstat(cache->fd, &st) < 0 ||
	    (uint64_t)st.st_size < set->cache_purge_min_size)
		return false;
	if (cache->hdr.field_block_count > set->cache_purge_header_continue_count)
		return true;
	records = cache->hdr.record_count;
	if (records == 0)
		return false;
	for (i = 0; i < map->hdr.messages_count; i++) {
		if (mail_cache_get_ext(cache, mail_index_map_rec(map, i)->uid,
				       &offset))
			live++;
	}
	/* chains not linked from a live message belong to expunged mail */
	dead = records > live ? records - live : 0;
	return (uint64_t)dead * 100 >=
		(uint64_t)records * set->cache_purge_delete_percentage ||
		(uint64_t)cache->hdr.continued_record_count * 100 >=
		(uint64_t)records * set->cache_purge_continued_percentage;
}

uint32_t mail_cache_new_file_seq(struct mail_cache *cache)
{
	struct mail_index_map *map = cache->index->map;
	struct mail_cache_ext_rec ext;
	const void *data;
	uint32_t i, seq = (uint32_t)time(NULL);

	if (cache->hdr.file_seq >= seq)
		seq = cache->hdr.file_seq + 1;
	for (i = 0; i < map->hdr.messages_count; i++) {
		if (mail_index_lookup_ext(cache->index,
				mail_index_map_rec(map, i)->uid,
				cache->ext_id, &data) <= 0)
			continue;
		memcpy(&ext, data, sizeof(ext));
		if (ext.file_seq >= seq && ext.file_seq != (uint32_t)-1)
			seq = ext.file_seq + 1;
	}
	return seq;
}

/* Reference 6.3: unused YES -> TEMP, unused TEMP (twice as long) -> NO. */
static void purge_update_decisions(struct mail_cache *cache)
{
	time_t now = time(NULL);
	time_t drop = cache->index->set.cache_unaccessed_field_drop_secs;
	struct mail_cache_field_priv *f;

	if (drop == 0)
		return;
	array_foreach(&cache->fields, f) {
		if ((f->field.decision & MAIL_CACHE_DECISION_FORCED) != 0)
			continue;
		if (f->field.decision == MAIL_CACHE_DECISION_YES &&
		    f->field.last_used < now - drop)
			f->field.decision = MAIL_CACHE_DECISION_TEMP;
		else if (f->field.decision == MAIL_CACHE_DECISION_TEMP &&
			 f->field.last_used < now - 2 * drop)
			f->field.decision = MAIL_CACHE_DECISION_NO;
	}
}

/* Field block of the new file: every field that is not NO. new_idx_r maps
   registered idx -> new file idx (-1 = dropped). */
static void purge_fields(struct mail_cache *cache, struct buf *out,
			 int *new_idx)
{
	const struct mail_cache_field_priv *fields;
	struct mail_cache_field_block blk;
	unsigned int i, count;
	size_t start = out->used;

	memset(&blk, 0, sizeof(blk));
	buf_append(out, &blk, sizeof(blk));
	fields = array_get(&cache->fields, &count);
	for (i = 0; i < count; i++) {
		new_idx[i] = -1;
		if ((fields[i].field.decision & ~MAIL_CACHE_DECISION_FORCED) ==
		    MAIL_CACHE_DECISION_NO)
			continue;
		mail_cache_field_def_append(out, &fields[i].field);
		new_idx[i] = (int)blk.fields_count++;
	}
	blk.size = (uint32_t)(out->used - start);
	memcpy(out->data + start, &blk, sizeof(blk));
}

/* The newest value (ORed for bitmasks) of each kept field of a message,
   collected in one walk of its chain. */
struct purge_value {
	struct buf *data;
	bool found;
};

struct purge_ctx {
	struct mail_cache *cache;
	const int *new_idx;
	struct purge_value *vals;	/* per registered field */
};

static bool purge_collect_item(uint32_t file_field, const unsigned char *data,
			       uint32_t data_len, void *context)
{
	struct purge_ctx *ctx = context;
	struct mail_cache *cache = ctx->cache;
	int reg = *array_idx(&cache->file_to_field, file_field);
	struct purge_value *v;
	uint32_t i;

	if (reg < 0 || (unsigned int)reg >= array_count(&cache->fields) ||
	    ctx->new_idx[reg] < 0)
		return true;
	v = &ctx->vals[reg];
	if (array_idx(&cache->fields, (unsigned int)reg)->field.type !=
	    MAIL_CACHE_FIELD_BITMASK) {
		/* newest first: the first one seen wins */
		if (!v->found)
			buf_append(v->data, data, data_len);
	} else {
		if (v->data->used < data_len)
			buf_write(v->data, data_len - 1, "", 1);
		for (i = 0; i < data_len; i++)
			v->data->data[i] |= data[i];
	}
	v->found = true;
	return true;
}

/* One merged record for uid; returns its offset in out or 0 if empty. */
static uint32_t purge_message(struct purge_ctx *ctx, uint32_t uid,
			      struct buf *out)
{
	struct mail_cache *cache = ctx->cache;
	struct mail_cache_record rec;
	struct mail_cache_item item;
	size_t start = out->used;
	unsigned int i, count = array_count(&cache->fields);
	uint32_t offset;

	if (!mail_cache_get_ext(cache, uid, &offset))
		return 0;
	for (i = 0; i < count; i++) {
		buf_reset(ctx->vals[i].data);
		ctx->vals[i].found = false;
	}
	if (mail_cache_chain_walk(cache, offset, purge_collect_item, ctx) < 0)
		return 0;
	memset(&rec, 0, sizeof(rec));
	buf_append(out, &rec, sizeof(rec));
	for (i = 0; i < count; i++) {
		if (!ctx->vals[i].found)
			continue;
		item.file_field = (uint32_t)ctx->new_idx[i];
		item.data_len = (uint32_t)ctx->vals[i].data->used;
		buf_append(out, &item, sizeof(item));
		buf_append(out, ctx->vals[i].data->data, item.data_len);
		while (out->used % 8 != 0)
			buf_append_c(out, 0);
	}
	if (out->used == start + sizeof(rec) ||
	    out->used - start > cache->index->set.cache_record_max_size) {
		buf_truncate(out, start);
		return 0;
	}
	rec.size = (uint32_t)(out->used - start);
	memcpy(out->data + start, &rec, sizeof(rec));
	return (uint32_t)start;
}

static int purge_locked(struct mail_cache *cache)
{
	struct mail_index *index = cache->index;
	struct mail_index_map *map = index->map;
	struct mail_cache_header hdr;
	struct mail_cache_ext_rec ext;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	const char *tmp_path = tmp_printf("%s.tmp", cache->path);
	struct buf *out = buf_create(system_pool, 65536);
	int new_idx[MAIL_CACHE_MAX_FIELDS];
	struct purge_value vals[MAIL_CACHE_MAX_FIELDS];
	struct purge_ctx ctx;
	unsigned int j;
	uint32_t i, uid, offset;
	int fd, ret = 0;

	(void)mail_cache_reopen(cache);
	purge_update_decisions(cache);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = MAIL_CACHE_MAGIC;
	hdr.major_version = MAIL_CACHE_MAJOR;
	hdr.indexid = index->indexid;
	hdr.file_seq = mail_cache_new_file_seq(cache);
	buf_append(out, &hdr, sizeof(hdr));
	hdr.field_header_offset = sizeof(hdr);
	hdr.field_block_count = 1;
	purge_fields(cache, out, new_idx);
	ctx.cache = cache;
	ctx.new_idx = new_idx;
	ctx.vals = vals;
	for (j = 0; j < array_count(&cache->fields); j++)
		vals[j].data = buf_create(system_pool, 64);

	view = mail_index_view_open(index);
	t = mail_index_transaction_begin(view,
					 MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	for (i = 0; i < map->hdr.messages_count; i++) {
		uid = mail_index_map_rec(map, i)->uid;
		offset = purge_message(&ctx, uid, out);
		if (offset != 0)
			hdr.record_count++;
		else if (!mail_cache_get_ext(cache, uid, &offset))
			continue;	/* nothing to unlink */
		ext.file_seq = offset != 0 ? hdr.file_seq : 0;
		ext.offset = offset;
		mail_index_update_ext(t, uid, cache->ext_id, &ext, sizeof(ext));
	}
	memcpy(out->data, &hdr, sizeof(hdr));
	(void)unlink(tmp_path);
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write_full(fd, out->data, out->used) < 0 ||
	    (mail_index_fsync_enabled(index, false) && fdatasync(fd) < 0) ||
	    rename(tmp_path, cache->path) < 0) {
		log_error("Writing %s failed: %m", tmp_path);
		(void)unlink(tmp_path);
		ret = -1;
	}
	if (fd >= 0)
		(void)close(fd);
	if (ret == 0)
		ret = mail_index_transaction_commit(&t, NULL);
	else
		mail_index_transaction_rollback(&t);
	mail_index_view_close(&view);
	buf_free(&out);
	for (j = 0; j < array_count(&cache->fields); j++)
		buf_free(&vals[j].data);
	(void)mail_cache_reopen(cache);
	return ret;
}

int mail_cache_purge(struct mail_cache *cache)
{
	int ret;

	/* the log lock keeps others from linking records meanwhile */
	if (mail_transaction_log_lock(cache->index) < 0)
		return -1;
	ret = purge_locked(cache);
	mail_transaction_log_unlock(cache->index);
	return ret;
}
