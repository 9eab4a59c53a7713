/* Copyright (c) dovecot-like authors. imap-quote.h: writing IMAP strings:
   atom/quoted/literal as needed (RFC 3501 4.3). */
#ifndef IMAP_QUOTE_H
#define IMAP_QUOTE_H

#include "str.h"

/* Quoted string if possible, else a literal {n}\r\n...; NULL -> NIL. */
void imap_append_string(struct str *dest, const char *src);
void imap_append_nstring(struct str *dest, const char *src);
void imap_append_astring(struct str *dest, const char *src);
/* Added: a string with explicit length (may contain NUL: then a literal).
   Never NIL. Values with 8-bit bytes, CR, LF, NUL or over 1024 bytes are
   written as literals, others quoted with \\ and \" escapes. */
void imap_append_string_n(struct str *dest, const char *src, size_t len);
/* Always a literal: {len}\r\n and the bytes as they are (the caller makes
   sure there is no NUL: RFC 3501 CHAR8). */
void imap_append_literal(struct str *dest, const void *data, size_t len);
/* Always a quoted string: '"', src[0..len) with '"' and '\\' escaped,
   '"'. The caller makes sure src has no NUL, CR or LF (RFC 3501 quoted;
   8-bit bytes are fine only where RFC 6855 allows UTF-8 quoted). */
void imap_append_quoted(struct str *dest, const char *src, size_t len);

#endif
