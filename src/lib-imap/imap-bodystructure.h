/* Copyright (c) dovecot-like authors. imap-bodystructure.h: FETCH BODY and
   BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051 7.5.2) from a message_part tree:
   the parser's header lines fill each part's Content-* data, then the
   structure is written as IMAP wants it, and parsed back from the cache. */
#ifndef IMAP_BODYSTRUCTURE_H
#define IMAP_BODYSTRUCTURE_H

#include "message-part.h"
#include "message-header-parser.h"

struct str;

/* Call for every header line of every part (block.hdr from
   message-parser, in order); keeps the Content-* fields in part->data
   (allocated from pool). */
void imap_bodystructure_parse_header(struct pool *pool, struct message_part *part,
				     struct message_header_line *hdr);
/* Whole message in one go (blocking stream); returns the root or NULL on a
   read error. */
struct message_part *imap_bodystructure_parse_full(struct pool *pool,
						   struct istream *input);
/* Appends the list "(...)" without the BODY/BODYSTRUCTURE keyword.
   extended = BODYSTRUCTURE (md5, disposition, language, location). */
void imap_bodystructure_write(const struct message_part *root, struct str *dest,
			      bool extended);
/* Converts a BODYSTRUCTURE string (e.g. from the cache) to the BODY form,
   checking its syntax. 0 or -1 with *error_r. */
int imap_body_parse_from_bodystructure(const char *bodystructure,
				       struct str *dest, const char **error_r);

#endif
