/* Copyright (c) dovecot-like authors. maildir-index-store.c: the index
   side of RFC 7162 STORE (UNCHANGEDSINCE): the index log lock held for
   one command, each message's modseq and flags checked against the
   locked index, and the changes committed with the lock released. */
#include "lib.h"
#include "maildir-storage.h"
#include "mailbox-index.h"
#include "mail-index-view.h"
#include "mail-index-sync.h"

int maildir_index_store_lock(struct maildir_mailbox *mbox)
{
	struct mail_index_sync_rec srec;

	ASSERT(mbox->store_sctx == NULL);
	if (mbox->index == NULL)
		return 0;
	/* our earlier changes first: the check must see them too */
	if (maildir_index_commit_pending(mbox) < 0)
		return -1;
	if (mail_index_sync_begin(mbox->index, &mbox->store_sctx,
				  &mbox->store_view, &mbox->store_trans) < 0) {
		log_error("%s: %s", mbox->index_dir,
			  mail_index_get_error(mbox->index));
		mbox->store_sctx = NULL;
		return -1;
	}
	/* our sessions write only external changes; requests are void */
	while (mail_index_sync_next(mbox->store_sctx, &srec)) ;
	return 0;
}

int maildir_index_store_check(struct maildir_mailbox *mbox, uint32_t uid,
			      uint64_t unchangedsince)
{
	const struct mail_index_message *imsg;
	uint32_t seq;

	if (mbox->store_view == NULL ||
	    !mail_index_lookup_seq(mbox->store_view, uid, &seq) ||
	    !mail_index_lookup(mbox->store_view, seq, &imsg))
		return 1;
	return imsg->modseq > unchangedsince ? 0 : 1;
}

bool maildir_index_store_matches(struct maildir_mailbox *mbox, uint32_t uid,
				 enum mail_flags flags,
				 const struct mail_keywords *keywords)
{
	const struct mail_index_message *imsg;
	struct mail_keywords ikw;
	uint32_t seq;

	if (mbox->store_view == NULL ||
	    !mail_index_lookup_seq(mbox->store_view, uid, &seq) ||
	    !mail_index_lookup(mbox->store_view, seq, &imsg))
		return true;
	if ((imsg->flags & MAIL_FLAGS_MASK) != (flags & MAIL_FLAGS_MASK))
		return false;
	maildir_index_get_kw(mbox, NULL, imsg, &ikw);
	return memcmp(&ikw, keywords, sizeof(ikw)) == 0;
}

int maildir_index_store_unlock(struct maildir_mailbox *mbox)
{
	int ret = 0;

	if (mbox->store_sctx == NULL)
		return 0;
	mbox->store_view = NULL;
	mbox->store_trans = NULL;
	if (mail_index_sync_commit(&mbox->store_sctx) < 0) {
		log_error("%s: %s", mbox->index_dir,
			  mail_index_get_error(mbox->index));
		ret = -1;
	}
	return maildir_index_committed(mbox, ret);
}
