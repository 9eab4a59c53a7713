/* Copyright (c) dovecot-like authors. mbox-objectid.h: the mbox backend's
   RFC 8474 vfuncs (mail-storage-private.h), kept apart from
   mbox-storage.h. */
#ifndef MBOX_OBJECTID_H
#define MBOX_OBJECTID_H

struct mailbox;
struct mailbox_msg;

const char *mbox_objectid_get_id_dir(struct mailbox *box);
int mbox_objectid_get_email_key(struct mailbox *box,
				struct mailbox_msg *msg, const char **key_r);

#endif
