/* Copyright (c) dovecot-like authors. mbox-mailbox-mgmt.c: creating,
   deleting and renaming mbox files and their directories (reference
   mbox-format.md 1: a mailbox is a file, a directory holds children, so a
   name is one or the other). */
#include "lib.h"
#include "array.h"
#include "mkdir-parents.h"
#include "mailbox-mgmt.h"
#include "mbox-storage.h"
#include "mbox-rewrite.h"
#include "write-full.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_MGMT_COPY_CHUNK (64 * 1024)

static bool mbox_name_is_inbox(const char *name)
{
	return strncasecmp(name, "INBOX", 5) == 0 &&
		(name[5] == '\0' || name[5] == '/');
}

/* Path of a mailbox other than INBOX, or NULL if the name can't be one
   (names ending in ".lock" would be taken for another mailbox's dotlock). */
static const char *mbox_mgmt_path(struct mail_user *user, const char *name)
{
	size_t len = strlen(name);

	if (len >= 5 && strcmp(name + len - 5, ".lock") == 0)
		return NULL;
	return mbox_mailbox_path(&user->location, name);
}

/* Creates the directories between the mail root and path (0700). 0, or -1
   with the error set. */
static int mbox_mkdir_parents(struct mail_user *user, const char *path,
			      enum mail_storage_error *error_r,
			      const char **error_str_r)
{
	size_t root_len = strlen(user->location.root);
	const char *slash = strrchr(path, '/'), *error;

	if (slash == NULL || (size_t)(slash - path) <= root_len)
		return 0;
	if (mkdir_parents(tmp_strndup(path, (size_t)(slash - path)), 0700,
			  &error) == 0)
		return 0;
	if (errno == ENOTDIR) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Mailbox doesn't allow inferior mailboxes", error_r,
			error_str_r);
	}
	return mailbox_mgmt_internal_error(error, error_r, error_str_r);
}

int mbox_mailbox_create(struct mail_user *user, const char *name,
			bool directory, enum mail_storage_error *error_r,
			const char **error_str_r)
{
	const char *path;
	int fd;

	/* mail_user_mailbox_create() refused INBOX and a trailing '/' */
	if (mbox_name_is_inbox(name)) {
		/* INBOX is a file: it can't have children */
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Mailbox doesn't allow inferior mailboxes", error_r,
			error_str_r);
	}
	path = mbox_mgmt_path(user, name);
	if (path == NULL) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "Invalid mailbox name", error_r,
					  error_str_r);
	}
	if (mbox_mkdir_parents(user, path, error_r, error_str_r) < 0)
		return -1;
	if (directory) {
		if (mkdir(path, 0700) == 0)
			return 0;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd != -1) {
			if (close(fd) < 0)
				log_warning("close(%s) failed: %m", path);
			return 0;
		}
	}
	if (errno == EEXIST) {
		return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					  "Mailbox already exists", error_r,
					  error_str_r);
	}
	if (errno == ENOTDIR) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Mailbox doesn't allow inferior mailboxes", error_r,
			error_str_r);
	}
	return mailbox_mgmt_internal_error(
		tmp_printf("%s(%s) failed: %m",
			   directory ? "mkdir" : "open", path),
		error_r, error_str_r);
}

/* 1 if dir holds a mailbox or directory (dot files are ours or hidden),
   0 if not, -1 on error. */
static int mbox_dir_has_children(const char *dir)
{
	struct dirent *d;
	DIR *dirp;
	int ret = 0;

	if ((dirp = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dirp)) != NULL) {
		if (d->d_name[0] != '.') {
			ret = 1;
			break;
		}
	}
	(void)closedir(dirp);
	return ret;
}

int mbox_mailbox_delete(struct mail_user *user, const char *name,
			enum mail_storage_error *error_r,
			const char **error_str_r)
{
	const char *path, *journal;
	struct stat st;
	int ret;

	/* INBOX was refused by mail_user_mailbox_delete() */
	path = mbox_mgmt_path(user, name);
	if (path == NULL) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "Invalid mailbox name", error_r,
					  error_str_r);
	}
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
				tmp_printf("Mailbox doesn't exist: %s", name),
				error_r, error_str_r);
		}
		return mailbox_mgmt_internal_error(
			tmp_printf("lstat(%s) failed: %m", path),
			error_r, error_str_r);
	}
	if (S_ISDIR(st.st_mode)) {
		/* like Dovecot: an empty directory goes, children stay */
		ret = mbox_dir_has_children(path);
		if (ret == 0 && rmdir(path) == 0)
			return 0;
		if (ret > 0 || errno == ENOTEMPTY || errno == EEXIST) {
			/* Dovecot's code and text, as mailbox-mgmt.c */
			return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
				"Mailbox has children, delete them first",
				error_r, error_str_r);
		}
		return mailbox_mgmt_internal_error(
			tmp_printf("rmdir(%s) failed: %m", path),
			error_r, error_str_r);
	}
	if (unlink(path) < 0) {
		if (errno == ENOENT) {
			return mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
				tmp_printf("Mailbox doesn't exist: %s", name),
				error_r, error_str_r);
		}
		return mailbox_mgmt_internal_error(
			tmp_printf("unlink(%s) failed: %m", path),
			error_r, error_str_r);
	}
	journal = mbox_journal_path(user->location.root, name);
	if (unlink(journal) < 0 && errno != ENOENT)
		log_warning("unlink(%s) failed: %m", journal);
	mbox_index_delete(&user->location, name);
	return 0;
}

/* rename() that never replaces an existing target. */
static int mbox_rename_noreplace(const char *from, const char *to)
{
	struct stat st;

#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* the filesystem can't do it atomically: check, then rename */
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

static int mbox_rename_check_new(struct mail_user *user, const char *newname,
				 const char **newpath_r,
				 enum mail_storage_error *error_r,
				 const char **error_str_r)
{
	struct stat st;

	/* newname INBOX itself was refused by mail_user_mailbox_rename() */
	if (mbox_name_is_inbox(newname)) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Mailbox doesn't allow inferior mailboxes", error_r,
			error_str_r);
	}
	*newpath_r = mbox_mgmt_path(user, newname);
	if (*newpath_r == NULL) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "Invalid mailbox name", error_r,
					  error_str_r);
	}
	if (lstat(*newpath_r, &st) == 0) {
		return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					  "Mailbox already exists", error_r,
					  error_str_r);
	}
	return mbox_mkdir_parents(user, *newpath_r, error_r, error_str_r);
}

/* Copies fd's first size bytes into a new file at path, durably. */
static int mbox_copy_to_new(int fd, uoff_t size, const char *path,
			    const char **error_r)
{
	unsigned char buf[MBOX_MGMT_COPY_CHUNK];
	uoff_t done;
	ssize_t ret;
	int out;

	out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (out == -1) {
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	for (done = 0; done < size; done += (uoff_t)ret) {
		ret = pread(fd, buf, (size_t)MIN(size - done, sizeof(buf)),
			    (off_t)done);
		if (ret <= 0 || write_full(out, buf, (size_t)ret) < 0) {
			if (ret == 0)
				errno = EIO;
			*error_r = tmp_printf("copying to %s failed: %m", path);
			(void)close(out);
			(void)unlink(path);
			return -1;
		}
	}
	if (fsync(out) < 0) {
		*error_r = tmp_printf("fsync(%s) failed: %m", path);
		(void)close(out);
		(void)unlink(path);
		return -1;
	}
	if (close(out) < 0) {
		*error_r = tmp_printf("close(%s) failed: %m", path);
		(void)unlink(path);
		return -1;
	}
	return 0;
}

static void mbox_fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL || slash == path)
		return;
	fd = open(tmp_strndup(path, (size_t)(slash - path)),
		  O_RDONLY | O_DIRECTORY);
	if (fd == -1)
		return;
	if (fsync(fd) < 0)
		log_warning("fsync(directory of %s) failed: %m", path);
	(void)close(fd);
}

/* RFC 3501 6.3.5: INBOX's messages move to a new mailbox and INBOX stays,
   empty. Under INBOX's write lock the file is copied durably to the new
   name, then every message is expunged from INBOX through the rewrite
   journal (which leaves the pseudo message keeping UIDVALIDITY and the
   last UID, so INBOX's UIDs are never reused). A crash between the two
   steps leaves the messages in both mailboxes, never in neither. */
static int mbox_rename_inbox(struct mail_user *user, const char *newpath,
			     enum mail_storage_error *error_r,
			     const char **error_str_r)
{
	struct mailbox *box;
	struct mbox_mailbox *mbox;
	struct mbox_change *changes;
	const struct mbox_rec *recs;
	const char *error;
	unsigned int i, count;
	bool any = false;
	int ret;

	/* as a POP3 session: closing it doesn't take \Recent away */
	if (mailbox_open(user, "INBOX", MAILBOX_FLAG_POP3_SESSION, &box,
			 error_r, error_str_r) < 0)
		return -1;
	mbox = (struct mbox_mailbox *)box;
	ret = mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE);
	if (ret == 0 && mbox->fd != -1 && !mbox->writable) {
		mailbox_set_error(box, MAIL_ERROR_PERM, "INBOX is read-only");
		ret = -1;
	}
	if (ret == 0) {
		if (mbox_copy_to_new(mbox->fd, mbox->fd == -1 ? 0 :
				     (uoff_t)mbox->parsed_st.st_size,
				     newpath, &error) < 0) {
			log_error("%s", error);
			mailbox_set_internal_error(box);
			ret = -1;
		} else {
			mbox_fsync_parent(newpath);
		}
	}
	if (ret == 0 && mbox->fd != -1) {
		recs = array_get(&mbox->parsed.recs, &count);
		changes = pool_new(tmp_pool, struct mbox_change, count + 1);
		for (i = 0; i < count; i++) {
			if (!recs[i].pseudo) {
				changes[i].expunge = true;
				any = true;
			}
		}
		if (any && mbox_sync_write(mbox, changes) < 0) {
			/* the copy stays: the messages are in both */
			ret = -1;
		}
	}
	if (ret < 0) {
		*error_r = mailbox_get_last_error(box, error_str_r);
		*error_str_r = tmp_strdup(*error_str_r);
	}
	mbox_unlock(&mbox->lock);
	mailbox_close(&box);
	return ret;
}

int mbox_mailbox_rename(struct mail_user *user, const char *oldname,
			const char *newname, enum mail_storage_error *error_r,
			const char **error_str_r)
{
	const char *oldpath, *newpath = NULL, *oldj, *newj;
	struct stat st;

	/* renaming to itself or below itself was refused by
	   mail_user_mailbox_rename() */
	if (mbox_rename_check_new(user, newname, &newpath, error_r,
				  error_str_r) < 0)
		return -1;
	if (strcasecmp(oldname, "INBOX") == 0)
		return mbox_rename_inbox(user, newpath, error_r, error_str_r);
	oldpath = mbox_mgmt_path(user, oldname);
	if (oldpath == NULL) {
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "Invalid mailbox name", error_r,
					  error_str_r);
	}
	if (lstat(oldpath, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
				tmp_printf("Mailbox doesn't exist: %s",
					   oldname),
				error_r, error_str_r);
		}
		return mailbox_mgmt_internal_error(
			tmp_printf("lstat(%s) failed: %m", oldpath),
			error_r, error_str_r);
	}
	/* a directory carries its children with it */
	if (mbox_rename_noreplace(oldpath, newpath) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
						  "Mailbox already exists",
						  error_r, error_str_r);
		}
		if (errno == ENOENT) {
			return mailbox_mgmt_error(MAIL_ERROR_NOTFOUND,
				tmp_printf("Mailbox doesn't exist: %s",
					   oldname),
				error_r, error_str_r);
		}
		if (errno == ENOTDIR) {
			return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
				"Mailbox doesn't allow inferior mailboxes",
				error_r, error_str_r);
		}
		return mailbox_mgmt_internal_error(
			tmp_printf("rename(%s, %s) failed: %m",
				   oldpath, newpath),
			error_r, error_str_r);
	}
	/* an interrupted rewrite's journal follows its mbox */
	oldj = mbox_journal_path(user->location.root, oldname);
	newj = mbox_journal_path(user->location.root, newname);
	if (rename(oldj, newj) < 0 && errno != ENOENT)
		log_warning("rename(%s, %s) failed: %m", oldj, newj);
	mbox_index_rename(&user->location, oldname, newname);
	return 0;
}
