/* Copyright (c) dovecot-like authors. message-header-parser.h: streaming
   RFC 5322 header reader. Returns one header line at a time (a folded field
   either whole or as its continuation lines), with offsets into the message,
   bounded by a maximum field size; tolerates LF-only lines, NULs, 8-bit
   bytes and lines without ':' (returned with an empty value). */
#ifndef MESSAGE_HEADER_PARSER_H
#define MESSAGE_HEADER_PARSER_H

#include "lib.h"

struct istream;
struct message_size;

enum message_header_parser_flags {
	/* return each folded field whole (full_value); default: line by
	   line with continues/continued set */
	MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE = 0x01,
	/* drop CRs in values */
	MESSAGE_HEADER_PARSER_FLAG_DROP_CR = 0x02,
};

struct message_header_line {
	const char *name;		/* NUL-terminated, as written */
	size_t name_len;
	/* this line's value without the newline (leading space of the first
	   line skipped) */
	const unsigned char *value;
	size_t value_len;
	/* the field's value unfolded only by dropping the CR/LF of each
	   fold (RFC 5322 2.2.3), so "a\r\n b" -> "a b". Always set for a
	   single-line field (== value) and with FULL_VALUE; for a folded
	   field line by line only if the caller set use_full_value on its
	   first line (complete on the line where continues is false, the
	   value so far before), otherwise NULL with length 0. */
	const unsigned char *full_value;
	size_t full_value_len;
	/* the raw bytes between name and value (":" plus spaces), so a
	   header can be written back exactly */
	const unsigned char *middle;
	size_t middle_len;
	uoff_t name_offset;		/* offset of the name in the input */
	uoff_t full_value_offset;
	bool continues;		/* more continuation lines follow */
	bool continued;		/* this is a continuation line */
	bool eoh;		/* the empty line ending the header */
	bool no_newline;	/* input ended without a newline */
	bool crlf_newline;	/* the line ended in CRLF */
	/* caller sets on the first line of a folded field (continues):
	   collect full_value for it; ignored on later lines */
	bool use_full_value;
};

struct message_header_parser_ctx;

/* hdr_size (may be NULL) is filled with the header's physical size,
   virtual (CRLF) size and line count when the parser reaches the end. */
struct message_header_parser_ctx *
message_header_parser_init(struct istream *input, struct message_size *hdr_size,
			   enum message_header_parser_flags flags);
/* The largest field (name + all continuations) kept; longer ones are cut
   there (the rest is skipped, the sizes still count it). Default 1 MiB. */
void message_header_parser_set_max_field_size(struct message_header_parser_ctx *ctx,
					      size_t max_size);
void message_header_parser_deinit(struct message_header_parser_ctx **ctx);
/* 1 = *hdr_r set (valid until the next call), 0 = need more input
   (non-blocking stream), -1 = end of header (after the eoh line was
   returned) or stream error/EOF (input->stream_errno / eof). */
int message_parse_header_next(struct message_header_parser_ctx *ctx,
			      struct message_header_line **hdr_r);
bool message_header_parser_has_nuls(const struct message_header_parser_ctx *ctx);
/* True if the next call starts reading a new line (nothing of it consumed
   yet), so the caller may look at the input itself (message-parser checks
   for a MIME boundary there). */
bool message_header_parser_at_line_start(const struct message_header_parser_ctx *ctx);

/* Whole-header convenience: calls callback for every line, then once with
   hdr == NULL at the end. */
typedef void message_header_callback_t(struct message_header_line *hdr,
				       void *context);
void message_parse_header(struct istream *input, struct message_size *hdr_size,
			  enum message_header_parser_flags flags,
			  message_header_callback_t *callback, void *context);

#endif
