/* Copyright (c) dovecot-like authors. imap-flags.h: IMAP system flags,
   both ways (RFC 3501 2.3.2); date-time strings are in lib-imap's
   imap-date.h. */
#ifndef IMAP_FLAGS_H
#define IMAP_FLAGS_H

#include "mail-storage.h"

struct str;
struct imap_arg;

/* Appends "(\Answered ... \Recent)". */
void imap_write_flags(struct str *dest, enum mail_flags flags);
/* A flag-list or flags as separate args (STORE). Keywords are ignored (we
   offer none in PERMANENTFLAGS, RFC 3501 7.1). 0, or -1 with a client-safe
   *error_r. */
int imap_parse_flags(const struct imap_arg *args, enum mail_flags *flags_r,
		     const char **error_r);

#endif
