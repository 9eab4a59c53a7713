/* Copyright (c) dovecot-like authors. mbox-save.c: appending messages to an
   mbox file (APPEND, COPY and MOVE targets) as Dovecot writes them
   (reference mbox-format.md 3). Messages are spooled to one unlinked
   temporary file per transaction below the mail root; the commit takes the
   write lock, journals the old file size (mbox-rewrite.h) and appends them
   all, so a crash leaves either none or all of them.
   The test hook DL_MBOX_TEST_APPEND_FAIL="<n>" kills the process with
   SIGKILL after n bytes were appended, "<n>:enospc" fails the write there
   with ENOSPC instead. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "write-full.h"
#include "mbox-storage.h"
#include "mbox-from.h"
#include "mbox-headers.h"
#include "mbox-rewrite.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Our headers are added at the end of the header, and mbox-parse.c looks
   for them only in the first MBOX_PARSE_MAX_HEADER_SIZE bytes. */
#define MBOX_SAVE_MAX_HEADER_SIZE (MBOX_PARSE_MAX_HEADER_SIZE - 4096)
#define MBOX_SAVE_OUT_BUF_SIZE (64 * 1024)
#define MBOX_SAVE_COPY_CHUNK (64 * 1024)

/* An unlinked file below the mail root: nothing to clean up after a
   crash. O_TMPFILE where the filesystem has it. */
static int mbox_save_tmp_open(struct mailbox *box)
{
	static unsigned int counter = 0;
	const char *root = box->user->location.root, *path;
	int fd;

#ifdef O_TMPFILE
	fd = open(root, O_TMPFILE | O_RDWR, 0600);
	if (fd != -1)
		return fd;
#endif
	path = tmp_printf("%s/.dlmbox-save.%ld.%ld.%u", root, (long)getpid(),
			  (long)time(NULL), counter++);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd == -1) {
		mailbox_set_syscall_error(box, "open", path);
		return -1;
	}
	if (unlink(path) < 0)
		log_warning("unlink(%s) failed: %m", path);
	return fd;
}

int mbox_save_begin(struct mail_save_context *_ctx)
{
	struct mbox_save_context *ctx = (struct mbox_save_context *)_ctx;
	struct mbox_transaction *mt = (struct mbox_transaction *)_ctx->t;
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)_ctx->t->box;

	if ((mbox->box.flags & MAILBOX_FLAG_READONLY) != 0) {
		mailbox_set_error(&mbox->box, MAIL_ERROR_PERM,
				  "Mailbox is read-only");
		return -1;
	}
	if (!mt->tmp_open) {
		mt->tmp_fd = mbox_save_tmp_open(&mbox->box);
		if (mt->tmp_fd == -1)
			return -1;
		mt->tmp_open = true;
		array_init(&mt->msgs, mt->t.pool, 8);
	}
	memset(&ctx->msg, 0, sizeof(ctx->msg));
	ctx->msg.flags = _ctx->data.flags & MAIL_FLAGS_MASK;
	ctx->msg.keywords = _ctx->keywords;
	ctx->msg.received = _ctx->data.received_date == (time_t)-1 ?
		time(NULL) : _ctx->data.received_date;
	ctx->msg.offset = mt->tmp_size;
	ctx->in_header = true;
	ctx->line = MBOX_SAVE_LINE_START;
	return 0;
}

/* Finds the empty line ending the header in the next size bytes (a line
   of just LF, or CR LF, which mbox-parse.c also takes as the end). */
static void mbox_save_scan_header(struct mbox_save_context *ctx,
				  const unsigned char *data, size_t size)
{
	uoff_t pos;
	size_t i;

	for (i = 0; i < size; i++) {
		pos = ctx->msg.size + i;
		if (data[i] == '\n' && ctx->line != MBOX_SAVE_LINE_MID) {
			ctx->msg.hdr_len = pos -
				(ctx->line == MBOX_SAVE_LINE_START_CR ? 1 : 0);
			ctx->msg.body_offset = pos + 1;
			ctx->in_header = false;
			return;
		}
		if (data[i] == '\n')
			ctx->line = MBOX_SAVE_LINE_START;
		else if (data[i] == '\r' && ctx->line == MBOX_SAVE_LINE_START)
			ctx->line = MBOX_SAVE_LINE_START_CR;
		else
			ctx->line = MBOX_SAVE_LINE_MID;
	}
}

int mbox_save_write(struct mail_save_context *_ctx, const void *data,
		    size_t size)
{
	struct mbox_save_context *ctx = (struct mbox_save_context *)_ctx;
	struct mbox_transaction *mt = (struct mbox_transaction *)_ctx->t;
	struct mailbox *box = _ctx->t->box;
	const unsigned char *p = data;

	if (size == 0)
		return 0;
	if (ctx->in_header) {
		mbox_save_scan_header(ctx, p, size);
		if ((ctx->in_header ? ctx->msg.size + size :
		     ctx->msg.hdr_len) > MBOX_SAVE_MAX_HEADER_SIZE) {
			mailbox_set_error(box, MAIL_ERROR_PARAMS,
					  "Message header too large");
			return -1;
		}
	}
	if (pwrite_full(mt->tmp_fd, p, size, (off_t)mt->tmp_size) < 0) {
		mailbox_set_syscall_error(box, "pwrite", "mbox save temp file");
		return -1;
	}
	mt->tmp_size += size;
	ctx->msg.size += size;
	ctx->msg.last_char = p[size - 1];
	return 0;
}

int mbox_save_finish(struct mail_save_context *_ctx)
{
	struct mbox_save_context *ctx = (struct mbox_save_context *)_ctx;
	struct mbox_transaction *mt = (struct mbox_transaction *)_ctx->t;

	if (ctx->in_header) {
		/* no body: the whole message is header */
		ctx->msg.hdr_len = ctx->msg.size;
		ctx->msg.body_offset = ctx->msg.size;
		ctx->in_header = false;
	}
	/* no fsync: the file is unlinked (nothing to make durable), and a
	   delayed ENOSPC shows up when the commit writes and fsyncs the mbox */
	array_append(&mt->msgs, &ctx->msg);
	return 0;
}

void mbox_save_cancel(struct mail_save_context *_ctx)
{
	struct mbox_save_context *ctx = (struct mbox_save_context *)_ctx;
	struct mbox_transaction *mt = (struct mbox_transaction *)_ctx->t;

	if (!mt->tmp_open)
		return;
	if (array_count(&mt->msgs) == 0) {
		/* nothing to keep; and a commit without saves calls
		   neither our commit nor our rollback */
		if (close(mt->tmp_fd) < 0)
			log_warning("close(mbox save temp file) failed: %m");
		mt->tmp_open = false;
		mt->tmp_size = 0;
		return;
	}
	if (ftruncate(mt->tmp_fd, (off_t)ctx->msg.offset) < 0)
		log_warning("ftruncate(mbox save temp file) failed: %m");
	mt->tmp_size = ctx->msg.offset;
}

static void mbox_transaction_free(struct mbox_transaction *mt)
{
	if (mt->tmp_open) {
		if (close(mt->tmp_fd) < 0)
			log_warning("close(mbox save temp file) failed: %m");
		mt->tmp_open = false;
	}
}

void mbox_transaction_rollback(struct mailbox_transaction *t)
{
	mbox_transaction_free((struct mbox_transaction *)t);
}

/* --- commit: appending to the mbox --- */

/* Buffered pwrite()s at the end of the mbox. */
struct mbox_append {
	struct mbox_mailbox *mbox;
	uoff_t offset;		/* file offset of buf's first byte */
	struct buf *buf;
	/* reused for every message: a commit's memory stays bounded */
	struct buf *hdr, *filtered;
	/* test hook: -1 = off */
	long long fail_after;
	bool fail_enospc;
};

static void mbox_append_hook_init(struct mbox_append *w)
{
	const char *env = getenv("DL_MBOX_TEST_APPEND_FAIL");

	w->fail_after = env == NULL ? -1 : atoll(env);
	w->fail_enospc = env != NULL && strstr(env, ":enospc") != NULL;
}

/* pwrite_full() at w->offset with the test hook that stops after exactly
   fail_after bytes (SIGKILL, or ENOSPC with ":enospc"). */
static int mbox_append_pwrite(struct mbox_append *w, const unsigned char *data,
			      size_t size)
{
	if (w->fail_after >= 0 && (uoff_t)w->fail_after < size) {
		if (w->fail_after > 0 &&
		    pwrite_full(w->mbox->fd, data, (size_t)w->fail_after,
				(off_t)w->offset) < 0)
			return -1;
		if (!w->fail_enospc)
			(void)raise(SIGKILL);
		w->offset += (uoff_t)w->fail_after;
		errno = ENOSPC;
		return -1;
	}
	if (pwrite_full(w->mbox->fd, data, size, (off_t)w->offset) < 0)
		return -1;
	if (w->fail_after >= 0)
		w->fail_after -= (long long)size;
	w->offset += size;
	return 0;
}

static int mbox_append_flush(struct mbox_append *w)
{
	int ret = mbox_append_pwrite(w, w->buf->data, w->buf->used);

	buf_reset(w->buf);
	return ret;
}

static int mbox_append_data(struct mbox_append *w, const void *data,
			    size_t size)
{
	if (w->buf->used + size > MBOX_SAVE_OUT_BUF_SIZE) {
		if (mbox_append_flush(w) < 0)
			return -1;
		if (size > MBOX_SAVE_OUT_BUF_SIZE)
			return mbox_append_pwrite(w, data, size);
	}
	(void)buf_append(w->buf, data, size);
	return 0;
}

static int mbox_save_tmp_read(struct mbox_transaction *mt, void *data,
			      size_t size, uoff_t offset)
{
	if (pread_full(mt->tmp_fd, data, size, (off_t)offset) < 0) {
		log_error("pread(mbox save temp file) failed: %m");
		return -1;
	}
	return 0;
}

/* The client's header without the fields that are ours to write and
   without lines that would look like a message start (reference 3.3). */
static void mbox_save_filter_header(const unsigned char *data, size_t len,
				    struct buf *dest)
{
	struct mbox_header_field f;
	size_t pos = 0;

	while (mbox_header_next(data, len, &pos, &f)) {
		if (f.type != MBOX_HDR_OTHER)
			continue;
		if (f.name_len == 13 &&
		    strncasecmp((const char *)f.name, "X-Delivery-ID", 13) == 0)
			continue;
		if (f.end - f.start >= 5 &&
		    memcmp(data + f.start, "From ", 5) == 0)
			continue;
		(void)buf_append(dest, data + f.start, f.end - f.start);
	}
}

/* "user@host" as Dovecot puts in the From_ line of an APPEND */
static const char *mbox_save_envelope_sender(struct mailbox *box)
{
	const char *user = box->user->username;
	char host[256];

	if (user == NULL || user[0] == '\0')
		return "MAILER-DAEMON";
	if (strchr(user, '@') != NULL)
		return user;
	if (gethostname(host, sizeof(host)) < 0)
		return user;
	host[sizeof(host) - 1] = '\0';
	return tmp_strconcat(user, "@", host, NULL);
}

struct mbox_append_uids {
	uint32_t uidvalidity, first_uid, last_uid;
	bool imapbase;		/* the file was empty: first msg carries it */
};

static int mbox_append_msg(struct mbox_append *w, struct mbox_transaction *mt,
			   const struct mbox_save_msg *msg, uint32_t uid,
			   const struct mbox_append_uids *u, const char *sender)
{
	struct mbox_header_write hw;
	unsigned char *hdr, chunk[MBOX_SAVE_COPY_CHUNK];
	struct buf *filtered = w->filtered;
	struct str *str = t_str_new(512);
	uoff_t body_len = msg->size - msg->body_offset, done;
	bool add_lf = body_len > 0 && msg->last_char != '\n';
	size_t n;

	mbox_from_create(str, sender, msg->received);
	if (mbox_append_data(w, str_data(str), str_len(str)) < 0)
		return -1;

	/* hdr_len <= MBOX_SAVE_MAX_HEADER_SIZE (mbox_save_write()) */
	buf_reset(w->hdr);
	buf_reset(filtered);
	hdr = buf_get_space(w->hdr, (size_t)msg->hdr_len + 1);
	ASSERT(hdr != NULL);	/* no max size */
	if (mbox_save_tmp_read(mt, hdr, (size_t)msg->hdr_len, msg->offset) < 0)
		return -2;
	mbox_save_filter_header(hdr, (size_t)msg->hdr_len, filtered);
	if (filtered->used > 0 && filtered->data[filtered->used - 1] == '\r' &&
	    (filtered->used == 1 || filtered->data[filtered->used - 2] == '\n')) {
		/* a last line of just CR (no empty line followed): with our
		   LF it would end the header before our fields */
		buf_truncate(filtered, filtered->used - 1);
	}
	if (filtered->used > 0 && filtered->data[filtered->used - 1] != '\n')
		(void)buf_append_c(filtered, '\n');
	if (mbox_append_data(w, filtered->data, filtered->used) < 0)
		return -1;

	memset(&hw, 0, sizeof(hw));
	hw.imapbase = u->imapbase && uid == u->first_uid;
	hw.uidvalidity = u->uidvalidity;
	hw.last_uid = u->last_uid;
	if (hw.imapbase)
		hw.base_keywords = mbox_keywords_base_str(w->mbox, NULL);
	hw.uid = uid;
	hw.flags = msg->flags;
	hw.keywords = mbox_keywords_msg_str(w->mbox, &msg->keywords, NULL);
	hw.have_content_length = true;
	/* reference 3.5: the body is made to end with LF */
	hw.content_length = body_len + (add_lf ? 1 : 0);
	hw.padding = mbox_headers_default_padding(&hw);
	str_truncate(str, 0);
	mbox_headers_write(str, &hw);
	if (mbox_append_data(w, str_data(str), str_len(str)) < 0)
		return -1;

	/* the empty line as the client sent it (LF or CR LF), then the body */
	if (msg->body_offset == msg->size && msg->hdr_len == msg->size) {
		if (mbox_append_data(w, "\n", 1) < 0)
			return -1;
	}
	for (done = msg->hdr_len; done < msg->size; done += n) {
		n = (size_t)MIN(msg->size - done, sizeof(chunk));
		if (mbox_save_tmp_read(mt, chunk, n, msg->offset + done) < 0)
			return -2;
		if (mbox_append_data(w, chunk, n) < 0)
			return -1;
	}
	if (add_lf && mbox_append_data(w, "\n", 1) < 0)
		return -1;
	/* the separator line */
	return mbox_append_data(w, "\n", 1);
}

/* Appends every message at the end of the write-locked, synced mbox,
   journaled. 0, or -1 with the error set and the file as it was. */
static int mbox_append_all(struct mbox_mailbox *mbox,
			   struct mbox_transaction *mt,
			   const struct mbox_append_uids *u)
{
	const struct mbox_save_msg *msgs;
	struct mbox_append w;
	const char *error, *sender = mbox_save_envelope_sender(&mbox->box);
	struct pool *pool;
	unsigned int i, count;
	uoff_t old_size;
	struct stat st;
	unsigned char last;
	int ret = 0, saved_errno;

	if (fstat(mbox->fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", mbox->path);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	old_size = (uoff_t)st.st_size;
	if (mbox_rewrite_append_begin(mbox->fd, mbox->journal_path,
				      &error) < 0) {
		saved_errno = errno;
		log_error("mbox %s: %s", mbox->path, error);
		mailbox_set_errno_error(&mbox->box, saved_errno);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.mbox = mbox;
	w.offset = old_size;
	pool = pool_create("mbox append", 4096, POOL_FLAG_NONE);
	w.buf = buf_create(pool, MBOX_SAVE_OUT_BUF_SIZE);
	w.hdr = buf_create(pool, 4096);
	w.filtered = buf_create(pool, 4096);
	mbox_append_hook_init(&w);
	/* reference 3.1: the file must end with LF before a From_ line */
	if (old_size > 0 && pread(mbox->fd, &last, 1, (off_t)old_size - 1) == 1 &&
	    last != '\n')
		ret = mbox_append_data(&w, "\n", 1);

	msgs = array_get(&mt->msgs, &count);
	for (i = 0; i < count && ret == 0; i++) {
		ret = mbox_append_msg(&w, mt, &msgs[i], u->first_uid + i, u,
				      sender);
	}
	if (ret == 0)
		ret = mbox_append_flush(&w);
	if (ret == 0 && fdatasync(mbox->fd) < 0)
		ret = -1;
	if (ret == -1)
		mailbox_set_syscall_error(&mbox->box, "write", mbox->path);
	else if (ret < 0)
		mailbox_set_internal_error(&mbox->box);
	pool_unref(&pool);
	if (ret < 0) {
		/* never leave half a transaction behind */
		if (ftruncate(mbox->fd, (off_t)old_size) < 0 ||
		    fsync(mbox->fd) < 0) {
			log_error("ftruncate(%s) failed: %m - the journal %s "
				  "will undo the append", mbox->path,
				  mbox->journal_path);
			return -1;
		}
	}
	if (mbox_rewrite_append_end(mbox->journal_path, &error) < 0) {
		log_error("mbox %s: %s", mbox->path, error);
		if (ret == 0) {
			/* the journal would undo it later: undo it now */
			if (ftruncate(mbox->fd, (off_t)old_size) == 0)
				(void)fsync(mbox->fd);
			mailbox_set_internal_error(&mbox->box);
		}
		return -1;
	}
	return ret < 0 ? -1 : 0;
}

/* The new messages must have the UIDs we wrote; then X-IMAPbase's last
   UID is brought up to date (in place, through the rewrite journal). */
static void mbox_append_verify(struct mbox_mailbox *mbox,
			       const struct mbox_append_uids *u)
{
	const struct mbox_rec *recs;
	unsigned int count, n = u->last_uid - u->first_uid + 1;

	recs = array_get(&mbox->parsed.recs, &count);
	if (count < n || recs[count - n].uid != u->first_uid ||
	    recs[count - 1].uid != u->last_uid || recs[count - 1].uid_new) {
		log_error("mbox %s: appended messages didn't get UIDs %u..%u",
			  mbox->path, u->first_uid, u->last_uid);
	}
	if (!u->imapbase && mbox_sync_write(mbox, NULL) < 0) {
		/* the X-UIDs stay valid: they follow X-IMAPbase's last
		   UID consecutively, which the parser accepts */
		log_error("mbox %s: updating X-IMAPbase after append failed",
			  mbox->path);
	}
}

int mbox_transaction_commit(struct mailbox_transaction *t,
			    ARRAY_TYPE(uint32) *uids_r, uint32_t *uidvalidity_r)
{
	struct mbox_transaction *mt = (struct mbox_transaction *)t;
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)t->box;
	struct mbox_append_uids u;
	unsigned int i, count;
	uint32_t uid;
	int ret;

	count = mt->tmp_open ? array_count(&mt->msgs) : 0;
	if (count == 0) {
		*uidvalidity_r = mbox->box.uidvalidity;
		mbox_transaction_free(mt);
		return 0;
	}
	if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) < 0) {
		mbox_transaction_free(mt);
		return -1;
	}
	if (mbox->fd == -1 || !mbox->writable) {
		mailbox_set_error(&mbox->box, MAIL_ERROR_PERM,
				  "Mailbox is read-only");
		ret = -1;
	} else if (array_count(&mbox->parsed.recs) > 0 &&
		   (mbox->parsed.dirty ||
		    mbox_keywords_base_lacks_names(mbox))) {
		/* mail from elsewhere got UIDs only in our parse: write them
		   first, or ours would collide with them at the next parse.
		   This also puts new keyword names into X-IMAPbase before
		   an X-Keywords uses them: Dovecot drops names it lacks.
		   Nothing to change = nothing written. */
		ret = mbox_sync_write(mbox, NULL);
	} else {
		ret = 0;
	}
	if (ret == 0 && mbox->parsed.next_uid > UINT32_MAX - 1 - count) {
		mailbox_set_error(&mbox->box, MAIL_ERROR_TEMP,
				  "Mailbox UIDs exhausted");
		ret = -1;
	}
	if (ret == 0) {
		memset(&u, 0, sizeof(u));
		if (mbox->parsed.uidvalidity == 0 && mbox->mem_uidvalidity == 0)
			mbox->mem_uidvalidity = (uint32_t)time(NULL);
		u.uidvalidity = mbox->parsed.uidvalidity != 0 ?
			mbox->parsed.uidvalidity : mbox->mem_uidvalidity;
		u.first_uid = mbox->parsed.next_uid;
		u.last_uid = u.first_uid + count - 1;
		u.imapbase = array_count(&mbox->parsed.recs) == 0;
		ret = mbox_append_all(mbox, mt, &u);
	}
	if (ret == 0) {
		mbox->parsed_valid = false;
		if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) == 0)
			mbox_append_verify(mbox, &u);
		for (i = 0, uid = u.first_uid; i < count; i++, uid++)
			array_append(uids_r, &uid);
		*uidvalidity_r = u.uidvalidity;
	}
	mbox_unlock(&mbox->lock);
	mbox_transaction_free(mt);
	return ret;
}
