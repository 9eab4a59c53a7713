/* Copyright (c) dovecot-like authors. imap-msgpart.h: IMAP body sections
   (RFC 3501 6.4.5): parsing "1.2.HEADER.FIELDS" style section specs and
   resolving one, with an optional <partial> range, to bytes of the message
   with CRLF line endings: a stream range, or memory for header subsets. */
#ifndef IMAP_MSGPART_H
#define IMAP_MSGPART_H

#include "lib.h"

struct istream;
struct pool;
struct message_part;

enum imap_msgpart_text {
	IMAP_MSGPART_TEXT_ALL,		/* "" or a bare part number */
	IMAP_MSGPART_TEXT_HEADER,
	IMAP_MSGPART_TEXT_HEADER_FIELDS,
	IMAP_MSGPART_TEXT_HEADER_FIELDS_NOT,
	IMAP_MSGPART_TEXT_TEXT,
	IMAP_MSGPART_TEXT_MIME,		/* only after a part number */
};

struct imap_msgpart {
	const char *part_number;	/* "1.2", "" for the message */
	enum imap_msgpart_text text;
	const char *const *fields;	/* HEADER.FIELDS[.NOT], NULL-terminated */
	bool partial;
	uoff_t partial_offset, partial_size;
};

/* Parses the section spec inside BODY[...] without the header list (which
   the IMAP parser gives as a separate list: pass it as fields, NULL
   otherwise). Case-insensitive. Returns 0, or -1 with a client-safe
   *error_r. The result is allocated from pool. */
int imap_msgpart_parse(struct pool *pool, const char *section,
		       const char *const *fields, struct imap_msgpart **mp_r,
		       const char **error_r);
/* True if resolving needs the MIME part tree (a part number is given). */
bool imap_msgpart_needs_parts(const struct imap_msgpart *mp);

/* Opens a new stream of the message from its first byte, with CRLF line
   endings (blocking). 0, or -1 on error. */
typedef int imap_msgpart_open_stream_t(void *context, struct istream **input_r);

/* The most a HEADER.FIELDS[.NOT] result holds (the rest is cut). */
#define IMAP_MSGPART_MAX_HEADER_SUBSET (1024 * 1024)

struct imap_msgpart_result {
	struct istream *input;	/* positioned at the first byte, or NULL */
	const unsigned char *data;	/* memory result if input == NULL */
	uoff_t size;		/* exact size of the literal */
};

/* Resolves mp for the message. *parts is the part tree of the CRLF
   message; if it is NULL and needed, the message is parsed (from a stream
   opened with open_stream) into part_pool and *parts set so the caller can
   reuse it for further sections. message_size is the CRLF size of the
   whole message. A part that doesn't exist, HEADER/TEXT of a part that
   isn't message/rfc822 and ranges past the end give size 0. Returns 0, or
   -1 if a stream could not be opened or read. The caller unrefs
   result->input; data lives in pool. */
int imap_msgpart_open(const struct imap_msgpart *mp, uoff_t message_size,
		      imap_msgpart_open_stream_t *open_stream, void *context,
		      struct pool *pool, struct message_part **parts,
		      struct imap_msgpart_result *result_r);

/* TRUE for HEADER.FIELDS of the message itself (no part number): the
   section a storage may answer from cached header fields. */
bool imap_msgpart_is_top_header_fields(const struct imap_msgpart *mp);
/* The result of mp for a section the caller already resolved to memory
   (data, e.g. cached header fields): its <partial> range of data. */
void imap_msgpart_result_from_data(const struct imap_msgpart *mp,
				   const struct buf *data,
				   struct imap_msgpart_result *result_r);

#endif
