/* Copyright (c) dovecot-like authors. maildir-uidlist-write.c: writing
   dovecot-uidlist the way Dovecot does: new records are appended, and a full
   rewrite goes through a temp file, fsync and rename so a crash never leaves a
   half-written list. */
#include "lib.h"
#include "write-full.h"
#include "str.h"
#include "maildir-uidlist.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* Reference 4.3: rewrite once this share of the records is expunged. */
#define MAILDIR_UIDLIST_EXPUNGED_RECREATE_PERCENT 25

static void uidlist_append_rec(struct str *str,
			       const struct maildir_uidlist_rec *rec)
{
	unsigned int i;

	str_printfa(str, "%u ", rec->uid);
	for (i = 0; rec->exts != NULL && rec->exts[i] != NULL; i++) {
		str_append(str, rec->exts[i]);
		str_append_c(str, ' ');
	}
	str_append_c(str, ':');
	str_append(str, rec->fname);
	str_append_c(str, '\n');
}

#define UIDLIST_WRITE_CHUNK_SIZE (64 * 1024)

static void uidlist_append_header(struct maildir_uidlist *uidlist,
				  struct str *str)
{
	unsigned int i;

	str_printfa(str, "3 V%u N%u G%s", uidlist->uid_validity,
		    maildir_uidlist_get_next_uid(uidlist), uidlist->guid);
	for (i = 0; uidlist->hdr_exts != NULL && uidlist->hdr_exts[i] != NULL; i++) {
		str_append_c(str, ' ');
		str_append(str, uidlist->hdr_exts[i]);
	}
	str_append_c(str, '\n');
}

static void uidlist_build_content(struct maildir_uidlist *uidlist,
				  struct str *str)
{
	const struct maildir_uidlist_rec *rec;

	uidlist_append_header(uidlist, str);
	array_foreach(&uidlist->recs, rec)
		uidlist_append_rec(str, rec);
}

/* The whole list into fd in chunks: a 100k-message list is ~8 MB, which
   the worker need not hold at once. 0 or -1 (errno set). */
static int uidlist_write_content(struct maildir_uidlist *uidlist, int fd)
{
	const struct maildir_uidlist_rec *rec;
	struct str *str = t_str_new(UIDLIST_WRITE_CHUNK_SIZE + 1024);

	uidlist_append_header(uidlist, str);
	array_foreach(&uidlist->recs, rec) {
		uidlist_append_rec(str, rec);
		if (str_len(str) >= UIDLIST_WRITE_CHUNK_SIZE) {
			if (write_full(fd, str_data(str), str_len(str)) < 0)
				return -1;
			str_reset(str);
		}
	}
	return write_full(fd, str_data(str), str_len(str));
}

const char *maildir_uidlist_get_content(struct maildir_uidlist *uidlist,
					struct pool *pool)
{
	struct str *str = str_new(pool, 1024);

	uidlist_build_content(uidlist, str);
	return str_c(str);
}

static void uidlist_remember_stat(struct maildir_uidlist *uidlist,
				  const struct stat *st)
{
	uidlist->exists = true;
	uidlist->dev = st->st_dev;
	uidlist->ino = st->st_ino;
	uidlist->size = st->st_size;
	uidlist->mtime = st->st_mtim;
}

static int maildir_uidlist_recreate(struct maildir_uidlist *uidlist)
{
	struct timespec times[2];
	struct stat st;
	int fd;

	if (uidlist->guid[0] == '\0')
		maildir_uidlist_new_guid(uidlist->guid);	/* v1, old v3 */
	fd = open(uidlist->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1) {
		log_error("open(%s) failed: %m", uidlist->tmp_path);
		return -1;
	}
	if (uidlist_write_content(uidlist, fd) < 0) {
		log_error("write(%s) failed: %m", uidlist->tmp_path);
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", uidlist->tmp_path);
		goto fail;
	}
	/* readers notice changes by mtime: it must grow (reference 4.3) */
	if (uidlist->exists &&
	    (st.st_mtim.tv_sec < uidlist->mtime.tv_sec ||
	     (st.st_mtim.tv_sec == uidlist->mtime.tv_sec &&
	      st.st_mtim.tv_nsec <= uidlist->mtime.tv_nsec))) {
		times[0] = st.st_atim;
		times[1].tv_sec = uidlist->mtime.tv_sec + 1;
		times[1].tv_nsec = 0;
		if (futimens(fd, times) < 0 || fstat(fd, &st) < 0) {
			log_error("futimens(%s) failed: %m", uidlist->tmp_path);
			goto fail;
		}
	}
	if (fsync(fd) < 0) {
		log_error("fsync(%s) failed: %m", uidlist->tmp_path);
		goto fail;
	}
	if (close(fd) < 0) {
		log_error("close(%s) failed: %m", uidlist->tmp_path);
		fd = -1;
		goto fail;
	}
	if (rename(uidlist->tmp_path, uidlist->path) < 0) {
		log_error("rename(%s, %s) failed: %m", uidlist->tmp_path,
			  uidlist->path);
		fd = -1;
		goto fail;
	}
	uidlist_remember_stat(uidlist, &st);
	uidlist->version = 3;
	uidlist->hdr_next_uid = maildir_uidlist_get_next_uid(uidlist);
	uidlist->broken_lines = 0;
	uidlist->need_recreate = false;
	uidlist->first_new_idx = array_count(&uidlist->recs);
	return 0;
fail:
	if (fd != -1)
		(void)close(fd);
	if (unlink(uidlist->tmp_path) < 0 && errno != ENOENT)
		log_error("unlink(%s) failed: %m", uidlist->tmp_path);
	return -1;
}

static int maildir_uidlist_append(struct maildir_uidlist *uidlist)
{
	struct str *str = t_str_new(1024);
	const struct maildir_uidlist_rec *recs;
	unsigned int i, count;
	struct stat st;
	int fd;

	fd = open(uidlist->path, O_WRONLY | O_APPEND);
	if (fd == -1) {
		if (errno == ENOENT)
			return maildir_uidlist_recreate(uidlist);
		log_error("open(%s) failed: %m", uidlist->path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", uidlist->path);
		(void)close(fd);
		return -1;
	}
	if (st.st_ino != uidlist->ino || st.st_size != uidlist->size) {
		/* not the file we read: don't append blindly */
		(void)close(fd);
		return maildir_uidlist_recreate(uidlist);
	}
	recs = array_get(&uidlist->recs, &count);
	for (i = uidlist->first_new_idx; i < count; i++)
		uidlist_append_rec(str, &recs[i]);
	if (write_full(fd, str_data(str), str_len(str)) < 0 ||
	    fdatasync(fd) < 0 || fstat(fd, &st) < 0) {
		log_error("write(%s) failed: %m", uidlist->path);
		/* a partial last line is ignored by readers; rewrite all */
		(void)close(fd);
		return maildir_uidlist_recreate(uidlist);
	}
	if (close(fd) < 0) {
		log_error("close(%s) failed: %m", uidlist->path);
		return -1;
	}
	uidlist_remember_stat(uidlist, &st);
	uidlist->first_new_idx = count;
	return 0;
}

void maildir_uidlist_drop_expunged(struct maildir_uidlist *uidlist)
{
	unsigned int count = array_count(&uidlist->recs);
	unsigned int unseen = maildir_uidlist_count_unseen(uidlist);

	if (unseen > 0 &&
	    unseen * 100 >= count * MAILDIR_UIDLIST_EXPUNGED_RECREATE_PERCENT) {
		maildir_uidlist_drop_unseen(uidlist);
		uidlist->need_recreate = true;
	}
}

int maildir_uidlist_commit(struct maildir_uidlist *uidlist)
{
	ASSERT(uidlist->locked);
	if (!uidlist->exists || uidlist->version != 3 ||
	    uidlist->broken_lines > 0 || uidlist->need_recreate)
		return maildir_uidlist_recreate(uidlist);
	if (uidlist->first_new_idx < array_count(&uidlist->recs))
		return maildir_uidlist_append(uidlist);
	return 0;
}
