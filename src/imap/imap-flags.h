/* Copyright (c) dovecot-like authors. imap-flags.h: IMAP system flags and
   date-time strings, both ways (RFC 3501 2.3.2, 9 date-time). */
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
/* "17-Jul-1996 02:44:25 -0700" in local time, without quotes. */
const char *imap_to_datetime(time_t t);
/* The same appended to dest (no tmp allocation). */
void imap_append_datetime(struct str *dest, time_t t);

#endif
