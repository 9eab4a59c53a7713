/* Copyright (c) dovecot-like authors. mailbox-objectid.h: RFC 8474 object
   ids (MAILBOXID, EMAILID, THREADID) and RFC 8514 save dates of the
   storage layer, for FETCH, SEARCH, STATUS, SELECT and CREATE. */
#ifndef MAILBOX_OBJECTID_H
#define MAILBOX_OBJECTID_H

#include "mail-storage.h"

/* RFC 8474 3: objectid = 1*255(ALPHA / DIGIT / "_" / "-") */
#define MAILBOX_OBJECTID_MAX_LEN 255
/* The id file kept in the directory that moves with the mailbox on a
   RENAME (Maildir: the Maildir itself; mbox: its index directory). */
#define MAILBOX_GUID_FNAME "dovecot-like-mailboxid"
/* 16 random bytes as hex */
#define MAILBOX_GUID_HEX_LEN 32

/* id[0..len) is a valid RFC 8474 objectid. */
bool mailbox_objectid_is_valid(const char *id, size_t len);

/* The mailbox's MAILBOXID, created (random, libsodium randombytes_buf)
   the first time it is asked for, and kept in box after the first read.
   *id_r lives as long as box. 0, or -1 (error set on box;
   MAIL_ERROR_PARAMS when the mailbox has no place for one, e.g. mbox with
   INDEX=MEMORY whose id directory can't be made). */
int mailbox_get_mailbox_id(struct mailbox *box, const char **id_r);
/* The same for mailbox name (a storage name) of user (CREATE's RFC 8474
   4.1 reply). Maildir: the id file is read, or created, without opening
   the mailbox; mbox (whose id place depends on its index settings): a
   read-only open. *id_r tmp. 1 found, 0 no place for one (or no such
   mailbox), -1 error (logged). */
int mail_user_get_mailbox_id(struct mail_user *user, const char *name,
			     const char **id_r);
/* The message's EMAILID (tmp): "M" + 24 hex digits of SHA-256 of the
   backend's stable key (Maildir: the file's base name), or of the
   mailbox id, UIDVALIDITY and UID. 0 or -1 (error set). */
int mail_get_email_id(struct mailbox *box, uint32_t seq, const char **id_r);

/* RFC 8514: whether the backend keeps save dates (SAVEDATESUPPORTED). */
bool mailbox_has_save_dates(struct mailbox *box);
/* The message's save date: 1 known, 0 unknown (FETCH SAVEDATE NIL), -1
   error (set on box; MAIL_ERROR_EXPUNGED when the message vanished). */
int mail_get_save_date(struct mailbox *box, uint32_t seq, time_t *date_r);

/* mailbox-guid.c: reads dir/MAILBOX_GUID_FNAME into guid_r, creating it
   (atomically: a concurrent creator's id wins) when missing and create
   is true. 1 read/created, 0 missing (create false), -1 error (logged). */
int mailbox_guid_get(const char *dir, bool create,
		     char guid_r[MAILBOX_GUID_HEX_LEN + 1]);

/* Removes dir's id file (a deleted mailbox's); a missing one is fine. */
void mailbox_guid_delete(const char *dir);

#endif
