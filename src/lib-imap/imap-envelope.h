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
/* The index of name in imap_envelope_headers, or -1 if the envelope
   doesn't use it. */
int imap_envelope_header_field(const char *name);
/* A header value for IMAP, allocated from pool: folding CR/LF dropped,
   NULs turned into 0x80 (no NUL may reach a client, RFC 3501 CHAR8),
   leading and, if trim_trailing, trailing SP/HT trimmed. *len_r (may be
   NULL) is the result's length. */
const char *
imap_envelope_clean_value(struct pool *pool, const unsigned char *value,
			  size_t len, bool trim_trailing, size_t *len_r);

/* Call for every header line of the (top or rfc822 sub-) message; the
   first occurrence of each field wins. *env is created on the first call
   (from pool). hdr->use_full_value is set as needed. */
void imap_envelope_parse_header(struct pool *pool, struct imap_envelope **env,
				struct message_header_line *hdr);
/* The same for a caller that already looked up the line's field with
   imap_envelope_header_field() (-1: not an envelope field). */
void imap_envelope_parse_header_field(struct pool *pool,
				      struct imap_envelope **env,
				      struct message_header_line *hdr, int field);
/* Appends "(date subject from sender reply-to to cc bcc in-reply-to
   message-id)"; env may be NULL (no header at all). Sender and Reply-To
   default to From as RFC 3501 says. */
void imap_envelope_write(const struct imap_envelope *env, struct str *dest);
/* Reads the header of input (blocking, from its current offset up to and
   including the blank line ending it) and appends its envelope string to
   dest. The envelope is built in pool (the caller clears it per message).
   Fields starting max_header_size bytes or more after the start are
   ignored (0 = no limit); each field is bounded by the header parser's
   field limit. 0, or -1 on a stream error (dest untouched). */
int imap_envelope_from_stream(struct pool *pool, struct istream *input,
			      uoff_t max_header_size, struct str *dest);

#endif
