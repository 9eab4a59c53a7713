/* Copyright (c) dovecot-like authors. message-header-filter.h: a message
   header with only (or without) the named fields, as IMAP
   BODY[HEADER.FIELDS (..)] and BODY[HEADER.FIELDS.NOT (..)] return it
   (RFC 3501 6.4.5). */
#ifndef MESSAGE_HEADER_FILTER_H
#define MESSAGE_HEADER_FILTER_H

#include "lib.h"

struct istream;
struct buf;
struct message_header_line;

/* Reads the header from input (blocking; stops after the empty line) and
   appends to dest every field whose name is (exclude: is not) in fields
   (NULL-terminated, compared case-insensitively), continuation lines
   included, each line ending in CRLF, then the empty line "\r\n". Lines
   without a ':' are not fields and are left out. At most max_size bytes
   are appended (the rest is dropped); memory use is bounded by that and
   the header parser's field limit. Returns 0, or -1 on a read error. */
int message_header_filter(struct istream *input, const char *const *fields,
			  bool exclude, size_t max_size, struct buf *dest);

/* Appends hdr's line as message_header_filter() writes it: a field's
   first line as name, middle and value, a continuation line as its value,
   then CRLF; cut so that dest->used stays <= max_used. */
void message_header_line_append(struct buf *dest,
				const struct message_header_line *hdr,
				size_t max_used);

/* The same selection line by line: callback gets every line
   message_header_filter() would append (the first line of a field as
   hdr->name, hdr->middle, hdr->value, a continuation line as hdr->value;
   each then ends in CRLF), the index in fields of the line's field (-1
   with exclude) and the line's number in the header (0 = first line,
   every line counted). The final empty line is not passed. Returns 0, or
   -1 on a read error. */
typedef void message_header_filter_line_t(const struct message_header_line *hdr,
					  int field_idx, unsigned int line_no,
					  void *context);
int message_header_filter_lines(struct istream *input,
				const char *const *fields, bool exclude,
				message_header_filter_line_t *callback,
				void *context);

#endif
