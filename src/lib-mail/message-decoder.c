/* Copyright (c) dovecot-like authors. message-decoder.c: per-part state
   (charset, transfer encoding) from the part's header lines; incremental
   base64 and quoted-printable decoders whose partial input is carried
   between blocks; a streaming charset_translation for the UTF-8 step. */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "base64.h"
#include "strfuncs.h"
#include "rfc822-parser.h"
#include "charset-utf8.h"
#include "message-header-decode.h"
#include "message-decoder.h"

#include <string.h>
#include <strings.h>

/* A quoted-printable "=" followed by whitespace is held at most this
   long while waiting for the newline that makes it a soft break. */
#define QP_PENDING_MAX 32

enum decoder_cte {
	DECODER_CTE_NONE = 0,
	DECODER_CTE_BASE64,
	DECODER_CTE_QP,
};

struct message_decoder_context {
	struct pool *pool;		/* per-part header data */
	/* the part whose header lines are being read */
	struct message_part *hdr_part;
	char *charset;			/* NULL = not given */
	bool content_type_seen;
	enum decoder_cte cte, body_cte;

	/* the part whose body is being decoded; set at its first block */
	struct message_part *body_part;
	bool body_is_text;
	struct charset_translation *ct;

	/* base64: bits of the current quantum */
	uint32_t b64_bits;
	unsigned int b64_count;
	/* quoted-printable: an "=..." sequence not decided yet */
	unsigned char qp_pending[QP_PENDING_MAX];
	size_t qp_pending_len;

	struct buf *decoded;		/* CTE-decoded bytes of a block */
	struct str *out;		/* UTF-8 returned to the caller */
};

struct message_decoder_context *message_decoder_init(void)
{
	struct message_decoder_context *ctx;

	ctx = pool_new(system_pool, struct message_decoder_context, 1);
	ctx->pool = pool_create("message decoder", 1024, POOL_FLAG_NONE);
	ctx->decoded = buf_create(system_pool, 4096);
	ctx->out = str_new(system_pool, 4096);
	return ctx;
}

void message_decoder_deinit(struct message_decoder_context **_ctx)
{
	struct message_decoder_context *ctx = *_ctx;

	if (ctx == NULL)
		return;
	*_ctx = NULL;
	charset_translation_deinit(&ctx->ct);
	buf_free(&ctx->decoded);
	str_free(&ctx->out);
	pool_unref(&ctx->pool);
	p_free(system_pool, ctx);
}

/* The charset parameter of a Content-Type value (NULL if none). */
static void decoder_parse_content_type(struct message_decoder_context *ctx,
				       const unsigned char *value, size_t size)
{
	struct rfc822_parser_context parser;
	ARRAY_TYPE(rfc822_param) params;
	struct str *type = str_new(ctx->pool, 64);
	const char *charset;

	if (size > MESSAGE_DECODER_MAX_CONTENT_TYPE)
		size = MESSAGE_DECODER_MAX_CONTENT_TYPE;
	rfc822_parser_init(&parser, value, size, NULL);
	(void)rfc822_skip_lwsp(&parser);
	if (rfc822_parse_content_type(&parser, type) < 0)
		return;
	array_init(&params, ctx->pool, 4);
	(void)rfc2231_parse(&parser, ctx->pool, &params);
	charset = rfc822_params_get(&params, "charset");
	if (charset != NULL && charset[0] != '\0')
		ctx->charset = p_strdup(ctx->pool, charset);
}

static enum decoder_cte decoder_parse_cte(struct pool *pool,
					  const unsigned char *value,
					  size_t size)
{
	struct rfc822_parser_context parser;
	struct str *token = str_new(pool, 32);

	rfc822_parser_init(&parser, value, MIN(size, 256), NULL);
	(void)rfc822_skip_lwsp(&parser);
	if (rfc822_parse_mime_token(&parser, token) < 0)
		return DECODER_CTE_NONE;
	if (strcasecmp(str_c(token), "base64") == 0)
		return DECODER_CTE_BASE64;
	if (strcasecmp(str_c(token), "quoted-printable") == 0)
		return DECODER_CTE_QP;
	return DECODER_CTE_NONE;
}

/* A complete header field of ctx->hdr_part: remembers what the body
   decoding needs and sets the decoded value as output. */
static void decoder_header(struct message_decoder_context *ctx,
			   struct message_header_line *hdr)
{
	if (strcasecmp(hdr->name, "Content-Type") == 0 &&
	    !ctx->content_type_seen) {
		ctx->content_type_seen = true;
		decoder_parse_content_type(ctx, hdr->full_value,
					   hdr->full_value_len);
	} else if (strcasecmp(hdr->name, "Content-Transfer-Encoding") == 0) {
		ctx->cte = decoder_parse_cte(ctx->pool, hdr->full_value,
					     hdr->full_value_len);
	}
	str_reset(ctx->out);
	message_header_decode_utf8(hdr->full_value, hdr->full_value_len,
				   ctx->out);
}

/* Lenient incremental base64: bytes outside the alphabet are skipped,
   '=' ends the current quantum (its leftover bits dropped), so
   concatenated encodings and missing padding decode as senders meant. */
static void decoder_base64(struct message_decoder_context *ctx,
			   const unsigned char *data, size_t size)
{
	unsigned char out[3];
	size_t i;
	int v;

	for (i = 0; i < size; i++) {
		if (data[i] == '=') {
			ctx->b64_bits = 0;
			ctx->b64_count = 0;
			continue;
		}
		v = base64_char_value(data[i]);
		if (v < 0)
			continue;
		ctx->b64_bits = (ctx->b64_bits << 6) | (uint32_t)v;
		ctx->b64_count++;
		if (ctx->b64_count == 2) {
			/* one byte is complete: emit it now so a partial
			   quantum at '=' or EOF isn't lost */
			out[0] = (unsigned char)(ctx->b64_bits >> 4);
			(void)buf_append(ctx->decoded, out, 1);
		} else if (ctx->b64_count == 3) {
			out[0] = (unsigned char)(ctx->b64_bits >> 2);
			(void)buf_append(ctx->decoded, out, 1);
		} else if (ctx->b64_count == 4) {
			out[0] = (unsigned char)ctx->b64_bits;
			(void)buf_append(ctx->decoded, out, 1);
			ctx->b64_bits = 0;
			ctx->b64_count = 0;
		}
	}
}

/* The pending "=..." as literal text. */
static void qp_pending_literal(struct message_decoder_context *ctx)
{
	(void)buf_append(ctx->decoded, ctx->qp_pending, ctx->qp_pending_len);
	ctx->qp_pending_len = 0;
}

static void decoder_qp_byte(struct message_decoder_context *ctx,
			    unsigned char c);

/* c follows a pending "=": decides the sequence or keeps waiting. */
static void decoder_qp_pending(struct message_decoder_context *ctx,
			       unsigned char c)
{
	const unsigned char *p = ctx->qp_pending;
	unsigned char byte;

	if (ctx->qp_pending_len == 2 && hex_digit_value(p[1]) >= 0) {
		if (hex_digit_value(c) >= 0) {
			byte = (unsigned char)(hex_digit_value(p[1]) * 16 +
					       hex_digit_value(c));
			(void)buf_append(ctx->decoded, &byte, 1);
			ctx->qp_pending_len = 0;
			return;
		}
		/* "=X?" is not an escape: literal, then c afresh */
		qp_pending_literal(ctx);
		decoder_qp_byte(ctx, c);
		return;
	}
	if (c == '\n') {
		/* "=" [whitespace] newline: soft line break */
		ctx->qp_pending_len = 0;
		return;
	}
	if ((c == ' ' || c == '\t' || c == '\r') &&
	    ctx->qp_pending_len < QP_PENDING_MAX) {
		ctx->qp_pending[ctx->qp_pending_len++] = c;
		return;
	}
	if (ctx->qp_pending_len == 1 && hex_digit_value(c) >= 0) {
		ctx->qp_pending[ctx->qp_pending_len++] = c;
		return;
	}
	qp_pending_literal(ctx);
	decoder_qp_byte(ctx, c);
}

static void decoder_qp_byte(struct message_decoder_context *ctx,
			    unsigned char c)
{
	if (ctx->qp_pending_len > 0)
		decoder_qp_pending(ctx, c);
	else if (c == '=') {
		ctx->qp_pending[0] = c;
		ctx->qp_pending_len = 1;
	} else
		(void)buf_append(ctx->decoded, &c, 1);
}

/* Quoted-printable with "=XX" (either case), soft line breaks (also with
   trailing whitespace after the "="); anything invalid is kept literally. */
static void decoder_qp(struct message_decoder_context *ctx,
		       const unsigned char *data, size_t size)
{
	size_t i, start;

	for (i = 0; i < size; ) {
		if (ctx->qp_pending_len == 0) {
			/* plain runs in one append */
			start = i;
			while (i < size && data[i] != '=')
				i++;
			(void)buf_append(ctx->decoded, data + start, i - start);
			if (i == size)
				break;
		}
		decoder_qp_byte(ctx, data[i++]);
	}
}

/* Ends the body of ctx->body_part: flushes what is carried into out. */
static void decoder_body_finish(struct message_decoder_context *ctx)
{
	buf_reset(ctx->decoded);
	if (ctx->qp_pending_len > 0)
		qp_pending_literal(ctx);
	ctx->b64_bits = 0;
	ctx->b64_count = 0;
	if (ctx->ct != NULL) {
		charset_translation_more(ctx->ct, ctx->decoded->data,
					 ctx->decoded->used, ctx->out);
		charset_translation_finish(ctx->ct, ctx->out);
		charset_translation_deinit(&ctx->ct);
	}
	buf_reset(ctx->decoded);
	ctx->body_part = NULL;
}

/* The first body block of part: sets up its decoding. */
static void decoder_body_start(struct message_decoder_context *ctx,
			       struct message_part *part)
{
	ctx->body_part = part;
	ctx->body_is_text = (part->flags & MESSAGE_PART_FLAG_TEXT) != 0;
	ctx->body_cte = part == ctx->hdr_part ? ctx->cte : DECODER_CTE_NONE;
	if (ctx->body_is_text)
		ctx->ct = charset_translation_init(part == ctx->hdr_part ?
						   ctx->charset : NULL, NULL);
}

/* Resets the per-part header state for the header of a new part. */
static void decoder_header_start(struct message_decoder_context *ctx,
				 struct message_part *part)
{
	ctx->hdr_part = part;
	pool_clear(ctx->pool);
	ctx->charset = NULL;
	ctx->content_type_seen = false;
	ctx->cte = DECODER_CTE_NONE;
}

static void decoder_body_text(struct message_decoder_context *ctx,
			      struct message_block *input);

static bool decoder_body(struct message_decoder_context *ctx,
			 struct message_block *input,
			 struct message_block *output)
{
	if (ctx->body_part != input->part) {
		if (ctx->body_part != NULL)
			decoder_body_finish(ctx);
		decoder_body_start(ctx, input->part);
	}
	if (ctx->body_is_text) {
		decoder_body_text(ctx, input);
		charset_translation_more(ctx->ct, ctx->decoded->data,
					 ctx->decoded->used, ctx->out);
	}
	/* a non-text body gives only what the previous part left */
	if (str_len(ctx->out) == 0)
		return false;
	output->data = str_data(ctx->out);
	output->size = str_len(ctx->out);
	return true;
}

/* CTE-decodes a text body block into ctx->decoded. */
static void decoder_body_text(struct message_decoder_context *ctx,
			      struct message_block *input)
{
	buf_reset(ctx->decoded);
	switch (ctx->body_cte) {
	case DECODER_CTE_BASE64:
		decoder_base64(ctx, input->data, input->size);
		break;
	case DECODER_CTE_QP:
		decoder_qp(ctx, input->data, input->size);
		break;
	case DECODER_CTE_NONE:
		(void)buf_append(ctx->decoded, input->data, input->size);
		break;
	}
}

bool message_decoder_decode_next_block(struct message_decoder_context *ctx,
				       struct message_block *input,
				       struct message_block *output)
{
	struct message_header_line *hdr = input->hdr;

	memset(output, 0, sizeof(*output));
	output->part = input->part;
	str_reset(ctx->out);
	if (hdr == NULL && input->size == 0) {
		/* end of a part's header */
		return true;
	}
	if (hdr == NULL)
		return decoder_body(ctx, input, output);

	/* a header ends the previous body; what it still carried (a
	   dangling "=", an incomplete character) is dropped */
	if (ctx->body_part != NULL)
		decoder_body_finish(ctx);
	if (input->part != ctx->hdr_part)
		decoder_header_start(ctx, input->part);
	output->hdr = hdr;
	if (hdr->eoh)
		return true;
	if (hdr->continues) {
		if (!hdr->continued)
			hdr->use_full_value = true;
		return false;
	}
	decoder_header(ctx, hdr);
	output->data = str_data(ctx->out);
	output->size = str_len(ctx->out);
	return true;
}

bool message_decoder_finish(struct message_decoder_context *ctx,
			    struct message_block *output)
{
	memset(output, 0, sizeof(*output));
	str_reset(ctx->out);
	if (ctx->body_part == NULL)
		return false;
	output->part = ctx->body_part;
	decoder_body_finish(ctx);
	output->data = str_data(ctx->out);
	output->size = str_len(ctx->out);
	return output->size > 0;
}

void message_decoder_reset(struct message_decoder_context *ctx)
{
	if (ctx->body_part != NULL)
		decoder_body_finish(ctx);
	ctx->hdr_part = NULL;
	ctx->charset = NULL;
	ctx->content_type_seen = false;
	ctx->cte = DECODER_CTE_NONE;
	pool_clear(ctx->pool);
	str_reset(ctx->out);
}
