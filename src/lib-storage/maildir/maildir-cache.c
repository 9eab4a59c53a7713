/* Copyright (c) dovecot-like authors. maildir-cache.c: the Maildir
   backend's cache vfuncs over the shared mailbox-index-cache.c (the index's
   cache file "dovecot-like.index.cache" for the FETCH items that need a
   message parse). The delivery time stands in for the save date. */
#include "lib.h"
#include "maildir-storage.h"
#include "mailbox-index-cache.h"

static struct mailbox_index_cache *
maildir_cache_get(struct maildir_mailbox *mbox)
{
	return mailbox_index_cache_get(&mbox->cache, &mbox->box, mbox->index,
				       mbox->index_dir);
}

int maildir_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
			 const char *field, struct buf *dest)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct mailbox_index_cache *cache = maildir_cache_get(mbox);
	struct maildir_index_info info;
	time_t saved_date = 0;

	if (cache == NULL)
		return 0;
	/* it tells the cache whether the mail is old (TEMP -> YES); the
	   last message's is reused for its next fields (a delivery time
	   learnt meanwhile only delays that decision) */
	if (cache->saved_date_uid == msg->uid) {
		saved_date = cache->saved_date;
	} else {
		if (maildir_index_get_info(mbox, msg->uid, &info) &&
		    (info.have & MAILDIR_INDEX_INFO_RECEIVED) != 0)
			saved_date = (time_t)info.received;
		cache->saved_date_uid = msg->uid;
		cache->saved_date = saved_date;
	}
	return mailbox_index_cache_lookup(cache, msg->uid, field, saved_date,
					  dest);
}

void maildir_cache_add(struct mailbox *box, struct mailbox_msg *msg,
		       const char *field, const void *data, size_t size)
{
	struct mailbox_index_cache *cache =
		maildir_cache_get((struct maildir_mailbox *)box);

	if (cache != NULL)
		mailbox_index_cache_add(cache, msg->uid, field, data, size);
}

void maildir_cache_flush(struct maildir_mailbox *mbox)
{
	mailbox_index_cache_flush(mbox->cache);
}

void maildir_cache_close(struct maildir_mailbox *mbox)
{
	mailbox_index_cache_close(mbox->cache);
}
