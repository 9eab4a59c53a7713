/* Copyright (c) dovecot-like authors. message-parser-mime.c: the MIME
   decisions of the parser: which header fields shape the tree, what the
   Content-Type makes of a part (RFC 2045, RFC 2046), and the stack of open
   multipart boundaries and how a line is matched against it. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "rfc822-parser.h"
#include "message-parser-private.h"

#include <ctype.h>
#include <strings.h>

/* Is data[p..) a boundary line of any open multipart? The innermost
   boundary wins; *idx_r is its stack index. With force (EOF or a full
   buffer) an undecidable line is decided with what is there. */
enum boundary_match
message_parser_boundary_match(struct message_parser_ctx *ctx, const unsigned char *data,
		      size_t size, size_t p, unsigned int *idx_r, bool *end_r)
{
	const struct parser_boundary *b;
	bool force = ctx->eof || ctx->buffer_full;
	unsigned int i, count;
	size_t avail, q;

	if (p + 2 > size) {
		if (force || (p < size && data[p] != '-'))
			return BOUNDARY_MATCH_NONE;
		return BOUNDARY_MATCH_NEED_MORE;
	}
	if (data[p] != '-' || data[p + 1] != '-')
		return BOUNDARY_MATCH_NONE;
	p += 2;
	avail = size - p;
	b = array_get(&ctx->boundaries, &count);
	for (i = count; i > 0; i--) {
		const struct parser_boundary *cur = &b[i - 1];

		if (avail < cur->len) {
			if (!force && memcmp(data + p, cur->boundary, avail) == 0)
				return BOUNDARY_MATCH_NEED_MORE;
			continue;
		}
		if (memcmp(data + p, cur->boundary, cur->len) != 0)
			continue;
		q = p + cur->len;
		*idx_r = i - 1;
		*end_r = false;
		if (q == size) {
			if (!force)
				return BOUNDARY_MATCH_NEED_MORE;
			return BOUNDARY_MATCH_FOUND;
		}
		if (data[q] == '-') {
			if (q + 1 == size) {
				if (!force)
					return BOUNDARY_MATCH_NEED_MORE;
				continue;
			}
			if (data[q + 1] == '-') {
				*end_r = true;
				return BOUNDARY_MATCH_FOUND;
			}
			continue;
		}
		/* RFC 2046 5.1.1: only transport padding may follow */
		if (data[q] == ' ' || data[q] == '\t' || data[q] == '\r' ||
		    data[q] == '\n')
			return BOUNDARY_MATCH_FOUND;
	}
	return BOUNDARY_MATCH_NONE;
}

void message_parser_boundary_push(struct message_parser_ctx *ctx,
				  struct message_part *owner, const char *boundary)
{
	struct parser_boundary *b = array_append_space(&ctx->boundaries);

	b->owner = owner;
	b->len = strlen(boundary);
	b->boundary = p_strndup(system_pool, boundary, b->len);
}

void message_parser_boundary_pop(struct message_parser_ctx *ctx)
{
	unsigned int count = array_count(&ctx->boundaries);

	ASSERT(count > 0);
	p_free(system_pool, array_idx(&ctx->boundaries, count - 1)->boundary);
	array_delete(&ctx->boundaries, count - 1, 1);
}

static bool header_name_is(const struct message_header_line *hdr,
			   const char *name)
{
	size_t len = strlen(name);

	return hdr->name_len == len && strncasecmp(hdr->name, name, len) == 0;
}

/* RFC 2046 5.2.1: message/rfc822 can't be encoded; if it is (base64 or
   quoted-printable as the whole mechanism token), don't look inside. */
static bool cte_is_encoded(const unsigned char *value, size_t len)
{
	struct rfc822_parser_context parser;
	struct str *token = t_str_new(32);

	rfc822_parser_init(&parser, value, len, NULL);
	if (rfc822_skip_lwsp(&parser) <= 0 ||
	    rfc822_parse_mime_token(&parser, token) < 0)
		return false;
	return strcasecmp(str_c(token), "base64") == 0 ||
		strcasecmp(str_c(token), "quoted-printable") == 0;
}

/* Remembers what the structure depends on. */
void message_parser_header_line(struct message_parser_ctx *ctx,
			       struct message_header_line *hdr)
{
	if (hdr->eoh)
		return;
	if (hdr->continues) {
		/* full_value is complete on the last line; ask for it only
		   for the fields read here */
		if (!hdr->continued &&
		    (header_name_is(hdr, "Content-Type") ||
		     header_name_is(hdr, "Content-Transfer-Encoding")))
			hdr->use_full_value = true;
		return;
	}
	if (header_name_is(hdr, "Content-Type")) {
		if (ctx->content_type_seen)
			return;	/* the first one counts */
		ctx->content_type_seen = true;
		buf_reset(ctx->content_type);
		(void)buf_append(ctx->content_type, hdr->full_value,
				 MIN(hdr->full_value_len,
				     MESSAGE_PARSER_MAX_CONTENT_TYPE_LEN));
	} else if (header_name_is(hdr, "MIME-Version")) {
		ctx->mime_version_seen = true;
	} else if (header_name_is(hdr, "Content-Transfer-Encoding")) {
		ctx->cte_encoded = cte_is_encoded(hdr->full_value,
						  hdr->full_value_len);
	}
}

/* Parses the Content-Type into part flags; *boundary_r is set (in
   ct_pool, or tmp_pool for an RFC 2231 encoded one) for a usable
   multipart; the caller copies it. */
void message_parser_content_type(struct message_parser_ctx *ctx,
				const char **boundary_r)
{
	struct message_part *part = ctx->part;
	struct rfc822_parser_context parser;
	ARRAY_TYPE(rfc822_param) params;
	struct str *type;
	const char *ctype, *boundary;
	bool digest_child = part->parent != NULL &&
		(part->parent->flags & MESSAGE_PART_FLAG_MULTIPART_DIGEST) != 0;

	*boundary_r = NULL;
	pool_clear(ctx->ct_pool);
	type = str_new(ctx->ct_pool, 64);
	if (ctx->content_type_seen) {
		rfc822_parser_init(&parser, ctx->content_type->data,
				   ctx->content_type->used, NULL);
		(void)rfc822_skip_lwsp(&parser);
		if (rfc822_parse_content_type(&parser, type) < 0 ||
		    strchr(str_c(type), '/') == NULL)
			str_reset(type);
	}
	if (str_len(type) == 0) {
		/* RFC 2046 5.1.5: digest parts default to message/rfc822,
		   everything else to text/plain (RFC 2045 5.2) */
		part->flags |= digest_child ? MESSAGE_PART_FLAG_MESSAGE_RFC822 :
			MESSAGE_PART_FLAG_TEXT;
		return;
	}
	for (size_t i = 0; i < type->buf.used; i++)
		type->buf.data[i] = (unsigned char)tolower(type->buf.data[i]);
	ctype = str_c(type);
	if (strncmp(ctype, "text/", 5) == 0) {
		part->flags |= MESSAGE_PART_FLAG_TEXT;
	} else if (strcmp(ctype, "message/rfc822") == 0) {
		part->flags |= MESSAGE_PART_FLAG_MESSAGE_RFC822;
	} else if (strncmp(ctype, "multipart/", 10) == 0) {
		/* a multipart without a usable boundary keeps the flag but
		   gets no children (IMAP writers show an empty text/plain
		   part for it, as Dovecot does) */
		part->flags |= MESSAGE_PART_FLAG_MULTIPART;
		if (strcmp(ctype, "multipart/digest") == 0)
			part->flags |= MESSAGE_PART_FLAG_MULTIPART_DIGEST;
		array_init(&params, ctx->ct_pool, 4);
		(void)rfc2231_parse(&parser, ctx->ct_pool, &params);
		boundary = rfc822_params_get(&params, "boundary");
		if (boundary != NULL && boundary[0] != '\0' &&
		    strlen(boundary) <= MESSAGE_PARSER_MAX_BOUNDARY_LEN)
			*boundary_r = boundary;
	}
}

