/* Copyright (c) dovecot-like authors. mailbox-list.c: which mailboxes a user
   has (asked of the storage driver), and which are subscribed: the
   subscriptions file, read and written in Dovecot's format so both servers
   can share it. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "write-full.h"
#include "mail-storage-private.h"
#include "mailbox-mgmt.h"
#include "mail-namespace.h"
#include "mail-namespace-auto.h"

#include <stdio.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define SUBSCRIPTIONS_V2_HEADER "V\t2\n\n"
/* a v2 line may grow by TAB-escaping; longer lines are skipped */
#define SUBSCRIPTIONS_MAX_LINE_LEN (MAILBOX_NAME_MAX_LEN * 2)

static int name_cmp(const void *p1, const void *p2)
{
	const char *const *s1 = p1, *const *s2 = p2;

	return strcmp(*s1, *s2);
}

void mailbox_list_sort_names(ARRAY_TYPE(string) *names)
{
	array_sort(names, name_cmp);
}

int mail_user_list_mailboxes_auto(struct mail_user *user, struct pool *pool,
				  ARRAY_TYPE(string) *names_r,
				  ARRAY_TYPE(string) *missing_r,
				  const char **error_r)
{
	if (missing_r != NULL)
		array_init(missing_r, pool, 4);
	if (user->driver->list_mailboxes(user, pool, names_r, error_r) < 0)
		return -1;
	/* missing auto mailboxes are listed as if they existed */
	if (mail_user_get_namespaces(user) != NULL)
		mail_namespaces_auto_add_missing(mail_user_get_namespaces(user),
						 pool, names_r, missing_r);
	return 0;
}

int mail_user_list_mailboxes(struct mail_user *user, struct pool *pool,
			     ARRAY_TYPE(string) *names_r, const char **error_r)
{
	return mail_user_list_mailboxes_auto(user, pool, names_r, NULL,
					     error_r);
}

int mail_user_mailbox_exists(struct mail_user *user, const char *name,
			     const char **error_r)
{
	return user->driver->mailbox_exists(user, name, error_r);
}

/* One v2 level: TAB-unescaped into dest. false if it can't be part of a
   storage name (empty, or an escaped NUL). A '/' inside it separates
   levels too: Dovecot writes a subscriptions = no namespace's names so
   ("INBOX/foo\tbar" for INBOX/foo/bar with the prefix "INBOX/"). */
static bool subs_v2_level_append(struct str *dest, const char *level,
				 size_t len)
{
	char *copy;

	if (len == 0)
		return false;
	for (size_t i = 0; i + 1 < len; i++) {
		if (level[i] == '\001' && level[i + 1] == '0')
			return false;
	}
	copy = p_strndup(tmp_pool, level, len);
	str_tabunescape(copy);
	if (*copy == '\0')
		return false;
	str_append(dest, copy);
	return true;
}

static const char *subs_v2_line_to_name(const char *line, size_t len)
{
	struct str *name = t_str_new(len + 1);
	const char *p, *end = line + len;

	for (;;) {
		p = memchr(line, '\t', (size_t)(end - line));
		if (!subs_v2_level_append(name, line,
					  (size_t)((p == NULL ? end : p) - line)))
			return NULL;
		if (p == NULL)
			break;
		str_append_c(name, '/');
		line = p + 1;
	}
	return str_c(name);
}

static const char *subs_v1_line_to_name(const char *line, size_t len,
					char v1_sep)
{
	char *name;

	if (v1_sep != '/' && memchr(line, '/', len) != NULL)
		return NULL;
	name = p_strndup(tmp_pool, line, len);
	for (char *p = name; *p != '\0'; p++) {
		if (*p == v1_sep)
			*p = '/';
	}
	return name;
}

/* A line's storage name (tmp), or NULL to skip it. */
static const char *subs_line_to_name(const char *line, size_t len, bool v2,
				     char v1_sep)
{
	enum mail_storage_error error;
	const char *name, *error_str;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || len > SUBSCRIPTIONS_MAX_LINE_LEN ||
	    memchr(line, '\0', len) != NULL)
		return NULL;
	name = v2 ? subs_v2_line_to_name(line, len) :
		subs_v1_line_to_name(line, len, v1_sep);
	if (name == NULL ||
	    mailbox_name_check(name, false, &error, &error_str) < 0)
		return NULL;
	return mailbox_name_fix_inbox(name);
}

void mailbox_subscriptions_parse(const void *data, size_t size, char v1_sep,
				 struct pool *pool, ARRAY_TYPE(string) *names_r)
{
	const char *p = data, *end = p + size, *nl, *name;
	bool v2 = false;

	array_init(names_r, pool, 8);
	/* "V\t2\n" then an empty line (empty lines are skipped anyway);
	   a file cut right after the header line is v2 too */
	if ((size >= 4 && memcmp(p, "V\t2\n", 4) == 0) ||
	    (size == 3 && memcmp(p, "V\t2", 3) == 0)) {
		v2 = true;
		p += size == 3 ? 3 : 4;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;	/* last line without LF */
		name = subs_line_to_name(p, (size_t)(nl - p), v2, v1_sep);
		if (name != NULL) {
			name = p_strdup(pool, name);
			array_append(names_r, &name);
		}
		p = nl + 1;
	}
}

/* The flat prefix name starts with (and is longer than), or NULL. */
static const char *subs_flat_prefix(const char *name,
				    const char *const *flat_prefixes)
{
	size_t len;

	for (unsigned int i = 0; flat_prefixes != NULL &&
			       flat_prefixes[i] != NULL; i++) {
		len = strlen(flat_prefixes[i]);
		if (strncmp(name, flat_prefixes[i], len) == 0 &&
		    name[len] != '\0')
			return flat_prefixes[i];
	}
	return NULL;
}

void mailbox_subscriptions_append_v2_flat(struct str *dest, const char *name,
					  const char *const *flat_prefixes)
{
	const char *prefix = subs_flat_prefix(name, flat_prefixes);

	if (prefix != NULL) {
		/* Dovecot's form: the prefix as it is, '/' included */
		str_append_tabescaped(dest, prefix);
		name += strlen(prefix);
	}
	mailbox_subscriptions_append_v2(dest, name);
}

void mailbox_subscriptions_append_v2(struct str *dest, const char *name)
{
	const char *const *levels = tmp_strsplit(name, "/");

	for (unsigned int i = 0; levels[i] != NULL; i++) {
		if (i > 0)
			str_append_c(dest, '\t');
		str_append_tabescaped(dest, levels[i]);
	}
	str_append_c(dest, '\n');
}

/* The whole file at path into a tmp buffer. 1 = read, 0 = missing,
   -1 = error. */
static int subs_file_read(const char *path, const char **data_r,
			  size_t *size_r, const char **error_r)
{
	struct stat st;
	char *buf;
	size_t pos = 0, limit;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*error_r = tmp_printf("fstat(%s) failed: %m", path);
		(void)close(fd);
		return -1;
	}
	if (st.st_size > MAILBOX_SUBSCRIPTIONS_MAX_SIZE) {
		*error_r = tmp_printf("Subscriptions file %s is larger than "
				      "%u bytes", path,
				      (unsigned int)MAILBOX_SUBSCRIPTIONS_MAX_SIZE);
		(void)close(fd);
		return -1;
	}
	/* one byte more than the size shows a file that grew meanwhile
	   (writers replace it by rename, so only a foreign writer can) */
	limit = (size_t)st.st_size;
	buf = p_malloc(tmp_pool, limit + 1);
	while ((ret = read(fd, buf + pos, limit + 1 - pos)) != 0) {
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			*error_r = tmp_printf("read(%s) failed: %m", path);
			(void)close(fd);
			return -1;
		}
		pos += (size_t)ret;
		if (pos > limit) {
			*error_r = tmp_printf("Subscriptions file %s grew "
					      "while it was read", path);
			(void)close(fd);
			return -1;
		}
	}
	(void)close(fd);
	*data_r = buf;
	*size_r = pos;
	return 1;
}

int mailbox_subscriptions_read(const char *path, char v1_sep, struct pool *pool,
			       ARRAY_TYPE(string) *names_r, const char **error_r)
{
	const char *data = NULL, *const *names;
	unsigned int i, count, dest = 0;
	size_t size = 0;
	int ret;

	ret = subs_file_read(path, &data, &size, error_r);
	if (ret < 0)
		return -1;
	mailbox_subscriptions_parse(data, size, v1_sep, pool, names_r);
	mailbox_list_sort_names(names_r);
	names = array_get(names_r, &count);
	for (i = 0; i < count; i++) {
		if (dest > 0 && strcmp(names[dest - 1], names[i]) == 0)
			continue;
		array_idx_modifiable(names_r, dest)[0] = names[i];
		dest++;
	}
	if (dest < count)
		array_delete(names_r, dest, count - dest);
	return 0;
}

static void msleep(unsigned int msecs)
{
	struct timespec ts = {
		.tv_sec = msecs / 1000,
		.tv_nsec = (long)(msecs % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* lock_path is still the file st describes (not a new writer's lock). */
static bool subs_lock_is_same(const char *lock_path, const struct stat *st)
{
	struct stat st2;

	return stat(lock_path, &st2) == 0 && st2.st_ino == st->st_ino &&
		st2.st_dev == st->st_dev && st2.st_mtime == st->st_mtime;
}

/* Creates lock_path exclusively (Dovecot's dotlock: whoever created it
   owns the file). A lock not modified for
   MAILBOX_SUBSCRIPTIONS_LOCK_STALE_SECS is a crashed writer's: removed.
   The fd, or -1 with *error_r. */
static int subs_lock(const char *lock_path, const char **error_r)
{
	unsigned int waited = 0, delay = 5;
	struct stat st;
	int fd;

	for (;;) {
		fd = open(lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			*error_r = tmp_printf("open(%s) failed: %m", lock_path);
			return -1;
		}
		if (stat(lock_path, &st) == 0 &&
		    st.st_mtime + MAILBOX_SUBSCRIPTIONS_LOCK_STALE_SECS <
		    time(NULL) && subs_lock_is_same(lock_path, &st)) {
			/* (another process may take it over at the same
			   moment: the re-stat keeps that window tiny, as in
			   Dovecot's dotlocks) */
			log_warning("Removing stale lock file %s", lock_path);
			if (unlink(lock_path) < 0 && errno != ENOENT) {
				*error_r = tmp_printf("unlink(%s) failed: %m",
						      lock_path);
				return -1;
			}
			continue;
		}
		if (waited >= MAILBOX_SUBSCRIPTIONS_LOCK_TIMEOUT_MSECS) {
			*error_r = tmp_printf("Timeout waiting for lock %s",
					      lock_path);
			return -1;
		}
		msleep(delay);
		waited += delay;
		if (delay < 100)
			delay *= 2;
	}
}

/* The new file contents: names without (or with, once) name. NULL when
   nothing changes. */
static struct str *subs_build(const ARRAY_TYPE(string) *names,
			      const char *name, bool set,
			      const char *const *flat_prefixes)
{
	struct str *out = t_str_new(256);
	const char *const *np;
	bool found = false;

	str_append(out, SUBSCRIPTIONS_V2_HEADER);
	array_foreach(names, np) {
		if (strcmp(*np, name) == 0) {
			if (found || !set)
				continue;	/* duplicates go too */
			found = true;
		}
		mailbox_subscriptions_append_v2_flat(out, *np, flat_prefixes);
	}
	if (set && !found)
		mailbox_subscriptions_append_v2_flat(out, name, flat_prefixes);
	return out;
}

/* With the lock held: rewrite path through the lock file. */
static int subs_set_locked(const char *path, const char *lock_path, int fd,
			   char v1_sep, const char *name, bool set,
			   const char *const *flat_prefixes,
			   bool *replaced_r, const char **error_r)
{
	ARRAY_TYPE(string) names;
	const char *data = NULL;
	size_t size = 0;
	struct str *out;

	*replaced_r = false;
	if (subs_file_read(path, &data, &size, error_r) < 0)
		return -1;
	mailbox_subscriptions_parse(data, size, v1_sep, tmp_pool, &names);
	if (string_array_contains(&names, name) == set)
		return 0;	/* nothing to change: no rewrite (as Dovecot) */
	out = subs_build(&names, name, set, flat_prefixes);
	if (write_full(fd, str_data(out), str_len(out)) < 0) {
		*error_r = tmp_printf("write(%s) failed: %m", lock_path);
		return -1;
	}
	if (fsync(fd) < 0) {
		*error_r = tmp_printf("fsync(%s) failed: %m", lock_path);
		return -1;
	}
	if (rename(lock_path, path) < 0) {
		*error_r = tmp_printf("rename(%s, %s) failed: %m",
				      lock_path, path);
		return -1;
	}
	*replaced_r = true;
	return 0;
}

int mailbox_subscriptions_set(const char *path, char v1_sep, const char *name,
			      bool set, const char **error_r)
{
	return mailbox_subscriptions_set_flat(path, v1_sep, name, set, NULL,
					      error_r);
}

int mailbox_subscriptions_set_flat(const char *path, char v1_sep,
				   const char *name, bool set,
				   const char *const *flat_prefixes,
				   const char **error_r)
{
	const char *lock_path = tmp_strconcat(path, ".lock", NULL);
	bool replaced;
	int fd, ret;

	name = mailbox_name_fix_inbox(name);
	fd = subs_lock(lock_path, error_r);
	if (fd < 0)
		return -1;
	ret = subs_set_locked(path, lock_path, fd, v1_sep, name, set,
			      flat_prefixes, &replaced, error_r);
	if (close(fd) < 0 && ret == 0 && replaced) {
		/* the rename made it visible already; NFS may report a
		   late write error here */
		log_warning("close(%s) failed: %m", lock_path);
	}
	if (!replaced && unlink(lock_path) < 0 && errno != ENOENT) {
		if (ret == 0)
			*error_r = tmp_printf("unlink(%s) failed: %m", lock_path);
		ret = -1;
	}
	return ret;
}

static const char *subscriptions_path(const struct mail_user *user)
{
	return tmp_printf("%s/%s", mail_user_get_mail_root(user),
			  user->driver->subscriptions_fname);
}

/* The hierarchy separator Dovecot used in a v1 file: the driver's
   (mail_storage_driver.subscriptions_v1_sep), '/' with LAYOUT=fs. */
static char subscriptions_v1_sep(const struct mail_user *user)
{
	if (strcmp(user->location.layout, "fs") == 0)
		return '/';
	return user->driver->subscriptions_v1_sep;
}

int mail_user_list_subscriptions(struct mail_user *user, struct pool *pool,
				 ARRAY_TYPE(string) *names_r,
				 const char **error_r)
{
	if (mailbox_subscriptions_read(subscriptions_path(user),
				       subscriptions_v1_sep(user), pool,
				       names_r, error_r) < 0)
		return -1;
	/* auto = subscribe mailboxes are always subscribed */
	if (mail_user_get_namespaces(user) != NULL) {
		mail_namespaces_auto_add_subscribed(
			mail_user_get_namespaces(user), pool, names_r);
		mailbox_list_sort_names(names_r);
	}
	return 0;
}

/* The storage-name prefixes (ending with '/') of the subscriptions = no
   namespaces whose separator isn't the storage's: Dovecot writes their
   names with that prefix as it is ("INBOX/foo\tbar"); NULL-terminated,
   tmp. */
static const char *const *subscriptions_flat_prefixes(struct mail_user *user)
{
	const struct mail_namespaces *nss = mail_user_get_namespaces(user);
	struct mail_namespace *const *nsp;
	const struct mail_namespace *parent;
	ARRAY_TYPE(string) prefixes;
	const char *prefix, *null = NULL;
	char storage_sep = subscriptions_v1_sep(user);

	array_init(&prefixes, tmp_pool, 4);
	if (nss != NULL) {
		array_foreach(&nss->list, nsp) {
			if ((*nsp)->subscriptions || (*nsp)->prefix_len == 0 ||
			    (*nsp)->separator == storage_sep)
				continue;
			parent = mail_namespace_subscriptions_parent(nss, *nsp);
			if (parent == NULL)
				continue;
			prefix = mail_namespace_subscription_prefix(*nsp);
			if (*prefix != '\0' &&
			    prefix[strlen(prefix) - 1] == '/')
				array_append(&prefixes, &prefix);
		}
	}
	array_append(&prefixes, &null);
	return array_idx(&prefixes, 0);
}

int mail_user_set_subscribed(struct mail_user *user, const char *name,
			     bool subscribed, const char **error_r)
{
	enum mail_storage_error error;
	const char *error_str;

	if (mailbox_name_check(name, false, &error, &error_str) < 0) {
		*error_r = error_str;
		return -1;
	}
	return mailbox_subscriptions_set_flat(subscriptions_path(user),
					      subscriptions_v1_sep(user), name,
					      subscribed,
					      subscriptions_flat_prefixes(user),
					      error_r);
}
