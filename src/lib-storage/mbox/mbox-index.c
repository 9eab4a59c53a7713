/* Copyright (c) dovecot-like authors. mbox-index.c: the mbox backend's use
   of lib-index. The file stays the source of truth for messages, UIDs and
   written flags; the index "dovecot-like.index*" in <root>/.imap/<name>
   (or INDEX=<dir>/<name>) follows it after every parse, gives RFC 7162
   modseqs, and holds this session's flag changes, marked dirty, from the
   moment they are made until they are written into the file: a session
   killed before its lazy write loses nothing, the next one writes them.
   Its first_recent_uid gives \Recent to one session (RFC 3501 2.3.2). */
#include "lib.h"
#include "array.h"
#include "strfuncs.h"
#include "mkdir-parents.h"
#include "mbox-storage.h"
#include "mailbox-objectid.h"
#include "mailbox-index.h"
#include "mailbox-index-cache.h"
#include "mail-index-sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

const char *mbox_index_dir(const struct mail_storage_location *loc,
			   const char *name)
{
	if (loc->index_dir != NULL) {
		if (strcmp(loc->index_dir, "MEMORY") == 0)
			return NULL;
		return tmp_strconcat(loc->index_dir, "/", name, NULL);
	}
	return tmp_strconcat(loc->root, "/.imap/", name, NULL);
}

const char *mbox_index_id_dir(const struct mail_storage_location *loc,
			      const char *name)
{
	const char *dir = mbox_index_dir(loc, name);

	if (dir != NULL)
		return dir;
	/* INDEX=MEMORY: where the index would be by default (below
	   CONTROL= if set), holding only the id file */
	return tmp_strconcat(loc->control_dir != NULL ? loc->control_dir :
			     loc->root, "/.imap/", name, NULL);
}

/* The index file names below an index directory. */
static const char *const mbox_index_suffixes[] = {
	"", ".log", ".log.2", ".cache",
};

void mbox_index_delete(const struct mail_storage_location *loc,
		       const char *name)
{
	const char *dir = mbox_index_id_dir(loc, name);

	mailbox_index_unlink_files(dir, MBOX_INDEX_PREFIX, mbox_index_suffixes,
				   N_ELEMENTS(mbox_index_suffixes));
	mailbox_guid_delete(dir);	/* RFC 8474: ids are never reused */
	/* fails (silently) while children's index directories are below */
	(void)rmdir(dir);
}

void mbox_index_rename(const struct mail_storage_location *loc,
		       const char *oldname, const char *newname)
{
	const char *olddir = mbox_index_id_dir(loc, oldname);
	const char *newdir = mbox_index_id_dir(loc, newname);
	const char *parent, *slash, *error;

	if (access(olddir, F_OK) < 0)
		return;
	slash = strrchr(newdir, '/');
	parent = tmp_strndup(newdir, (size_t)(slash - newdir));
	/* a stale index of an old mailbox of the new name goes first */
	mbox_index_delete(loc, newname);
	if (mkdir_parents(parent, 0700, &error) < 0) {
		log_warning("%s", error);
		return;
	}
	/* no replace: anything left under newdir stays (and the renamed
	   mailbox's index is rebuilt from its file) */
	if (rename(olddir, newdir) < 0 && errno != ENOENT)
		log_warning("rename(%s, %s) failed: %m", olddir, newdir);
}

static void mbox_index_log_error(struct mbox_mailbox *mbox)
{
	log_error("%s/" MBOX_INDEX_PREFIX ": %s", mbox->index_dir,
		  mail_index_get_error(mbox->index));
}

static int mbox_index_open_real(struct mbox_mailbox *mbox)
{
	return mailbox_index_open(mbox->index_dir, MBOX_INDEX_PREFIX,
				  &mbox->index);
}

int mbox_index_open(struct mbox_mailbox *mbox, const char *index_dir)
{
	const char *error;

	if (index_dir == NULL)
		return 0;	/* INDEX=MEMORY */
	mbox->index_dir = p_strdup(mbox->box.pool, index_dir);
	if (mkdir_parents(mbox->index_dir, 0700, &error) < 0) {
		log_error("%s (using no index)", error);
		return -1;
	}
	return mbox_index_open_real(mbox);
}

/* Keeps modseqs going up from old_modseq in a rebuilt index, committed
   before anything is appended (RFC 7162 3.1.6). */
static void mbox_index_keep_modseq(struct mbox_mailbox *mbox,
				   uint64_t old_modseq)
{
	mailbox_index_keep_modseq(mbox->index, old_modseq,
		tmp_strconcat(mbox->index_dir, "/" MBOX_INDEX_PREFIX, NULL));
}

/* Deletes the index files and opens an empty index above the old
   modseqs; the caller refills it from the file. 0 or -1 (no index). */
static int mbox_index_rebuild(struct mbox_mailbox *mbox)
{
	uint64_t old_modseq;

	log_warning("%s/" MBOX_INDEX_PREFIX ": rebuilding from %s",
		    mbox->index_dir, mbox->path);
	mailbox_index_cache_close(mbox->cache);
	mailbox_index_trans_rollback(&mbox->itrans_view, &mbox->itrans);
	old_modseq = mail_index_get_header(mbox->index)->highest_modseq;
	mail_index_close(&mbox->index);
	mailbox_index_unlink_files(mbox->index_dir, MBOX_INDEX_PREFIX,
				   mbox_index_suffixes,
				   N_ELEMENTS(mbox_index_suffixes));
	if (mbox_index_open_real(mbox) < 0)
		return -1;
	mbox_index_keep_modseq(mbox, old_modseq);
	return 0;
}

void mbox_index_close(struct mbox_mailbox *mbox)
{
	if (mbox->index == NULL)
		return;
	mailbox_index_cache_close(mbox->cache);
	(void)mbox_index_commit(mbox);	/* logged */
	mail_index_close(&mbox->index);
}

/* Index keyword -> box keyword maps for one walk over the messages, one
   per mode (a map remembers the mode that first resolved a name). */
struct mbox_kw_maps {
	struct mailbox_index_kw_map lookup, add;
};

static void mbox_kw_maps_init(struct mbox_kw_maps *maps)
{
	mailbox_index_kw_map_init(&maps->lookup);
	mailbox_index_kw_map_init(&maps->add);
}

/* The index's dirty flags of a message the file has differently: the
   view shows them and the next flush writes them. */
static void mbox_index_adopt(struct mbox_mailbox *mbox, struct mbox_msg *msg,
			     uint8_t iflags, const struct mail_keywords *ikw)
{
	msg->m.flags = (msg->m.flags & MAIL_RECENT) | (iflags & MAIL_FLAGS_MASK);
	msg->m.keywords = *ikw;
	if (mbox->writable &&
	    (mbox->box.flags & MAILBOX_FLAG_READONLY) == 0) {
		msg->flags_pending = true;
		mbox->pending_count++;
	}
}

/* One message the file and the index both have. Returns true if the index
   must change (written into trans unless it is NULL). */
static bool mbox_index_diff_msg(struct mbox_mailbox *mbox,
				struct mail_index_transaction *trans,
				struct mbox_kw_maps *maps, struct mbox_msg *msg,
				const struct mail_index_message *imsg)
{
	uint8_t flags = msg->m.flags & MAIL_FLAGS_MASK;
	bool dirty = (imsg->flags & MAIL_INDEX_MAIL_FLAG_DIRTY) != 0;
	struct mail_keywords ikw;
	bool known, same;

	if (msg->flags_pending)
		return false;	/* adopted: stays dirty until written */
	/* a dirty record's keywords are to be shown: their names added */
	known = mailbox_index_get_keywords(&mbox->box, mbox->index,
					   dirty ? &maps->add : &maps->lookup,
					   dirty, imsg, &ikw);
	same = (imsg->flags & MAIL_INDEX_FLAGS_MASK) == flags && known &&
		memcmp(&ikw, &msg->m.keywords, sizeof(ikw)) == 0;
	if (dirty) {
		if (!same) {
			mbox_index_adopt(mbox, msg, imsg->flags, &ikw);
			return false;
		}
		/* written after all: no longer dirty */
		if (trans != NULL)
			mail_index_update_flags(trans, msg->m.uid, msg->m.uid,
						MAIL_INDEX_MODIFY_REMOVE,
						MAIL_INDEX_MAIL_FLAG_DIRTY);
		return true;
	}
	if (same)
		return false;
	if (trans != NULL) {
		mail_index_update_flags(trans, msg->m.uid, msg->m.uid,
					MAIL_INDEX_MODIFY_REPLACE, flags);
		mailbox_index_update_keywords(&mbox->box, trans, msg->m.uid,
					      NULL, &msg->m.keywords,
					      mbox->index_dir);
	}
	return true;
}

/* How the index must change to match the view (the parsed file). Returns
   true if it differs; with trans, writes the changes. *lost_r: the view
   has a message below the index's next_uid that the index lacks (it can't
   be appended: the index must be rebuilt). */
static bool mbox_index_diff(struct mbox_mailbox *mbox,
			    struct mail_index_view *view,
			    struct mail_index_transaction *trans,
			    bool *lost_r)
{
	const struct mail_index_header *hdr = mail_index_view_get_header(view);
	struct mailbox_msg *const *msgs;
	const struct mail_index_message *imsg = NULL;
	struct mbox_kw_maps maps;
	struct mbox_msg *msg;
	unsigned int i, count;
	uint32_t seq = 1, icount = mail_index_view_get_messages_count(view);
	bool differs = false;

	*lost_r = false;
	mbox_kw_maps_init(&maps);
	msgs = array_get(&mbox->box.view, &count);
	if (hdr->uid_validity != mbox->box.uidvalidity) {
		differs = true;
		if (trans != NULL) {
			mail_index_update_header(trans,
				MAIL_INDEX_HEADER_UID_VALIDITY,
				mbox->box.uidvalidity);
		}
	}
	for (i = 0; i < count; i++) {
		msg = (struct mbox_msg *)msgs[i];
		/* records before msg are gone from the file */
		if (mailbox_index_diff_skip(view, trans, msg->m.uid, icount,
					    &seq, &imsg))
			differs = true;
		if (seq <= icount && imsg->uid == msg->m.uid) {
			if (mbox_index_diff_msg(mbox, trans, &maps, msg, imsg))
				differs = true;
			seq++;
		} else if (msg->m.uid < hdr->next_uid) {
			differs = true;
			*lost_r = true;
		} else {
			differs = true;
			if (trans != NULL) {
				/* a new record has no keywords: no reset */
				static const struct mail_keywords no_kw;

				(void)mail_index_append(trans, msg->m.uid,
					msg->m.flags & MAIL_FLAGS_MASK, NULL, 0);
				mailbox_index_update_keywords(&mbox->box, trans,
					msg->m.uid, &no_kw, &msg->m.keywords,
					mbox->index_dir);
			}
		}
	}
	if (mailbox_index_diff_tail(&mbox->box, view, trans, seq))
		differs = true;
	return differs;
}

const char *mbox_index_test_commit_error = NULL;

/* Marks the view's messages that no session has taken \Recent of yet, as
   the index header hdr says: uid >= first_recent_uid, and of those the
   index doesn't have yet (uid >= next_uid) only the ones without Status
   'O' in the file (a first open, as Dovecot); only for a session that
   takes or peeks at \Recent (SELECT, EXAMINE, STATUS), not for POP3 or a
   save target (mail-storage-private.h). With trans (under the index
   sync lock) a session that takes \Recent moves first_recent_uid to
   UIDNEXT so that no other session shows them; one that doesn't moves it
   only past the new messages the file calls old, as Dovecot does. */
static void mbox_index_recent(struct mbox_mailbox *mbox,
			      const struct mail_index_header *hdr,
			      struct mail_index_transaction *trans)
{
	struct mailbox_msg *const *msgs;
	struct mbox_msg *msg;
	unsigned int i, count;
	uint32_t last_old = 0;
	bool show = mailbox_takes_recent(&mbox->box) ||
		mailbox_peeks_recent(&mbox->box);

	msgs = array_get(&mbox->box.view, &count);
	for (i = 0; i < count; i++) {
		msg = (struct mbox_msg *)msgs[i];
		if (msg->m.uid < hdr->first_recent_uid)
			continue;
		if (msg->m.uid >= hdr->next_uid && !msg->file_recent) {
			last_old = msg->m.uid;
			continue;
		}
		if (show)
			msg->m.flags |= MAIL_RECENT;
	}
	if (trans == NULL)
		return;
	if (mailbox_takes_recent(&mbox->box)) {
		if (hdr->first_recent_uid < mbox->box.uidnext) {
			mail_index_update_header(trans,
				MAIL_INDEX_HEADER_FIRST_RECENT_UID,
				mbox->box.uidnext);
		}
	} else if (last_old >= hdr->first_recent_uid) {
		mail_index_update_header(trans,
			MAIL_INDEX_HEADER_FIRST_RECENT_UID, last_old + 1);
	}
}

/* Without a usable index the file decides \Recent (as before the index
   existed): no Status 'O'. */
static void mbox_index_recent_from_file(struct mbox_mailbox *mbox)
{
	struct mailbox_msg *const *msgs;
	struct mbox_msg *msg;
	unsigned int i, count;

	if (!mailbox_takes_recent(&mbox->box) &&
	    !mailbox_peeks_recent(&mbox->box))
		return;	/* POP3, a save target */
	msgs = array_get(&mbox->box.view, &count);
	for (i = 0; i < count; i++) {
		msg = (struct mbox_msg *)msgs[i];
		if (msg->file_recent)
			msg->m.flags |= MAIL_RECENT;
	}
}

/* The locked update: 0 ok, -1 error (logged), 1 = rebuild the index */
static int mbox_index_sync_locked(struct mbox_mailbox *mbox)
{
	struct mail_index_sync_ctx *sctx;
	struct mail_index_view *view;
	struct mail_index_transaction *trans;
	struct mail_index_sync_rec srec;
	bool lost;

	mailbox_index_restart_if_new(mbox->index, mbox->uids_preexisting,
				     mbox->index_dir);
	if (mail_index_sync_begin(mbox->index, &sctx, &view, &trans) < 0) {
		mbox_index_log_error(mbox);
		return -1;
	}
	/* our sessions write only external changes: requests are void */
	while (mail_index_sync_next(sctx, &srec)) ;
	(void)mbox_index_diff(mbox, view, trans, &lost);
	if (lost) {
		mail_index_sync_rollback(&sctx);
		return 1;
	}
	/* \Recent is taken in the same transaction, under the lock */
	mbox_index_recent(mbox, mail_index_view_get_header(view), trans);
	if (mbox_index_test_commit_error != NULL) {
		mail_index_sync_rollback(&sctx);
		log_error("%s", mbox_index_test_commit_error);
		return -1;
	}
	if (mail_index_sync_commit(&sctx) < 0) {
		mbox_index_log_error(mbox);
		return -1;
	}
	return 0;
}

/* A file without X-IMAPbase yet keeps the index's UIDVALIDITY, so that
   the index stays valid until the first write stores it in the file. */
void mbox_index_uidvalidity_hint(struct mbox_mailbox *mbox)
{
	const struct mail_index_header *hdr;

	if (mbox->index == NULL || mbox->parsed.uidvalidity != 0 ||
	    mail_index_refresh(mbox->index) < 0)
		return;
	hdr = mail_index_get_header(mbox->index);
	if (hdr->uid_validity == 0)
		return;
	/* not if the index gave out UIDs the file would give again (a
	   replaced mailbox file): that needs a new UIDVALIDITY */
	if (hdr->next_uid <= mbox->parsed.next_uid) {
		mbox->mem_uidvalidity = hdr->uid_validity;
		mbox->box.uidvalidity = hdr->uid_validity;
	} else if (mbox->mem_uidvalidity == 0) {
		/* a new one, also within the old one's second */
		mbox->mem_uidvalidity = (uint32_t)time(NULL);
		if (mbox->mem_uidvalidity <= hdr->uid_validity)
			mbox->mem_uidvalidity = hdr->uid_validity + 1;
	}
}

/* Does the index record show the flags and keywords the view has? */
static bool mbox_index_msg_matches(struct mbox_mailbox *mbox,
				   struct mailbox_index_kw_map *map,
				   const struct mbox_msg *msg,
				   const struct mail_index_message *imsg)
{
	struct mail_keywords ikw;

	if ((imsg->flags & MAIL_INDEX_FLAGS_MASK) !=
	    (msg->m.flags & MAIL_FLAGS_MASK))
		return false;
	return mailbox_index_get_keywords(&mbox->box, mbox->index, map, false,
					  imsg, &ikw) &&
		memcmp(&ikw, &msg->m.keywords, sizeof(ikw)) == 0;
}

/* uid's modseq in this session's previous view (0: not in it, or none
   known): during a sync box->old_view still holds it. */
static uint64_t mbox_index_old_modseq(struct mailbox *box, uint32_t uid)
{
	struct mailbox_msg *msg = mailbox_old_view_lookup_uid(box, uid);

	return msg == NULL ? 0 : ((const struct mbox_msg *)msg)->modseq;
}

/* One message's modseq from imsg, if the index shows the view's flags: a
   modseq sent must never be newer than the flags sent with it. A record
   with a change the view lacks (another session's, after our reconcile)
   keeps the modseq the message had in our previous view (RFC 7162: a
   message's modseq never goes back; 0 if it had none: get_modseq then
   gives HIGHESTMODSEQ), and HIGHESTMODSEQ stays below the change, so
   that CHANGEDSINCE brings it later. */
static void mbox_index_msg_modseq(struct mbox_mailbox *mbox,
				  struct mailbox_index_kw_map *map,
				  struct mbox_msg *msg,
				  const struct mail_index_message *imsg)
{
	if (mbox_index_msg_matches(mbox, map, msg, imsg)) {
		msg->modseq = imsg->modseq;
		return;
	}
	msg->modseq = mbox_index_old_modseq(&mbox->box, msg->m.uid);
	if (imsg->modseq > 0 && mbox->view_highest_modseq >= imsg->modseq)
		mbox->view_highest_modseq = imsg->modseq - 1;
}

/* One view message's modseq in the walk after a reconcile (imsg NULL:
   not in the index). */
static void mbox_index_view_msg_modseq(struct mailbox *box,
				       struct mailbox_msg *m,
				       const struct mail_index_message *imsg,
				       void *context)
{
	struct mbox_msg *msg = (struct mbox_msg *)m;

	msg->modseq = 0;
	if (imsg != NULL) {
		mbox_index_msg_modseq((struct mbox_mailbox *)box, context,
				      msg, imsg);
	}
}

/* After a reconcile: the view's modseqs and HIGHESTMODSEQ. A record
   that never matches the view (e.g. a dirty keyword the full keyword
   table can't show) would cap HIGHESTMODSEQ below one already sent: it
   never goes back for the same UIDVALIDITY (RFC 7162 3.1.2.1). */
static void mbox_index_fill_modseqs(struct mbox_mailbox *mbox)
{
	struct mailbox_index_kw_map map;
	uint64_t prev = mbox->view_highest_modseq;

	mailbox_index_kw_map_init(&map);
	mailbox_index_fill_modseqs(&mbox->box, mbox->index,
				   mbox_index_view_msg_modseq, &map,
				   &mbox->view_highest_modseq);
	if (mbox->hms_uidvalidity == mbox->box.uidvalidity &&
	    mbox->view_highest_modseq < prev)
		mbox->view_highest_modseq = prev;
	mbox->hms_uidvalidity = mbox->box.uidvalidity;
	if (array_is_created(&mbox->own_changed_uids))
		array_clear(&mbox->own_changed_uids);
}

/* msg's modseq field if the index record shows the view's flags. */
static uint64_t *mbox_index_own_match(struct mailbox *box,
				      struct mailbox_msg *m,
				      const struct mail_index_message *imsg,
				      void *context)
{
	struct mbox_msg *msg = (struct mbox_msg *)m;

	if (!mbox_index_msg_matches((struct mbox_mailbox *)box, context, msg,
				    imsg))
		return NULL;
	return &msg->modseq;
}

/* After committing our own changes: their new modseqs (RFC 7162 wants
   them in the STORE replies). */
static void mbox_index_own_modseqs(struct mbox_mailbox *mbox)
{
	struct mailbox_index_kw_map map;

	mailbox_index_kw_map_init(&map);
	mailbox_index_own_modseqs(&mbox->box, mbox->index,
				  &mbox->own_changed_uids,
				  mbox_index_own_match, &map,
				  &mbox->view_highest_modseq);
}

void mbox_index_sync_view(struct mbox_mailbox *mbox)
{
	struct mail_index_view *view;
	const struct mail_index_header *hdr;
	bool differs, lost, claim;
	int ret;

	if (mbox->index == NULL)
		return;
	/* before the index sync takes the log lock (cache -> log) */
	mailbox_index_cache_flush(mbox->cache);
	(void)mbox_index_commit(mbox);	/* logged */
	if (mail_index_refresh(mbox->index) < 0) {
		mbox_index_log_error(mbox);
		mbox_index_recent_from_file(mbox);
		return;
	}
	/* (mbox_sync() gave the UIDVALIDITY hint already) */
	hdr = mail_index_get_header(mbox->index);
	if (mail_index_is_fscked(mbox->index) ||
	    (hdr->uid_validity != 0 &&
	     hdr->uid_validity != mbox->box.uidvalidity)) {
		if (mbox_index_rebuild(mbox) < 0) {
			mbox_index_recent_from_file(mbox);
			return;
		}
	}
	view = mail_index_view_open(mbox->index);
	differs = mbox_index_diff(mbox, view, NULL, &lost);
	hdr = mail_index_view_get_header(view);
	/* \Recent not taken yet, for a session that takes it */
	claim = mailbox_takes_recent(&mbox->box) &&
		hdr->first_recent_uid < mbox->box.uidnext;
	if (!differs && !claim)
		mbox_index_recent(mbox, hdr, NULL);
	mail_index_view_close(&view);
	if (differs || claim) {
		ret = mbox_index_sync_locked(mbox);
		if (ret > 0) {
			if (mbox_index_rebuild(mbox) < 0) {
				mbox_index_recent_from_file(mbox);
				return;
			}
			(void)mbox_index_sync_locked(mbox);
		}
	}
	mbox_index_fill_modseqs(mbox);
}

void mbox_index_record_flags(struct mbox_mailbox *mbox, uint32_t uid,
			     enum mail_flags old_flags,
			     enum mail_flags new_flags,
			     const struct mail_keywords *old_kw,
			     const struct mail_keywords *new_kw)
{
	struct mail_index_transaction *t;

	if (mbox->index == NULL)
		return;
	/* STORE (UNCHANGEDSINCE): in the locked, checked transaction */
	t = mbox->store_trans != NULL ? mbox->store_trans :
		mailbox_index_trans(mbox->index, &mbox->itrans_view,
				    &mbox->itrans);
	if (!array_is_created(&mbox->own_changed_uids))
		array_init(&mbox->own_changed_uids, mbox->box.pool, 64);
	array_append(&mbox->own_changed_uids, &uid);
	/* dirty until the flags are written into the file */
	mailbox_index_update_flags(t, uid, old_flags, new_flags,
				   MAIL_INDEX_MAIL_FLAG_DIRTY, 0);
	mailbox_index_update_keywords(&mbox->box, t, uid, old_kw, new_kw,
				      mbox->index_dir);
}

struct mail_index_view *mbox_index_flush_view(struct mbox_mailbox *mbox)
{
	if (mbox->index == NULL || mail_index_refresh(mbox->index) < 0)
		return NULL;
	return mail_index_view_open(mbox->index);
}

int mbox_index_dirty_flags(struct mbox_mailbox *mbox,
			   struct mail_index_view *view, uint32_t uid,
			   enum mail_flags *flags_r, struct mail_keywords *kw_r)
{
	const struct mail_index_message *imsg;
	uint32_t seq;

	if (view == NULL || mbox->index_commit_failed ||
	    !mail_index_lookup_seq(view, uid, &seq) ||
	    !mail_index_lookup(view, seq, &imsg))
		return -1;
	if ((imsg->flags & MAIL_INDEX_MAIL_FLAG_DIRTY) == 0)
		return 0;
	*flags_r = imsg->flags & MAIL_INDEX_FLAGS_MASK;
	(void)mailbox_index_get_keywords(&mbox->box, mbox->index, NULL, true,
					 imsg, kw_r);
	return 1;
}

void mbox_index_record_written(struct mbox_mailbox *mbox, uint32_t uid)
{
	if (mbox->index == NULL)
		return;
	mail_index_update_flags(mailbox_index_trans(mbox->index,
					&mbox->itrans_view, &mbox->itrans),
				uid, uid, MAIL_INDEX_MODIFY_REMOVE,
				MAIL_INDEX_MAIL_FLAG_DIRTY);
}

/* lib-index keeps no errno, only its "...: %m" text */
static bool mbox_index_error_nospace(const char *error)
{
	return strstr(error, strerror(ENOSPC)) != NULL ||
		strstr(error, strerror(EDQUOT)) != NULL;
}

/* A failed commit of our changes: error is lib-index's (logged). Our
   pending flags aren't in the index: flushes write the view's. */
static int mbox_index_commit_failed(struct mbox_mailbox *mbox,
				    const char *error)
{
	log_error("%s/" MBOX_INDEX_PREFIX ": %s", mbox->index_dir, error);
	mbox->index_commit_failed = true;
	mbox->index_commit_nospace = mbox_index_error_nospace(error);
	if (array_is_created(&mbox->own_changed_uids))
		array_clear(&mbox->own_changed_uids);
	return -1;
}

void mbox_index_set_commit_error(struct mbox_mailbox *mbox)
{
	mailbox_set_errno_error(&mbox->box, mbox->index_commit_nospace ?
				ENOSPC : EIO);
}

int mbox_index_commit(struct mbox_mailbox *mbox)
{
	int ret = 0;

	if (mbox->itrans == NULL)
		return 0;
	if (mbox_index_test_commit_error != NULL) {
		mail_index_transaction_rollback(&mbox->itrans);
		ret = mbox_index_commit_failed(mbox,
					       mbox_index_test_commit_error);
	} else if (mail_index_transaction_commit(&mbox->itrans, NULL) < 0) {
		ret = mbox_index_commit_failed(mbox,
				mail_index_get_error(mbox->index));
	}
	mail_index_view_close(&mbox->itrans_view);
	/* the commit refreshed the map: our new modseqs */
	if (ret == 0)
		mbox_index_own_modseqs(mbox);
	return ret;
}

int mbox_index_store_lock(struct mbox_mailbox *mbox)
{
	struct mail_index_sync_rec srec;

	ASSERT(mbox->store_sctx == NULL);
	if (mbox->index == NULL || !mbox->writable)
		return 0;	/* write_flags_unchanged checks the view */
	/* our earlier changes first: the check must see them too */
	if (mbox_index_commit(mbox) < 0)
		return -1;
	if (mail_index_sync_begin(mbox->index, &mbox->store_sctx,
				  &mbox->store_view, &mbox->store_trans) < 0) {
		mbox_index_log_error(mbox);
		mbox->index_commit_nospace = mbox_index_error_nospace(
			mail_index_get_error(mbox->index));
		mbox->store_sctx = NULL;
		mbox->store_view = NULL;
		mbox->store_trans = NULL;
		return -1;
	}
	/* our sessions write only external changes: requests are void */
	while (mail_index_sync_next(mbox->store_sctx, &srec)) ;
	return 0;
}

int mbox_index_store_check(struct mbox_mailbox *mbox, uint32_t uid,
			   enum mail_flags old_flags,
			   const struct mail_keywords *old_kw,
			   uint64_t unchangedsince)
{
	const struct mail_index_message *imsg;
	struct mail_keywords ikw;
	uint32_t seq;

	ASSERT(mbox->store_view != NULL);
	if (!mail_index_lookup_seq(mbox->store_view, uid, &seq) ||
	    !mail_index_lookup(mbox->store_view, seq, &imsg)) {
		if (uid >= mail_index_view_get_header(mbox->store_view)->next_uid)
			return 0;	/* the index is behind our view */
		mailbox_set_error(&mbox->box, MAIL_ERROR_EXPUNGED,
				  "Message was expunged");
		return -1;
	}
	if (imsg->modseq > unchangedsince)
		return 0;
	/* the dirty flags of another session (committed, maybe not in the
	   file yet) differ from what our view based the change on */
	if ((imsg->flags & MAIL_INDEX_FLAGS_MASK) !=
	    (old_flags & MAIL_FLAGS_MASK))
		return 0;
	if (!mailbox_index_get_keywords(&mbox->box, mbox->index, NULL, false,
					imsg, &ikw))
		return 0;	/* a keyword we don't know: someone's change */
	return memcmp(&ikw, old_kw, sizeof(ikw)) == 0 ? 1 : 0;
}

int mbox_index_store_unlock(struct mbox_mailbox *mbox)
{
	if (mbox->store_sctx == NULL)
		return mbox_index_commit(mbox);	/* (no lock was taken) */
	mbox->store_view = NULL;
	mbox->store_trans = NULL;
	if (mbox_index_test_commit_error != NULL) {
		mail_index_sync_rollback(&mbox->store_sctx);
		return mbox_index_commit_failed(mbox,
						mbox_index_test_commit_error);
	}
	if (mail_index_sync_commit(&mbox->store_sctx) < 0) {
		return mbox_index_commit_failed(mbox,
				mail_index_get_error(mbox->index));
	}
	/* the commit refreshed the map: our new modseqs */
	mbox_index_own_modseqs(mbox);
	return 0;
}

uint64_t mbox_index_get_highest_modseq(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	return mbox->index == NULL ? 0 : mbox->view_highest_modseq;
}

int mbox_index_get_expunges(struct mailbox *box, uint64_t since_modseq,
			    ARRAY_TYPE(uint32) *uid_ranges)
{
	return mailbox_index_get_expunges(box,
		((struct mbox_mailbox *)box)->index, since_modseq, uid_ranges);
}

uint64_t mbox_index_get_modseq(struct mailbox *box, struct mailbox_msg *msg)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	uint64_t modseq = ((struct mbox_msg *)msg)->modseq;

	if (mbox->index == NULL)
		return 0;
	/* not in the index: as changed as anything */
	return modseq != 0 ? modseq : mbox->view_highest_modseq;
}

static struct mailbox_index_cache *mbox_index_cache_get(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	return mailbox_index_cache_get(&mbox->cache, box, mbox->index,
				       mbox->index_dir);
}

int mbox_index_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
			    const char *field, struct buf *dest)
{
	struct mailbox_index_cache *cache = mbox_index_cache_get(box);

	if (cache == NULL)
		return 0;
	return mailbox_index_cache_lookup(cache, msg->uid, field,
		((struct mbox_msg *)msg)->received, dest);
}

void mbox_index_cache_add(struct mailbox *box, struct mailbox_msg *msg,
			  const char *field, const void *data, size_t size)
{
	struct mailbox_index_cache *cache = mbox_index_cache_get(box);

	if (cache != NULL)
		mailbox_index_cache_add(cache, msg->uid, field, data, size);
}
