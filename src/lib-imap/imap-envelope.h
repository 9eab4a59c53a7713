/* Copyright (c) dovecot-like authors. imap-envelope.h: FETCH ENVELOPE
   (RFC 3501 7.4.2 / RFC 9051 7.5.2): the ten header-derived fields, built
   from header lines and written as an IMAP list. Addresses come from
   message-address (groups, route addrs, broken input kept visible as
   RFC 3501 wants: missing mailbox/host become NIL / "MISSING_..."). */
#ifndef IMAP_ENVELOPE_H
#define IMAP_ENVELOPE_H

#include "message-header-parser.h"

struct str;
struct imap_envelope;

/* Every header name the envelope uses ("Date", "Subject", ...), NULL
   terminated: the header fields to cache or fetch for it. */
extern const char *const imap_envelope_headers[];
bool imap_envelope_want_header(const char *name);

/* Call for every header line of the (top or rfc822 sub-) message; the
   first occurrence of each field wins. *env is created on the first call
   (from pool). hdr->use_full_value is set as needed. */
void imap_envelope_parse_header(struct pool *pool, struct imap_envelope **env,
				struct message_header_line *hdr);
/* Appends "(date subject from sender reply-to to cc bcc in-reply-to
   message-id)"; env may be NULL (no header at all). Sender and Reply-To
   default to From as RFC 3501 says. */
void imap_envelope_write(const struct imap_envelope *env, struct str *dest);
/* Whole header of input (blocking) -> the envelope string. */
int imap_envelope_from_stream(struct istream *input, struct str *dest);

#endif
