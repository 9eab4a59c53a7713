/* Copyright (c) dovecot-like authors. mbox-objectid.c: the mbox backend's
   RFC 8474 vfuncs. The MAILBOXID file lives in the mailbox's index
   directory, or with INDEX=MEMORY in the directory the index would have
   by default (mbox_index_id_dir()), which RENAME moves and DELETE
   removes (mbox-index.c) and which an index rebuild keeps (only the
   index files are replaced): the id outlives the session either way
   (Dovecot 2.3 has no OBJECTID to compare with). mbox keeps no save
   dates, as Dovecot 2.3 (RFC 8514: FETCH SAVEDATE is NIL,
   SAVEDATESUPPORTED matches nothing). */
#include "lib.h"
#include "strfuncs.h"
#include "mkdir-parents.h"
#include "mbox-storage.h"
#include "mailbox-objectid.h"
#include "mbox-objectid.h"

const char *mbox_objectid_get_id_dir(struct mailbox *box)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	const char *slash, *error;

	if (mbox->index_dir != NULL)
		return mbox->index_dir;
	/* INDEX=MEMORY: mailbox_guid_get() makes the last level only */
	slash = strrchr(mbox->id_dir, '/');
	if (slash != NULL && slash != mbox->id_dir &&
	    mkdir_parents(tmp_strndup(mbox->id_dir,
				      (size_t)(slash - mbox->id_dir)),
			  0700, &error) < 0) {
		log_error("%s", error);
		return NULL;
	}
	return mbox->id_dir;
}

int mbox_objectid_get_email_key(struct mailbox *box,
				struct mailbox_msg *msg, const char **key_r)
{
	struct mbox_mailbox *mbox = (struct mbox_mailbox *)box;
	const char *box_id;

	/* NULL: the generic key (mailbox id, UIDVALIDITY, UID) */
	*key_r = NULL;
	if (mbox->index_dir == NULL &&
	    mailbox_get_mailbox_id(box, &box_id) < 0) {
		/* no place for an id file (e.g. a read-only root): still an
		   EMAILID, only not kept across a RENAME */
		*key_r = tmp_printf("mbox/%s/%u/%u", mbox->path,
				    box->uidvalidity, msg->uid);
	}
	return 0;
}
