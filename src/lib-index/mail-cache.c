/* Copyright (c) dovecot-like authors. The cache file: opening, validating the
   header and field definitions, the field registry and caching decisions. */

#include "lib.h"
#include "write-full.h"
#include "mail-cache-private.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define FIELD_BLOCK_MAX_SIZE (64 * 1024)

static_assert(sizeof(struct mail_cache_header) == 32, "cache header");

struct mail_cache *mail_cache_open(struct mail_index *index)
{
	struct pool *pool = pool_create("mail cache", 1024, POOL_FLAG_NONE);
	struct mail_cache *cache = pool_new(pool, struct mail_cache, 1);

	cache->pool = pool;
	cache->index = index;
	cache->path = p_printf(pool, "%s.cache", index->path);
	cache->fd = -1;
	cache->ext_id = mail_index_ext_register(index, "cache",
				sizeof(struct mail_cache_ext_rec));
	array_init(&cache->fields, pool, 16);
	array_init(&cache->file_to_field, pool, 16);
	cache->field_names = hash_table_create_strcase(pool, 32);
	(void)mail_cache_reopen(cache);
	return cache;
}

void mail_cache_free(struct mail_cache **_cache)
{
	struct mail_cache *cache = *_cache;
	struct pool *pool = cache->pool;

	*_cache = NULL;
	if (cache->fd != -1)
		(void)close(cache->fd);
	array_free(&cache->fields);
	array_free(&cache->file_to_field);
	hash_table_destroy(&cache->field_names);
	for (unsigned int i = 0; i < MAIL_CACHE_READ_WINDOWS; i++) {
		if (cache->windows[i].buf != NULL)
			buf_free(&cache->windows[i].buf);
	}
	pool_unref(&pool);
}

static void cache_close_file(struct mail_cache *cache)
{
	struct mail_cache_field_priv *f;

	if (cache->fd != -1)
		(void)close(cache->fd);
	cache->fd = -1;
	cache->file_size = 0;
	for (unsigned int i = 0; i < MAIL_CACHE_READ_WINDOWS; i++) {
		if (cache->windows[i].buf != NULL)	/* this file's bytes */
			buf_reset(cache->windows[i].buf);
	}
	memset(&cache->hdr, 0, sizeof(cache->hdr));
	cache->last_block_offset = 0;
	array_clear(&cache->file_to_field);
	array_foreach(&cache->fields, f)
		f->file_idx = -1;
}

void mail_cache_set_corrupted(struct mail_cache *cache, const char *reason)
{
	struct stat st;

	log_warning("Corrupt cache file %s: %s (dropping it)",
		    cache->path, reason);
	/* only if it is still the file we read (not a fresh purge) */
	if (cache->fd != -1 && stat(cache->path, &st) == 0 &&
	    (cache->ino == 0 || (st.st_ino == cache->ino &&
				 st.st_dev == cache->dev)))
		(void)unlink(cache->path);
	cache_close_file(cache);
}

static bool decision_valid(uint8_t d)
{
	return (d & ~MAIL_CACHE_DECISION_FORCED) <= MAIL_CACHE_DECISION_YES;
}

static bool field_name_valid(const char *name, size_t len)
{
	return mail_index_name_is_valid(name, len,
					MAIL_CACHE_MAX_FIELD_NAME_LEN);
}

int mail_cache_field_lookup(struct mail_cache *cache, const char *name)
{
	void *value = hash_table_lookup(cache->field_names, name);

	return value == NULL ? -1 : (int)POINTER_CAST_TO(value, uintptr_t) - 1;
}

int mail_cache_register_one(struct mail_cache *cache,
			    const struct mail_cache_field *field, bool from_file)
{
	struct mail_cache_field_priv *f;
	int idx = mail_cache_field_lookup(cache, field->name);

	if (idx >= 0) {
		f = array_idx_modifiable(&cache->fields, (unsigned int)idx);
		if (f->field.type != field->type ||
		    f->field.field_size != field->field_size)
			return from_file ? -2 : -1;
		if (from_file) {
			/* other processes' decisions win unless forced */
			if ((f->field.decision & MAIL_CACHE_DECISION_FORCED) == 0)
				f->field.decision = field->decision;
			if (field->last_used > f->field.last_used)
				f->field.last_used = field->last_used;
		} else if ((field->decision & MAIL_CACHE_DECISION_FORCED) != 0 &&
			   f->field.decision != field->decision) {
			f->field.decision = field->decision;
			f->decision_dirty = true;
		}
		return idx;
	}
	if (array_count(&cache->fields) >= MAIL_CACHE_MAX_FIELDS)
		return -1;
	f = array_append_space(&cache->fields);
	f->field = *field;
	f->field.name = p_strdup(cache->pool, field->name);
	if (f->field.last_used == 0)
		f->field.last_used = time(NULL);	/* just registered = used */
	f->field.idx = array_count(&cache->fields) - 1;
	f->file_idx = -1;
	hash_table_insert(cache->field_names, (char *)f->field.name,
			  POINTER_CAST(f->field.idx + 1));
	return (int)f->field.idx;
}

int mail_cache_register_fields(struct mail_cache *cache,
			       struct mail_cache_field *fields,
			       unsigned int count)
{
	unsigned int i;
	int idx;

	for (i = 0; i < count; i++) {
		if (!field_name_valid(fields[i].name, strlen(fields[i].name)) ||
		    fields[i].type >= MAIL_CACHE_FIELD_TYPE_COUNT ||
		    !decision_valid((uint8_t)fields[i].decision) ||
		    ((fields[i].type == MAIL_CACHE_FIELD_FIXED_SIZE ||
		      fields[i].type == MAIL_CACHE_FIELD_BITMASK) &&
		     (fields[i].field_size == 0 ||
		      fields[i].field_size > cache->index->set.cache_record_max_size)))
			return -1;
		idx = mail_cache_register_one(cache, &fields[i], false);
		if (idx < 0)
			return -1;
		fields[i].idx = (unsigned int)idx;
	}
	return 0;
}

enum mail_cache_decision_type
mail_cache_field_get_decision(struct mail_cache *cache, unsigned int idx)
{
	ASSERT(idx < array_count(&cache->fields));
	return array_idx(&cache->fields, idx)->field.decision;
}

void mail_cache_decision_add(struct mail_cache *cache, unsigned int idx)
{
	struct mail_cache_field_priv *f;

	ASSERT(idx < array_count(&cache->fields));
	f = array_idx_modifiable(&cache->fields, idx);
	/* a forced or already wanted field keeps its decision; one the file
	   has with NO was decided against (not by us) */
	if (f->field.decision != MAIL_CACHE_DECISION_NO || f->file_idx >= 0)
		return;
	f->field.decision = MAIL_CACHE_DECISION_TEMP;
	f->decision_dirty = true;
}

static int read_field_block(struct mail_cache *cache, uint32_t offset,
			    uint64_t file_size, uint32_t *next_r)
{
	struct mail_cache_field_block blk;
	struct mail_cache_field_def def;
	struct mail_cache_field field;
	struct mail_cache_field_priv *f;
	unsigned char *data;
	uint32_t pos, i;
	int idx, ret = 0;

	if (offset % 8 != 0 || offset < sizeof(cache->hdr) ||
	    (uint64_t)offset + sizeof(blk) > file_size ||
	    pread(cache->fd, &blk, sizeof(blk), offset) != sizeof(blk) ||
	    blk.size < sizeof(blk) || blk.size > FIELD_BLOCK_MAX_SIZE ||
	    (uint64_t)offset + blk.size > file_size ||
	    (blk.next_offset != 0 && blk.next_offset <= offset))
		return -1;
	data = p_malloc(system_pool, blk.size);
	if (pread(cache->fd, data, blk.size, offset) != (ssize_t)blk.size) {
		p_free(system_pool, data);
		return -1;
	}
	pos = sizeof(blk);
	for (i = 0; i < blk.fields_count && ret == 0; i++) {
		if (blk.size - pos < sizeof(def)) {
			ret = -1;
			break;
		}
		memcpy(&def, data + pos, sizeof(def));
		if (def.name_len > blk.size - pos - sizeof(def) ||
		    !field_name_valid((const char *)data + pos + sizeof(def),
				      def.name_len) ||
		    def.type >= MAIL_CACHE_FIELD_TYPE_COUNT ||
		    !decision_valid(def.decision) ||
		    def.field_size > cache->index->set.cache_record_max_size ||
		    array_count(&cache->file_to_field) >= MAIL_CACHE_MAX_FIELDS) {
			ret = -1;
			break;
		}
		memset(&field, 0, sizeof(field));
		field.name = tmp_strndup(data + pos + sizeof(def), def.name_len);
		field.type = def.type;
		field.field_size = def.field_size;
		field.decision = def.decision;
		field.last_used = def.last_used;
		idx = mail_cache_register_one(cache, &field, true);
		if (idx >= 0) {
			f = array_idx_modifiable(&cache->fields, (unsigned int)idx);
			f->file_idx = (int)array_count(&cache->file_to_field);
			f->def_offset = offset + pos;
		} else
			idx = -1;	/* conflicting definition: ignored */
		array_append(&cache->file_to_field, &idx);
		pos += sizeof(def) + MAIL_INDEX_PAD8(def.name_len);
		if (pos > blk.size)
			ret = -1;
	}
	p_free(system_pool, data);
	*next_r = blk.next_offset;
	return ret;
}

int mail_cache_read_fields(struct mail_cache *cache, uint64_t file_size)
{
	uint32_t offset = cache->hdr.field_header_offset, next;
	unsigned int blocks = 0;

	array_clear(&cache->file_to_field);
	cache->last_block_offset = 0;
	while (offset != 0) {
		if (++blocks > MAIL_CACHE_MAX_FIELD_BLOCKS ||
		    read_field_block(cache, offset, file_size, &next) < 0)
			return -1;
		cache->last_block_offset = offset;
		offset = next;
	}
	cache->hdr.field_block_count = blocks;
	return 0;
}

int mail_cache_refresh_fields(struct mail_cache *cache)
{
	struct stat st;

	if (fstat(cache->fd, &st) < 0 ||
	    pread_full(cache->fd, &cache->hdr, sizeof(cache->hdr), 0) < 0 ||
	    mail_cache_read_fields(cache, (uint64_t)st.st_size) < 0) {
		mail_cache_set_corrupted(cache, "field list");
		return -1;
	}
	cache->file_size = (uint64_t)st.st_size;
	return 0;
}

int mail_cache_reopen(struct mail_cache *cache)
{
	struct stat st;
	const char *reason = NULL;
	int fd;

	if (cache->fd != -1 && stat(cache->path, &st) == 0 &&
	    st.st_ino == cache->ino && st.st_dev == cache->dev)
		return 1;
	cache_close_file(cache);
	cache->foreign_indexid = false;
	fd = open(cache->path, O_RDWR);
	if (fd < 0) {
		if (errno != ENOENT)
			log_error("open(%s) failed: %m", cache->path);
		return 0;
	}
	cache->fd = fd;
	cache->dev = 0;
	cache->ino = 0;
	if (fstat(fd, &st) == 0) {
		cache->dev = st.st_dev;
		cache->ino = st.st_ino;
	}
	if (fstat(fd, &st) < 0 ||
	    pread(fd, &cache->hdr, sizeof(cache->hdr), 0) != sizeof(cache->hdr))
		reason = "header truncated";
	else if (cache->hdr.magic != MAIL_CACHE_MAGIC ||
		 cache->hdr.major_version != MAIL_CACHE_MAJOR)
		reason = "bad magic/version";
	else if (cache->hdr.indexid != cache->index->indexid) {
		/* not ours to delete: it may belong to a newer index that
		   another process just rebuilt */
		cache_close_file(cache);
		cache->foreign_indexid = true;
		return 0;
	} else if (cache->hdr.file_seq == 0)
		reason = "file_seq 0";
	else if ((uint64_t)st.st_size > cache->index->set.cache_max_size)
		reason = "file too large";
	else if (mail_cache_read_fields(cache, (uint64_t)st.st_size) < 0)
		reason = "broken field definitions";
	if (reason != NULL) {
		mail_cache_set_corrupted(cache, reason);
		return 0;
	}
	cache->dev = st.st_dev;
	cache->ino = st.st_ino;
	cache->file_size = (uint64_t)st.st_size;
	return 1;
}

int mail_cache_create_file(struct mail_cache *cache, const char *path,
			   uint32_t file_seq)
{
	struct mail_cache_header hdr;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		log_error("open(%s) failed: %m", path);
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = MAIL_CACHE_MAGIC;
	hdr.major_version = MAIL_CACHE_MAJOR;
	hdr.indexid = cache->index->indexid;
	hdr.file_seq = file_seq;
	if (write_full(fd, &hdr, sizeof(hdr)) < 0) {
		log_error("write(%s) failed: %m", path);
		(void)close(fd);
		(void)unlink(path);
		return -1;
	}
	return fd;
}

struct mail_cache_view *mail_cache_view_open(struct mail_cache *cache,
					     struct mail_index_view *view)
{
	struct mail_cache_view *cview = p_malloc(system_pool, sizeof(*cview));

	cview->cache = cache;
	cview->view = view;
	array_init(&cview->pending, system_pool, 16);
	array_init(&cview->last_uid, system_pool, 16);
	array_init(&cview->pending_uids, system_pool, 16);
	cview->pending_data = buf_create(system_pool, 1024);
	return cview;
}

void mail_cache_view_close(struct mail_cache_view **_view)
{
	struct mail_cache_view *view = *_view;

	*_view = NULL;
	(void)mail_cache_view_flush(view);
	array_free(&view->pending);
	array_free(&view->last_uid);
	array_free(&view->pending_uids);
	buf_free(&view->pending_data);
	p_free(system_pool, view);
}

size_t mail_cache_view_pending_size(const struct mail_cache_view *view)
{
	return view->pending_data->used +
		array_count(&view->pending) * sizeof(struct mail_cache_pending);
}

/* Reference 6.3: a requested field gets cached (NO -> TEMP); TEMP -> YES
   when old mail is accessed or the access order is not ascending. */
void mail_cache_decision_state_update(struct mail_cache_view *view,
				      uint32_t uid, unsigned int field_idx,
				      time_t saved_date)
{
	struct mail_cache_field_priv *f =
		array_idx_modifiable(&view->cache->fields, field_idx);
	time_t now = time(NULL);
	uint32_t *last;

	while (array_count(&view->last_uid) <= field_idx)
		array_append_space(&view->last_uid);
	last = array_idx_modifiable(&view->last_uid, field_idx);
	if ((f->field.decision & MAIL_CACHE_DECISION_FORCED) == 0) {
		if (f->field.decision == MAIL_CACHE_DECISION_NO) {
			f->field.decision = MAIL_CACHE_DECISION_TEMP;
			f->decision_dirty = true;
		} else if (f->field.decision == MAIL_CACHE_DECISION_TEMP &&
			   ((saved_date != 0 &&
			     saved_date < now - MAIL_CACHE_OLD_MAIL_SECS) ||
			    (*last != 0 && uid < *last))) {
			f->field.decision = MAIL_CACHE_DECISION_YES;
			f->decision_dirty = true;
		}
	}
	if (f->field.last_used < now - 3600) {
		f->field.last_used = now;
		f->decision_dirty = true;
	}
	*last = uid;
}

void mail_cache_field_def_append(struct buf *buf,
				 const struct mail_cache_field *field)
{
	struct mail_cache_field_def def;

	memset(&def, 0, sizeof(def));
	def.type = (uint8_t)field->type;
	def.decision = (uint8_t)field->decision;
	def.name_len = (uint16_t)strlen(field->name);
	def.field_size = field->field_size;
	def.last_used = (uint32_t)field->last_used;
	buf_append(buf, &def, sizeof(def));
	buf_append(buf, field->name, def.name_len);
	while (buf->used % 8 != 0)
		buf_append_c(buf, 0);
}
