/* Copyright (c) dovecot-like authors. mbox-sync.c: keeping the view in step
   with the mbox file: (re)open, lock, re-parse when the file changed, persist
   newly assigned UIDs and X-IMAPbase, carry \Recent across syncs, and map
   keyword names (X-IMAPbase list, X-Keywords) to the box's keyword bits. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "mbox-storage.h"
#include "mailbox-index.h"
#include "mbox-rewrite.h"
#include "restrict-access.h"

#include <fcntl.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void mbox_file_close(struct mbox_mailbox *mbox)
{
	mbox_unlock(&mbox->lock);
	if (mbox->fd != -1) {
		if (close(mbox->fd) < 0)
			log_error("close(%s) failed: %m", mbox->path);
		mbox->fd = -1;
	}
	mbox->parsed_valid = false;
}

/* Creating a missing INBOX in /var/mail through mail_privileged_group, as
   Dovecot does. O_EXCL | O_NOFOLLOW: the group must never open a file that
   someone else made. Returns the fd, or -1 with errno set. */
static int mbox_inbox_create_privileged(struct mbox_mailbox *mbox)
{
	gid_t gid = mbox->lock_set.privileged_gid;
	int fd, saved_errno;

	if (gid == (gid_t)-1 || restrict_access_privileged_gid_begin(gid) < 0) {
		errno = EACCES;
		return -1;
	}
	fd = open(mbox->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	saved_errno = errno;
	restrict_access_privileged_gid_end();
	if (fd == -1 && saved_errno == EEXIST) {
		/* an MTA just made it: open it as ourselves */
		return open(mbox->path, O_RDWR);
	}
	errno = saved_errno;
	return fd;
}

/* Opens the file, or reopens it if another program replaced it. */
static int mbox_file_open(struct mbox_mailbox *mbox)
{
	struct stat st, fst;
	bool readonly = (mbox->box.flags & MAILBOX_FLAG_READONLY) != 0;
	int fd;

	if (mbox->fd != -1) {
		if (stat(mbox->path, &st) == 0 && fstat(mbox->fd, &fst) == 0 &&
		    st.st_ino == fst.st_ino && st.st_dev == fst.st_dev)
			return 0;
		mbox_file_close(mbox);
	}
	fd = open(mbox->path, readonly ? O_RDONLY : O_RDWR);
	mbox->writable = !readonly && fd != -1;
	if (fd == -1 && errno == EACCES && !readonly)
		fd = open(mbox->path, O_RDONLY);
	if (fd == -1 && errno == ENOENT && !readonly &&
	    strcasecmp(mbox->box.name, "INBOX") == 0) {
		/* a missing INBOX is an empty one; create it if we can */
		fd = open(mbox->path, O_RDWR | O_CREAT, 0600);
		if (fd == -1 && errno == EACCES)
			fd = mbox_inbox_create_privileged(mbox);
		mbox->writable = fd != -1;
		if (fd == -1 && (errno == EACCES || errno == ENOENT))
			return 0;
	}
	if (fd == -1) {
		if (errno == ENOENT) {
			mailbox_set_error(&mbox->box, MAIL_ERROR_NOTFOUND,
					  "Mailbox was deleted");
			return -1;
		}
		log_error("open(%s) failed: %m", mbox->path);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	mbox->fd = fd;
	mbox_lock_init(&mbox->lock, mbox->path, fd, &mbox->lock_set);
	return 0;
}

static bool mbox_stat_equal(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
		a->st_size == b->st_size &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
		a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
		a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
		a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int mbox_reparse(struct mbox_mailbox *mbox)
{
	struct pool *pool;
	const char *error;
	struct stat st;

	if (fstat(mbox->fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", mbox->path);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	if (mbox->parsed_valid && mbox_stat_equal(&st, &mbox->parsed_st))
		return 0;
	pool = pool_create("mbox parse", 4096, POOL_FLAG_NONE);
	if (mbox_parse_fd(mbox->fd, pool, &mbox->parsed, &error) < 0) {
		log_error("mbox %s: %s", mbox->path, error);
		mailbox_set_internal_error(&mbox->box);
		pool_unref(&pool);
		mbox->parsed_valid = false;
		return -1;
	}
	if (mbox->parse_pool != NULL)
		pool_unref(&mbox->parse_pool);
	mbox->parse_pool = pool;
	mbox->parsed_st = st;
	mbox->parsed_valid = true;
	return 0;
}

/* A read-only session (EXAMINE) that finds an interrupted rewrite finishes
   it through its own read-write fd if the file permits, rather than reading
   a half-written file. Nothing is locked through mbox->fd at this point, so
   closing the extra fd drops no lock of ours. */
static void mbox_sync_recover_readonly(struct mbox_mailbox *mbox)
{
	struct mbox_lock lock;
	const char *error;
	int fd;

	fd = open(mbox->path, O_RDWR);
	if (fd == -1)
		return;
	mbox_lock_init(&lock, mbox->path, fd, &mbox->lock_set);
	if (mbox_lock(&lock, MBOX_LOCK_WRITE, &error) > 0) {
		if (mbox_rewrite_recover(fd, mbox->journal_path, &error) < 0)
			log_error("mbox %s: %s", mbox->path, error);
		mbox->parsed_valid = false;
		mbox_unlock(&lock);
	}
	(void)close(fd);
}

int mbox_sync_lock_parse(struct mbox_mailbox *mbox, enum mbox_lock_type type)
{
	const char *error;
	int ret;

	if (mbox_file_open(mbox) < 0)
		return -1;
	if (mbox->fd == -1) {
		/* missing INBOX we couldn't create: empty */
		if (mbox->parse_pool == NULL)
			mbox->parse_pool = pool_create("mbox parse", 256,
						       POOL_FLAG_NONE);
		memset(&mbox->parsed, 0, sizeof(mbox->parsed));
		array_init(&mbox->parsed.recs, mbox->parse_pool, 1);
		mbox->parsed.next_uid = 1;
		return 0;
	}
	if (access(mbox->journal_path, F_OK) == 0) {
		/* an interrupted rewrite to finish first */
		if (mbox->writable)
			type = MBOX_LOCK_WRITE;
		else if (mbox->lock.type == MBOX_LOCK_UNLOCKED)
			mbox_sync_recover_readonly(mbox);
	}
	ret = mbox_lock(&mbox->lock, type, &error);
	if (ret <= 0) {
		if (ret == 0)
			log_error("mbox %s: %s", mbox->path, error);
		mailbox_set_error(&mbox->box, MAIL_ERROR_TEMP, ret == 0 ?
				  "Timeout while waiting for lock" :
				  "Internal error occurred");
		return -1;
	}
	if (mbox->lock.type == MBOX_LOCK_WRITE && mbox->writable) {
		ret = mbox_rewrite_recover(mbox->fd, mbox->journal_path, &error);
		if (ret < 0) {
			log_error("mbox %s: %s", mbox->path, error);
			mailbox_set_internal_error(&mbox->box);
			mbox_unlock(&mbox->lock);
			return -1;
		}
		if (ret > 0)
			mbox->parsed_valid = false;
	}
	if (mbox_reparse(mbox) < 0) {
		mbox_unlock(&mbox->lock);
		return -1;
	}
	return 0;
}

struct mbox_rec *mbox_sync_find_rec(struct mbox_mailbox *mbox, uint32_t uid)
{
	struct mbox_rec *recs;
	unsigned int left = 0, right, mid;

	/* UIDs increase in file order; the pseudo message (uid 0) is first */
	recs = array_get_modifiable(&mbox->parsed.recs, &right);
	while (left < right) {
		mid = left + (right - left) / 2;
		if (recs[mid].uid < uid)
			left = mid + 1;
		else if (recs[mid].uid > uid)
			right = mid;
		else
			return recs[mid].pseudo ? NULL : &recs[mid];
	}
	return NULL;
}

/* Was uid \Recent in the previous view of this session? */
static bool mbox_old_view_recent(struct mailbox *box, uint32_t uid)
{
	struct mailbox_msg *msg = mailbox_old_view_lookup_uid(box, uid);

	return msg != NULL && (msg->flags & MAIL_RECENT) != 0;
}

static void mbox_sync_build_view(struct mbox_mailbox *mbox)
{
	struct mailbox *box = &mbox->box;
	const struct mbox_rec *rec;
	struct mbox_msg *msg;
	bool pop3 = (box->flags & MAILBOX_FLAG_POP3_SESSION) != 0;

	mailbox_view_begin(box, array_count(&mbox->parsed.recs));
	/* X-IMAPbase's order first: bits stay the same across sessions */
	mbox_keywords_parse_base(mbox, mbox->parsed.base_keywords);
	array_foreach(&mbox->parsed.recs, rec) {
		if (rec->pseudo)
			continue;
		msg = pool_new(box->view_pool, struct mbox_msg, 1);
		msg->m.uid = rec->uid;
		msg->m.flags = rec->hdr.flags;
		mbox_keywords_parse_msg(mbox, rec->hdr.keywords,
					&msg->m.keywords);
		msg->received = rec->received;
		msg->file_recent = !rec->hdr.status_old;
		/* with an index, the index sync claims new \Recent ones
		   (mbox_index_sync_view()); without one, the file decides */
		if (!pop3 && ((mbox->index == NULL && msg->file_recent) ||
			      mbox_old_view_recent(box, rec->uid)))
			msg->m.flags |= MAIL_RECENT;
		mailbox_view_append(box, &msg->m);
	}
	if (mbox->parsed.uidvalidity != 0)
		box->uidvalidity = mbox->parsed.uidvalidity;
	else {
		if (mbox->mem_uidvalidity == 0)
			mbox->mem_uidvalidity = (uint32_t)time(NULL);
		box->uidvalidity = mbox->mem_uidvalidity;
	}
	box->uidnext = mbox->parsed.next_uid;
}

int mbox_sync_flush(struct mbox_mailbox *mbox)
{
	struct mailbox_msg *const *msgs;
	struct mbox_msg *msg;
	struct mbox_change *changes;
	struct mbox_rec *rec, *first;
	struct mail_index_view *iview;
	enum mail_flags flags;
	struct mail_keywords kw;
	unsigned int i, count, msg_count;
	const uint32_t *uid;
	bool any = false;
	int ret;

	if (mbox->pending_count == 0 &&
	    array_count(&mbox->expunge_pending) == 0)
		return 0;
	if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) < 0)
		return -1;
	count = array_count(&mbox->parsed.recs);
	changes = pool_new(tmp_pool, struct mbox_change, count + 1);
	first = count == 0 ? NULL :
		array_idx_modifiable(&mbox->parsed.recs, 0);
	msgs = array_get(&mbox->box.view, &msg_count);
	/* our changes not committed yet (no changes_commit) go first */
	mbox_index_commit(mbox);
	iview = mbox_index_flush_view(mbox);
	for (i = 0; i < msg_count; i++) {
		msg = (struct mbox_msg *)msgs[i];
		if (!msg->flags_pending)
			continue;
		rec = mbox_sync_find_rec(mbox, msg->m.uid);
		if (rec == NULL)
			continue;	/* expunged meanwhile */
		ret = mbox_index_dirty_flags(mbox, iview, msg->m.uid, &flags,
					     &kw);
		if (ret == 0)
			continue;	/* another session wrote them */
		if (ret < 0) {
			flags = msg->m.flags & MAIL_FLAGS_MASK;
			kw = msg->m.keywords;
		}
		changes[rec - first].set_flags = true;
		changes[rec - first].flags = flags;
		changes[rec - first].keywords =
			mbox_keywords_msg_str(mbox, &kw, rec->hdr.keywords);
		any = true;
	}
	if (iview != NULL)
		mail_index_view_close(&iview);
	array_foreach(&mbox->expunge_pending, uid) {
		rec = mbox_sync_find_rec(mbox, *uid);
		if (rec != NULL) {
			changes[rec - first].expunge = true;
			any = true;
		}
	}
	ret = any ? mbox_sync_write(mbox, changes) : 0;
	mbox_unlock(&mbox->lock);
	if (ret == 0) {
		array_clear(&mbox->expunge_pending);
		for (i = 0; i < msg_count; i++) {
			msg = (struct mbox_msg *)msgs[i];
			if (msg->flags_pending)
				mbox_index_record_written(mbox, msg->m.uid);
			msg->flags_pending = false;
		}
		mbox->pending_count = 0;
		mbox_index_commit(mbox);
	}
	return ret;
}

int mbox_sync(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	if (mbox_sync_flush(mbox) < 0)
		return -1;
	if (mbox_sync_lock_parse(mbox, MBOX_LOCK_READ) < 0)
		return -1;
	if (!mbox->uids_checked) {
		/* before we give out any UID */
		mbox->uids_checked = true;
		mbox->uids_preexisting = mbox->parsed.uidvalidity != 0 &&
			mbox->parsed.next_uid > 1;
	}
	/* before UIDs are written: X-IMAPbase then gets the index's */
	mbox_index_uidvalidity_hint(mbox);
	if (mbox->parsed.dirty && mbox->writable &&
	    array_count(&mbox->parsed.recs) > 0) {
		/* new mail without X-UID: persist the UIDs we gave */
		if (mbox->lock.type != MBOX_LOCK_WRITE) {
			mbox_unlock(&mbox->lock);
			if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) < 0)
				return -1;
		}
		if (mbox->parsed.dirty && mbox_sync_write(mbox, NULL) < 0) {
			mbox_unlock(&mbox->lock);
			return -1;
		}
	}
	mbox_sync_build_view(mbox);
	/* the file's changes into the index, the index's dirty flags (of a
	   session that died before writing them) into the view; under the
	   mbox lock, so that no other session's write comes in between
	   (lock order: mbox file -> index cache -> index log) */
	mbox_index_sync_view(mbox);
	mbox_unlock(&mbox->lock);
	return 0;
}

/* Marks every message old (Status: O). With only a read lock just checks
   whether there is anything to do. */
static bool mbox_sync_mark_old(struct mbox_mailbox *mbox)
{
	struct mbox_change *changes;
	const struct mbox_rec *recs;
	unsigned int i, count;
	bool any = false;

	recs = array_get(&mbox->parsed.recs, &count);
	changes = pool_new(tmp_pool, struct mbox_change, count + 1);
	for (i = 0; i < count; i++) {
		if (!recs[i].pseudo && !recs[i].hdr.status_old) {
			changes[i].mark_old = true;
			any = true;
		}
	}
	if (any && mbox->lock.type == MBOX_LOCK_WRITE)
		(void)mbox_sync_write(mbox, changes);
	return any;
}

bool mbox_sync_test_close_as_crash = false;

void mbox_sync_close(struct mbox_mailbox *mbox)
{
	if (mbox_sync_test_close_as_crash) {
		/* writes nothing, as a killed process */
		mailbox_index_trans_rollback(&mbox->itrans_view, &mbox->itrans);
		mbox->pending_count = 0;
		array_clear(&mbox->expunge_pending);
	} else if (mbox_sync_flush(mbox) < 0) {
		log_error("mbox %s: flag changes of this session were lost",
			  mbox->path);
	}
	/* reference 4: after a session closes, messages lose \Recent; take
	   the write locks only if there is something to write */
	if (!mbox_sync_test_close_as_crash &&
	    mbox->writable && mailbox_takes_recent(&mbox->box) &&
	    mbox_sync_lock_parse(mbox, MBOX_LOCK_READ) == 0 &&
	    mbox_sync_mark_old(mbox)) {
		mbox_unlock(&mbox->lock);
		if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) == 0)
			(void)mbox_sync_mark_old(mbox);
	}
	mbox_file_close(mbox);
	mbox_index_close(mbox);
	if (mbox->parse_pool != NULL)
		pool_unref(&mbox->parse_pool);
}
