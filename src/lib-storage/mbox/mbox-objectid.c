/* Copyright (c) dovecot-like authors. mbox-objectid.c: the mbox backend's
   RFC 8474 vfuncs. The MAILBOXID file lives in the mailbox's index
   directory, which RENAME moves and DELETE removes (mbox-index.c) and
   which an index rebuild keeps (only the index files are replaced). mbox
   keeps no save dates (RFC 8514: FETCH SAVEDATE is NIL,
   SAVEDATESUPPORTED matches nothing). */
#include "lib.h"
#include "mbox-storage.h"
#include "mailbox-objectid.h"
#include "mbox-objectid.h"

const char *mbox_objectid_get_id_dir(struct mailbox *box)
{
	/* NULL with INDEX=MEMORY: no place that outlives the session */
	return ((struct mbox_mailbox *)box)->index_dir;
}

int mbox_objectid_get_email_key(struct mailbox *box,
				struct mailbox_msg *msg, const char **key_r)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;

	/* NULL: the generic key (mailbox id, UIDVALIDITY, UID) */
	*key_r = NULL;
	if (mbox->index_dir == NULL) {
		*key_r = tmp_printf("mbox/%s/%u/%u", mbox->path,
				    box->uidvalidity, msg->uid);
	}
	return 0;
}
