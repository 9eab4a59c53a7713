/* Copyright (c) dovecot-like authors. maildir-flags.c: a message's flags
   and keywords written as a rename of its file (other sessions may rename
   it at the same time), and RFC 7162 STORE (UNCHANGEDSINCE) as one check
   and rename per message under the index log lock. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "maildir-storage.h"
#include "maildir-filename.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* The keywords of fname (as the letter map says now) with this change
   (what the caller added and removed relative to old_kw) applied on top.
   Also needed when the name is the one our view was built from: a letter
   unknown then may have got a name since, and must not be dropped. */
static void maildir_msg_merge_keywords(struct maildir_mailbox *mbox,
				       struct maildir_msg *msg,
				       const char *fname,
				       const struct mail_keywords *old_kw)
{
	struct mail_keywords on_disk_kw;
	unsigned int i;
	uint8_t changed;

	maildir_keywords_from_letters(mbox->keywords,
		maildir_filename_get_letters(fname), &on_disk_kw);
	/* bits this change touched keep the new value, the rest the disk's */
	for (i = 0; i < sizeof(on_disk_kw.bits); i++) {
		changed = old_kw->bits[i] ^ msg->m.keywords.bits[i];
		msg->m.keywords.bits[i] = (uint8_t)
			((on_disk_kw.bits[i] & ~changed) |
			 (msg->m.keywords.bits[i] & changed));
	}
}

/* Another session renamed the file since our view was built: its name
   carries flags we have not seen. Apply only this change (what the caller
   added and removed relative to old_flags / old_kw, keywords too) on top
   of them, so a concurrent STORE of another flag is not undone. */
static void maildir_msg_merge_flags(struct maildir_mailbox *mbox,
				    struct maildir_msg *msg,
				    enum mail_flags old_flags,
				    const struct mail_keywords *old_kw)
{
	enum mail_flags new_flags = msg->m.flags & MAIL_FLAGS_MASK;
	enum mail_flags added = new_flags & ~old_flags;
	enum mail_flags removed = old_flags & ~new_flags & MAIL_FLAGS_MASK;
	enum mail_flags on_disk = maildir_filename_get_flags(msg->fname);

	msg->m.flags = ((on_disk | added) & ~removed) |
		(msg->m.flags & MAIL_RECENT);
	maildir_msg_merge_keywords(mbox, msg, msg->fname, old_kw);
}

/* Keeps the name only when the flags and uidlist identity don't give it. */
static void maildir_msg_set_fname(struct maildir_mailbox *mbox,
				  struct maildir_msg *msg, const char *fname)
{
	const char *canon;

	canon = maildir_filename_set_flags(tmp_pool,
		tmp_strndup(fname, maildir_filename_base_len(fname)),
		msg->m.flags & MAIL_FLAGS_MASK);
	msg->fname = strcmp(canon, fname) == 0 ? NULL :
		p_strdup(mbox->box.view_pool, fname);
}

/* true if fname (found on disk after a rename race) still carries the
   flags and keywords our view had before this change */
static bool maildir_msg_fname_unchanged(struct maildir_mailbox *mbox,
					const char *fname,
					enum mail_flags old_flags,
					const struct mail_keywords *old_kw)
{
	uint32_t known = maildir_keywords_known_letters(mbox->keywords);

	if (maildir_filename_get_flags(fname) != (old_flags & MAIL_FLAGS_MASK))
		return false;
	/* only keywords a letter stands for are in the name */
	return (maildir_filename_get_letters(fname) & known) ==
		(maildir_keywords_to_letters(mbox->keywords, old_kw) & known);
}

/* Renames msg's file for its new flags. conditional (STORE UNCHANGEDSINCE):
   a file another session renamed to other flags is a change since, and
   nothing is written (0); else the change is merged on top (RFC 7162's
   lost update is what the conditional form prevents). 1 written, 0
   changed since, -1 error. */
static int
maildir_mail_write_flags_real(struct maildir_mailbox *mbox,
			      struct maildir_msg *msg,
			      enum mail_flags old_flags,
			      const struct mail_keywords *old_keywords,
			      bool conditional)
{
	struct mail_keywords old_kw = *old_keywords, new_kw = msg->m.keywords;
	struct mailbox *box = &mbox->box;
	const char *src, *dest, *cur_fname, *new_fname;
	bool was_in_new = msg->in_new;
	unsigned int tries;

	if (maildir_keywords_ensure(mbox->keywords, mbox->uidlist,
				    &new_kw) < 0)
		return -1;
	/* the name as it was: with the old keywords */
	msg->m.keywords = old_kw;
	cur_fname = maildir_msg_get_fname(mbox, msg, old_flags);
	msg->m.keywords = new_kw;
	if (cur_fname == NULL && !maildir_msg_relocate(mbox, msg)) {
		maildir_set_expunged(mbox);
		return -1;
	}
	if (cur_fname == NULL)
		cur_fname = msg->fname;
	if (conditional &&
	    !maildir_msg_fname_unchanged(mbox, cur_fname, old_flags, &old_kw))
		return 0;
	maildir_msg_merge_keywords(mbox, msg, cur_fname, &old_kw);
	for (tries = 0;; tries++) {
		/* flags can be stored only in cur/ */
		new_fname = maildir_filename_set_flags_kw(tmp_pool, cur_fname,
			msg->m.flags,
			maildir_keywords_to_letters(mbox->keywords,
						    &msg->m.keywords),
			maildir_keywords_known_letters(mbox->keywords));
		if (!msg->in_new && strcmp(new_fname, cur_fname) == 0)
			break;
		src = tmp_strconcat(mbox->path, msg->in_new ? "/new/" : "/cur/",
				    cur_fname, NULL);
		dest = tmp_strconcat(mbox->path, "/cur/", new_fname, NULL);
		if (rename(src, dest) == 0)
			break;
		/* ENOENT: renamed by another session; retried a few
		   times in case it keeps racing with us */
		if (errno != ENOENT || tries >= 3) {
			log_error("rename(%s, %s) failed: %m", src, dest);
			mailbox_set_internal_error(box);
			return -1;
		}
		if (!maildir_msg_relocate(mbox, msg)) {
			maildir_set_expunged(mbox);
			return -1;
		}
		cur_fname = msg->fname;
		/* only moved (new/ -> cur/) is no change of the flags */
		if (conditional && !maildir_msg_fname_unchanged(mbox, cur_fname,
							old_flags, &old_kw))
			return 0;
		was_in_new = was_in_new || msg->in_new;
		maildir_msg_merge_flags(mbox, msg, old_flags & MAIL_FLAGS_MASK,
					&old_kw);
	}
	msg->in_new = false;
	maildir_msg_set_fname(mbox, msg, new_fname);
	maildir_index_record_flags(mbox, msg->m.uid, old_flags, msg->m.flags,
				   &old_kw, &msg->m.keywords, was_in_new);
	return 1;
}

int maildir_mail_write_flags(struct mailbox *box, struct mailbox_msg *msg,
			     enum mail_flags old_flags,
			     const struct mail_keywords *old_keywords)
{
	return maildir_mail_write_flags_real((struct maildir_mailbox *)box,
		(struct maildir_msg *)msg, old_flags, old_keywords, false) < 0 ?
		-1 : 0;
}

static void maildir_mail_store_uidlist_unlock(struct maildir_mailbox *mbox)
{
	if (mbox->store_uidlist_locked) {
		maildir_uidlist_unlock(mbox->uidlist);
		mbox->store_uidlist_locked = false;
	}
}

/* Lock order uidlist, then index log (as a sync): a keyword known only
   from the index gets its letter under the uidlist lock
   (maildir_keywords_ensure()), so that lock is taken first if a STORE
   might need it. */
int maildir_mail_store_lock(struct mailbox *box)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;

	if (!maildir_keywords_all_lettered(mbox->keywords) &&
	    !mbox->uidlist->locked) {
		if (maildir_uidlist_lock(mbox->uidlist,
				MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS) <= 0) {
			mailbox_set_internal_error(box);
			return -1;
		}
		mbox->store_uidlist_locked = true;
	}
	if (maildir_index_store_lock(mbox) < 0) {
		maildir_mail_store_uidlist_unlock(mbox);
		mailbox_set_internal_error(box);
		return -1;
	}
	return 0;
}

/* In a no-op STORE (UNCHANGEDSINCE): 1 if the file still has the flags
   the view had, 0 if another session renamed it to others, -1 gone. */
static int maildir_mail_file_unchanged(struct maildir_mailbox *mbox,
				       struct maildir_msg *msg,
				       enum mail_flags old_flags,
				       const struct mail_keywords *old_kw)
{
	const char *path = maildir_msg_get_path(mbox, msg);
	struct stat st;

	if (path != NULL && stat(path, &st) == 0)
		return 1;
	if (!maildir_msg_relocate(mbox, msg)) {
		maildir_set_expunged(mbox);
		return -1;
	}
	return maildir_msg_fname_unchanged(mbox, msg->fname, old_flags,
					   old_kw) ? 1 : 0;
}

/* RFC 7162 3.1.3 under the log lock: the index's modseq (every session's
   committed change), then the file name (a change another session made
   but has not committed yet) */
int maildir_mail_write_flags_unchanged(struct mailbox *box,
	struct mailbox_msg *msg, enum mail_flags old_flags,
	const struct mail_keywords *old_keywords, uint64_t unchangedsince)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;

	if (maildir_index_store_check(mbox, msg->uid, unchangedsince) == 0)
		return 0;
	if ((msg->flags & MAIL_FLAGS_MASK) == (old_flags & MAIL_FLAGS_MASK) &&
	    memcmp(&msg->keywords, old_keywords, sizeof(*old_keywords)) == 0) {
		/* nothing to change (no new modseq) if the index and the
		   file still show what the view does: else another session
		   changed it and the client's flags are not the message's */
		if (!maildir_index_store_matches(mbox, msg->uid, old_flags,
						 old_keywords))
			return 0;
		return maildir_mail_file_unchanged(mbox,
			(struct maildir_msg *)msg, old_flags, old_keywords);
	}
	return maildir_mail_write_flags_real(mbox, (struct maildir_msg *)msg,
					     old_flags, old_keywords, true);
}

int maildir_mail_store_unlock(struct mailbox *box)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	int ret = maildir_index_store_unlock(mbox);

	maildir_mail_store_uidlist_unlock(mbox);
	if (ret < 0) {
		mailbox_set_internal_error(box);
		return -1;
	}
	return 0;
}
