/* Copyright (c) dovecot-like authors. maildir-mailbox-mgmt.c: creating,
   deleting and renaming Maildir++ and LAYOUT=fs mailboxes (CREATE, DELETE,
   RENAME), with their CONTROL= and INDEX= directories.

   Maildir++ folders are independent directories (".a" and ".a.b"), so as in
   Dovecot 2.3 deleting "a" removes only ".a": its children stay and "a"
   becomes a mere hierarchy level. With LAYOUT=fs the children live inside
   the parent's directory: deleting a parent removes its messages and
   control files but keeps the directory holding the children.
   A delete first renames the mailbox to MAILDIR_TRASH_PREFIX<unique> in the
   same root (atomic: the mailbox is gone at once, never half there), then
   removes that tree. */
#include "lib.h"
#include "array.h"
#include "mkdir-parents.h"
#include "mailbox-mgmt.h"
#include "maildir-storage.h"
#include "maildir-filename.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAILDIR_SUBFOLDER_FNAME "maildirfolder"
/* open file descriptors nftw() may use while removing a tree */
#define MAILDIR_MGMT_NFTW_FDS 16

static bool maildir_mgmt_is_fs(const struct mail_user *user)
{
	return strcmp(user->location.layout, "fs") == 0;
}

/* The roots that hold a part of every mailbox: the mail root, CONTROL=
   and INDEX= (each mailbox has the same relative directory below them). */
static unsigned int maildir_mgmt_roots(const struct mail_user *user,
				       const char *roots_r[3])
{
	const struct mail_storage_location *loc = &user->location;
	unsigned int count = 0;

	roots_r[count++] = loc->root;
	if (loc->control_dir != NULL && strcmp(loc->control_dir, loc->root) != 0)
		roots_r[count++] = loc->control_dir;
	if (loc->index_dir != NULL && strcmp(loc->index_dir, "MEMORY") != 0 &&
	    strcmp(loc->index_dir, loc->root) != 0 &&
	    (loc->control_dir == NULL ||
	     strcmp(loc->index_dir, loc->control_dir) != 0))
		roots_r[count++] = loc->index_dir;
	return count;
}

static int maildir_mgmt_remove_entry(const char *path,
				     const struct stat *st ATTR_UNUSED,
				     int type ATTR_UNUSED,
				     struct FTW *ftw ATTR_UNUSED)
{
	if (remove(path) < 0 && errno != ENOENT)
		log_error("remove(%s) failed: %m", path);
	return 0;
}

/* rm -rf path; errors are logged (what remains is never listed). */
static void maildir_mgmt_remove_tree(const char *path)
{
	if (nftw(path, maildir_mgmt_remove_entry, MAILDIR_MGMT_NFTW_FDS,
		 FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		log_error("nftw(%s) failed: %m", path);
}

/* Renames path to a trash name in trash_root and removes it. 1 done,
   0 path doesn't exist, -1 error (logged). */
static int maildir_mgmt_trash(const char *path, const char *trash_root)
{
	const char *trash;

	trash = tmp_strconcat(trash_root, "/" MAILDIR_TRASH_PREFIX,
			      maildir_filename_generate(tmp_pool), NULL);
	if (rename(path, trash) < 0) {
		if (errno == ENOENT)
			return 0;
		log_error("rename(%s, %s) failed: %m", path, trash);
		return -1;
	}
	maildir_mgmt_remove_tree(trash);
	return 1;
}

/* LAYOUT=fs: a level named like a Maildir subdirectory (or DIRNAME) would
   be taken for a part of its parent. */
static bool maildir_mgmt_fs_name_is_valid(const struct mail_user *user,
					  const char *name)
{
	const char *dirname = user->location.dirname;
	const char *p, *level = name;
	size_t len;

	for (;;) {
		p = strchr(level, '/');
		len = p == NULL ? strlen(level) : (size_t)(p - level);
		if ((len == 3 && (strncmp(level, "cur", 3) == 0 ||
				  strncmp(level, "new", 3) == 0 ||
				  strncmp(level, "tmp", 3) == 0)) ||
		    (dirname != NULL && strlen(dirname) == len &&
		     strncmp(level, dirname, len) == 0))
			return false;
		if (p == NULL)
			return true;
		level = p + 1;
	}
}

/* The mailbox directory of a non-INBOX name; NULL (PARAMS error) if the
   name can't be one. */
static const char *maildir_mgmt_get_dir(struct mail_user *user,
					const char *name,
					enum mail_storage_error *error_r,
					const char **error_str_r)
{
	const char *dir = maildir_name_to_dir(&user->location, name);

	if (dir == NULL || dir[0] == '\0' ||
	    (maildir_mgmt_is_fs(user) &&
	     !maildir_mgmt_fs_name_is_valid(user, name))) {
		mailbox_mgmt_error(MAIL_ERROR_PARAMS, "Invalid mailbox name",
				   error_r, error_str_r);
		return NULL;
	}
	return dir;
}

static int mkdir_exist_ok(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	log_error("mkdir(%s) failed: %m", path);
	return -1;
}

/* Writes dovecot-uidlist at once, so the new mailbox's UIDVALIDITY is
   fixed from its creation (Dovecot does the same). Best effort: the first
   open writes it otherwise. */
static void maildir_mgmt_create_uidlist(struct mail_user *user,
					const char *dir)
{
	const char *control, *error;
	struct maildir_uidlist *uidlist;

	control = user->location.control_dir == NULL ?
		tmp_strconcat(user->location.root, "/", dir, NULL) :
		tmp_strconcat(user->location.control_dir, "/", dir, NULL);
	if (user->location.control_dir != NULL &&
	    mkdir_parents(control, 0700, &error) < 0) {
		log_error("%s", error);
		return;
	}
	uidlist = maildir_uidlist_init(control);
	if (maildir_uidlist_lock(uidlist, MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS) > 0) {
		if (maildir_uidlist_refresh(uidlist) >= 0 && !uidlist->exists)
			(void)maildir_uidlist_commit(uidlist);
		maildir_uidlist_unlock(uidlist);
	}
	maildir_uidlist_deinit(&uidlist);
}

int maildir_mailbox_create(struct mail_user *user, const char *name,
			   bool directory ATTR_UNUSED,
			   enum mail_storage_error *error_r,
			   const char **error_str_r)
{
	const char *dir, *path, *error;
	int fd;

	/* directory: Dovecot makes a normal Maildir++ folder then too.
	   INBOX was refused by mail_user_mailbox_create(). */
	if ((dir = maildir_mgmt_get_dir(user, name, error_r, error_str_r)) == NULL)
		return -1;
	path = tmp_strconcat(user->location.root, "/", dir, NULL);
	if (maildir_is_maildir(path)) {
		mailbox_mgmt_error(MAIL_ERROR_EXISTS, "Mailbox already exists",
				   error_r, error_str_r);
		return -1;
	}
	/* cur/ last: it is what makes the directory a mailbox, so a crash
	   in between leaves no half mailbox (a later CREATE completes it) */
	if (mkdir_parents(path, 0700, &error) < 0) {
		log_error("%s", error);
		mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
		return -1;
	}
	if (!maildir_mgmt_is_fs(user)) {
		const char *fpath = tmp_strconcat(path, "/" MAILDIR_SUBFOLDER_FNAME,
						  NULL);

		fd = open(fpath, O_WRONLY | O_CREAT, 0600);
		if (fd == -1) {
			log_error("open(%s) failed: %m", fpath);
			mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
			return -1;
		}
		(void)close(fd);
	}
	if (mkdir_exist_ok(tmp_strconcat(path, "/tmp", NULL)) < 0 ||
	    mkdir_exist_ok(tmp_strconcat(path, "/new", NULL)) < 0) {
		mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
		return -1;
	}
	if (mkdir(tmp_strconcat(path, "/cur", NULL), 0700) < 0) {
		if (errno == EEXIST) {	/* created by someone else meanwhile */
			mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					   "Mailbox already exists", error_r,
					   error_str_r);
			return -1;
		}
		log_error("mkdir(%s/cur) failed: %m", path);
		mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
		return -1;
	}
	maildir_mgmt_create_uidlist(user, dir);
	return 0;
}

/* LAYOUT=fs: true if dir has a subdirectory that isn't a part of the
   mailbox itself (cur/ new/ tmp/, DIRNAME, dot directories). */
static bool maildir_mgmt_fs_has_children(struct mail_user *user,
					 const char *dir)
{
	const char *dirname = user->location.dirname;
	struct dirent *d;
	struct stat st;
	DIR *dirp;
	bool found = false;

	if ((dirp = opendir(dir)) == NULL)
		return false;
	while (!found && (d = readdir(dirp)) != NULL) {
		if (d->d_name[0] == '.' || strcmp(d->d_name, "cur") == 0 ||
		    strcmp(d->d_name, "new") == 0 ||
		    strcmp(d->d_name, "tmp") == 0 ||
		    (dirname != NULL && strcmp(d->d_name, dirname) == 0))
			continue;
		found = stat(tmp_strconcat(dir, "/", d->d_name, NULL), &st) == 0 &&
			S_ISDIR(st.st_mode);
	}
	(void)closedir(dirp);
	return found;
}

/* Removes what of a mailbox lies directly in dir (files, cur/ new/ tmp/),
   keeping child mailbox directories. cur/ goes first (to the trash): the
   mailbox stops existing at once. */
static int maildir_mgmt_remove_flat(const char *dir, const char *trash_root)
{
	struct dirent *d;
	struct stat st;
	const char *path;
	DIR *dirp;
	int ret;

	ret = maildir_mgmt_trash(tmp_strconcat(dir, "/cur", NULL), trash_root);
	if (ret < 0)
		return -1;
	maildir_mgmt_remove_tree(tmp_strconcat(dir, "/new", NULL));
	maildir_mgmt_remove_tree(tmp_strconcat(dir, "/tmp", NULL));
	if ((dirp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dirp)) != NULL) {
		path = tmp_strconcat(dir, "/", d->d_name, NULL);
		if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode) &&
		    unlink(path) < 0 && errno != ENOENT)
			log_error("unlink(%s) failed: %m", path);
	}
	(void)closedir(dirp);
	return 0;
}

/* LAYOUT=fs delete of name in one root. 1 done, 0 missing, -1 error. */
static int maildir_mgmt_fs_delete(struct mail_user *user, const char *root,
				  const char *name)
{
	const char *dirname = user->location.dirname;
	const char *namedir = tmp_strconcat(root, "/", name, NULL);

	if (dirname != NULL) {
		/* the Maildir is name/DIRNAME, separate from the children */
		if (maildir_mgmt_trash(tmp_strconcat(namedir, "/", dirname, NULL),
				       root) < 0)
			return -1;
		if (!maildir_mgmt_fs_has_children(user, namedir))
			(void)maildir_mgmt_trash(namedir, root);
		return 1;
	}
	if (maildir_mgmt_fs_has_children(user, namedir))
		return maildir_mgmt_remove_flat(namedir, root) < 0 ? -1 : 1;
	return maildir_mgmt_trash(namedir, root);
}

int maildir_mailbox_delete(struct mail_user *user, const char *name,
			   enum mail_storage_error *error_r,
			   const char **error_str_r)
{
	const char *roots[3], *dir;
	unsigned int i, count;
	int ret;

	/* INBOX was refused by mail_user_mailbox_delete() */
	dir = maildir_name_to_dir(&user->location, name);
	if (dir == NULL || dir[0] == '\0' ||
	    !maildir_is_maildir(tmp_strconcat(user->location.root, "/", dir,
					      NULL))) {
		mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
			tmp_printf("Mailbox doesn't exist: %s", name), error_r,
			error_str_r);
		return -1;
	}
	count = maildir_mgmt_roots(user, roots);
	for (i = 0; i < count; i++) {
		/* the mail root first: once it is gone, so is the mailbox */
		ret = maildir_mgmt_is_fs(user) ?
			maildir_mgmt_fs_delete(user, roots[i], name) :
			maildir_mgmt_trash(tmp_strconcat(roots[i], "/", dir, NULL),
					   roots[i]);
		if (i == 0 && ret <= 0) {
			if (ret == 0) {
				mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
					tmp_printf("Mailbox doesn't exist: %s",
						   name), error_r, error_str_r);
			} else {
				mailbox_mgmt_internal_error(NULL, error_r,
							    error_str_r);
			}
			return -1;
		}
	}
	return 0;
}

/* Maildir++: the root entries of the mailbox dir (".Old") and of its
   children (".Old.*"), as suffixes after dir ("" and ".Sub"). */
static void maildir_mgmt_pp_family(const char *root, const char *dir,
				   ARRAY_TYPE(string) *suffixes)
{
	size_t len = strlen(dir);
	struct dirent *d;
	const char *suffix;
	DIR *dirp;

	if ((dirp = opendir(root)) == NULL)
		return;
	while ((d = readdir(dirp)) != NULL) {
		if (strncmp(d->d_name, MAILDIR_TRASH_PREFIX,
			    strlen(MAILDIR_TRASH_PREFIX)) == 0 ||
		    strncmp(d->d_name, dir, len) != 0 ||
		    (d->d_name[len] != '\0' && d->d_name[len] != '.'))
			continue;
		suffix = tmp_strdup(d->d_name + len);
		array_append(suffixes, &suffix);
	}
	(void)closedir(dirp);
}

static bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* rename() of one part; ENOENT (a root lacking this mailbox) is fine. */
static int maildir_mgmt_rename_path(const char *src, const char *dest)
{
	const char *error, *p;

	p = strrchr(dest, '/');
	if (p != NULL && p != dest &&
	    mkdir_parents(tmp_strndup(dest, (size_t)(p - dest)), 0700,
			  &error) < 0) {
		log_error("%s", error);
		return -1;
	}
	if (rename(src, dest) == 0 || errno == ENOENT)
		return 0;
	log_error("rename(%s, %s) failed: %m", src, dest);
	return -1;
}

/* Renames the mailbox and its children in every root. The mail root goes
   first: a failure there leaves the others untouched. */
static int maildir_mgmt_rename_dirs(struct mail_user *user,
				    const char *olddir, const char *newdir,
				    const ARRAY_TYPE(string) *suffixes)
{
	const char *roots[3], *const *suffix;
	unsigned int i, count = maildir_mgmt_roots(user, roots);

	for (i = 0; i < count; i++) {
		array_foreach(suffixes, suffix) {
			if (maildir_mgmt_rename_path(
				tmp_strconcat(roots[i], "/", olddir, *suffix, NULL),
				tmp_strconcat(roots[i], "/", newdir, *suffix, NULL)) < 0 &&
			    i == 0)
				return -1;
		}
	}
	return 0;
}

struct maildir_mgmt_move {
	const char *fname;
	uint32_t uid;	/* in INBOX; 0 = not in its uidlist yet */
	bool in_new;
	bool in_dest;	/* already in the target's uidlist */
};

typedef ARRAY(struct maildir_mgmt_move) ARRAY_TYPE(maildir_mgmt_move);

static int maildir_mgmt_move_cmp(const struct maildir_mgmt_move *m1,
				 const struct maildir_mgmt_move *m2)
{
	if (m1->uid != m2->uid) {
		if (m1->uid == 0 || m2->uid == 0)
			return m1->uid == 0 ? 1 : -1;
		return m1->uid < m2->uid ? -1 : 1;
	}
	return maildir_filename_sort_cmp(m1->fname, m2->fname);
}

static void maildir_mgmt_collect(const char *src, bool in_new,
				 struct maildir_uidlist *src_list,
				 ARRAY_TYPE(maildir_mgmt_move) *moves)
{
	const char *path = tmp_strconcat(src, in_new ? "/new" : "/cur", NULL);
	struct maildir_mgmt_move *m;
	struct dirent *d;
	DIR *dirp;

	if ((dirp = opendir(path)) == NULL) {
		log_error("opendir(%s) failed: %m", path);
		return;
	}
	while ((d = readdir(dirp)) != NULL) {
		if (!maildir_filename_is_valid(d->d_name))
			continue;
		m = array_append_space(moves);
		m->fname = tmp_strdup(d->d_name);
		m->in_new = in_new;
		m->uid = maildir_uidlist_lookup_fname(src_list, m->fname,
			maildir_filename_base_len(m->fname));
	}
	(void)closedir(dirp);
}

/* Both uidlists locked. Moves every file of src's new/ and cur/ to the
   same place in dest, recording them in dest's uidlist. A crash midway
   leaves each file in exactly one of the two (rename), so nothing is lost
   or doubled; files the uidlist missed get UIDs at the next sync.
   1 or -1. */
static int maildir_mgmt_move_messages(const char *src,
				      struct maildir_uidlist *src_list,
				      const char *dest,
				      struct maildir_uidlist *dest_list)
{
	ARRAY_TYPE(maildir_mgmt_move) moves;
	struct maildir_mgmt_move *m;
	const char *from, *to, *prev = NULL;
	size_t base_len, prev_len = 0;
	int ret = 1;

	if (maildir_uidlist_refresh(src_list) < 0 ||
	    maildir_uidlist_refresh(dest_list) < 0)
		return -1;
	array_init(&moves, tmp_pool, 64);
	maildir_mgmt_collect(src, true, src_list, &moves);
	maildir_mgmt_collect(src, false, src_list, &moves);
	array_sort(&moves, maildir_mgmt_move_cmp);
	/* all lookups before the first add: each add invalidates the
	   uidlist's name index, and a lookup after it would rebuild it */
	array_foreach(&moves, m) {
		m->in_dest = maildir_uidlist_lookup_fname(dest_list, m->fname,
			maildir_filename_base_len(m->fname)) != 0;
	}
	array_foreach(&moves, m) {
		from = tmp_strconcat(src, m->in_new ? "/new/" : "/cur/",
				     m->fname, NULL);
		to = tmp_strconcat(dest, m->in_new ? "/new/" : "/cur/",
				   m->fname, NULL);
		if (rename(from, to) < 0) {
			if (errno == ENOENT)
				continue;	/* expunged meanwhile */
			log_error("rename(%s, %s) failed: %m", from, to);
			ret = -1;
			break;
		}
		base_len = maildir_filename_base_len(m->fname);
		/* (the same base name in new/ and cur/ is recorded once) */
		if (m->in_dest || (prev != NULL && prev_len == base_len &&
				   strncmp(prev, m->fname, base_len) == 0))
			continue;
		(void)maildir_uidlist_add(dest_list, m->fname, base_len);
		prev = m->fname;
		prev_len = base_len;
	}
	if (maildir_uidlist_commit(dest_list) < 0)
		ret = -1;	/* logged; the next sync gives the UIDs */
	return ret;
}

/* RFC 3501 6.3.5: renaming INBOX moves all its messages into a new
   mailbox; INBOX stays, empty, with its UIDVALIDITY. The files keep their
   names (and new/ or cur/); the target gets UIDs in INBOX's UID order. */
static int maildir_mgmt_rename_inbox(struct mail_user *user,
				     const char *newname,
				     enum mail_storage_error *error_r,
				     const char **error_str_r)
{
	const struct mail_storage_location *loc = &user->location;
	const char *inbox = loc->inbox_path != NULL ? loc->inbox_path : loc->root;
	const char *inbox_control = loc->control_dir != NULL ?
		loc->control_dir : inbox;
	const char *newdir, *target, *target_control;
	struct maildir_uidlist *src_list, *dest_list;
	int ret;

	if (maildir_mailbox_create(user, newname, false, error_r,
				   error_str_r) < 0)
		return -1;
	newdir = maildir_name_to_dir(loc, newname);
	target = tmp_strconcat(loc->root, "/", newdir, NULL);
	target_control = tmp_strconcat(loc->control_dir != NULL ?
				       loc->control_dir : loc->root, "/",
				       newdir, NULL);
	src_list = maildir_uidlist_init(inbox_control);
	dest_list = maildir_uidlist_init(target_control);
	/* INBOX locked: no save commits into it halfway through */
	ret = maildir_uidlist_lock(src_list, MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS);
	if (ret > 0) {
		ret = maildir_uidlist_lock(dest_list,
					   MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS);
		if (ret > 0) {
			ret = maildir_mgmt_move_messages(inbox, src_list,
							 target, dest_list);
			maildir_uidlist_unlock(dest_list);
		}
		maildir_uidlist_unlock(src_list);
	}
	maildir_uidlist_deinit(&src_list);
	maildir_uidlist_deinit(&dest_list);
	if (ret <= 0) {
		if (ret == 0) {
			mailbox_mgmt_error(MAIL_ERROR_INUSE,
					   "Timeout while waiting for lock",
					   error_r, error_str_r);
		} else {
			mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
		}
		return -1;
	}
	return 0;
}

int maildir_mailbox_rename(struct mail_user *user, const char *oldname,
			   const char *newname, enum mail_storage_error *error_r,
			   const char **error_str_r)
{
	const char *root = user->location.root, *olddir, *newdir, *const *sfx;
	ARRAY_TYPE(string) suffixes;
	bool fs = maildir_mgmt_is_fs(user);

	/* mail_user_mailbox_rename() refused newname INBOX, renaming to
	   itself and below itself */
	if ((newdir = maildir_mgmt_get_dir(user, newname, error_r,
					   error_str_r)) == NULL)
		return -1;
	if (strcasecmp(oldname, "INBOX") == 0)
		return maildir_mgmt_rename_inbox(user, newname, error_r,
						 error_str_r);
	olddir = maildir_name_to_dir(&user->location, oldname);
	array_init(&suffixes, tmp_pool, 8);
	if (fs) {
		/* the whole name directory moves, children included */
		olddir = olddir == NULL ? NULL : oldname;
		newdir = newname;
		if (olddir != NULL &&
		    maildir_is_maildir(tmp_strconcat(root, "/",
			maildir_name_to_dir(&user->location, oldname), NULL))) {
			const char *empty = "";
			array_append(&suffixes, &empty);
		}
	} else if (olddir != NULL) {
		maildir_mgmt_pp_family(root, olddir, &suffixes);
	}
	if (array_count(&suffixes) == 0) {
		mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
			tmp_printf("Mailbox doesn't exist: %s", oldname),
			error_r, error_str_r);
		return -1;
	}
	array_foreach(&suffixes, sfx) {
		if (path_exists(tmp_strconcat(root, "/", newdir, *sfx, NULL))) {
			mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					   "Mailbox already exists", error_r,
					   error_str_r);
			return -1;
		}
	}
	if (maildir_mgmt_rename_dirs(user, olddir, newdir, &suffixes) < 0) {
		mailbox_mgmt_internal_error(NULL, error_r, error_str_r);
		return -1;
	}
	return 0;
}
