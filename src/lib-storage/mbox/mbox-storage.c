/* Copyright (c) dovecot-like authors. mbox-storage.c: opening an mbox
   mailbox (INBOX from INBOX= or <root>/inbox, others as files under the
   root) and listing the mailbox files (reference mbox-format.md 1). */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "mkdir-parents.h"
#include "mbox-storage.h"

#include <dirent.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_LIST_MAX_DEPTH 16

/* Names are validated like maildir's: no "..", no hidden components. */
static bool mbox_name_is_valid(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '/' || name[0] == '.' ||
	    name[0] == '~' || strstr(name, "//") != NULL ||
	    name[strlen(name) - 1] == '/')
		return false;
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    (p[0] == '/' && p[1] == '.'))
			return false;
	}
	return true;
}

const char *mbox_mailbox_path(const struct mail_storage_location *loc,
			      const char *name)
{
	if (strcasecmp(name, "INBOX") == 0) {
		return loc->inbox_path != NULL ? loc->inbox_path :
			tmp_strconcat(loc->root, "/inbox", NULL);
	}
	if (!mbox_name_is_valid(name))
		return NULL;
	return tmp_strconcat(loc->root, "/", name, NULL);
}

const char *mbox_journal_path(const char *root, const char *name)
{
	char *p, *fname = p_strconcat(tmp_pool, ".dlmbox-journal.", name, NULL);

	for (p = fname; *p != '\0'; p++) {
		if (*p == '/')
			*p = '.';
	}
	return tmp_strconcat(root, "/", fname, NULL);
}

void mbox_lock_settings_from_user(const struct mail_user_mbox_settings *uset,
				  struct mbox_lock_settings *set_r)
{
	set_r->read_locks = uset->read_locks;
	set_r->write_locks = uset->write_locks;
	set_r->lock_timeout_secs = uset->lock_timeout_secs;
	set_r->dotlock_change_timeout_secs = uset->dotlock_change_timeout_secs;
	set_r->privileged_gid = uset->privileged_gid;
}

static int
mbox_mailbox_open(struct mail_user *user, const char *name,
		  enum mailbox_flags flags, struct mailbox **box_r,
		  enum mail_storage_error *error_r, const char **error_str_r)
{
	const struct mail_storage_location *loc = &user->location;
	struct mbox_mailbox *mbox;
	struct mailbox_sync_result result;
	struct mailbox *box;
	struct pool *pool;
	const char *path;
	bool inbox = strcasecmp(name, "INBOX") == 0;
	struct stat st;

	path = mbox_mailbox_path(loc, name);
	if (path == NULL || (!inbox && stat(path, &st) < 0)) {
		*error_r = MAIL_ERROR_NOTFOUND;
		*error_str_r = tmp_printf("Mailbox doesn't exist: %s", name);
		return -1;
	}
	if (!inbox && !S_ISREG(st.st_mode)) {
		*error_r = MAIL_ERROR_NOTFOUND;
		*error_str_r = tmp_printf("Mailbox isn't selectable: %s", name);
		return -1;
	}

	pool = pool_create("mbox mailbox", 1024, POOL_FLAG_NONE);
	mbox = pool_new(pool, struct mbox_mailbox, 1);
	mailbox_init(&mbox->box, pool, user, inbox ? "INBOX" : name, flags,
		     &mbox_mailbox_vfuncs);
	mbox->path = p_strdup(pool, path);
	mbox->journal_path = p_strdup(pool, mbox_journal_path(loc->root,
							      mbox->box.name));
	mbox->fd = -1;
	array_init(&mbox->expunge_pending, pool, 16);
	mbox_lock_settings_from_user(&user->mbox_set, &mbox->lock_set);
	mbox_lock_init(&mbox->lock, mbox->path, -1, &mbox->lock_set);
	(void)mbox_index_open(mbox, mbox_index_dir(loc, mbox->box.name));
	mbox->id_dir = p_strdup(pool, mbox_index_id_dir(loc, mbox->box.name));

	if (mailbox_sync(&mbox->box, tmp_pool, &result) < 0) {
		*error_r = mailbox_get_last_error(&mbox->box, error_str_r);
		*error_str_r = tmp_strdup(*error_str_r);
		box = &mbox->box;
		mailbox_close(&box);
		return -1;
	}
	*box_r = &mbox->box;
	return 0;
}

static void mbox_list_dir(struct pool *pool, const char *dir,
			  const char *prefix, unsigned int depth,
			  ARRAY_TYPE(string) *names)
{
	struct dirent *d;
	struct stat st;
	const char *path, *name;
	size_t len;
	DIR *dirp;

	if (depth > MBOX_LIST_MAX_DEPTH || (dirp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dirp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		len = strlen(d->d_name);
		if (len > 5 && strcmp(d->d_name + len - 5, ".lock") == 0)
			continue;
		path = tmp_strconcat(dir, "/", d->d_name, NULL);
		if (stat(path, &st) < 0)
			continue;
		name = p_strconcat(pool, prefix, d->d_name, NULL);
		if (prefix[0] == '\0' && strcasecmp(name, "inbox") == 0)
			continue;	/* INBOX is listed once, as INBOX */
		if (S_ISREG(st.st_mode)) {
			array_append(names, &name);
		} else if (S_ISDIR(st.st_mode)) {
			mbox_list_dir(pool, path, p_strconcat(pool, name, "/",
							      NULL),
				      depth + 1, names);
		}
	}
	(void)closedir(dirp);
}

static int mbox_list_mailboxes(struct mail_user *user, struct pool *pool,
			       ARRAY_TYPE(string) *names_r,
			       const char **error_r ATTR_UNUSED)
{
	const char *inbox = "INBOX";

	array_init(names_r, pool, 8);
	array_append(names_r, &inbox);
	mbox_list_dir(pool, user->location.root, "", 0, names_r);
	mailbox_list_sort_names(names_r);
	return 0;
}

/* mbox_list_dir()'s rules for one name: every level listable (no dot
   file, not deeper than it walks), the upper ones directories, the last
   a regular file that isn't a lock file. */
static int mbox_mailbox_exists(struct mail_user *user, const char *name,
			       const char **error_r ATTR_UNUSED)
{
	const char *const *levels;
	const char *path = user->location.root;
	struct stat st;
	unsigned int depth;
	size_t len;

	if (strcasecmp(name, "INBOX") == 0)
		return strcmp(name, "INBOX") == 0 ? 1 : 0;
	levels = tmp_strsplit(name, "/");
	for (depth = 0; levels[depth] != NULL; depth++) {
		len = strlen(levels[depth]);
		/* a top "inbox" isn't walked: INBOX is listed once */
		if (depth > MBOX_LIST_MAX_DEPTH || len == 0 ||
		    levels[depth][0] == '.' || (depth == 0 &&
		    strcasecmp(levels[depth], "inbox") == 0) ||
		    (len > 5 && strcmp(levels[depth] + len - 5, ".lock") == 0))
			return 0;
		path = tmp_strconcat(path, "/", levels[depth], NULL);
		if (stat(path, &st) < 0)
			return 0;
		if (levels[depth + 1] == NULL)
			return S_ISREG(st.st_mode) ? 1 : 0;
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
	return 0;	/* an empty name */
}

static int mbox_create_root(const char *root, const char **error_r)
{
	return mkdir_parents(root, 0700, error_r);
}

const struct mail_storage_driver mbox_storage_driver = {
	.name = "mbox",
	.create_root = mbox_create_root,
	.mailbox_open = mbox_mailbox_open,
	.list_mailboxes = mbox_list_mailboxes,
	.mailbox_exists = mbox_mailbox_exists,
	/* a dot file, so it isn't listed as a mailbox */
	.subscriptions_fname = ".subscriptions",
	.subscriptions_v1_sep = '/',
	.mailbox_create = mbox_mailbox_create,
	.mailbox_delete = mbox_mailbox_delete,
	.mailbox_rename = mbox_mailbox_rename,
};
