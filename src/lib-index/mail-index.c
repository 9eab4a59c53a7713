/* Copyright (c) dovecot-like authors. Opening and closing an index, loading
   the map from snapshot + log, refreshing, and writing snapshots. */

#include "lib.h"
#include "write-full.h"
#include "mail-index-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

void mail_index_settings_init_defaults(struct mail_index_settings *set_r)
{
	memset(set_r, 0, sizeof(*set_r));
	set_r->fsync_mode = MAIL_INDEX_FSYNC_OPTIMIZED;
	set_r->lock_timeout_secs = 120;
	set_r->rewrite_min_log_bytes = 8 * 1024;
	set_r->rewrite_max_log_bytes = 128 * 1024;
	set_r->log_rotate_min_size = 32 * 1024;
	set_r->log_rotate_max_size = 1024 * 1024;
	set_r->log_rotate_min_age_secs = 5 * 60;
	set_r->log2_max_age_secs = 2 * 24 * 3600;
	set_r->cache_purge_min_size = 32 * 1024;
	set_r->cache_purge_delete_percentage = 20;
	set_r->cache_purge_continued_percentage = 200;
	set_r->cache_purge_header_continue_count = 4;
	set_r->cache_record_max_size = 64 * 1024;
	set_r->cache_max_size = 1024 * 1024 * 1024;
	set_r->cache_unaccessed_field_drop_secs = 30 * 24 * 3600;
	set_r->max_transaction_size = 16 * 1024 * 1024;
}

void mail_index_set_error(struct mail_index *index, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	p_free(system_pool, index->error);
	index->error = p_vprintf(system_pool, fmt, args);
	va_end(args);
	log_error("%s", index->error);
}

const char *mail_index_get_error(struct mail_index *index)
{
	return index->error != NULL ? index->error : "no error";
}

bool mail_index_fsync_enabled(struct mail_index *index, bool log_append)
{
	switch (index->set.fsync_mode) {
	case MAIL_INDEX_FSYNC_ALWAYS:
		return true;
	case MAIL_INDEX_FSYNC_OPTIMIZED:
		return !log_append;
	case MAIL_INDEX_FSYNC_NEVER:
		break;
	}
	return false;
}

static void index_register_exts(struct mail_index *index)
{
	const struct mail_index_registered_ext *ext;

	array_foreach(&index->reg_exts, ext) {
		(void)mail_index_map_ext_idx(index->map, ext->name,
					     strlen(ext->name),
					     ext->record_size, true);
	}
}

/* Snapshot (if valid) + log -> map. Returns 0, 1 retry (files changed
   under us), -1 error. */
static int mail_index_load_once(struct mail_index *index, bool *need_write_r)
{
	struct mail_index_map *map = NULL;
	uint64_t generation;
	const char *error;
	int ret;

	/* views compare generations: a reloaded map must never look like
	   the one they were built from */
	generation = index->map == NULL ? 1 : index->map->generation + 1;
	ret = mail_index_file_read(index->path, &map, &error);
	if (ret < 0) {
		log_warning("%s (rebuilding)", error);
		(void)unlink(index->path);
	}
	*need_write_r = ret <= 0;
	if (ret <= 0)
		map = mail_index_map_create((uint32_t)time(NULL));
	mail_index_map_free(&index->map);
	map->generation = generation;
	index->map = map;
	index->indexid = map->hdr.indexid;
	index->last_snapshot_seq = map->hdr.log_file_seq;
	index->last_snapshot_log_bytes = map->hdr.log_file_head_offset;
	ret = mail_transaction_log_open_or_create(index, ret > 0);
	if (ret != 0)
		return ret;
	index_register_exts(index);
	index->indexid = map->hdr.indexid = index->log.hdr.indexid;
	if (index->log.hdr.file_seq != map->hdr.log_file_seq)
		*need_write_r = true;
	return mail_transaction_log_sync_map(index, false);
}

static int mail_index_load(struct mail_index *index, bool *need_write_r)
{
	unsigned int tries;
	int ret = 1;

	/* a rotation between reading the snapshot and opening the log makes
	   them look mismatched: read both again */
	for (tries = 0; tries < 10 && ret > 0; tries++) {
		mail_transaction_log_close(index);
		ret = mail_index_load_once(index, need_write_r);
	}
	if (ret > 0) {
		mail_index_set_error(index, "%s keeps changing", index->path);
		return -1;
	}
	return ret;
}

int mail_index_reload(struct mail_index *index)
{
	bool need_write;
	int ret;

	if (index->reloading)
		return 0;	/* can't follow: keep what we have */
	index->reloading = true;
	mail_transaction_log_close(index);
	ret = mail_index_load(index, &need_write);
	index->reloading = false;
	return ret;
}

int mail_index_open(const char *dir, const char *prefix,
		    const struct mail_index_settings *set,
		    enum mail_index_open_flags flags,
		    struct mail_index **index_r, const char **error_r)
{
	struct mail_index *index;
	struct pool *pool;
	struct stat st;
	bool need_write;
	int ret;

	pool = pool_create("mail index", 1024, POOL_FLAG_NONE);
	index = pool_new(pool, struct mail_index, 1);
	index->pool = pool;
	index->set = *set;
	if (index->set.max_transaction_size == 0)
		index->set.max_transaction_size = 16 * 1024 * 1024;
	index->dir = p_strdup(pool, dir);
	index->prefix = p_strdup(pool, prefix);
	index->path = p_printf(pool, "%s/%s", dir, prefix);
	index->log_path = p_printf(pool, "%s/%s.log", dir, prefix);
	index->log2_path = p_printf(pool, "%s/%s.log.2", dir, prefix);
	index->log.fd = -1;
	array_init(&index->reg_exts, pool, 4);

	if ((flags & MAIL_INDEX_OPEN_FLAG_CREATE) == 0 &&
	    stat(index->path, &st) < 0 && stat(index->log_path, &st) < 0) {
		*error_r = tmp_printf("Index %s doesn't exist", index->path);
		pool_unref(&pool);
		return -1;
	}
	ret = mail_index_load(index, &need_write);
	if (ret == 0 && need_write)
		ret = mail_index_write_snapshot(index);
	if (ret < 0) {
		*error_r = tmp_strdup(mail_index_get_error(index));
		index->open_failed = true;
		mail_index_close(&index);
		return -1;
	}
	*index_r = index;
	return 0;
}

/* TRUE if the snapshot on disk is more than rewrite_min_log_bytes of log
   behind our (up to date, locked) map, or unreadable. */
static bool snapshot_on_disk_is_behind(struct mail_index *index)
{
	const struct mail_index_header *cur = &index->map->hdr;
	struct mail_index_header disk;
	int fd;
	bool behind;

	fd = open(index->path, O_RDONLY);
	if (fd < 0)
		return true;
	behind = pread_full(fd, &disk, sizeof(disk), 0) < 0 ||
		disk.indexid != cur->indexid ||
		disk.log_file_seq != cur->log_file_seq ||
		disk.log_file_head_offset > cur->log_file_head_offset ||
		cur->log_file_head_offset - disk.log_file_head_offset >
		index->set.rewrite_min_log_bytes;
	(void)close(fd);
	return behind;
}

/* At close: when the log has grown well past the last snapshot we know of
   (a session that filled the cache for many messages commits an extension
   update per message), write a new snapshot under the log lock, so later
   sessions don't replay all of that on every open. Best effort. */
static void mail_index_close_snapshot(struct mail_index *index)
{
	if (index->map == NULL || index->log.fd == -1 ||
	    index->lock_count > 0 || index->open_failed)
		return;
	if (index->log.hdr.file_seq == index->last_snapshot_seq &&
	    index->log.offset - index->last_snapshot_log_bytes <=
	    index->set.rewrite_min_log_bytes)
		return;
	if (mail_transaction_log_lock(index) < 0)
		return;
	/* the map brought to the log head first: a snapshot must never go
	   back behind one another process wrote */
	if (mail_transaction_log_sync_map(index, true) == 0 &&
	    snapshot_on_disk_is_behind(index))
		(void)mail_index_file_write(index, index->map);
	mail_transaction_log_unlock(index);
}

void mail_index_close(struct mail_index **_index)
{
	struct mail_index *index = *_index;
	struct pool *pool = index->pool;

	*_index = NULL;
	ASSERT(index->views_count == 0 && index->transactions_count == 0);
	mail_index_close_snapshot(index);
	mail_transaction_log_close(index);
	mail_index_map_free(&index->map);
	array_free(&index->reg_exts);
	p_free(system_pool, index->error);
	pool_unref(&pool);
}

int mail_index_refresh(struct mail_index *index)
{
	int ret = mail_transaction_log_sync_map(index, index->lock_count > 0);

	index_register_exts(index);
	return ret;
}

const struct mail_index_header *mail_index_get_header(struct mail_index *index)
{
	return &index->map->hdr;
}

const char *const *mail_index_get_keywords(struct mail_index *index,
					   unsigned int *count_r)
{
	return (const char *const *)array_get(&index->map->keywords, count_r);
}

int mail_index_keyword_lookup(struct mail_index *index, const char *name)
{
	return mail_index_map_keyword_idx(index->map, name, strlen(name), false);
}

bool mail_index_is_fscked(struct mail_index *index)
{
	return index->fscked ||
		(index->map->hdr.flags & MAIL_INDEX_HDR_FLAG_FSCKD) != 0;
}

int mail_index_write_snapshot(struct mail_index *index)
{
	int ret;

	if (mail_transaction_log_lock(index) < 0)
		return -1;
	ret = mail_index_file_write(index, index->map);
	mail_transaction_log_unlock(index);
	return ret;
}

uint32_t mail_index_ext_register(struct mail_index *index, const char *name,
				 uint32_t record_size)
{
	struct mail_index_registered_ext *ext;
	unsigned int i, count;
	size_t len = strlen(name);
	int idx;

	ASSERT(len > 0 && len <= MAIL_INDEX_MAX_EXT_NAME_LEN);
	ASSERT(record_size > 0 && record_size <= MAIL_INDEX_MAX_EXT_RECORD_SIZE);
	ext = array_get_modifiable(&index->reg_exts, &count);
	for (i = 0; i < count; i++) {
		if (strcmp(ext[i].name, name) == 0) {
			ASSERT(ext[i].record_size == record_size);
			return i;
		}
	}
	ASSERT(count < MAIL_INDEX_MAX_EXTS);
	ext = array_append_space(&index->reg_exts);
	ext->name = p_strdup(index->pool, name);
	ext->record_size = record_size;
	idx = mail_index_map_ext_idx(index->map, name, len, record_size, true);
	if (idx < 0)
		log_warning("%s: extension %s conflicts with the index",
			    index->path, name);
	return count;
}

int mail_index_lookup_ext(struct mail_index *index, uint32_t uid,
			  uint32_t ext_id, const void **data_r)
{
	const struct mail_index_registered_ext *reg;
	const struct mail_index_ext *ext;
	struct mail_index_record *rec;
	uint32_t idx;
	int ext_idx;

	ASSERT(ext_id < array_count(&index->reg_exts));
	reg = array_idx(&index->reg_exts, ext_id);
	ext_idx = mail_index_map_ext_idx(index->map, reg->name,
					 strlen(reg->name), reg->record_size,
					 true);
	rec = mail_index_map_lookup_uid(index->map, uid, &idx);
	if (rec == NULL || ext_idx < 0)
		return 0;
	ext = array_idx(&index->map->exts, (unsigned int)ext_idx);
	*data_r = (const unsigned char *)rec + ext->record_offset;
	return 1;
}
