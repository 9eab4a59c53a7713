/* Copyright (c) dovecot-like authors. message-parser.h: streaming MIME
   parser. Feeds the caller header lines and body blocks part by part while
   building the message_part tree (nested multiparts, message/rfc822,
   digests). Broken MIME never fails: a missing closing boundary ends the
   part at EOF, a bad Content-Type is treated as text/plain, nesting deeper
   than max_nested_mime_parts or more than max_total_mime_parts parts makes
   the rest of that part opaque (MESSAGE_PART_FLAG_OVERFLOW). */
#ifndef MESSAGE_PARSER_H
#define MESSAGE_PARSER_H

#include "message-header-parser.h"
#include "message-part.h"

struct message_parser_settings {
	enum message_header_parser_flags hdr_flags;
	unsigned int max_nested_mime_parts;	/* 0 = default 100 */
	unsigned int max_total_mime_parts;	/* 0 = default 10000 */
	size_t max_header_field_size;		/* 0 = default 1 MiB */
};

/* One step of the parse. Exactly one of: hdr != NULL (a header line of
   part; hdr->eoh for the empty line; then a block with hdr == NULL and
   size == 0 marks the end of the header), or data/size (body bytes of
   part, raw as in the message). */
struct message_block {
	struct message_part *part;
	struct message_header_line *hdr;
	const unsigned char *data;
	size_t size;
};

struct message_parser_ctx;

/* The part tree is allocated from part_pool. */
struct message_parser_ctx *
message_parser_init(struct pool *part_pool, struct istream *input,
		    const struct message_parser_settings *set);
/* Parses input with an already known part tree (from the cache): the
   message is still fully parsed and a private tree built (in a pool of
   its own, freed at deinit), but every block's part is mapped to the
   known part at the same pre-order position, and deinit returns parts
   unchanged. Saves nothing over message_parser_init() but keeps the
   caller's part pointers valid. */
struct message_parser_ctx *
message_parser_init_from_parts(struct message_part *parts, struct istream *input,
			       const struct message_parser_settings *set);
/* 1 = *block_r set, 0 = need more input (non-blocking stream), -1 = done
   (EOF) or stream error (check input->stream_errno). */
int message_parser_parse_next_block(struct message_parser_ctx *ctx,
				    struct message_block *block_r);
/* Sets *parts_r to the root part (complete only after -1 from a clean
   EOF). Returns 0, or -1 if the stream failed. */
int message_parser_deinit(struct message_parser_ctx **ctx,
			  struct message_part **parts_r);

/* Parses the whole message from a blocking stream, calling callback (may
   be NULL) for every block. Returns the root or NULL on a read error. */
typedef void message_part_callback_t(struct message_block *block, void *context);
struct message_part *message_parse_all(struct pool *part_pool, struct istream *input,
				       const struct message_parser_settings *set,
				       message_part_callback_t *callback,
				       void *context);

#endif
