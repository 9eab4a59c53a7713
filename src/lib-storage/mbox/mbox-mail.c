/* Copyright (c) dovecot-like authors. mbox-mail.c: per-message access for
   mbox: the message as clients see it (no From_ line, no metadata headers,
   CRLF), sizes, INTERNALDATE from the From_ line, POP3 UIDLs, and flag
   changes and expunges written into the file. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "buffer.h"
#include "istream.h"
#include "istream-crlf.h"
#include "var-expand.h"
#include "message-header-md5.h"
#include "write-full.h"
#include "mbox-storage.h"
#include "mbox-objectid.h"

#include <unistd.h>

/* Messages are copied out under the read lock; bigger ones are refused. */
#define MBOX_MAIL_MAX_SIZE (256ULL * 1024 * 1024)

static int mbox_mail_find(struct mbox_mailbox *mbox, uint32_t uid,
			  enum mbox_lock_type type, struct mbox_rec **rec_r)
{
	if (mbox_sync_lock_parse(mbox, type) < 0)
		return -1;
	*rec_r = mbox_sync_find_rec(mbox, uid);
	if (*rec_r == NULL) {
		mbox_unlock(&mbox->lock);
		mailbox_set_error(&mbox->box, MAIL_ERROR_EXPUNGED,
				  "Message was expunged");
		return -1;
	}
	return 0;
}

/* Reads exactly len bytes at offset (EOF too early is EIO). */
static int mbox_mail_pread(struct mbox_mailbox *mbox, void *data, size_t len,
			   uoff_t offset)
{
	if (pread_full(mbox->fd, data, len, (off_t)offset) < 0) {
		log_error("pread(%s) failed: %m", mbox->path);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	return 0;
}

/* The visible message (LF form), or with raw_header only the header as
   stored, appended to dest. Binary-safe. Caller holds the lock. */
static int mbox_mail_read(struct mbox_mailbox *mbox, const struct mbox_rec *rec,
			  bool raw_header, struct buf *dest)
{
	uoff_t hdr_len = rec->body_offset - rec->hdr_offset;
	uoff_t body_len = rec->body_end - rec->body_offset;
	unsigned char *hdr, *body;

	if (hdr_len + body_len > MBOX_MAIL_MAX_SIZE) {
		log_error("mbox %s: message uid %u too large", mbox->path,
			  rec->uid);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	hdr = p_malloc(tmp_pool, (size_t)hdr_len + 1);
	if (mbox_mail_pread(mbox, hdr, (size_t)hdr_len, rec->hdr_offset) < 0)
		return -1;
	if (raw_header) {
		(void)buf_append(dest, hdr, (size_t)hdr_len);
		return 0;
	}
	mbox_headers_filter(hdr, (size_t)(rec->hdr_end - rec->hdr_offset), dest);
	(void)buf_append(dest, hdr + (rec->hdr_end - rec->hdr_offset),
			 (size_t)(rec->body_offset - rec->hdr_end));
	body = buf_get_space(dest, (size_t)body_len);
	ASSERT(body != NULL);	/* no max size */
	if (mbox_mail_pread(mbox, body, (size_t)body_len, rec->body_offset) < 0)
		return -1;
	buf_commit_space(dest, (size_t)body_len);
	return 0;
}

static int mbox_mail_get_visible(struct mailbox *box, struct mailbox_msg *msg,
				 struct buf **buf_r)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	struct mbox_rec *rec;
	struct buf *buf;
	int ret;

	if (mbox_mail_find(mbox, msg->uid, MBOX_LOCK_READ, &rec) < 0)
		return -1;
	buf = buf_create(tmp_pool, (size_t)MIN(rec->next_offset -
					       rec->hdr_offset + 64,
					       1024 * 1024));
	ret = mbox_mail_read(mbox, rec, false, buf);
	mbox_unlock(&mbox->lock);
	*buf_r = buf;
	return ret;
}

static int mbox_mail_get_stream(struct mailbox *box, struct mailbox_msg *msg,
				struct istream **stream_r)
{
	struct istream *input;
	struct buf *buf;

	if (mbox_mail_get_visible(box, msg, &buf) < 0)
		return -1;
	input = istream_create_from_data(buf->data, buf->used);
	input->blocking = true;
	*stream_r = istream_create_crlf(input);
	istream_unref(&input);
	return 0;
}

static int mbox_mail_get_virtual_size(struct mailbox *box,
				      struct mailbox_msg *_msg, uoff_t *size_r)
{
	struct mbox_msg *msg = (struct mbox_msg *)_msg;
	struct buf *buf;
	bool last_cr = false;

	if (!msg->vsize_set) {
		if (mbox_mail_get_visible(box, _msg, &buf) < 0)
			return -1;
		msg->vsize = istream_crlf_count_size(buf->data, buf->used,
						     &last_cr);
		msg->vsize_set = true;
	}
	*size_r = msg->vsize;
	return 0;
}

static int mbox_mail_get_physical_size(struct mailbox *box,
				       struct mailbox_msg *msg, uoff_t *size_r)
{
	struct buf *buf;

	if (mbox_mail_get_visible(box, msg, &buf) < 0)
		return -1;
	*size_r = buf->used;
	return 0;
}

/* From the view (no lock, no file access): a From_ line's date never
   changes while the message exists. */
static int mbox_mail_get_received_date(struct mailbox *box ATTR_UNUSED,
				       struct mailbox_msg *msg, time_t *date_r)
{
	*date_r = ((struct mbox_msg *)msg)->received;
	return 0;
}

static const char *md5_hex(const unsigned char *md5)
{
	char *out = p_malloc(tmp_pool, MESSAGE_HEADER_MD5_LEN * 2 + 1);

	binary_to_hex(out, md5, MESSAGE_HEADER_MD5_LEN);
	return out;
}

static int mbox_mail_get_pop3_uidl(struct mailbox *box, struct mailbox_msg *msg,
				   const char *format, const char **uidl_r)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	struct mail_pop3_uidl_values values = { NULL, NULL, NULL };
	unsigned char md5[MESSAGE_HEADER_MD5_LEN];
	struct mbox_rec *rec;
	struct buf *hdr;
	int ret;

	if (var_has_key(format, 'm', "md5")) {
		/* reference 7: over the header as stored */
		if (mbox_mail_find(mbox, msg->uid, MBOX_LOCK_READ, &rec) < 0)
			return -1;
		hdr = buf_create(tmp_pool, 4096);
		ret = mbox_mail_read(mbox, rec, true, hdr);
		mbox_unlock(&mbox->lock);
		if (ret < 0)
			return -1;
		message_header_md5(hdr->data, hdr->used, md5);
		values.md5 = md5_hex(md5);
	}
	return mailbox_pop3_uidl_expand(box, msg->uid, format, &values, uidl_r);
}

static int mbox_mail_write_flags(struct mailbox *box, struct mailbox_msg *msg,
				 enum mail_flags old_flags,
				 const struct mail_keywords *old_keywords)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	struct mbox_msg *mmsg = (struct mbox_msg *)msg;

	if (!mbox->writable)
		return 0;	/* kept in this session only */
	/* durable (dirty) in the index at changes_commit, before the
	   command's OK; the file gets it at the lazy write */
	mbox_index_record_flags(mbox, msg->uid, old_flags, msg->flags,
				old_keywords, &msg->keywords);
	if (!mmsg->flags_pending) {
		mmsg->flags_pending = true;
		mbox->pending_count++;
	}
	/* mbox_lazy_writes = no: the command's changes go to the file
	   together, at mailbox_changes_commit() */
	return 0;
}

static int mbox_mail_expunge(struct mailbox *box, struct mailbox_msg *msg)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	if (!mbox->writable) {
		mailbox_set_error(box, MAIL_ERROR_PERM, "mbox is read-only");
		return -1;
	}
	/* written at the next sync or close: one rewrite for all */
	array_append(&mbox->expunge_pending, &msg->uid);
	return 0;
}

/* After the index commit of a command's changes (index_ret): the file
   write. Dovecot writes expunges at the end of the command even with lazy
   writes (pending flags go along): other sessions see them at their next
   sync. Flag changes alone wait for a sync unless mbox_lazy_writes = no,
   or unless the index failed to take them: then they are durable only
   once in the file, and the command fails if that fails too. */
static int mbox_mail_changes_write(struct mbox_mailbox *mbox, int index_ret,
				   bool expunged)
{
	if (index_ret < 0) {
		if (mbox_sync_flush(mbox) == 0)
			return 0;
		mbox_index_set_commit_error(mbox);
		return -1;
	}
	if (!expunged && mbox->box.user->mbox_set.lazy_writes)
		return 0;
	return mbox_sync_flush(mbox);
}

static int mbox_mail_changes_commit(struct mailbox *box, bool expunged)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	return mbox_mail_changes_write(mbox, mbox_index_commit(mbox),
				       expunged);
}

static int mbox_mail_store_lock(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	if (mbox_index_store_lock(mbox) < 0) {
		mbox_index_set_commit_error(mbox);
		return -1;
	}
	return 0;
}

/* RFC 7162 3.1.3 under the index log lock: the record's modseq and its
   (dirty) flags, every session's committed change, against what our view
   based the change on; the change goes into the same locked transaction.
   Without a lock (no index, read-only file) only the view can say. */
static int mbox_mail_write_flags_unchanged(struct mailbox *box,
	struct mailbox_msg *msg, enum mail_flags old_flags,
	const struct mail_keywords *old_keywords, uint64_t unchangedsince)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	int ret;

	if (mbox->store_sctx == NULL) {
		if (mbox_index_get_modseq(box, msg) > unchangedsince)
			return 0;
	} else {
		ret = mbox_index_store_check(mbox, msg->uid, old_flags,
					     old_keywords, unchangedsince);
		if (ret <= 0)
			return ret;
	}
	if ((msg->flags & MAIL_FLAGS_MASK) == (old_flags & MAIL_FLAGS_MASK) &&
	    memcmp(&msg->keywords, old_keywords, sizeof(*old_keywords)) == 0)
		return 1;	/* nothing to change: no new modseq */
	return mbox_mail_write_flags(box, msg, old_flags, old_keywords) < 0 ?
		-1 : 1;
}

/* Commits the checked changes and releases the log lock before the file
   write (which takes the mbox lock: lock order mbox -> log). */
static int mbox_mail_store_unlock(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	return mbox_mail_changes_write(mbox, mbox_index_store_unlock(mbox),
				       false);
}

static void mbox_mailbox_close(struct mailbox *box)
{
	mbox_sync_close((struct mbox_mailbox *)box);
}

/* The mbox file (appends and rewrites are in place) and the index log
   (another session's flag changes may be only there until written). */
static const char *const *mbox_get_notify_paths(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	const char **paths = t_new(const char *, 3);

	paths[0] = mbox->path;
	paths[1] = mbox->index_dir == NULL ? NULL :
		tmp_strconcat(mbox->index_dir, "/" MBOX_INDEX_PREFIX ".log",
			      NULL);
	paths[2] = NULL;
	return paths;
}

const struct mailbox_vfuncs mbox_mailbox_vfuncs = {
	.sync = mbox_sync,
	.close = mbox_mailbox_close,
	.get_notify_paths = mbox_get_notify_paths,
	.get_virtual_size = mbox_mail_get_virtual_size,
	.get_physical_size = mbox_mail_get_physical_size,
	.get_received_date = mbox_mail_get_received_date,
	.get_pop3_uidl = mbox_mail_get_pop3_uidl,
	.get_stream = mbox_mail_get_stream,
	.cache_lookup = mbox_index_cache_lookup,
	.cache_add = mbox_index_cache_add,
	.write_flags = mbox_mail_write_flags,
	.expunge = mbox_mail_expunge,
	.changes_commit = mbox_mail_changes_commit,
	.store_lock = mbox_mail_store_lock,
	.write_flags_unchanged = mbox_mail_write_flags_unchanged,
	.store_unlock = mbox_mail_store_unlock,
	.get_modseq = mbox_index_get_modseq,
	.get_highest_modseq = mbox_index_get_highest_modseq,
	.get_expunges = mbox_index_get_expunges,
	/* mbox-save.c; copy stays NULL: the generic layer copies streams */
	.transaction_size = sizeof(struct mbox_transaction),
	.save_context_size = sizeof(struct mbox_save_context),
	.save_begin = mbox_save_begin,
	.save_write = mbox_save_write,
	.save_finish = mbox_save_finish,
	.save_cancel = mbox_save_cancel,
	.transaction_commit = mbox_transaction_commit,
	.transaction_rollback = mbox_transaction_rollback,
	.get_id_dir = mbox_objectid_get_id_dir,
	.get_email_key = mbox_objectid_get_email_key,
};
