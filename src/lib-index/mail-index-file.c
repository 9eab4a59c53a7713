/* Copyright (c) dovecot-like authors. The snapshot file "<prefix>": parsing
   (strict: any inconsistency means "corrupt", the file is user-owned) and
   writing (tmp file + fsync + rename, never modified in place). */

#include "lib.h"
#include "write-full.h"
#include "mail-index-private.h"

#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/stat.h>

/* Snapshots of minor version 0 were checksummed with FNV-1a byte by byte:
   still accepted when read, never written. */
static uint32_t checksum_legacy_more(uint32_t h, const unsigned char *data,
				     size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		h ^= data[i];
		h *= 16777619U;
	}
	return h;
}

#define CHECKSUM_SEED 0xcbf29ce484222325ULL
#define CHECKSUM_PRIME 0x100000001b3ULL

/* The current checksum (minor version 1): FNV-1a-like over 8-byte words
   (native byte order, like the rest of the file), each step also folding
   the high bits down, then any trailing bytes one by one. 8 times fewer
   dependent multiplications than the byte-wise one: it is computed over
   the whole snapshot on every open. Continuing from h gives the same
   result as one run over the concatenation when the first part's size is
   a multiple of 8 (the header area's always is). */
static uint64_t checksum_more(uint64_t h, const unsigned char *data,
			      size_t size)
{
	uint64_t w;
	size_t i = 0;

	for (; size - i >= 8; i += 8) {
		memcpy(&w, data + i, sizeof(w));
		h = (h ^ w) * CHECKSUM_PRIME;
		h ^= h >> 29;
	}
	for (; i < size; i++) {
		h = (h ^ data[i]) * CHECKSUM_PRIME;
		h ^= h >> 29;
	}
	return h;
}

static uint32_t checksum_fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t mail_index_checksum(const unsigned char *data, size_t size)
{
	return checksum_fold(checksum_more(CHECKSUM_SEED, data, size));
}

/* The checksum a snapshot of the given minor version must have: over the
   header with checksum 0 (hdr0), plus over the rest of the header area
   and the records as one run. */
static uint32_t checksum_snapshot(uint8_t minor_version,
				  const struct mail_index_header *hdr0,
				  const unsigned char *head_rest,
				  size_t head_rest_size,
				  const unsigned char *recs, size_t recs_size)
{
	const unsigned char *h = (const void *)hdr0;

	if (minor_version == 0) {
		return checksum_legacy_more(2166136261U, h, sizeof(*hdr0)) +
			checksum_legacy_more(checksum_legacy_more(2166136261U,
				head_rest, head_rest_size), recs, recs_size);
	}
	return mail_index_checksum(h, sizeof(*hdr0)) +
		checksum_fold(checksum_more(checksum_more(CHECKSUM_SEED,
			head_rest, head_rest_size), recs, recs_size));
}

static int parse_keywords(struct mail_index_map *map, const unsigned char *data,
			  size_t end, size_t *pos, uint32_t count,
			  const char **error_r)
{
	uint16_t len;
	uint32_t i;

	for (i = 0; i < count; i++) {
		if (end - *pos < sizeof(len)) {
			*error_r = "keywords truncated";
			return -1;
		}
		memcpy(&len, data + *pos, sizeof(len));
		*pos += sizeof(len);
		if (len > end - *pos ||
		    !mail_index_name_is_valid(data + *pos, len,
					      MAIL_INDEX_MAX_KEYWORD_LEN) ||
		    mail_index_map_keyword_idx(map, (const char *)data + *pos,
					       len, false) >= 0) {
			*error_r = "bad keyword name";
			return -1;
		}
		(void)mail_index_map_keyword_idx(map, (const char *)data + *pos,
						 len, true);
		*pos += len;
	}
	*pos = MAIL_INDEX_PAD8(*pos);
	return 0;
}

static int parse_exts(struct mail_index_map *map, const unsigned char *data,
		      size_t end, size_t *pos, uint32_t count,
		      const char **error_r)
{
	struct mail_index_ext_def def;
	struct mail_index_ext *ext;
	uint32_t i, offset = MAIL_INDEX_RECORD_BASE_SIZE;

	for (i = 0; i < count; i++) {
		if (end - *pos < sizeof(def)) {
			*error_r = "ext defs truncated";
			return -1;
		}
		memcpy(&def, data + *pos, sizeof(def));
		*pos += sizeof(def);
		if (def.name_len > end - *pos ||
		    !mail_index_name_is_valid(data + *pos, def.name_len,
			     MAIL_INDEX_MAX_EXT_NAME_LEN) ||
		    def.record_size == 0 ||
		    def.record_size > MAIL_INDEX_MAX_EXT_RECORD_SIZE ||
		    def.record_offset != offset ||
		    mail_index_map_ext_idx(map, (const char *)data + *pos,
					   def.name_len, 0, false) >= 0) {
			*error_r = "bad ext definition";
			return -1;
		}
		ext = array_append_space(&map->exts);
		ext->name = p_strndup(map->pool, data + *pos, def.name_len);
		ext->record_size = def.record_size;
		ext->record_offset = offset;
		offset += MAIL_INDEX_PAD8(def.record_size);
		*pos = MAIL_INDEX_PAD8(*pos + def.name_len);
		if (*pos > end) {
			*error_r = "ext defs truncated";
			return -1;
		}
	}
	if (offset != map->hdr.record_size) {
		*error_r = "record size doesn't match ext defs";
		return -1;
	}
	return 0;
}

static int parse_header(const struct mail_index_header *hdr, size_t size,
			const char **error_r)
{
	if (hdr->magic != MAIL_INDEX_MAGIC)
		*error_r = "bad magic";
	else if (hdr->major_version != MAIL_INDEX_MAJOR_VERSION ||
		 hdr->minor_version > MAIL_INDEX_MINOR_VERSION)
		*error_r = "unsupported version";
	else if (hdr->base_header_size != sizeof(*hdr) ||
		 hdr->header_size < sizeof(*hdr) ||
		 hdr->header_size > MAIL_INDEX_MAX_HEADER_SIZE ||
		 hdr->header_size % 8 != 0 || hdr->header_size > size)
		*error_r = "bad header size";
	else if (hdr->record_size < MAIL_INDEX_RECORD_BASE_SIZE ||
		 hdr->record_size > MAIL_INDEX_MAX_RECORD_SIZE ||
		 hdr->record_size % 8 != 0)
		*error_r = "bad record size";
	else if ((uint64_t)hdr->messages_count * hdr->record_size !=
		 size - hdr->header_size)
		*error_r = "file size doesn't match messages_count";
	else if (hdr->indexid == 0 || hdr->next_uid == 0 ||
		 hdr->log_file_seq == 0 ||
		 hdr->log_file_head_offset <
		 sizeof(struct mail_transaction_log_header) ||
		 hdr->log_file_tail_offset > hdr->log_file_head_offset ||
		 hdr->highest_modseq == 0 || hdr->highest_modseq > (1ULL << 62))
		*error_r = "bad header values";
	else if (hdr->keywords_count > MAIL_INDEX_MAX_KEYWORDS ||
		 hdr->ext_count > MAIL_INDEX_MAX_EXTS)
		*error_r = "too many keywords/exts";
	else
		return 0;
	return -1;
}

static int parse_records(struct mail_index_map *map, const char **error_r)
{
	const struct mail_index_record *rec;
	uint32_t i, prev_uid = 0, seen = 0, deleted = 0;

	for (i = 0; i < map->hdr.messages_count; i++) {
		rec = mail_index_map_rec(map, i);
		if (rec->uid <= prev_uid || rec->uid >= map->hdr.next_uid) {
			*error_r = "records out of order or uid >= next_uid";
			return -1;
		}
		if (rec->modseq > map->hdr.highest_modseq) {
			*error_r = "record modseq > highest_modseq";
			return -1;
		}
		prev_uid = rec->uid;
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0)
			seen++;
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_DELETED) != 0)
			deleted++;
	}
	if (seen != map->hdr.seen_messages_count ||
	    deleted != map->hdr.deleted_messages_count) {
		*error_r = "seen/deleted counts don't match";
		return -1;
	}
	return 0;
}

/* Parse a snapshot given as its header area (head_size bytes, header_size
   in the header must match) and its records. recs_take: the records' own
   buffer, moved into the map instead of copied (NULL: copy). */
static int file_parse_parts(const unsigned char *head, size_t head_size,
			    const unsigned char *recs, size_t recs_size,
			    struct buf **recs_take,
			    struct mail_index_map **map_r, const char **error_r)
{
	struct mail_index_header hdr, tmp;
	struct mail_index_map *map;
	size_t pos;

	if (head_size < sizeof(hdr)) {
		*error_r = "file truncated";
		return -1;
	}
	memcpy(&hdr, head, sizeof(hdr));
	if (parse_header(&hdr, head_size + recs_size, error_r) < 0)
		return -1;
	if (hdr.header_size != head_size) {
		*error_r = "file changed while reading it";
		return -1;
	}
	tmp = hdr;
	tmp.checksum = 0;
	if (checksum_snapshot(hdr.minor_version, &tmp, head + sizeof(hdr),
			      head_size - sizeof(hdr), recs, recs_size) !=
	    hdr.checksum) {
		*error_r = "checksum mismatch";
		return -1;
	}
	map = mail_index_map_create(hdr.indexid);
	map->hdr = hdr;
	map->hdr.keywords_count = 0;
	map->hdr.ext_count = 0;
	pos = sizeof(hdr);
	if (parse_keywords(map, head, hdr.header_size, &pos,
			   hdr.keywords_count, error_r) < 0 ||
	    parse_exts(map, head, hdr.header_size, &pos, hdr.ext_count,
		       error_r) < 0) {
		mail_index_map_free(&map);
		return -1;
	}
	if (MAIL_INDEX_PAD8(pos) != hdr.header_size) {
		*error_r = "header size doesn't match its contents";
		mail_index_map_free(&map);
		return -1;
	}
	map->hdr.keywords_count = hdr.keywords_count;
	map->hdr.ext_count = hdr.ext_count;
	if (recs_take != NULL) {
		buf_free(&map->recs);
		map->recs = *recs_take;
		*recs_take = NULL;
	} else {
		buf_append(map->recs, recs, recs_size);
	}
	if (parse_records(map, error_r) < 0) {
		mail_index_map_free(&map);
		return -1;
	}
	*map_r = map;
	return 0;
}

int mail_index_file_parse(const unsigned char *data, size_t size,
			  struct mail_index_map **map_r, const char **error_r)
{
	struct mail_index_header hdr;

	if (size < sizeof(hdr)) {
		*error_r = "file truncated";
		return -1;
	}
	memcpy(&hdr, data, sizeof(hdr));
	if (parse_header(&hdr, size, error_r) < 0)
		return -1;
	return file_parse_parts(data, hdr.header_size, data + hdr.header_size,
				size - hdr.header_size, NULL, map_r, error_r);
}

/* Read the header area and then the records straight into the buffer the
   map keeps, each exactly as large as the file says (pread rather than
   mmap(): a user truncating the file under us must not give us SIGBUS). */
static int file_read_fd(int fd, const char *path, size_t size,
			struct mail_index_map **map_r, const char **error_r)
{
	struct mail_index_header hdr;
	struct buf *head, *recs;
	size_t recs_size;
	int ret;

	if (size < sizeof(hdr)) {
		*error_r = "file truncated";
		return -1;
	}
	if (pread_full(fd, &hdr, sizeof(hdr), 0) < 0) {
		*error_r = tmp_printf("read(%s) failed: %m", path);
		return -1;
	}
	if (parse_header(&hdr, size, error_r) < 0)
		return -1;
	recs_size = size - hdr.header_size;
	head = buf_create(system_pool, hdr.header_size);
	recs = buf_create(system_pool, recs_size + 1);
	if (pread_full(fd, buf_get_space(head, hdr.header_size),
		       hdr.header_size, 0) < 0 ||
	    pread_full(fd, buf_get_space(recs, recs_size), recs_size,
		       hdr.header_size) < 0) {
		*error_r = tmp_printf("read(%s) failed: %m", path);
		ret = -1;
	} else {
		buf_commit_space(head, hdr.header_size);
		buf_commit_space(recs, recs_size);
		ret = file_parse_parts(head->data, head->used, recs->data,
				       recs->used, &recs, map_r, error_r);
	}
	buf_free(&head);
	if (recs != NULL)
		buf_free(&recs);
	return ret;
}

int mail_index_file_read(const char *path, struct mail_index_map **map_r,
			 const char **error_r)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size > MAIL_INDEX_MAX_FILE_SIZE) {
		*error_r = tmp_printf("%s: fstat failed or file too large", path);
		close(fd);
		return -1;
	}
	ret = file_read_fd(fd, path, (size_t)st.st_size, map_r, error_r);
	close(fd);
	if (ret < 0)
		*error_r = tmp_printf("Corrupt index file %s: %s", path, *error_r);
	return ret < 0 ? -1 : 1;
}

/* Everything but the records into buf, with the checksum over the header
   and recs (which the caller writes after it) filled in. */
static void mail_index_file_serialize_header(struct mail_index_map *map,
					     struct buf *buf)
{
	struct mail_index_header hdr;
	char *const *kw;
	const struct mail_index_ext *ext;
	struct mail_index_ext_def def;
	uint16_t len;

	mail_index_map_update_lowwaters(map);
	hdr = map->hdr;
	buf_append(buf, &hdr, sizeof(hdr));
	array_foreach(&map->keywords, kw) {
		len = (uint16_t)strlen(*kw);
		buf_append(buf, &len, sizeof(len));
		buf_append(buf, *kw, len);
	}
	while (buf->used % 8 != 0)
		buf_append_c(buf, 0);
	array_foreach(&map->exts, ext) {
		def.name_len = (uint16_t)strlen(ext->name);
		def.record_size = (uint16_t)ext->record_size;
		def.record_offset = ext->record_offset;
		buf_append(buf, &def, sizeof(def));
		buf_append(buf, ext->name, def.name_len);
		while (buf->used % 8 != 0)
			buf_append_c(buf, 0);
	}
	hdr.header_size = (uint32_t)buf->used;
	hdr.keywords_count = array_count(&map->keywords);
	hdr.ext_count = array_count(&map->exts);
	hdr.minor_version = MAIL_INDEX_MINOR_VERSION;
	hdr.checksum = 0;
	hdr.checksum = checksum_snapshot(hdr.minor_version, &hdr,
					 buf->data + sizeof(hdr),
					 buf->used - sizeof(hdr),
					 map->recs->data, map->recs->used);
	memcpy(buf->data, &hdr, sizeof(hdr));
	map->hdr.header_size = hdr.header_size;
}

void mail_index_file_serialize(struct mail_index_map *map, struct buf *buf)
{
	mail_index_file_serialize_header(map, buf);
	buf_append(buf, map->recs->data, map->recs->used);
}

int mail_index_file_write(struct mail_index *index, struct mail_index_map *map)
{
	const char *tmp_path = tmp_printf("%s.tmp", index->path);
	struct buf *buf = buf_create(system_pool, 4096);
	int fd, ret = 0;

	/* the records are written from the map, not copied: a snapshot of
	   100k messages is 6 MB */
	mail_index_file_serialize_header(map, buf);
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		mail_index_set_error(index, "open(%s) failed: %m", tmp_path);
		buf_free(&buf);
		return -1;
	}
	if (write_full(fd, buf->data, buf->used) < 0 ||
	    write_full(fd, map->recs->data, map->recs->used) < 0) {
		mail_index_set_error(index, "write(%s) failed: %m", tmp_path);
		ret = -1;
	} else if (mail_index_fsync_enabled(index, false) && fdatasync(fd) < 0) {
		mail_index_set_error(index, "fsync(%s) failed: %m", tmp_path);
		ret = -1;
	}
	if (close(fd) < 0 && ret == 0) {
		mail_index_set_error(index, "close(%s) failed: %m", tmp_path);
		ret = -1;
	}
	if (ret == 0 && rename(tmp_path, index->path) < 0) {
		mail_index_set_error(index, "rename(%s) failed: %m", tmp_path);
		ret = -1;
	}
	if (ret < 0)
		(void)unlink(tmp_path);
	else if (map == index->map) {
		index->last_snapshot_seq = map->hdr.log_file_seq;
		index->last_snapshot_log_bytes = map->hdr.log_file_head_offset;
	}
	buf_free(&buf);
	return ret;
}
