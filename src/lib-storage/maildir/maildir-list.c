/* Copyright (c) dovecot-like authors. maildir-list.c: the mailboxes of a
   Maildir root, named with '/' between levels: INBOX, then every Maildir++
   ".Name.Sub" folder that has a cur/ ("Name/Sub"), or with LAYOUT=fs every
   directory below the root that is a Maildir. */
#include "lib.h"
#include "array.h"
#include "strfuncs.h"
#include "maildir-storage.h"

#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

/* LAYOUT=fs: deeper than this is not walked (a symlink loop stops here) */
#define MAILDIR_LIST_FS_MAX_DEPTH 32

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Maildir++: every folder is a ".Name.Sub" directory with a cur/; the
   ones being deleted are skipped. */
static bool maildirpp_is_folder(const char *root, const char *name)
{
	if (name[0] != '.' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strncmp(name, MAILDIR_TRASH_PREFIX,
		    strlen(MAILDIR_TRASH_PREFIX)) == 0)
		return false;
	return is_dir(tmp_printf("%s/%s/cur", root, name));
}

static void maildirpp_list(const char *root, DIR *dir, struct pool *pool,
			   ARRAY_TYPE(string) *names)
{
	struct dirent *d;
	char *name, *p;

	while ((d = readdir(dir)) != NULL) {
		if (!maildirpp_is_folder(root, d->d_name))
			continue;
		name = p_strdup(pool, d->d_name + 1);
		for (p = name; *p != '\0'; p++) {
			if (*p == '.')
				*p = '/';
		}
		array_append(names, (const char **)&name);
	}
}

/* Entries of an fs directory that are never mailbox names. */
static bool fs_is_internal(const struct mail_storage_location *loc,
			   const char *fname)
{
	return fname[0] == '.' || strcmp(fname, "cur") == 0 ||
		strcmp(fname, "new") == 0 || strcmp(fname, "tmp") == 0 ||
		(loc->dirname != NULL && strcmp(fname, loc->dirname) == 0);
}

/* LAYOUT=fs: path is the directory of the hierarchy level prefix
   ("" at the root, else "Work/"). */
static void fs_list(const struct mail_storage_location *loc,
		    const char *path, const char *prefix, unsigned int depth,
		    struct pool *pool, ARRAY_TYPE(string) *names)
{
	const char *child, *name, *mailbox;
	struct dirent *d;
	DIR *dir;

	if (depth > MAILDIR_LIST_FS_MAX_DEPTH || (dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (fs_is_internal(loc, d->d_name))
			continue;
		child = tmp_strconcat(path, "/", d->d_name, NULL);
		if (!is_dir(child))
			continue;
		name = tmp_strconcat(prefix, d->d_name, NULL);
		mailbox = loc->dirname == NULL ? child :
			tmp_strconcat(child, "/", loc->dirname, NULL);
		if (maildir_is_maildir(mailbox) &&
		    !(depth == 0 && strcasecmp(name, "INBOX") == 0)) {
			const char *copy = p_strdup(pool, name);

			array_append(names, &copy);
		}
		fs_list(loc, child, tmp_strconcat(name, "/", NULL), depth + 1,
			pool, names);
	}
	(void)closedir(dir);
}

/* LAYOUT=fs: name as fs_list() finds it: every level a directory that
   isn't internal, not deeper than it walks, the last one a Maildir. */
static bool fs_exists(const struct mail_storage_location *loc,
		      const char *root, const char *name)
{
	const char *const *levels = tmp_strsplit(name, "/");
	const char *path = root, *mailbox;
	unsigned int depth;

	for (depth = 0; levels[depth] != NULL; depth++) {
		if (depth > MAILDIR_LIST_FS_MAX_DEPTH ||
		    fs_is_internal(loc, levels[depth]))
			return false;
		path = tmp_strconcat(path, "/", levels[depth], NULL);
		if (!is_dir(path))
			return false;
	}
	mailbox = loc->dirname == NULL ? path :
		tmp_strconcat(path, "/", loc->dirname, NULL);
	return maildir_is_maildir(mailbox);
}

int maildir_list_mailbox_exists(struct mail_user *user, const char *name,
				const char **error_r ATTR_UNUSED)
{
	const char *root = mail_user_get_mail_root(user), *dir;

	/* INBOX is always listed, spelled so; "inbox" at the top isn't */
	if (strcasecmp(name, "INBOX") == 0)
		return strcmp(name, "INBOX") == 0 ? 1 : 0;
	/* the names the lister can produce are the ones that map back */
	if ((dir = maildir_name_to_dir(&user->location, name)) == NULL)
		return 0;
	if (strcmp(user->location.layout, "fs") == 0)
		return fs_exists(&user->location, root, name) ? 1 : 0;
	return maildirpp_is_folder(root, dir) ? 1 : 0;
}

int maildir_list_mailboxes(struct mail_user *user, struct pool *pool,
			   ARRAY_TYPE(string) *names_r, const char **error_r)
{
	const char *root = mail_user_get_mail_root(user);
	const char *inbox = "INBOX";
	DIR *dir;

	array_init(names_r, pool, 8);
	if (strcmp(user->location.layout, "fs") == 0)
		fs_list(&user->location, root, "", 0, pool, names_r);
	else if ((dir = opendir(root)) != NULL) {
		maildirpp_list(root, dir, pool, names_r);
		if (closedir(dir) < 0) {
			*error_r = tmp_printf("closedir(%s) failed: %m", root);
			return -1;
		}
	} else if (errno != ENOENT) {
		*error_r = tmp_printf("opendir(%s) failed: %m", root);
		return -1;
	}
	/* INBOX first, the rest sorted (mail-storage.h) */
	mailbox_list_sort_names(names_r);
	array_insert(names_r, 0, &inbox);
	return 0;
}
