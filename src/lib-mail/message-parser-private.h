/* Copyright (c) dovecot-like authors. message-parser-private.h: the MIME
   parser's state, shared by message-parser.c (positions, parts, the state
   machine) and message-parser-mime.c (what the MIME headers decide:
   Content-Type flags and the boundary stack). */
#ifndef MESSAGE_PARSER_PRIVATE_H
#define MESSAGE_PARSER_PRIVATE_H

#include "array.h"
#include "message-parser.h"

#define MESSAGE_PARSER_DEFAULT_MAX_NESTED 100
#define MESSAGE_PARSER_DEFAULT_MAX_PARTS 10000
/* RFC 2046 allows 70; longer ones are seen in the wild. The cap keeps a
   boundary line well inside the input buffer. */
#define MESSAGE_PARSER_MAX_BOUNDARY_LEN 1024
/* Content-Type values longer than this are cut before parsing */
#define MESSAGE_PARSER_MAX_CONTENT_TYPE_LEN 8192

/* a part with the parser's bookkeeping */
struct parser_part {
	struct message_part part;
	unsigned int index;	/* creation (pre-)order */
	unsigned int depth;	/* root = 0 */
	uoff_t start_vpos;	/* virtual position of the header */
	unsigned int start_lines;
	uoff_t body_vpos;
	unsigned int body_lines;
	struct message_part *last_child;	/* appending stays O(1) */
};

struct parser_boundary {
	struct message_part *owner;
	char *boundary;
	size_t len;
};

enum parser_state {
	PARSER_STATE_HEADER,
	PARSER_STATE_BODY,
	PARSER_STATE_BOUNDARY_REST,	/* skipping the rest of a boundary line */
	PARSER_STATE_DONE,
};

enum boundary_match {
	BOUNDARY_MATCH_NONE,
	BOUNDARY_MATCH_NEED_MORE,
	BOUNDARY_MATCH_FOUND,
};

struct message_parser_ctx {
	struct pool *part_pool;
	struct pool *ct_pool;	/* Content-Type parsing, cleared per part */
	struct istream *input;
	struct message_parser_settings set;
	enum parser_state state;

	/* consumed so far, relative to the start */
	uoff_t pos, vpos;
	unsigned int lines;
	bool last_cr;

	struct message_part *root, *part;
	unsigned int part_count;
	ARRAY(struct parser_boundary) boundaries;

	struct message_header_parser_ctx *hdr_parser;
	struct message_size hdr_size;
	struct buf *content_type;
	bool content_type_seen, mime_version_seen, cte_encoded;

	/* a boundary line may start at the very first byte of the data */
	bool body_line_start;
	/* after BOUNDARY_REST: create a child of part (else: epilogue) */
	bool boundary_new_child;
	bool eof, buffer_full;

	/* init_from_parts: the known tree in pre-order */
	ARRAY(struct message_part *) known_parts;
	struct message_part *known_root;
};

static inline struct parser_part *parser_part(struct message_part *part)
{
	return (struct parser_part *)part;
}

/* Is data[p..) a boundary line of any open multipart? The innermost
   boundary wins; *idx_r is its stack index, *end_r tells "--boundary--".
   With EOF or a full buffer an undecidable line is decided with what is
   there. */
enum boundary_match
message_parser_boundary_match(struct message_parser_ctx *ctx,
			      const unsigned char *data, size_t size, size_t p,
			      unsigned int *idx_r, bool *end_r);
void message_parser_boundary_push(struct message_parser_ctx *ctx,
				  struct message_part *owner, const char *boundary);
void message_parser_boundary_pop(struct message_parser_ctx *ctx);
/* Remembers the header fields the structure depends on. */
void message_parser_header_line(struct message_parser_ctx *ctx,
				struct message_header_line *hdr);
/* Sets ctx->part's flags from the remembered Content-Type; *boundary_r
   (valid until the next part) for a multipart with a usable boundary. */
void message_parser_content_type(struct message_parser_ctx *ctx,
				 const char **boundary_r);

#endif
