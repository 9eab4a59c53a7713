/* Copyright (c) dovecot-like authors. Master parses the config once and hands
   every child a sealed, read-only memfd with the serialized settings: children
   (chrooted login processes too) never read config files.

   Format: "DLIKE-SETTINGS 1\n" then the root section:
     section = str(type) str(name) str(file) num(line)
               num(key count) { str(key) str(value) str(location) str(file_ref) }
               num(child count) { section }
     num = decimal digits ' '    str = "~" (NULL) | decimal length ':' bytes */
#include "lib.h"
#include "str.h"
#include "settings-private.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define SNAPSHOT_HEADER "DLIKE-SETTINGS 1\n"
#define SNAPSHOT_MAX_SIZE (256 * 1024 * 1024)
#define SNAPSHOT_MAX_DEPTH 16

static void snap_str(struct str *out, const char *s)
{
	if (s == NULL) {
		str_append_c(out, '~');
		return;
	}
	str_printfa(out, "%zu:", strlen(s));
	str_append(out, s);
}

static void snap_section(struct str *out, const struct settings_section *sec)
{
	struct settings_section *const *childp;
	unsigned int i, count = array_count(&sec->keys);

	snap_str(out, sec->type);
	snap_str(out, sec->name);
	snap_str(out, sec->file);
	str_printfa(out, "%u %u ", sec->line, count);
	for (i = 0; i < count; i++) {
		snap_str(out, *array_idx(&sec->keys, i));
		snap_str(out, *array_idx(&sec->values, i));
		snap_str(out, *array_idx(&sec->key_locations, i));
		snap_str(out, *array_idx(&sec->key_files, i));
	}
	str_printfa(out, "%u ", array_count(&sec->children));
	array_foreach(&sec->children, childp)
		snap_section(out, *childp);
}

int settings_snapshot_create(const struct settings *set, const char **error_r)
{
	struct pool *pool = pool_create("settings snapshot", 8192, POOL_FLAG_NONE);
	struct str *out = str_new(pool, 8192);
	const unsigned char *data;
	size_t pos = 0, len;
	ssize_t ret;
	int fd;

	str_append(out, SNAPSHOT_HEADER);
	snap_section(out, set->root);
	data = str_data(out);
	len = str_len(out);

	/* no MFD_CLOEXEC: children inherit it across exec */
	fd = memfd_create("dovecot-like-settings", MFD_ALLOW_SEALING);
	if (fd < 0) {
		*error_r = tmp_printf("memfd_create() failed: %s", strerror(errno));
		pool_unref(&pool);
		return -1;
	}
	while (pos < len) {
		ret = write(fd, data + pos, len - pos);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			*error_r = tmp_printf("write(memfd) failed: %s",
					      ret < 0 ? strerror(errno) : "short write");
			goto fail;
		}
		pos += (size_t)ret;
	}
	/* children must not be able to change what their siblings read */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
		  F_SEAL_SEAL) < 0) {
		*error_r = tmp_printf("fcntl(F_ADD_SEALS) failed: %s", strerror(errno));
		goto fail;
	}
	pool_unref(&pool);
	return fd;
fail:
	close(fd);
	pool_unref(&pool);
	return -1;
}

struct snap_reader {
	struct pool *pool;
	const char *p, *end;
	const char *error;
};

static int snap_read_num(struct snap_reader *r, unsigned int *num_r)
{
	uint64_t num = 0;

	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return -1;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		num = num * 10 + (uint64_t)(*r->p++ - '0');
		if (num > UINT_MAX)
			return -1;
	}
	if (r->p >= r->end || *r->p != ' ')
		return -1;
	r->p++;
	*num_r = (unsigned int)num;
	return 0;
}

static int snap_read_str(struct snap_reader *r, const char **str_r)
{
	uint64_t len = 0;

	if (r->p < r->end && *r->p == '~') {
		r->p++;
		*str_r = NULL;
		return 0;
	}
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return -1;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		len = len * 10 + (uint64_t)(*r->p++ - '0');
		if (len > SNAPSHOT_MAX_SIZE)
			return -1;
	}
	if (r->p >= r->end || *r->p != ':' || len > (uint64_t)(r->end - r->p - 1))
		return -1;
	r->p++;
	if (memchr(r->p, '\0', len) != NULL)
		return -1;
	*str_r = p_strndup(r->pool, r->p, len);
	r->p += len;
	return 0;
}

static struct settings_section *
snap_read_section(struct snap_reader *r, unsigned int depth)
{
	struct settings_section *sec, *child;
	const char *type, *name, *file, *key, *value, *location, *file_ref;
	unsigned int line, count, i;

	if (depth > SNAPSHOT_MAX_DEPTH ||
	    snap_read_str(r, &type) < 0 || type == NULL ||
	    snap_read_str(r, &name) < 0 || name == NULL ||
	    snap_read_str(r, &file) < 0 || file == NULL ||
	    snap_read_num(r, &line) < 0 || snap_read_num(r, &count) < 0)
		return NULL;
	sec = settings_section_new(r->pool, type, name, file, line);
	for (i = 0; i < count; i++) {
		if (snap_read_str(r, &key) < 0 || key == NULL ||
		    snap_read_str(r, &value) < 0 || value == NULL ||
		    snap_read_str(r, &location) < 0 ||
		    snap_read_str(r, &file_ref) < 0)
			return NULL;
		settings_section_set(r->pool, sec, key, value, location, file_ref);
	}
	if (snap_read_num(r, &count) < 0)
		return NULL;
	for (i = 0; i < count; i++) {
		if ((child = snap_read_section(r, depth + 1)) == NULL)
			return NULL;
		settings_section_add_child(sec, child);
	}
	return sec;
}

/* The whole fd from offset 0 (pread: the offset is shared with master). */
static char *snap_read_fd(struct pool *pool, int fd, size_t *len_r,
			  const char **error_r)
{
	struct stat st;
	size_t pos = 0;
	ssize_t ret;
	char *data;
	int seals;

	if (fstat(fd, &st) < 0) {
		*error_r = tmp_printf("fstat(%d) failed: %s", fd, strerror(errno));
		return NULL;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & F_SEAL_WRITE) == 0) {
		*error_r = "Settings snapshot fd is not a sealed memfd";
		return NULL;
	}
	if (st.st_size <= 0 || st.st_size > SNAPSHOT_MAX_SIZE) {
		*error_r = "Settings snapshot has an invalid size";
		return NULL;
	}
	data = p_malloc(pool, (size_t)st.st_size + 1);
	while (pos < (size_t)st.st_size) {
		ret = pread(fd, data + pos, (size_t)st.st_size - pos, (off_t)pos);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			*error_r = tmp_printf("pread(settings snapshot) failed: %s",
					      ret < 0 ? strerror(errno) : "EOF");
			return NULL;
		}
		pos += (size_t)ret;
	}
	*len_r = pos;
	return data;
}

struct settings *settings_snapshot_load(int fd, const char **error_r)
{
	struct settings *set = settings_alloc();
	struct snap_reader r;
	char *data;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.pool = set->pool;
	data = snap_read_fd(set->pool, fd, &len, error_r);
	if (data == NULL) {
		settings_free(&set);
		return NULL;
	}
	if (len < strlen(SNAPSHOT_HEADER) ||
	    memcmp(data, SNAPSHOT_HEADER, strlen(SNAPSHOT_HEADER)) != 0) {
		*error_r = "Settings snapshot has an unknown format";
		settings_free(&set);
		return NULL;
	}
	r.p = data + strlen(SNAPSHOT_HEADER);
	r.end = data + len;
	set->root = snap_read_section(&r, 0);
	if (set->root == NULL || r.p != r.end) {
		*error_r = tmp_printf("Settings snapshot is corrupted at offset %zu",
				      (size_t)(r.p - data));
		settings_free(&set);
		return NULL;
	}
	settings_finalize(set);
	return set;
}
