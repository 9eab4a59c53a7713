#ifndef IMAP_STATUS_H
#define IMAP_STATUS_H

/* STATUS items (RFC 3501 6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE,
   RFC 9051 6.3.11 DELETED):
   parsing the item list, reading them from a mailbox and sending the
   "* STATUS" line. Shared by STATUS and LIST ... RETURN (STATUS ...). */

#include "mail-storage.h"

struct client;
struct client_command;
struct imap_arg;

enum imap_status_items {
	IMAP_STATUS_MESSAGES = 0x01,
	IMAP_STATUS_RECENT = 0x02,
	IMAP_STATUS_UIDNEXT = 0x04,
	IMAP_STATUS_UIDVALIDITY = 0x08,
	IMAP_STATUS_UNSEEN = 0x10,
	IMAP_STATUS_HIGHESTMODSEQ = 0x20,
	IMAP_STATUS_SIZE = 0x40,
	IMAP_STATUS_DELETED = 0x80,	/* RFC 9051 6.3.11 */
	IMAP_STATUS_MAILBOXID = 0x100,	/* RFC 8474 4.2 */
};

struct imap_status_result {
	struct mailbox_status st;
	uint64_t size;	/* sum of RFC822.SIZE (only with IMAP_STATUS_SIZE) */
	/* "MAILBOXID (id)" (tmp), NULL = none (IMAP_STATUS_MAILBOXID) */
	const char *mailboxid;
};

/* The item list (count atoms in list). false after sending BAD with
   Dovecot's texts. */
bool imap_status_parse_items(struct client_command *cmd,
			     const struct imap_arg *list, unsigned int count,
			     enum imap_status_items *items_r);
/* The items of storage_name (the client's name: vname): from the selected
   mailbox's own view when it is that one, reached through the same
   namespace (*selected_r = true), else opened read-only. 0, or -1 with
   the error. */
int imap_status_get(struct client *client, const char *vname,
		    const char *storage_name,
		    enum imap_status_items items,
		    struct imap_status_result *result_r, bool *selected_r,
		    enum mail_storage_error *error_r, const char **error_str_r);
/* "* STATUS name (...)" with the items in Dovecot's fixed order. */
void imap_status_send(struct client *client, const char *name,
		      enum imap_status_items items,
		      const struct imap_status_result *result);

#endif
