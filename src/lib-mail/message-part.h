/* Copyright (c) dovecot-like authors. message-part.h: the MIME tree of a
   message as message-parser builds it: every part with its offsets and
   sizes, so BODY[section], BODYSTRUCTURE and sizes can be answered without
   re-parsing, and a serialized form for the cache file. */
#ifndef MESSAGE_PART_H
#define MESSAGE_PART_H

#include "message-size.h"

struct buf;
struct pool;

enum message_part_flags {
	/* Content-Type: multipart/. children may be NULL (no usable
	   boundary, or no boundary line found): IMAP shows an empty
	   text/plain part then, as Dovecot does */
	MESSAGE_PART_FLAG_MULTIPART = 0x01,
	MESSAGE_PART_FLAG_MULTIPART_DIGEST = 0x02, /* children default message/rfc822 */
	/* message/rfc822: one child, the enclosed message (none if the
	   part is base64/quoted-printable encoded, or at the nesting limit) */
	MESSAGE_PART_FLAG_MESSAGE_RFC822 = 0x04,
	MESSAGE_PART_FLAG_TEXT = 0x08,		  /* text/ (or no Content-Type) */
	MESSAGE_PART_FLAG_HAS_NULS = 0x20,
	MESSAGE_PART_FLAG_IS_MIME = 0x40,	  /* MIME-Version seen (top) */
	MESSAGE_PART_FLAG_OVERFLOW = 0x80,	  /* nesting/count limits hit:
						     rest is one opaque body */
};

struct message_part {
	struct message_part *parent;
	struct message_part *next;	/* sibling */
	struct message_part *children;	/* first child */
	unsigned int children_count;	/* direct children */

	/* offset of this part's header in the whole message */
	uoff_t physical_pos;
	struct message_size header_size;
	struct message_size body_size;
	enum message_part_flags flags;

	/* owned by whoever fills it (imap-bodystructure keeps its parsed
	   Content-* fields here) */
	void *data;
};

/* The part of an IMAP section number "1.2.3" (NULL if there is none).
   RFC 3501: a non-multipart message has part 1 = its body; for a
   message/rfc822 part, its sub-parts are numbered inside the enclosed
   message. */
struct message_part *message_part_by_section(struct message_part *root,
					     const char *section);
/* Serialized form (host byte order, versioned) for the cache, and back.
   Deserialization checks every offset and size for consistency and fails
   with *error_r on anything malformed. */
void message_part_serialize(const struct message_part *root, struct buf *dest);
struct message_part *message_part_deserialize(struct pool *pool,
					      const void *data, size_t size,
					      const char **error_r);

#endif
