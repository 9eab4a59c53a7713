/* Copyright (c) dovecot-like authors. imap-objectid.h: the IMAP side of
   RFC 8474 OBJECTID (MAILBOXID, EMAILID, THREADID) and RFC 8514 SAVEDATE:
   the FETCH items and the [MAILBOXID (id)] response code. */
#ifndef IMAP_OBJECTID_H
#define IMAP_OBJECTID_H

#include "mail-storage.h"

struct str;

/* Append "SAVEDATE \"date-time\"" (or "SAVEDATE NIL", RFC 8514 4:
   the backend can't tell) / "EMAILID (id)" / "THREADID NIL" (RFC 8474
   5.2: we compute no threads) to dest. 0 or -1 (error set on box). */
int imap_objectid_append_savedate(struct mailbox *box, uint32_t seq,
				  struct str *dest);
int imap_objectid_append_emailid(struct mailbox *box, uint32_t seq,
				 struct str *dest);
void imap_objectid_append_threadid(struct str *dest);
/* The "MAILBOXID (id)" response code text of box (tmp), NULL if it has
   none (logged at debug level; the caller then leaves the code out). May
   create the id (a small file write). */
const char *imap_objectid_mailboxid_code(struct mailbox *box);

#endif
