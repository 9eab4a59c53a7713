/* Copyright (c) dovecot-like authors. message-parser.c: the streaming MIME
   parser. Everything is driven by byte positions: every part remembers where
   its header and body started, and is closed at the position where a
   boundary of one of its ancestors (RFC 2046 5.1.1: the CRLF before the
   boundary belongs to the boundary) or EOF is seen. Bytes that might start
   a boundary line are left unread in the input until it is known what they
   are, so the parser works on non-blocking streams and holds at most one
   boundary line in memory. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "message-parser-private.h"

static struct message_part *
parser_part_new(struct message_parser_ctx *ctx, struct message_part *parent)
{
	struct parser_part *ppart, *pparent;
	struct message_part *part;

	ppart = pool_new(ctx->part_pool, struct parser_part, 1);
	part = &ppart->part;
	part->parent = parent;
	part->physical_pos = ctx->pos;
	ppart->index = ctx->part_count++;
	ppart->start_vpos = ctx->vpos;
	ppart->start_lines = ctx->lines;
	if (parent != NULL) {
		pparent = parser_part(parent);
		ppart->depth = pparent->depth + 1;
		if (pparent->last_child == NULL)
			parent->children = part;
		else
			pparent->last_child->next = part;
		pparent->last_child = part;
		parent->children_count++;
	}
	return part;
}

static void parser_header_begin(struct message_parser_ctx *ctx)
{
	ctx->hdr_parser = message_header_parser_init(ctx->input, &ctx->hdr_size,
						     ctx->set.hdr_flags);
	message_header_parser_set_max_field_size(ctx->hdr_parser,
						 ctx->set.max_header_field_size);
	buf_reset(ctx->content_type);
	ctx->content_type_seen = false;
	ctx->mime_version_seen = false;
	ctx->cte_encoded = false;
	ctx->state = PARSER_STATE_HEADER;
}

static void parser_init_common(struct message_parser_ctx *ctx,
			       struct istream *input,
			       const struct message_parser_settings *set)
{
	if (set != NULL)
		ctx->set = *set;
	if (ctx->set.max_nested_mime_parts == 0)
		ctx->set.max_nested_mime_parts = MESSAGE_PARSER_DEFAULT_MAX_NESTED;
	if (ctx->set.max_total_mime_parts == 0)
		ctx->set.max_total_mime_parts = MESSAGE_PARSER_DEFAULT_MAX_PARTS;
	ctx->input = input;
	istream_ref(input);
	ctx->ct_pool = pool_create("message parser", 1024, POOL_FLAG_NONE);
	array_init(&ctx->boundaries, system_pool, 8);
	ctx->content_type = buf_create(system_pool, 128);
	ctx->root = parser_part_new(ctx, NULL);
	ctx->part = ctx->root;
	parser_header_begin(ctx);
}

struct message_parser_ctx *
message_parser_init(struct pool *part_pool, struct istream *input,
		    const struct message_parser_settings *set)
{
	struct message_parser_ctx *ctx;

	ctx = pool_new(system_pool, struct message_parser_ctx, 1);
	ctx->part_pool = part_pool;
	pool_ref(part_pool);
	parser_init_common(ctx, input, set);
	return ctx;
}

static void known_parts_add(struct message_parser_ctx *ctx,
			    struct message_part *part)
{
	for (; part != NULL; part = part->next) {
		array_append(&ctx->known_parts, &part);
		known_parts_add(ctx, part->children);
	}
}

struct message_parser_ctx *
message_parser_init_from_parts(struct message_part *parts, struct istream *input,
			       const struct message_parser_settings *set)
{
	struct message_parser_ctx *ctx;

	ctx = pool_new(system_pool, struct message_parser_ctx, 1);
	/* the structure is rebuilt privately and blocks are mapped onto the
	   known parts by their pre-order position */
	ctx->part_pool = pool_create("message parser parts", 4096, POOL_FLAG_NONE);
	ctx->known_root = parts;
	array_init(&ctx->known_parts, system_pool, 16);
	known_parts_add(ctx, parts);
	parser_init_common(ctx, input, set);
	return ctx;
}

static struct message_part *
parser_block_part(struct message_parser_ctx *ctx, struct message_part *part)
{
	unsigned int idx;

	if (ctx->known_root == NULL)
		return part;
	idx = parser_part(part)->index;
	if (idx < array_count(&ctx->known_parts))
		return *array_idx(&ctx->known_parts, idx);
	return part;
}

/* Skips count buffered bytes, keeping the position counters. */
static void parser_consume(struct message_parser_ctx *ctx, size_t count)
{
	const unsigned char *data;
	struct message_size added;
	size_t size;

	data = istream_get_data(ctx->input, &size);
	ASSERT(count <= size);
	memset(&added, 0, sizeof(added));
	if (message_size_add_data(&added, data, count, &ctx->last_cr))
		ctx->part->flags |= MESSAGE_PART_FLAG_HAS_NULS;
	ctx->lines += added.lines;
	/* what is left may be decidable now; -2 from a new read will say */
	ctx->buffer_full = false;
	ctx->pos += added.physical_size;
	ctx->vpos += added.virtual_size;
	istream_skip(ctx->input, count);
}

/* 1 = more data buffered (or eof/buffer_full set), 0 = would block */
static int parser_read_more(struct message_parser_ctx *ctx)
{
	ssize_t ret;

	if (ctx->eof)
		return 1;
	ret = istream_read(ctx->input);
	if (ret == 0)
		return 0;
	if (ret == -1)
		ctx->eof = true;
	else if (ret == -2)
		ctx->buffer_full = true;
	else
		ctx->buffer_full = false;
	return 1;
}

/* Header sizes of ctx->part are final: set them and the body start. */
static void parser_header_finish(struct message_parser_ctx *ctx)
{
	struct message_part *part = ctx->part;
	struct parser_part *ppart = parser_part(part);

	if (message_header_parser_has_nuls(ctx->hdr_parser))
		part->flags |= MESSAGE_PART_FLAG_HAS_NULS;
	message_header_parser_deinit(&ctx->hdr_parser);
	part->header_size = ctx->hdr_size;
	ctx->pos = part->physical_pos + ctx->hdr_size.physical_size;
	ctx->vpos = ppart->start_vpos + ctx->hdr_size.virtual_size;
	ctx->lines = ppart->start_lines + ctx->hdr_size.lines;
	ctx->last_cr = false;
	ppart->body_vpos = ctx->vpos;
	ppart->body_lines = ctx->lines;
	if (ctx->mime_version_seen)
		part->flags |= MESSAGE_PART_FLAG_IS_MIME;
}

static void parser_part_end(struct message_parser_ctx *ctx,
			    struct message_part *part)
{
	struct parser_part *ppart = parser_part(part);

	part->body_size.physical_size = ctx->pos -
		(part->physical_pos + part->header_size.physical_size);
	part->body_size.virtual_size = ctx->vpos - ppart->body_vpos;
	part->body_size.lines = ctx->lines - ppart->body_lines;
	if (part->parent != NULL &&
	    (part->flags & MESSAGE_PART_FLAG_HAS_NULS) != 0)
		part->parent->flags |= MESSAGE_PART_FLAG_HAS_NULS;
}

/* Closes the parts inside owner (boundary at stack index idx) and drops
   the boundaries of the closed parts. */
static void parser_close_inner_parts(struct message_parser_ctx *ctx,
				     unsigned int idx)
{
	const struct parser_boundary *b = array_idx(&ctx->boundaries, idx);
	struct message_part *owner = b->owner;

	for (; ctx->part != owner; ctx->part = ctx->part->parent)
		parser_part_end(ctx, ctx->part);
	while (array_count(&ctx->boundaries) > idx + 1)
		message_parser_boundary_pop(ctx);
}

/* A boundary line starts after nl_len bytes of newline: close the parts it
   ends and consume "--boundary[--]". */
static void parser_handle_boundary(struct message_parser_ctx *ctx,
				   size_t nl_len, unsigned int idx, bool end)
{
	size_t len = array_idx(&ctx->boundaries, idx)->len;

	if (ctx->hdr_parser != NULL) {
		/* a message/rfc822 child whose header never started */
		parser_header_finish(ctx);
	}
	parser_close_inner_parts(ctx, idx);
	parser_consume(ctx, nl_len + 2 + len + (end ? 2 : 0));
	if (end) {
		/* the rest is the epilogue, inside the outer boundaries */
		message_parser_boundary_pop(ctx);
		ctx->boundary_new_child = false;
	} else {
		ctx->boundary_new_child = true;
	}
	ctx->state = PARSER_STATE_BOUNDARY_REST;
}

static void parser_end_all(struct message_parser_ctx *ctx)
{
	if (ctx->hdr_parser != NULL)
		parser_header_finish(ctx);
	for (; ctx->part != NULL; ctx->part = ctx->part->parent)
		parser_part_end(ctx, ctx->part);
	while (array_count(&ctx->boundaries) > 0)
		message_parser_boundary_pop(ctx);
	ctx->part = ctx->root;
	ctx->state = PARSER_STATE_DONE;
}

/* Body bytes of ctx->part up to the next boundary line. */
static int parser_parse_body(struct message_parser_ctx *ctx,
			     struct message_block *block_r)
{
	const unsigned char *data, *lf;
	enum boundary_match match = BOUNDARY_MATCH_NONE;
	unsigned int idx = 0;
	size_t size, i, stop, nl_start = 0;
	bool end = false;

	data = istream_get_data(ctx->input, &size);
	if (size == 0) {
		if (ctx->eof) {
			parser_end_all(ctx);
			return -1;
		}
		if (parser_read_more(ctx) == 0)
			return 0;
		return 2;
	}
	if (array_count(&ctx->boundaries) == 0) {
		stop = size;
	} else if (ctx->body_line_start &&
		   (match = message_parser_boundary_match(ctx, data, size, 0, &idx,
						  &end)) != BOUNDARY_MATCH_NONE) {
		if (match == BOUNDARY_MATCH_FOUND) {
			parser_handle_boundary(ctx, 0, idx, end);
			return 2;
		}
		stop = 0;
	} else {
		ctx->body_line_start = false;
		stop = size;
		for (i = 0; i < size; i = (size_t)(lf - data) + 1) {
			lf = memchr(data + i, '\n', size - i);
			if (lf == NULL) {
				/* a CR at the end may begin the CRLF before a
				   boundary */
				if (data[size - 1] == '\r' && !ctx->eof)
					stop = size - 1;
				break;
			}
			nl_start = (size_t)(lf - data);
			if (nl_start > 0 && data[nl_start - 1] == '\r')
				nl_start--;
			match = message_parser_boundary_match(ctx, data, size,
						      (size_t)(lf - data) + 1,
						      &idx, &end);
			if (match != BOUNDARY_MATCH_NONE) {
				stop = nl_start;
				break;
			}
		}
	}
	if (stop > 0) {
		block_r->part = ctx->part;
		block_r->data = data;
		block_r->size = stop;
		parser_consume(ctx, stop);
		return 1;
	}
	if (match == BOUNDARY_MATCH_FOUND) {
		lf = memchr(data, '\n', size);
		ASSERT(lf != NULL);
		parser_handle_boundary(ctx, (size_t)(lf - data) + 1, idx, end);
		return 2;
	}
	/* undecidable: wait for more input */
	if (ctx->eof) {
		parser_end_all(ctx);
		return -1;
	}
	if (parser_read_more(ctx) == 0)
		return 0;
	return 2;
}

/* Rest of the boundary line (transport padding or junk) up to its LF. */
static int parser_skip_boundary_rest(struct message_parser_ctx *ctx)
{
	const unsigned char *data, *lf;
	size_t size;

	for (;;) {
		data = istream_get_data(ctx->input, &size);
		if (size == 0) {
			if (ctx->eof)
				break;
			if (parser_read_more(ctx) == 0)
				return 0;
			continue;
		}
		lf = memchr(data, '\n', size);
		if (lf != NULL) {
			parser_consume(ctx, (size_t)(lf - data) + 1);
			break;
		}
		parser_consume(ctx, size);
	}
	ctx->body_line_start = true;
	if (!ctx->boundary_new_child) {
		ctx->state = PARSER_STATE_BODY;
	} else if (ctx->part_count >= ctx->set.max_total_mime_parts) {
		/* too many parts: the rest of this multipart is opaque */
		ctx->part->flags |= MESSAGE_PART_FLAG_OVERFLOW;
		message_parser_boundary_pop(ctx);
		ctx->state = PARSER_STATE_BODY;
	} else {
		ctx->part = parser_part_new(ctx, ctx->part);
		parser_header_begin(ctx);
	}
	return 2;
}

/* The header of ctx->part ended: set its sizes and decide how its body
   is parsed. */
static void parser_header_end(struct message_parser_ctx *ctx)
{
	struct message_part *part = ctx->part;
	struct parser_part *ppart = parser_part(part);
	const char *boundary;
	bool can_nest;

	parser_header_finish(ctx);
	message_parser_content_type(ctx, &boundary);
	can_nest = ppart->depth + 1 < ctx->set.max_nested_mime_parts &&
		ctx->part_count < ctx->set.max_total_mime_parts;
	ctx->state = PARSER_STATE_BODY;
	ctx->body_line_start = true;
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0) {
		if (boundary == NULL)
			return;	/* the body stays opaque */
		if (!can_nest) {
			part->flags |= MESSAGE_PART_FLAG_OVERFLOW;
			return;
		}
		message_parser_boundary_push(ctx, part, boundary);
	} else if ((part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0 &&
		   !ctx->cte_encoded) {
		if (!can_nest) {
			part->flags |= MESSAGE_PART_FLAG_OVERFLOW;
			return;
		}
		ctx->part = parser_part_new(ctx, part);
		parser_header_begin(ctx);
	}
}

/* A boundary line where the next header line would start ends the
   header (and the part) early. */
static int parser_header_check_boundary(struct message_parser_ctx *ctx,
					 struct message_block *block_r)
{
	struct message_part *part = ctx->part;
	const unsigned char *data;
	enum boundary_match match;
	unsigned int idx;
	size_t size;
	bool end;

	if (array_count(&ctx->boundaries) == 0 ||
	    !message_header_parser_at_line_start(ctx->hdr_parser))
		return 1;
	for (;;) {
		data = istream_get_data(ctx->input, &size);
		match = message_parser_boundary_match(ctx, data, size, 0, &idx, &end);
		if (match == BOUNDARY_MATCH_NONE)
			return 1;
		if (match == BOUNDARY_MATCH_FOUND)
			break;
		if (parser_read_more(ctx) == 0)
			return 0;
	}
	parser_header_end(ctx);
	/* header_end may have opened a child or pushed a boundary: the
	   boundary closes those too */
	parser_handle_boundary(ctx, 0, idx, end);
	/* the end-of-header block is still owed */
	block_r->part = part;
	return 3;
}

static int parser_parse_header(struct message_parser_ctx *ctx,
			       struct message_block *block_r)
{
	struct message_header_line *hdr;
	int ret;

	/* 1 = no boundary here, 3 = header ended by one (block set) */
	ret = parser_header_check_boundary(ctx, block_r);
	if (ret != 1)
		return ret == 3 ? 1 : ret;
	ret = message_parse_header_next(ctx->hdr_parser, &hdr);
	if (ret == 0)
		return 0;
	block_r->part = ctx->part;
	if (ret > 0) {
		message_parser_header_line(ctx, hdr);
		block_r->hdr = hdr;
		return 1;
	}
	if (ctx->input->stream_errno != 0)
		return -1;
	/* the end-of-header block */
	parser_header_end(ctx);
	return 1;
}

int message_parser_parse_next_block(struct message_parser_ctx *ctx,
				    struct message_block *block_r)
{
	int ret;

	memset(block_r, 0, sizeof(*block_r));
	do {
		switch (ctx->state) {
		case PARSER_STATE_HEADER:
			ret = parser_parse_header(ctx, block_r);
			break;
		case PARSER_STATE_BODY:
			ret = parser_parse_body(ctx, block_r);
			break;
		case PARSER_STATE_BOUNDARY_REST:
			ret = parser_skip_boundary_rest(ctx);
			break;
		case PARSER_STATE_DONE:
		default:
			return -1;
		}
	} while (ret == 2);
	if (ret == 1)
		block_r->part = parser_block_part(ctx, block_r->part);
	else if (ret < 0 && ctx->state != PARSER_STATE_DONE)
		parser_end_all(ctx);
	return ret;
}

int message_parser_deinit(struct message_parser_ctx **_ctx,
			  struct message_part **parts_r)
{
	struct message_parser_ctx *ctx = *_ctx;
	int ret = ctx->input->stream_errno != 0 ? -1 : 0;

	*_ctx = NULL;
	if (ctx->state != PARSER_STATE_DONE) {
		/* unfinished: close everything where we are so the sizes are
		   at least consistent */
		parser_end_all(ctx);
	}
	message_header_parser_deinit(&ctx->hdr_parser);
	*parts_r = ctx->known_root != NULL ? ctx->known_root : ctx->root;
	if (ctx->known_root != NULL)
		array_free(&ctx->known_parts);
	pool_unref(&ctx->part_pool);
	pool_unref(&ctx->ct_pool);
	array_free(&ctx->boundaries);
	buf_free(&ctx->content_type);
	istream_unref(&ctx->input);
	p_free(system_pool, ctx);
	return ret;
}

struct message_part *message_parse_all(struct pool *part_pool, struct istream *input,
				       const struct message_parser_settings *set,
				       message_part_callback_t *callback,
				       void *context)
{
	struct message_parser_ctx *ctx;
	struct message_block block;
	struct message_part *parts;
	int ret;

	ctx = message_parser_init(part_pool, input, set);
	while ((ret = message_parser_parse_next_block(ctx, &block)) != -1) {
		if (ret > 0 && callback != NULL)
			callback(&block, context);
		/* ret == 0: a non-blocking stream; keep polling it */
	}
	if (message_parser_deinit(&ctx, &parts) < 0)
		return NULL;
	return parts;
}
