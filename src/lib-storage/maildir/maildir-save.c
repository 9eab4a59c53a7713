/* Copyright (c) dovecot-like authors. maildir-save.c: saving into a Maildir:
   tmp/ file, fsync, rename into new/ with UIDs from dovecot-uidlist
   at commit; hard-link copy.

   Commit order, and why a kill -9 at any point is safe (reference 5):
   1. every message is already complete and fsync'd in tmp/ (save_finish);
   2. take dovecot-uidlist.lock, reread the uidlist;
   3. rename() each tmp file to new/ (with ":2,flags" if it has flags);
   4. append one record per message to dovecot-uidlist (fdatasync'd) with
      UIDs from its next UID, in save order; fsync new/;
   5. unlock.
   Dying before 3 leaves only tmp/ files (removed by the 36 h tmp cleanup):
   no message. Dying inside 3 or before 4 completes leaves whole messages in
   new/ that the uidlist lacks: the lock names a dead pid, so the
   next locker breaks it and its sync gives those files the next free UIDs.
   No UID was handed out (the client never got OK), so none is duplicated;
   a partly appended last uidlist line names a file that doesn't exist or
   is ignored, and the next UIDs come after it. If step 3 or 4 fails
   without a crash, the renamed files are unlinked again while the lock is
   still held, so no session ever gave them UIDs: nothing becomes visible.

   \Recent: every save goes to new/ (a message with flags or keywords with
   its ":2,<flags>" info), so the first session that takes \Recent (SELECT)
   and syncs moves it to cur/ and reports it as \Recent, as Dovecot's index
   gives it to that session. Every saver opens its target with
   MAILBOX_FLAG_NO_RECENT (imap_mailbox_open_target(): APPEND, COPY/MOVE),
   so no saving mailbox object claims \Recent of its own saves. */
#include "lib.h"
#include "buffer.h"
#include "istream.h"
#include "write-full.h"
#include "istream-crlf.h"
#include "maildir-storage.h"
#include "maildir-filename.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* save_write() data is collected up to this much before a write() */
#define MAILDIR_SAVE_BUFFER_SIZE (32 * 1024)

void (*maildir_save_test_hook)(enum maildir_save_point point);

static void maildir_save_hook(enum maildir_save_point point)
{
	if (maildir_save_test_hook != NULL)
		maildir_save_test_hook(point);
}

static const char *maildir_save_path(struct maildir_mailbox *mbox,
				     const char *subdir, const char *fname)
{
	return tmp_strconcat(mbox->path, "/", subdir, "/", fname, NULL);
}

static void maildir_transaction_add(struct maildir_transaction *mt,
				    const char *tmp_fname, uoff_t psize,
				    uoff_t vsize, enum mail_flags flags,
				    const struct mail_keywords *keywords)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)mt->t.box;
	struct maildir_save_file *f;

	if (!array_is_created(&mt->files))
		array_init(&mt->files, mt->t.pool, 4);
	f = array_append_space(&mt->files);
	f->tmp_fname = p_strdup(mt->t.pool, tmp_fname);
	f->base = p_printf(mt->t.pool, "%s,S=%llu,W=%llu", tmp_fname,
			   (unsigned long long)psize, (unsigned long long)vsize);
	f->flags = flags & MAIL_FLAGS_MASK;
	f->keyword_letters = keywords == NULL ? 0 :
		maildir_keywords_to_letters(mbox->keywords, keywords);
}

int maildir_save_begin(struct mail_save_context *_ctx)
{
	struct maildir_save_context *ctx = (struct maildir_save_context *)_ctx;
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)_ctx->t->box;
	struct pool *pool = _ctx->t->pool;

	/* keywords known only from the index need a letter first */
	if (maildir_keywords_ensure(mbox->keywords, mbox->uidlist,
				    &_ctx->keywords) < 0)
		return -1;
	ctx->tmp_fname = maildir_filename_generate(pool);
	ctx->tmp_path = p_strdup(pool, maildir_save_path(mbox, "tmp",
							 ctx->tmp_fname));
	/* O_EXCL: a name collision must fail, never share a file */
	ctx->fd = open(ctx->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (ctx->fd == -1) {
		mailbox_set_syscall_error(&mbox->box, "open",
					  ctx->tmp_path);
		return -1;
	}
	ctx->buf = buf_create(pool, MAILDIR_SAVE_BUFFER_SIZE);
	return 0;
}

static int maildir_save_flush(struct maildir_save_context *ctx)
{
	if (ctx->buf->used == 0)
		return 0;
	if (write_full(ctx->fd, ctx->buf->data, ctx->buf->used) < 0) {
		mailbox_set_syscall_error(ctx->ctx.t->box, "write",
					  ctx->tmp_path);
		return -1;
	}
	buf_reset(ctx->buf);
	return 0;
}

int maildir_save_write(struct mail_save_context *_ctx, const void *data,
		       size_t size)
{
	struct maildir_save_context *ctx = (struct maildir_save_context *)_ctx;

	ASSERT(ctx->fd != -1);
	ctx->psize += size;
	ctx->vsize += istream_crlf_count_size(data, size, &ctx->last_cr);
	if (ctx->buf->used + size > MAILDIR_SAVE_BUFFER_SIZE &&
	    maildir_save_flush(ctx) < 0)
		return -1;
	if (size >= MAILDIR_SAVE_BUFFER_SIZE) {
		if (write_full(ctx->fd, data, size) < 0) {
			mailbox_set_syscall_error(_ctx->t->box, "write",
						  ctx->tmp_path);
			return -1;
		}
		return 0;
	}
	buf_append(ctx->buf, data, size);
	return 0;
}

static void maildir_save_unlink_tmp(struct maildir_save_context *ctx)
{
	if (ctx->fd != -1) {
		(void)close(ctx->fd);
		ctx->fd = -1;
	}
	if (ctx->tmp_path != NULL && unlink(ctx->tmp_path) < 0 &&
	    errno != ENOENT)
		log_error("unlink(%s) failed: %m", ctx->tmp_path);
}

/* INTERNALDATE is the file's mtime (reference 2.3). */
static int maildir_save_set_date(struct maildir_save_context *ctx)
{
	struct timespec times[2];

	if (ctx->ctx.data.received_date == (time_t)-1)
		return 0;
	times[0].tv_sec = ctx->ctx.data.received_date;
	times[0].tv_nsec = 0;
	times[1] = times[0];
	if (futimens(ctx->fd, times) < 0) {
		mailbox_set_syscall_error(ctx->ctx.t->box, "futimens",
					  ctx->tmp_path);
		return -1;
	}
	return 0;
}

int maildir_save_finish(struct mail_save_context *_ctx)
{
	struct maildir_save_context *ctx = (struct maildir_save_context *)_ctx;
	struct mailbox *box = _ctx->t->box;
	int fd;

	if (maildir_save_flush(ctx) < 0 || maildir_save_set_date(ctx) < 0)
		goto fail;
	if (fsync(ctx->fd) < 0) {
		mailbox_set_syscall_error(box, "fsync", ctx->tmp_path);
		goto fail;
	}
	fd = ctx->fd;
	ctx->fd = -1;
	/* NFS reports a quota overrun only here */
	if (close(fd) < 0) {
		mailbox_set_syscall_error(box, "close", ctx->tmp_path);
		goto fail;
	}
	maildir_transaction_add((struct maildir_transaction *)_ctx->t,
				ctx->tmp_fname, ctx->psize, ctx->vsize,
				_ctx->data.flags, &_ctx->keywords);
	maildir_save_hook(MAILDIR_SAVE_POINT_TMP_WRITTEN);
	return 0;
fail:
	maildir_save_unlink_tmp(ctx);
	return -1;
}

void maildir_save_cancel(struct mail_save_context *_ctx)
{
	maildir_save_unlink_tmp((struct maildir_save_context *)_ctx);
}

/* The source file's current path; on ENOENT the source mailbox looks for
   the file under a new name (another session changed its flags) by opening
   it. 1 = path set, 0 = expunged (t's mailbox error set), -1 error. */
static int maildir_copy_relocate(struct maildir_mailbox *src,
				 struct mailbox_msg *src_msg,
				 struct mailbox *dest, const char **path_r)
{
	struct istream *input;
	enum mail_storage_error error;
	const char *error_str;

	if (src->box.v->get_stream(&src->box, src_msg, &input) < 0) {
		error = mailbox_get_last_error(&src->box, &error_str);
		mailbox_set_error(dest, error == MAIL_ERROR_NONE ?
				  MAIL_ERROR_TEMP : error, error_str);
		return error == MAIL_ERROR_EXPUNGED ? 0 : -1;
	}
	istream_unref(&input);
	*path_r = maildir_msg_get_path(src, (struct maildir_msg *)src_msg);
	return *path_r == NULL ? 0 : 1;
}

int maildir_copy(struct mailbox_transaction *t, struct mailbox *_src,
		 struct mailbox_msg *src_msg, const struct mail_save_data *data,
		 const struct mail_keywords *keywords)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)t->box;
	struct maildir_mailbox *src = (struct maildir_mailbox *)_src;
	const char *src_path, *tmp_fname, *tmp_path;
	enum mail_storage_error error;
	const char *error_str;
	struct stat st;
	uoff_t vsize, psize;
	int ret;

	if (_src->v != &maildir_mailbox_vfuncs)
		return 0;
	if (maildir_keywords_ensure(mbox->keywords, mbox->uidlist,
				    keywords) < 0)
		return -1;
	/* W comes with the copy; the source knows it or counts it */
	if (_src->v->get_virtual_size(_src, src_msg, &vsize) < 0) {
		error = mailbox_get_last_error(_src, &error_str);
		mailbox_set_error(t->box, error == MAIL_ERROR_NONE ?
				  MAIL_ERROR_TEMP : error, error_str);
		return -1;
	}
	tmp_fname = maildir_filename_generate(t->pool);
	tmp_path = p_strdup(t->pool, maildir_save_path(mbox, "tmp", tmp_fname));
	src_path = maildir_msg_get_path(src, (struct maildir_msg *)src_msg);
	if (src_path == NULL || link(src_path, tmp_path) < 0) {
		if (src_path != NULL && errno != ENOENT)
			goto link_failed;
		ret = maildir_copy_relocate(src, src_msg, t->box, &src_path);
		if (ret <= 0) {
			if (ret == 0 && t->box->error != MAIL_ERROR_EXPUNGED)
				mailbox_set_error(t->box, MAIL_ERROR_EXPUNGED,
						  "Message was expunged");
			return -1;
		}
		if (link(src_path, tmp_path) < 0)
			goto link_failed;
	}
	/* the link shares the inode, so its size and mtime (INTERNALDATE):
	   the source's known size (S=, index) saves a stat() */
	if (_src->v->get_physical_size(_src, src_msg, &psize) < 0) {
		if (stat(tmp_path, &st) < 0) {
			mailbox_set_syscall_error(t->box, "stat", tmp_path);
			(void)unlink(tmp_path);
			return -1;
		}
		psize = (uoff_t)st.st_size;
	}
	maildir_transaction_add((struct maildir_transaction *)t, tmp_fname,
				psize, vsize, data->flags, keywords);
	return 1;

link_failed:
	if (errno == EXDEV || errno == EPERM || errno == EMLINK)
		return 0;	/* the generic layer copies the stream */
	if (errno == ENOENT) {
		mailbox_set_error(t->box, MAIL_ERROR_EXPUNGED,
				  "Message was expunged");
		return -1;
	}
	mailbox_set_syscall_error(t->box, "link", tmp_path);
	return -1;
}

static void maildir_transaction_unlink_tmp(struct maildir_transaction *mt)
{
	const struct maildir_save_file *f;
	const char *path;

	if (!array_is_created(&mt->files))
		return;
	array_foreach(&mt->files, f) {
		if (f->renamed)
			continue;
		path = maildir_save_path((struct maildir_mailbox *)mt->t.box,
					 "tmp", f->tmp_fname);
		if (unlink(path) < 0 && errno != ENOENT)
			log_error("unlink(%s) failed: %m", path);
	}
}

void maildir_transaction_rollback(struct mailbox_transaction *t)
{
	maildir_transaction_unlink_tmp((struct maildir_transaction *)t);
}

/* new/<base> without flags and keywords, else new/<base>:2,<flags><letters>
   (reference 5): the session that has the mailbox selected moves it to
   cur/ and takes its \Recent. */
static const char *maildir_save_dest_path(struct maildir_mailbox *mbox,
					  const struct maildir_save_file *f)
{
	const char *fname;

	if (f->flags == 0 && f->keyword_letters == 0)
		return maildir_save_path(mbox, "new", f->base);
	fname = maildir_filename_set_flags_kw(tmp_pool, f->base, f->flags,
					      f->keyword_letters,
					      f->keyword_letters);
	return maildir_save_path(mbox, "new", fname);
}

/* Makes renamed files vanish again; called with the lock still held, so
   no session gave them UIDs. */
static void maildir_commit_unrename(struct maildir_transaction *mt)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)mt->t.box;
	struct maildir_save_file *files;
	const char *path;
	unsigned int i, count;

	files = array_get_modifiable(&mt->files, &count);
	for (i = 0; i < count; i++) {
		if (!files[i].renamed)
			continue;
		path = maildir_save_dest_path(mbox, &files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			log_error("unlink(%s) failed: %m", path);
		files[i].renamed = false;
	}
}

static int maildir_commit_rename(struct maildir_transaction *mt)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)mt->t.box;
	struct maildir_save_file *files;
	const char *src, *dest;
	unsigned int i, count;

	files = array_get_modifiable(&mt->files, &count);
	for (i = 0; i < count; i++) {
		src = maildir_save_path(mbox, "tmp", files[i].tmp_fname);
		dest = maildir_save_dest_path(mbox, &files[i]);
		/* the name is unique: rename() is as safe as link+unlink */
		if (rename(src, dest) < 0) {
			mailbox_set_syscall_error(mt->t.box, "rename",
				tmp_printf("%s, %s", src, dest));
			return -1;
		}
		files[i].renamed = true;
		if (i == 0)
			maildir_save_hook(MAILDIR_SAVE_POINT_FIRST_RENAMED);
	}
	maildir_save_hook(MAILDIR_SAVE_POINT_ALL_RENAMED);
	return 0;
}

/* The renames are durable only once the directories are synced. */
static int maildir_commit_fsync_dir(struct maildir_mailbox *mbox,
				    const char *subdir)
{
	const char *path = tmp_strconcat(mbox->path, "/", subdir, NULL);
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd == -1 || fsync(fd) < 0) {
		mailbox_set_syscall_error(&mbox->box,
					  fd == -1 ? "open" : "fsync", path);
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	(void)close(fd);
	return 0;
}

/* The locked part: 0 or -1 (error set; nothing renamed remains). */
static int maildir_commit_locked(struct maildir_transaction *mt,
				 ARRAY_TYPE(uint32) *uids_r,
				 uint32_t *uidvalidity_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)mt->t.box;
	struct maildir_uidlist *uidlist = mbox->uidlist;
	struct maildir_save_file *files;
	unsigned int i, count;

	if (maildir_uidlist_refresh(uidlist) < 0) {
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	if (maildir_commit_rename(mt) < 0 ||
	    maildir_commit_fsync_dir(mbox, "new") < 0) {
		maildir_commit_unrename(mt);
		return -1;
	}
	files = array_get_modifiable(&mt->files, &count);
	for (i = 0; i < count; i++) {
		files[i].uid = maildir_uidlist_add(uidlist, files[i].base,
						   strlen(files[i].base));
	}
	if (maildir_uidlist_commit(uidlist) < 0) {
		maildir_uidlist_forget_new(uidlist);
		maildir_commit_unrename(mt);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	maildir_save_hook(MAILDIR_SAVE_POINT_UIDLIST_WRITTEN);

	for (i = 0; i < count; i++)
		array_append(uids_r, &files[i].uid);
	*uidvalidity_r = uidlist->uid_validity;
	return 0;
}

int maildir_transaction_commit(struct mailbox_transaction *t,
			       ARRAY_TYPE(uint32) *uids_r,
			       uint32_t *uidvalidity_r)
{
	struct maildir_transaction *mt = (struct maildir_transaction *)t;
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)t->box;
	int ret;

	*uidvalidity_r = t->box->uidvalidity;
	if (!array_is_created(&mt->files) || array_count(&mt->files) == 0)
		return 0;
	ret = maildir_uidlist_lock(mbox->uidlist,
				   MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS);
	if (ret <= 0) {
		if (ret == 0) {
			mailbox_set_error(t->box, MAIL_ERROR_INUSE,
					  "Timeout while waiting for lock");
		} else {
			mailbox_set_internal_error(t->box);
		}
		maildir_transaction_unlink_tmp(mt);
		return -1;
	}
	ret = maildir_commit_locked(mt, uids_r, uidvalidity_r);
	maildir_uidlist_unlock(mbox->uidlist);
	if (ret < 0) {
		maildir_transaction_unlink_tmp(mt);
		return -1;
	}
	/* new/ may keep its mtime within the clock's granularity:
	   make our next sync rescan */
	mbox->scan_dirty = true;
	return 0;
}
