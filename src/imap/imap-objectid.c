/* Copyright (c) dovecot-like authors. imap-objectid.c: FETCH SAVEDATE /
   EMAILID / THREADID and the MAILBOXID response code (RFC 8514, RFC
   8474) over the storage's mailbox-objectid.h. */
#include "imap-common.h"
#include "imap-date.h"
#include "imap-objectid.h"
#include "mailbox-objectid.h"
#include "str.h"

int imap_objectid_append_savedate(struct mailbox *box, uint32_t seq,
				  struct str *dest)
{
	time_t date;
	int ret;

	if ((ret = mail_get_save_date(box, seq, &date)) < 0)
		return -1;
	if (ret == 0) {
		str_append(dest, "SAVEDATE NIL");
		return 0;
	}
	str_append(dest, "SAVEDATE \"");
	imap_append_datetime(dest, date);
	str_append_c(dest, '"');
	return 0;
}

int imap_objectid_append_emailid(struct mailbox *box, uint32_t seq,
				 struct str *dest)
{
	const char *id;

	if (mail_get_email_id(box, seq, &id) < 0)
		return -1;
	str_printfa(dest, "EMAILID (%s)", id);
	return 0;
}

void imap_objectid_append_threadid(struct str *dest)
{
	str_append(dest, "THREADID NIL");
}

const char *imap_objectid_mailboxid_code(struct mailbox *box)
{
	const char *id, *error;

	if (mailbox_get_mailbox_id(box, &id) < 0) {
		(void)mailbox_get_last_error(box, &error);
		log_debug("%s: no MAILBOXID: %s", mailbox_get_name(box),
			  error);
		return NULL;
	}
	return tmp_printf("MAILBOXID (%s)", id);
}
