/* Copyright (c) dovecot-like authors. db-passwd-file.c: parsing and caching
   Dovecot passwd-files, kept free of daemon state so the parser can be tested
   on its own. */
#include "lib.h"
#include "buffer.h"
#include "hash.h"
#include "str.h"
#include "strfuncs.h"
#include "db-passwd-file.h"

#include <fcntl.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <sys/stat.h>

/* A larger passwd-file is a configuration mistake, not something to read. */
#define PASSWD_FILE_MAX_SIZE (256 * 1024 * 1024)

static struct hash_table *passwd_files;

/* s.1.2: "data[13]" = CRYPT, "[34]" = PLAIN-MD5, "[56]" = DIGEST-MD5 */
static const char *passwd_file_password(struct pool *pool, const char *pw)
{
	size_t len = strlen(pw);
	const char *scheme = NULL;

	if (len <= 4 || pw[0] == '{' || pw[0] == '$' || pw[len - 4] != '[' ||
	    pw[len - 1] != ']')
		return p_strdup(pool, pw);
	if (strcmp(pw + len - 4, "[13]") == 0)
		scheme = "{CRYPT}";
	else if (strcmp(pw + len - 4, "[34]") == 0)
		scheme = "{PLAIN-MD5}";
	else if (strcmp(pw + len - 4, "[56]") == 0)
		scheme = "{DIGEST-MD5}";
	if (scheme == NULL)
		return p_strdup(pool, pw);
	return p_printf(pool, "%s%.*s", scheme, (int)(len - 4), pw);
}

static int parse_id(const char *value, bool is_uid, unsigned int *id_r)
{
	if (str_to_uint(value, id_r) == 0)
		return 0;
	if (is_uid) {
		struct passwd *pw = getpwnam(value);

		if (pw == NULL)
			return -1;
		*id_r = pw->pw_uid;
	} else {
		struct group *gr = getgrnam(value);

		if (gr == NULL)
			return -1;
		*id_r = gr->gr_gid;
	}
	return 0;
}

int passwd_file_parse_line(struct pool *pool, const char *line, bool userdb,
			   struct passwd_user *user_r, const char **error_r)
{
	const char *const *fields, *extra = NULL;
	unsigned int count, id;

	memset(user_r, 0, sizeof(*user_r));
	if (line[0] == '\0' || line[0] == '#' || line[0] == ':')
		return 0;
	fields = tmp_strsplit(line, ":");
	count = str_array_length(fields);

	user_r->name = p_strdup(pool, fields[0]);
	if (count >= 2)
		user_r->password = passwd_file_password(pool, fields[1]);
	user_r->userdb_found = count > 2;

	if (count > 2 && fields[2][0] != '\0') {
		if (parse_id(fields[2], true, &id) < 0 || id == 0) {
			if (userdb) {
				*error_r = tmp_printf("User %s has invalid UID '%s'",
						      user_r->name, fields[2]);
				return -1;
			}
		} else {
			user_r->uid = (uid_t)id;
			user_r->uid_set = true;
		}
	}
	if (count > 3 && fields[3][0] != '\0') {
		if (parse_id(fields[3], false, &id) < 0 || id == 0) {
			if (userdb) {
				*error_r = tmp_printf("User %s has invalid GID '%s'",
						      user_r->name, fields[3]);
				return -1;
			}
		} else {
			user_r->gid = (gid_t)id;
			user_r->gid_set = true;
		}
	}
	/* fields[4] gecos and fields[6] shell are ignored */
	if (count > 5 && fields[5][0] != '\0')
		user_r->home = p_strdup(pool, fields[5]);

	if (count > 8 && fields[7][0] == '\0') {
		/* legacy: an empty field 8 and the old mail column after it */
		extra = tmp_strconcat("userdb_mail=",
				      tmp_strarray_join(fields + 8, ":"), NULL);
	} else if (count > 7) {
		extra = tmp_strarray_join(fields + 7, ":");
	}
	if (extra == NULL)
		user_r->extra_fields = pool_new(pool, const char *, 1);
	else {
		const char *const *tmp = tmp_strsplit_spaces(extra, " ");
		const char **list;
		unsigned int i, n = str_array_length(tmp);

		list = pool_new(pool, const char *, n + 1);
		for (i = 0; i < n; i++)
			list[i] = p_strdup(pool, tmp[i]);
		user_r->extra_fields = list;
	}
	return 1;
}

struct passwd_file *passwd_file_get(const char *path, bool userdb)
{
	struct passwd_file *file;

	if (passwd_files == NULL)
		passwd_files = hash_table_create_str(system_pool, 8);
	file = hash_table_lookup(passwd_files, path);
	if (file == NULL) {
		file = pool_new(system_pool, struct passwd_file, 1);
		file->path = p_strdup(system_pool, path);
		hash_table_insert(passwd_files, file->path, file);
	}
	if (userdb && !file->userdb) {
		/* the uid/gid checks now apply: parse again */
		file->userdb = true;
		file->stamp_valid = false;
	}
	return file;
}

static void passwd_file_free_users(struct passwd_file *file)
{
	if (file->pool != NULL) {
		hash_table_destroy(&file->users);
		pool_unref(&file->pool);
	}
}

void passwd_files_deinit(void)
{
	struct hash_iterate *iter;
	void *key, *value;

	if (passwd_files == NULL)
		return;
	iter = hash_table_iterate_init(passwd_files);
	while (hash_table_iterate(iter, &key, &value)) {
		struct passwd_file *file = value;

		passwd_file_free_users(file);
		p_free(system_pool, file->path);
		p_free(system_pool, file);
	}
	hash_table_iterate_deinit(&iter);
	hash_table_destroy(&passwd_files);
}

unsigned int passwd_file_parse_data(struct passwd_file *file, const char *data,
				    size_t len)
{
	const char *p = data, *end = data + len, *nl, *error;
	struct passwd_user *user;
	unsigned int lineno = 0;

	passwd_file_free_users(file);
	/* the file holds password hashes: wipe them when it is reloaded */
	file->pool = pool_create("passwd-file", 4096, POOL_FLAG_WIPE);
	file->users = hash_table_create_str(file->pool, 64);
	array_init(&file->user_list, file->pool, 64);

	while (p < end) {
		size_t line_len;
		const char *line;
		int ret;

		lineno++;
		nl = memchr(p, '\n', end - p);
		line_len = (nl == NULL ? end : nl) - p;
		if (line_len > 0 && p[line_len - 1] == '\r')
			line_len--;
		line = tmp_strndup(p, line_len);
		p = nl == NULL ? end : nl + 1;

		user = pool_new(file->pool, struct passwd_user, 1);
		ret = passwd_file_parse_line(file->pool, line, file->userdb, user, &error);
		if (ret == 0)
			continue;
		if (ret < 0) {
			log_error("passwd-file %s:%u: %s", file->path, lineno, error);
			continue;
		}
		if (hash_table_lookup(file->users, user->name) != NULL) {
			log_error("passwd-file %s: User %s exists more than once",
				  file->path, user->name);
			continue;
		}
		hash_table_insert(file->users, (char *)user->name, user);
		array_append(&file->user_list, &user);
	}
	return hash_table_count(file->users);
}

static int passwd_file_read(struct passwd_file *file, struct buf *buf,
			    const char **error_r)
{
	ssize_t ret;
	int fd;

	fd = open(file->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*error_r = tmp_printf("open(%s) failed: %m", file->path);
		return -1;
	}
	for (;;) {
		void *space = buf_get_space(buf, 65536);

		if (space == NULL) {
			*error_r = tmp_printf("%s: file too large", file->path);
			close(fd);
			return -1;
		}
		ret = read(fd, space, 65536);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		buf_commit_space(buf, (size_t)ret);
	}
	if (ret < 0) {
		*error_r = tmp_printf("read(%s) failed: %m", file->path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int passwd_file_refresh(struct passwd_file *file, const char **error_r)
{
	struct pool *pool;
	struct buf *buf;
	struct stat st;
	unsigned int count;

	if (stat(file->path, &st) < 0) {
		*error_r = tmp_printf("stat(%s) failed: %m", file->path);
		return -1;
	}
	if (file->stamp_valid && st.st_mtime == file->mtime &&
	    st.st_size == file->size && st.st_ino == file->ino)
		return 0;

	pool = pool_create("passwd-file read", 4096, POOL_FLAG_WIPE);
	buf = buf_create(pool, (size_t)st.st_size + 1);
	buf_set_max_size(buf, PASSWD_FILE_MAX_SIZE);
	if (passwd_file_read(file, buf, error_r) < 0) {
		pool_unref(&pool);
		return -1;
	}
	count = passwd_file_parse_data(file, (const char *)buf->data, buf->used);
	pool_unref(&pool);
	file->mtime = st.st_mtime;
	file->size = st.st_size;
	file->ino = st.st_ino;
	file->stamp_valid = true;
	log_debug("passwd-file %s: Read %u users", file->path, count);
	return 0;
}

const struct passwd_user *passwd_file_lookup(const struct passwd_file *file,
					     const char *user)
{
	if (file->users == NULL)
		return NULL;
	return hash_table_lookup(file->users, user);
}

int db_passwd_file_parse_args(struct pool *pool, const char *args, bool passdb,
			      struct db_passwd_file_args *args_r,
			      const char **error_r)
{
	const char *const *words = tmp_strsplit_spaces(args, " \t");
	const char *value;
	unsigned int i;

	memset(args_r, 0, sizeof(*args_r));
	args_r->default_scheme = "CRYPT";
	args_r->username_format = "%u";
	for (i = 0; words[i] != NULL; i++) {
		if (str_begins(words[i], "scheme=", &value) && passdb)
			args_r->default_scheme = p_strdup(pool, tmp_str_ucase(value));
		else if (str_begins(words[i], "username_format=", &value))
			args_r->username_format = p_strdup(pool, value);
		else if (words[i + 1] == NULL && strchr(words[i], '=') == NULL)
			args_r->path = p_strdup(pool, words[i]);
		else {
			*error_r = tmp_printf("passwd-file: Unknown setting: %s", words[i]);
			return -1;
		}
	}
	if (args_r->path == NULL) {
		*error_r = "passwd-file: No path given in args";
		return -1;
	}
	return 0;
}
