/* Copyright (c) dovecot-like authors. maildir-index.c: the Maildir backend's
   use of lib-index. The index "dovecot-like.index*" (never Dovecot's own
   file names) caches uid + flags (+ "file is in new/" as the backend flag)
   of every message; dovecot-uidlist stays the source of truth for UIDs.
   Beside it, "dovecot-like.index.maildir" records the new/ cur/ mtimes and
   the uidlist's identity at which the index was last verified against a
   full scan: while they are unchanged a SELECT builds its view from the
   index alone, with no readdir and no uidlist read. Sessions write their
   own flag changes and expunges to the log, so other sessions see them at
   their next sync without a rescan of an unchanged directory. RFC 7162
   modseqs come from the index too, as of the session's view (taken when
   the view syncs, and for our own changes after their commit), and a
   STORE (UNCHANGEDSINCE) checks and sets under the log lock. */
#include "lib.h"
#include "maildir-storage.h"
#include "mailbox-index.h"
#include "maildir-index-state.h"
#include "mail-index-view.h"
#include "mail-index-sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* The index flag marking "the file is in new/" */
#define MAILDIR_INDEX_FLAG_IN_NEW MAIL_INDEX_MAIL_FLAG_BACKEND

typedef ARRAY(const struct maildir_msg *) ARRAY_TYPE(maildir_msg_lost);

/* Info of a message that never changes (a uid always names the same file
   content), kept so a FETCH of sizes and dates needs no file name (no
   uidlist read) and no stat(): the "maildir" per-record extension. */
#define MAILDIR_INDEX_EXT_NAME "maildir"
/* Pending info updates wait for the next sync or close (not in the middle
   of a FETCH, when the session's memory peaks), unless this many pile up;
   they are committed in transactions of at most MAILDIR_INDEX_INFO_TRANS. */
#define MAILDIR_INDEX_INFO_BATCH (256 * 1024)
#define MAILDIR_INDEX_INFO_TRANS (64 * 1024)
/* After recording this many, write a new snapshot right away. */
#define MAILDIR_INDEX_INFO_SNAPSHOT_MIN 1024

struct maildir_index_pending_info {
	uint32_t uid;
	struct maildir_index_info info;
};

void maildir_index_get_kw(struct maildir_mailbox *mbox,
			  struct mailbox_index_kw_map *map,
			  const struct mail_index_message *imsg,
			  struct mail_keywords *kw_r)
{
	(void)mailbox_index_get_keywords(&mbox->box, mbox->index, map, true,
					 imsg, kw_r);
}

/* Records in t that uid's keywords change from old_kw to new_kw (old_kw
   NULL: replace all). */
static void maildir_index_update_kw(struct maildir_mailbox *mbox,
				    struct mail_index_transaction *t,
				    uint32_t uid,
				    const struct mail_keywords *old_kw,
				    const struct mail_keywords *new_kw)
{
	mailbox_index_update_keywords(&mbox->box, t, uid, old_kw, new_kw,
				      mbox->index_dir);
}

void (*maildir_index_test_scan_hook)(struct maildir_mailbox *mbox) = NULL;

/* Does the index record show the flags and keywords the view has? Then
   msg's modseq field (context: the walk's keyword map). */
static uint64_t *maildir_index_own_match(struct mailbox *box,
					 struct mailbox_msg *m,
					 const struct mail_index_message *imsg,
					 void *context)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *msg = (struct maildir_msg *)m;
	struct mail_keywords ikw;

	if ((imsg->flags & MAIL_FLAGS_MASK) != (msg->m.flags & MAIL_FLAGS_MASK))
		return NULL;
	maildir_index_get_kw(mbox, context, imsg, &ikw);
	if (memcmp(&ikw, &msg->m.keywords, sizeof(ikw)) != 0)
		return NULL;
	return &msg->modseq;
}

/* State of maildir_index_fill_modseqs()' walk */
struct maildir_index_fill_ctx {
	struct mailbox_index_kw_map kw_map;
	/* lowest modseq of a record that doesn't show the view's flags */
	uint64_t min_mismatch;
};

/* One view message's modseq from its index record (imsg NULL: none). A
   record that another session changed after our scan (flags other than
   the view's) keeps the message's old modseq: its new one belongs to
   flags the view lacks. */
static void maildir_index_msg_modseq(struct mailbox *box,
				     struct mailbox_msg *m,
				     const struct mail_index_message *imsg,
				     void *context)
{
	struct maildir_index_fill_ctx *ctx = context;
	uint64_t *modseqp;

	if (imsg == NULL) {
		((struct maildir_msg *)m)->modseq = 0;
		return;
	}
	modseqp = maildir_index_own_match(box, m, imsg, &ctx->kw_map);
	if (modseqp != NULL)
		*modseqp = imsg->modseq;
	else if (imsg->modseq < ctx->min_mismatch)
		ctx->min_mismatch = imsg->modseq;
}

/* The view's modseqs from the index, which normally matches the view (just
   synced with it). Another session may have committed since our scan:
   then HIGHESTMODSEQ stays below its change (CHANGEDSINCE of what we
   report must still return it) and the next sync rescans. Both are sorted
   by uid. */
static void maildir_index_fill_modseqs(struct maildir_mailbox *mbox)
{
	struct maildir_index_fill_ctx ctx;
	struct mailbox_msg *const *msgp;
	struct maildir_msg *msg;
	uint64_t cap;

	mailbox_index_kw_map_init(&ctx.kw_map);
	ctx.min_mismatch = UINT64_MAX;
	mailbox_index_fill_modseqs(&mbox->box, mbox->index,
				   maildir_index_msg_modseq, &ctx,
				   &mbox->view_highest_modseq);
	if (ctx.min_mismatch == UINT64_MAX)
		return;
	mbox->scan_dirty = true;
	cap = ctx.min_mismatch - 1;
	if (cap == 0)
		cap = 1;
	if (mbox->view_highest_modseq > cap)
		mbox->view_highest_modseq = cap;
	/* none above HIGHESTMODSEQ (lower is safe: reported again later) */
	array_foreach(&mbox->box.view, msgp) {
		msg = (struct maildir_msg *)*msgp;
		if (msg->modseq > mbox->view_highest_modseq)
			msg->modseq = mbox->view_highest_modseq;
	}
}

/* After this session's own commit: the changed messages' view modseqs
   move to the index's only where the index shows the same flags as the
   view (no other session's change mixed in that the view lacks: a
   reported modseq must never be newer than the flags sent with it). */
static void maildir_index_own_modseqs(struct maildir_mailbox *mbox)
{
	struct mailbox_index_kw_map kw_map;

	mailbox_index_kw_map_init(&kw_map);
	mailbox_index_own_modseqs(&mbox->box, mbox->index,
				  &mbox->own_changed_uids,
				  maildir_index_own_match, &kw_map,
				  &mbox->view_highest_modseq);
}

static int maildir_index_open_real(struct maildir_mailbox *mbox)
{
	if (mailbox_index_open(mbox->index_dir, MAILDIR_INDEX_PREFIX,
			       &mbox->index) < 0)
		return -1;
	mbox->info_ext_id = mail_index_ext_register(mbox->index,
		MAILDIR_INDEX_EXT_NAME, sizeof(struct maildir_index_info));
	return 0;
}

int maildir_index_open(struct maildir_mailbox *mbox)
{
	if (maildir_index_open_real(mbox) < 0)
		return -1;
	if (mail_index_is_fscked(mbox->index)) {
		/* partial data: start from scratch, the scan refills it */
		log_warning("%s/" MAILDIR_INDEX_PREFIX ": rebuilding",
			    mbox->index_dir);
		return maildir_index_rebuild(mbox);
	}
	return 0;
}

void maildir_index_close(struct maildir_mailbox *mbox)
{
	if (mbox->index != NULL) {
		maildir_cache_close(mbox);
		(void)maildir_index_commit_pending(mbox);	/* logged */
		mail_index_close(&mbox->index);
	}
	if (array_is_created(&mbox->pending_info))
		array_free(&mbox->pending_info);
	if (array_is_created(&mbox->own_changed_uids))
		array_free(&mbox->own_changed_uids);
}

/* A rebuilt index goes on above the old one's modseqs (RFC 7162: they
   never go backwards while UIDVALIDITY stays). */
static void maildir_index_keep_modseq(struct maildir_mailbox *mbox,
				      uint64_t old_modseq)
{
	mailbox_index_keep_modseq(mbox->index, old_modseq, mbox->index_dir);
}

int maildir_index_rebuild(struct maildir_mailbox *mbox)
{
	static const char *const suffixes[] = {
		"", ".log", ".log.2", ".cache", MAILDIR_INDEX_STATE_SUFFIX,
	};
	uint64_t old_modseq = 0;

	if (mbox->index != NULL)
		old_modseq = mail_index_get_header(mbox->index)->highest_modseq;
	maildir_cache_close(mbox);
	mailbox_index_trans_rollback(&mbox->itrans_view, &mbox->itrans);
	if (array_is_created(&mbox->pending_info))
		array_clear(&mbox->pending_info);
	if (mbox->index != NULL)
		mail_index_close(&mbox->index);
	mailbox_index_unlink_files(mbox->index_dir, MAILDIR_INDEX_PREFIX,
				   suffixes, N_ELEMENTS(suffixes));
	mbox->index_in_sync = false;
	if (maildir_index_open_real(mbox) < 0)
		return -1;
	maildir_index_keep_modseq(mbox, old_modseq);
	return 0;
}

/* Replaces the mailbox view with the index's messages, keeping what this
   session knows of each (\Recent, sizes, odd file names). */
static void maildir_index_build_view(struct maildir_mailbox *mbox)
{
	struct mailbox *box = &mbox->box;
	struct mail_index_view *view = mail_index_view_open(mbox->index);
	const struct mail_index_header *hdr = mail_index_view_get_header(view);
	const struct mail_index_message *imsg;
	struct mailbox_msg *const *old_msgs;
	struct maildir_msg *msgs, *msg, *old;
	struct mailbox_index_kw_map kw_map;
	unsigned int old_count, old_idx = 0;
	uint32_t seq, count = mail_index_view_get_messages_count(view);

	mailbox_index_kw_map_init(&kw_map);
	mailbox_view_begin(box, count);
	old_msgs = array_get(&box->old_view, &old_count);
	msgs = count == 0 ? NULL : p_malloc(box->view_pool, sizeof(*msgs) * count);
	for (seq = 1; seq <= count; seq++) {
		if (!mail_index_lookup(view, seq, &imsg))
			break;
		msg = &msgs[seq - 1];
		msg->m.uid = imsg->uid;
		msg->m.flags = imsg->flags & MAIL_FLAGS_MASK;
		msg->modseq = imsg->modseq;
		maildir_index_get_kw(mbox, &kw_map, imsg, &msg->m.keywords);
		msg->in_new = (imsg->flags & MAILDIR_INDEX_FLAG_IN_NEW) != 0;
		while (old_idx < old_count && old_msgs[old_idx]->uid < imsg->uid)
			old_idx++;
		if (old_idx < old_count && old_msgs[old_idx]->uid == imsg->uid) {
			old = (struct maildir_msg *)old_msgs[old_idx];
			msg->m.flags |= old->m.flags & MAIL_RECENT;
			msg->vsize = old->vsize;
			msg->vsize_set = old->vsize_set;
			msg->vsize_write_pending = old->vsize_write_pending;
			if (old->fname != NULL && old->in_new == msg->in_new)
				msg->fname = p_strdup(box->view_pool, old->fname);
		}
		if (msg->in_new && mailbox_peeks_recent(box))
			msg->m.flags |= MAIL_RECENT;	/* seen, not claimed */
		mailbox_view_append(box, &msg->m);
	}
	box->uidvalidity = hdr->uid_validity;
	mbox->view_highest_modseq = hdr->highest_modseq;
	if (hdr->next_uid > box->uidnext)
		box->uidnext = hdr->next_uid;
	mbox->index_log_seq = hdr->log_file_seq;
	mbox->index_log_offset = hdr->log_file_head_offset;
	mail_index_view_close(&view);
}

int maildir_index_try_warm(struct maildir_mailbox *mbox, bool move_new)
{
	struct maildir_index_state state, now;
	const struct mail_index_header *hdr;
	struct stat uidlist_st;

	if (mbox->index == NULL || !maildir_index_state_read(mbox, &state))
		return 0;
	if (state.new_count > 0 && move_new)
		return 0;	/* files in new/ to take \Recent of */
	if (maildir_sync_stat_dirs(mbox, &mbox->new_mtime,
				   &mbox->cur_mtime) < 0 ||
	    !maildir_index_stat_uidlist(mbox, &uidlist_st))
		return 0;
	if (mail_index_refresh(mbox->index) < 0 ||
	    mail_index_is_fscked(mbox->index))
		return 0;
	maildir_index_state_fill(mbox, &uidlist_st, state.new_count, &now);
	hdr = mail_index_get_header(mbox->index);
	if (!maildir_index_state_matches(&state, &now) ||
	    hdr->uid_validity == 0)
		return 0;
	maildir_index_build_view(mbox);
	mbox->index_in_sync = true;
	mbox->scanned = true;
	mbox->scan_dirty = false;
	return 1;
}

int maildir_index_refresh_view(struct maildir_mailbox *mbox)
{
	const struct mail_index_header *hdr;

	if (mbox->index == NULL || !mbox->index_in_sync)
		return 0;
	if (mail_index_refresh(mbox->index) < 0)
		return 0;	/* logged; the next scan catches up */
	hdr = mail_index_get_header(mbox->index);
	if (hdr->log_file_seq == mbox->index_log_seq &&
	    hdr->log_file_head_offset == mbox->index_log_offset)
		return 0;
	if (mail_index_is_fscked(mbox->index) ||
	    hdr->uid_validity != mbox->box.uidvalidity) {
		mbox->index_in_sync = false;
		mbox->scan_dirty = true;	/* rescan at the next sync */
		return 0;
	}
	maildir_index_build_view(mbox);
	return 0;
}

/* true if the file name our scan found for msg is gone (under the log
   lock: another session renamed or expunged it since our readdir, and its
   flags in the index may be newer than the scan's) */
static bool maildir_index_scanned_gone(struct maildir_mailbox *mbox,
				       const struct maildir_msg *msg)
{
	const char *path = maildir_msg_get_path(mbox, msg);
	struct stat st;

	return path != NULL && stat(path, &st) < 0 && errno == ENOENT;
}

/* old -> new flags of uid's record. REPLACE covers only the flag bits
   (and raises the modseq); the IN_NEW bit, hidden from modseqs, is added
   or removed on its own, so moving new/ -> cur/ is no change of the
   message's modseq (as Dovecot). */
static void maildir_index_set_flags(struct mail_index_transaction *trans,
				    uint32_t uid, uint8_t old, uint8_t new)
{
	if ((old & MAIL_FLAGS_MASK) != (new & MAIL_FLAGS_MASK)) {
		mail_index_update_flags(trans, uid, uid,
			MAIL_INDEX_MODIFY_REPLACE, new & MAIL_FLAGS_MASK);
	}
	if (((old ^ new) & MAILDIR_INDEX_FLAG_IN_NEW) != 0) {
		mail_index_update_flags(trans, uid, uid,
			(new & MAILDIR_INDEX_FLAG_IN_NEW) != 0 ?
			MAIL_INDEX_MODIFY_ADD : MAIL_INDEX_MODIFY_REMOVE,
			MAILDIR_INDEX_FLAG_IN_NEW);
	}
}

/* How the index must change to match the scanned view. Returns true if it
   differs; with trans, writes the changes. lost (if not NULL) gets the
   view's messages below the index's next_uid that the index lacks: they
   can't be appended again. */
static bool maildir_index_diff(struct maildir_mailbox *mbox,
			       struct mail_index_view *view,
			       struct mail_index_transaction *trans,
			       ARRAY_TYPE(maildir_msg_lost) *lost)
{
	const struct mail_index_header *hdr = mail_index_view_get_header(view);
	struct mailbox_msg *const *msgs;
	const struct mail_index_message *imsg;
	const struct maildir_msg *msg;
	struct mail_keywords ikw;
	struct mailbox_index_kw_map kw_map;
	unsigned int i, count;
	uint32_t seq = 1, icount = mail_index_view_get_messages_count(view);
	uint8_t flags;
	bool differs = false, flags_differ, kw_differ;

	mailbox_index_kw_map_init(&kw_map);

	msgs = array_get(&mbox->box.view, &count);
	if (hdr->uid_validity != mbox->box.uidvalidity) {
		differs = true;
		if (trans != NULL)
			mail_index_update_header(trans,
				MAIL_INDEX_HEADER_UID_VALIDITY,
				mbox->box.uidvalidity);
		/* the modseq restart of a lost index was committed before
		   (mailbox_index_restart_if_new()) */
	}
	for (i = 0; i < count; i++) {
		msg = (const struct maildir_msg *)msgs[i];
		flags = (msg->m.flags & MAIL_FLAGS_MASK) |
			(msg->in_new ? MAILDIR_INDEX_FLAG_IN_NEW : 0);
		/* records before msg are expunged */
		if (mailbox_index_diff_skip(view, trans, msg->m.uid, icount,
					    &seq, &imsg))
			differs = true;
		if (seq <= icount && imsg->uid == msg->m.uid) {
			maildir_index_get_kw(mbox, &kw_map, imsg, &ikw);
			flags_differ = (imsg->flags & (MAIL_FLAGS_MASK |
					MAILDIR_INDEX_FLAG_IN_NEW)) != flags;
			kw_differ = memcmp(&ikw, &msg->m.keywords,
					   sizeof(ikw)) != 0;
			if (flags_differ || kw_differ)
				differs = true;
			if ((flags_differ || kw_differ) && trans != NULL &&
			    maildir_index_scanned_gone(mbox, msg)) {
				/* renamed since our readdir: the index may
				   have newer flags than ours */
				mbox->scan_dirty = true;
				flags_differ = kw_differ = false;
			}
			if (flags_differ && trans != NULL)
				maildir_index_set_flags(trans, msg->m.uid,
							imsg->flags, flags);
			if (kw_differ && trans != NULL)
				maildir_index_update_kw(mbox, trans,
					msg->m.uid, NULL, &msg->m.keywords);
			seq++;
		} else if (msg->m.uid < hdr->next_uid) {
			differs = true;
			if (lost != NULL)
				array_append(lost, &msg);
		} else {
			differs = true;
			if (trans != NULL) {
				(void)mail_index_append(trans, msg->m.uid,
							flags, NULL, 0);
				if (!mail_keywords_is_empty(&msg->m.keywords))
					maildir_index_update_kw(mbox, trans,
						msg->m.uid, NULL,
						&msg->m.keywords);
			}
		}
	}
	if (mailbox_index_diff_tail(&mbox->box, view, trans, seq))
		differs = true;
	return differs;
}

/* true if one of the messages still has its file: not a message that a
   session expunged after our scan, but one the index really lacks */
static bool maildir_index_lost_exist(struct maildir_mailbox *mbox,
	const ARRAY_TYPE(maildir_msg_lost) *lost)
{
	const struct maildir_msg *const *msgp;
	const char *path;
	struct stat st;

	array_foreach(lost, msgp) {
		path = maildir_msg_get_path(mbox, *msgp);
		if (path != NULL && stat(path, &st) == 0)
			return true;
	}
	return false;
}

/* The locked update; 1 = the index lacks live messages: rebuild it */
static int maildir_index_sync_locked(struct maildir_mailbox *mbox)
{
	struct mail_index_sync_ctx *sctx;
	struct mail_index_view *view;
	struct mail_index_transaction *trans;
	struct mail_index_sync_rec srec;
	ARRAY_TYPE(maildir_msg_lost) lost;

	mailbox_index_restart_if_new(mbox->index, mbox->uids_preexisting,
				     mbox->index_dir);
	if (mail_index_sync_begin(mbox->index, &sctx, &view, &trans) < 0) {
		log_error("%s: %s", mbox->index_dir,
			  mail_index_get_error(mbox->index));
		return -1;
	}
	/* our sessions write only external changes; requests are void */
	while (mail_index_sync_next(sctx, &srec)) ;
	array_init(&lost, tmp_pool, 4);
	(void)maildir_index_diff(mbox, view, trans, &lost);
	if (array_count(&lost) > 0 && maildir_index_lost_exist(mbox, &lost)) {
		mail_index_sync_rollback(&sctx);
		return 1;
	}
	/* else expunged meanwhile; the mtime change brings a rescan */
	if (array_count(&lost) > 0)
		mbox->scan_dirty = true;
	if (mail_index_sync_commit(&sctx) < 0) {
		log_error("%s: %s", mbox->index_dir,
			  mail_index_get_error(mbox->index));
		return -1;
	}
	return 0;
}

int maildir_index_sync_scan(struct maildir_mailbox *mbox, bool locked)
{
	struct mail_index_view *view;
	struct maildir_index_state state;
	struct mailbox_msg *const *msgp;
	struct stat uidlist_st;
	uint32_t new_count = 0;
	bool differs;
	int ret;

	if (mbox->index == NULL)
		return 0;
	mbox->index_in_sync = false;
	if (mail_index_refresh(mbox->index) < 0)
		return 0;
	view = mail_index_view_open(mbox->index);
	differs = maildir_index_diff(mbox, view, NULL, NULL);
	mail_index_view_close(&view);
	if (maildir_index_test_scan_hook != NULL)
		maildir_index_test_scan_hook(mbox);
	if (differs) {
		if (!locked)
			return 1;
		ret = maildir_index_sync_locked(mbox);
		if (ret > 0) {
			log_warning("%s/" MAILDIR_INDEX_PREFIX ": lacks messages "
				    "of the Maildir, rebuilding", mbox->index_dir);
			if (maildir_index_rebuild(mbox) < 0)
				return 0;
			ret = maildir_index_sync_locked(mbox);
		}
		if (ret != 0)
			return 0;	/* logged; we work from the scan */
	}
	mbox->index_in_sync = true;
	(void)mail_index_refresh(mbox->index);
	maildir_index_fill_modseqs(mbox);
	mbox->index_log_seq = mail_index_get_header(mbox->index)->log_file_seq;
	mbox->index_log_offset =
		mail_index_get_header(mbox->index)->log_file_head_offset;
	if (mbox->scan_dirty || !maildir_index_stat_uidlist(mbox, &uidlist_st)) {
		/* mtimes too recent to vouch for the next open */
		maildir_index_state_delete(mbox);
		return 0;
	}
	array_foreach(&mbox->box.view, msgp) {
		if (((const struct maildir_msg *)*msgp)->in_new)
			new_count++;
	}
	maildir_index_state_fill(mbox, &uidlist_st, new_count, &state);
	maildir_index_state_write(mbox, &state);
	return 0;
}

static struct mail_index_transaction *
maildir_index_trans(struct maildir_mailbox *mbox)
{
	if (mbox->store_trans != NULL)
		return mbox->store_trans;	/* STORE (UNCHANGEDSINCE) */
	return mailbox_index_trans(mbox->index, &mbox->itrans_view,
				   &mbox->itrans);
}

void maildir_index_record_flags(struct maildir_mailbox *mbox, uint32_t uid,
				enum mail_flags old_flags,
				enum mail_flags new_flags,
				const struct mail_keywords *old_kw,
				const struct mail_keywords *new_kw,
				bool was_in_new)
{
	struct mail_index_transaction *t;

	if (mbox->index == NULL)
		return;
	t = maildir_index_trans(mbox);
	mailbox_index_update_flags(t, uid, old_flags, new_flags, 0,
				   was_in_new ? MAILDIR_INDEX_FLAG_IN_NEW : 0);
	maildir_index_update_kw(mbox, t, uid, old_kw, new_kw);
	if (!array_is_created(&mbox->own_changed_uids))
		array_init(&mbox->own_changed_uids, system_pool, 16);
	array_append(&mbox->own_changed_uids, &uid);
}

void maildir_index_record_expunge(struct maildir_mailbox *mbox, uint32_t uid)
{
	if (mbox->index == NULL)
		return;
	mail_index_expunge(maildir_index_trans(mbox), uid, uid);
}

bool maildir_index_get_info(struct maildir_mailbox *mbox, uint32_t uid,
			    struct maildir_index_info *info_r)
{
	const struct maildir_index_pending_info *p;
	const void *data;
	unsigned int count;

	memset(info_r, 0, sizeof(*info_r));
	if (mbox->index == NULL || mbox->box.uidvalidity == 0 ||
	    mail_index_get_header(mbox->index)->uid_validity !=
	    mbox->box.uidvalidity)
		return false;
	if (mail_index_lookup_ext(mbox->index, uid, mbox->info_ext_id,
				  &data) > 0)
		memcpy(info_r, data, sizeof(*info_r));
	if (array_is_created(&mbox->pending_info) &&
	    (count = array_count(&mbox->pending_info)) > 0) {
		p = array_idx(&mbox->pending_info, count - 1);
		if (p->uid == uid)
			*info_r = p->info;
	}
	return info_r->have != 0;
}

void maildir_index_set_info(struct maildir_mailbox *mbox, uint32_t uid,
			    const struct maildir_index_info *info)
{
	struct maildir_index_pending_info *p;
	struct maildir_index_info merged;
	unsigned int count;

	if (mbox->index == NULL ||
	    mail_index_get_header(mbox->index)->uid_validity !=
	    mbox->box.uidvalidity)
		return;
	(void)maildir_index_get_info(mbox, uid, &merged);
	if (info->have & MAILDIR_INDEX_INFO_RECEIVED)
		merged.received = info->received;
	if (info->have & MAILDIR_INDEX_INFO_PSIZE)
		merged.psize = info->psize;
	if (info->have & MAILDIR_INDEX_INFO_VSIZE)
		merged.vsize = info->vsize;
	merged.have |= info->have;
	if (!array_is_created(&mbox->pending_info)) {
		/* realloc()ed: a pool would keep every outgrown copy */
		array_init(&mbox->pending_info, system_pool, 1024);
	}
	count = array_count(&mbox->pending_info);
	p = count == 0 ? NULL : array_idx_modifiable(&mbox->pending_info,
						     count - 1);
	if (p == NULL || p->uid != uid) {
		if (count >= MAILDIR_INDEX_INFO_BATCH) {
			(void)maildir_index_commit_pending(mbox); /* logged */
			count = 0;
		}
		p = array_append_space(&mbox->pending_info);
		p->uid = uid;
	}
	p->info = merged;
}

static int maildir_index_commit_trans(struct maildir_mailbox *mbox);

static void maildir_index_flush_info(struct maildir_mailbox *mbox)
{
	const struct maildir_index_pending_info *p;
	struct mail_index_transaction *t = NULL;
	unsigned int n = 0;

	if (!array_is_created(&mbox->pending_info) ||
	    array_count(&mbox->pending_info) == 0)
		return;
	array_foreach(&mbox->pending_info, p) {
		if (t == NULL)
			t = maildir_index_trans(mbox);
		mail_index_update_ext(t, p->uid, mbox->info_ext_id, &p->info,
				      sizeof(p->info));
		if (++n % MAILDIR_INDEX_INFO_TRANS == 0) {
			/* logged */
			(void)maildir_index_commit_trans(mbox);
			t = NULL;
		}
	}
	array_clear(&mbox->pending_info);
	if (n >= MAILDIR_INDEX_INFO_SNAPSHOT_MIN) {
		/* spare the next sessions replaying all of it from the log */
		(void)maildir_index_commit_trans(mbox);	/* logged */
		if (mail_index_write_snapshot(mbox->index) < 0) {
			log_error("%s: %s", mbox->index_dir,
				  mail_index_get_error(mbox->index));
		}
	}
}

int maildir_index_commit_pending(struct maildir_mailbox *mbox)
{
	if (mbox->index != NULL) {
		maildir_index_flush_info(mbox);
		maildir_cache_flush(mbox);
	}
	return maildir_index_commit_trans(mbox);
}

int maildir_index_committed(struct maildir_mailbox *mbox, int ret)
{
	if (ret == 0)
		maildir_index_own_modseqs(mbox);
	else if (array_is_created(&mbox->own_changed_uids))
		array_clear(&mbox->own_changed_uids);
	return ret;
}

/* -1 if the transaction could not be written (logged with the index). */
static int maildir_index_commit_trans(struct maildir_mailbox *mbox)
{
	int ret = 0;

	if (mbox->itrans == NULL)
		return 0;
	if (mail_index_transaction_commit(&mbox->itrans, NULL) < 0) {
		log_error("%s: %s", mbox->index_dir,
			  mail_index_get_error(mbox->index));
		/* the others still see the change in the Maildir */
		ret = -1;
	}
	mail_index_view_close(&mbox->itrans_view);
	return maildir_index_committed(mbox, ret);
}

int maildir_index_commit_changes(struct maildir_mailbox *mbox)
{
	return maildir_index_commit_trans(mbox);
}

uint64_t maildir_index_get_highest_modseq(struct maildir_mailbox *mbox)
{
	if (mbox->index == NULL)
		return 0;
	if (mbox->view_highest_modseq == 0) {
		/* no view synced with the index yet */
		return mail_index_get_header(mbox->index)->highest_modseq;
	}
	return mbox->view_highest_modseq;
}

uint64_t maildir_index_get_modseq(struct maildir_mailbox *mbox,
				  const struct maildir_msg *msg)
{
	if (mbox->index == NULL)
		return 0;
	/* not in the index when the view was synced: as changed as
	   anything the view knows */
	return msg->modseq != 0 ? msg->modseq :
		maildir_index_get_highest_modseq(mbox);
}
