/* Copyright (c) dovecot-like authors. imap-flags.h: IMAP flags, system flags
   and keywords, both ways (RFC 3501 2.3.2), and the FLAGS / PERMANENTFLAGS
   announcements of the selected mailbox; date-time strings are in lib-imap's
   imap-date.h. */
#ifndef IMAP_FLAGS_H
#define IMAP_FLAGS_H

#include "mail-storage.h"

struct str;
struct imap_arg;
struct client;

/* Appends "(\Answered ... \Recent kw1 kw2)": the system flags, then the
   keywords of kw (names from client's selected mailbox). kw may be NULL.
   \Recent is left out once client enabled IMAP4rev2 (RFC 9051 2.3.2). */
void imap_write_flags(struct str *dest, enum mail_flags flags,
		      const struct client *client,
		      const struct mail_keywords *kw);
/* A flag-list or flags as separate args (STORE): system flags, and the
   keyword names (NULL-terminated, tmp; each a valid keyword). 0, or -1
   with a client-safe *error_r for a BAD. */
int imap_parse_flags(const struct imap_arg *args, enum mail_flags *flags_r,
		     const char *const **keywords_r, const char **error_r);
/* "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)] ..." for the selected
   mailbox (RFC 3501 7.2.6, 7.1), remembering how many keywords the client
   now knows. */
void imap_send_mailbox_flags(struct client *client);
/* The same if the mailbox has gained keywords since the client was told
   (RFC 3501 7.2.6: FLAGS is sent again when the list changes). */
void imap_send_mailbox_flags_if_changed(struct client *client);

#endif
