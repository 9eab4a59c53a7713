/* Copyright (c) dovecot-like authors. message-header-filter.h: a message
   header with only (or without) the named fields, as IMAP
   BODY[HEADER.FIELDS (..)] and BODY[HEADER.FIELDS.NOT (..)] return it
   (RFC 3501 6.4.5). */
#ifndef MESSAGE_HEADER_FILTER_H
#define MESSAGE_HEADER_FILTER_H

#include "lib.h"

struct istream;
struct buf;

/* Reads the header from input (blocking; stops after the empty line) and
   appends to dest every field whose name is (exclude: is not) in fields
   (NULL-terminated, compared case-insensitively), continuation lines
   included, each line ending in CRLF, then the empty line "\r\n". Lines
   without a ':' are not fields and are left out. At most max_size bytes
   are appended (the rest is dropped); memory use is bounded by that and
   the header parser's field limit. Returns 0, or -1 on a read error. */
int message_header_filter(struct istream *input, const char *const *fields,
			  bool exclude, size_t max_size, struct buf *dest);

#endif
