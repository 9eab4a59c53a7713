/* Copyright (c) dovecot-like authors. maildir-storage.c: opening a Maildir
   mailbox: maps the mailbox name to its directory (Maildir++ or fs layout),
   creates INBOX's cur/ new/ tmp/ when missing, and does the first sync. */
#include "lib.h"
#include "mkdir-parents.h"
#include "maildir-storage.h"

#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_if_missing(const char *path, const char **error_r)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	*error_r = tmp_printf("mkdir(%s) failed: %m", path);
	return -1;
}

int maildir_create_dirs(const char *root, const char **error_r)
{
	if (mkdir_parents(root, 0700, error_r) < 0 ||
	    mkdir_if_missing(tmp_strconcat(root, "/cur", NULL), error_r) < 0 ||
	    mkdir_if_missing(tmp_strconcat(root, "/new", NULL), error_r) < 0 ||
	    mkdir_if_missing(tmp_strconcat(root, "/tmp", NULL), error_r) < 0)
		return -1;
	return 0;
}

bool maildir_is_maildir(const char *dir)
{
	struct stat st;

	return stat(tmp_strconcat(dir, "/cur", NULL), &st) == 0 &&
		S_ISDIR(st.st_mode);
}

/* Mailbox name -> directory below the root, "" for INBOX. NULL if the name
   can't be a mailbox. Names are ASCII here: modified UTF-7 on disk is the
   caller's (lib-imap's) business. */
const char *maildir_name_to_dir(const struct mail_storage_location *loc,
				       const char *name)
{
	const char *p;
	char *dir;
	size_t i;

	if (strcasecmp(name, "INBOX") == 0)
		return "";
	if (name[0] == '\0' || name[0] == '/' || name[0] == '.' ||
	    name[0] == '~' || strstr(name, "//") != NULL ||
	    name[strlen(name) - 1] == '/')
		return NULL;
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    (p[0] == '/' && p[1] == '.'))
			return NULL;
	}
	if (strcmp(loc->layout, "fs") == 0) {
		if (loc->dirname != NULL)
			return tmp_strconcat(name, "/", loc->dirname, NULL);
		return name;
	}
	/* Maildir++: ".Work.Projects"; '.' can't appear in a name */
	if (strchr(name, '.') != NULL)
		return NULL;
	dir = p_strconcat(tmp_pool, ".", name, NULL);
	for (i = 0; dir[i] != '\0'; i++) {
		if (dir[i] == '/')
			dir[i] = '.';
	}
	return dir;
}

static int
maildir_mailbox_open(struct mail_user *user, const char *name,
		     enum mailbox_flags flags, struct mailbox **box_r,
		     enum mail_storage_error *error_r, const char **error_str_r)
{
	const struct mail_storage_location *loc = &user->location;
	struct maildir_mailbox *mbox;
	struct mailbox_sync_result result;
	struct mailbox *box;
	struct pool *pool;
	struct stat st;
	const char *dir, *path, *control, *error;
	bool inbox;

	dir = maildir_name_to_dir(loc, name);
	if (dir == NULL) {
		*error_r = MAIL_ERROR_NOTFOUND;
		*error_str_r = tmp_printf("Mailbox doesn't exist: %s", name);
		return -1;
	}
	inbox = dir[0] == '\0';
	if (inbox) {
		path = loc->inbox_path != NULL ? loc->inbox_path : loc->root;
		control = loc->control_dir != NULL ? loc->control_dir : path;
		if (maildir_create_dirs(path, &error) < 0 ||
		    (strcmp(control, path) != 0 &&
		     mkdir_parents(control, 0700, &error) < 0)) {
			log_error("%s", error);
			*error_r = MAIL_ERROR_TEMP;
			*error_str_r = "Internal error occurred";
			return -1;
		}
	} else {
		path = tmp_strconcat(loc->root, "/", dir, NULL);
		control = loc->control_dir == NULL ? path :
			tmp_strconcat(loc->control_dir, "/", dir, NULL);
		if (!maildir_is_maildir(path)) {
			*error_r = MAIL_ERROR_NOTFOUND;
			*error_str_r = tmp_printf("Mailbox doesn't exist: %s",
						  name);
			return -1;
		}
		if (strcmp(control, path) != 0 &&
		    mkdir_parents(control, 0700, &error) < 0) {
			log_error("%s", error);
			*error_r = MAIL_ERROR_TEMP;
			*error_str_r = "Internal error occurred";
			return -1;
		}
	}

	pool = pool_create("maildir mailbox", 1024, POOL_FLAG_NONE);
	mbox = pool_new(pool, struct maildir_mailbox, 1);
	mailbox_init(&mbox->box, pool, user, inbox ? "INBOX" : name, flags,
		     &maildir_mailbox_vfuncs);
	mbox->path = p_strdup(pool, path);
	mbox->control_path = p_strdup(pool, control);
	mbox->uidlist = maildir_uidlist_init(mbox->control_path);
	mbox->keywords = maildir_keywords_init(&mbox->box, mbox->control_path);
	mbox->index_dir = loc->index_dir == NULL ? mbox->control_path :
		inbox ? p_strdup(pool, loc->index_dir) :
		p_strconcat(pool, loc->index_dir, "/", dir, NULL);
	if ((flags & MAILBOX_FLAG_SAVE_ONLY) != 0 &&
	    stat(mbox->uidlist->path, &st) == 0) {
		/* saving needs only the uidlist and the keywords, both read
		   under the uidlist lock at commit: no index, no scan (a
		   scan per APPEND costs O(messages) when new/ is busy).
		   Without a uidlist the full first sync runs, so the
		   messages already there get their UIDs before ours. */
		(void)maildir_keywords_refresh(mbox->keywords);	/* logged */
		*box_r = &mbox->box;
		return 0;
	}
	if (loc->index_dir != NULL && strcmp(loc->index_dir, "MEMORY") == 0) {
		/* INDEX=MEMORY: no index files, every sync scans */
	} else if (strcmp(mbox->index_dir, mbox->control_path) != 0 &&
		   mkdir_parents(mbox->index_dir, 0700, &error) < 0)
		log_error("%s (using no index)", error);
	else
		(void)maildir_index_open(mbox);
	if ((flags & MAILBOX_FLAG_READONLY) == 0)
		(void)maildir_tmp_cleanup(mbox->path);

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

const struct mail_storage_driver maildir_storage_driver = {
	.name = "maildir",
	.create_root = maildir_create_dirs,
	.mailbox_open = maildir_mailbox_open,
	.list_mailboxes = maildir_list_mailboxes,
	.mailbox_exists = maildir_list_mailbox_exists,
	.subscriptions_fname = "subscriptions",
	.subscriptions_v1_sep = '.',
	.mailbox_create = maildir_mailbox_create,
	.mailbox_delete = maildir_mailbox_delete,
	.mailbox_rename = maildir_mailbox_rename,
};
