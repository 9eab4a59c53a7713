/* Copyright (c) dovecot-like authors. message-address.h: RFC 5322 3.4
   address lists (From, To, Cc, ...) parsed to the IMAP ENVELOPE address
   shape {name, route, mailbox, domain}, keeping as much of broken input as
   possible, and written back. */
#ifndef MESSAGE_ADDRESS_H
#define MESSAGE_ADDRESS_H

#include "str.h"

/* A group "name: a@b, c@d;" is a start entry (mailbox = group name,
   domain = NULL), its members, and an end entry (mailbox = domain = NULL),
   exactly as RFC 3501 7.4.2 sends groups. */
struct message_address {
	struct message_address *next;
	const char *name;	/* display name or NULL; RFC 2047 not decoded */
	const char *route;	/* obsolete "@a,@b" source route or NULL */
	const char *mailbox;	/* local part (unquoted) */
	const char *domain;
	/* syntax error or a missing part: mailbox/domain may be
	   "MISSING_MAILBOX" / "MISSING_DOMAIN" (with fill_missing) or "" */
	bool invalid;
};

/* More entries than max_addresses are dropped (0 = default 10000). With
   fill_missing, missing mailbox/domain parts become MISSING_MAILBOX /
   MISSING_DOMAIN (as IMAP ENVELOPE wants) instead of "". Returns NULL if
   the value holds no address at all. Results are from pool. */
#define MESSAGE_ADDRESS_DEFAULT_MAX 10000
struct message_address *
message_address_parse(struct pool *pool, const unsigned char *data,
		      size_t size, unsigned int max_addresses,
		      bool fill_missing);
/* Appends the list as an RFC 5322 header value ("Name <a@b>, g: c@d;"). */
void message_address_write(struct str *dest,
			   const struct message_address *addr);

#endif
