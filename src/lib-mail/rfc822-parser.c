/* Copyright (c) dovecot-like authors. rfc822-parser.c: the RFC 5322 /
   RFC 2045 token reader every structured header value goes through
   (addresses, Content-Type, Content-Disposition, Message-ID). Iterative,
   so hostile nesting costs no stack; NULs in copied text become 0x80. */
#include "lib.h"
#include "str.h"
#include "rfc822-parser.h"

/* RFC 5322 3.2.3 atext; 8-bit bytes are accepted too because real-world
   headers carry raw UTF-8 (RFC 6532). */
static bool rfc822_is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* RFC 2045 5.1 token: any CHAR except SPACE, CTLs and tspecials. */
static bool rfc822_is_mime_token(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= 0x20 || c == 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static void rfc822_append_c(struct str *str, unsigned char c)
{
	if (str != NULL)
		str_append_c(str, c == '\0' ? (char)0x80 : (char)c);
}

void rfc822_parser_init(struct rfc822_parser_context *ctx,
			const unsigned char *data, size_t size,
			struct str *last_comment)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->data = data;
	ctx->end = data + size;
	ctx->last_comment = last_comment;
}

/* ctx->data is at '('. Nesting is counted, not recursed (RFC 5322 3.2.2). */
static int rfc822_skip_comment(struct rfc822_parser_context *ctx)
{
	size_t depth = 0;

	if (ctx->last_comment != NULL)
		str_reset(ctx->last_comment);
	for (; ctx->data < ctx->end; ctx->data++) {
		unsigned char c = *ctx->data;

		if (c == '(') {
			if (depth++ == 0)
				continue;
		} else if (c == ')') {
			if (--depth == 0) {
				ctx->data++;
				return 1;
			}
		} else if (c == '\\') {
			if (ctx->data + 1 == ctx->end)
				break;
			c = *++ctx->data;
		} else if (c == '\r' || c == '\n') {
			continue;
		}
		rfc822_append_c(ctx->last_comment, c);
	}
	/* unterminated */
	return -1;
}

int rfc822_skip_lwsp(struct rfc822_parser_context *ctx)
{
	while (ctx->data < ctx->end) {
		unsigned char c = *ctx->data;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			ctx->data++;
		else if (c == '(') {
			if (rfc822_skip_comment(ctx) < 0)
				return -1;
		} else
			return 1;
	}
	return 0;
}

int rfc822_parse_atom(struct rfc822_parser_context *ctx, struct str *str)
{
	const unsigned char *start = ctx->data;

	while (ctx->data < ctx->end && rfc822_is_atext(*ctx->data))
		ctx->data++;
	if (ctx->data == start)
		return -1;
	str_append_n(str, start, (size_t)(ctx->data - start));
	return rfc822_skip_lwsp(ctx);
}

/* dot-atom with the obsolete CFWS around dots and the "a..b" / "a." local
   parts some mobile carriers still send (kept as written). */
int rfc822_parse_dot_atom(struct rfc822_parser_context *ctx, struct str *str)
{
	int ret;

	if ((ret = rfc822_parse_atom(ctx, str)) <= 0)
		return ret;
	while (ctx->data < ctx->end && *ctx->data == '.') {
		str_append_c(str, '.');
		ctx->data++;
		if ((ret = rfc822_skip_lwsp(ctx)) <= 0)
			return ret;
		if (*ctx->data == '.')
			continue;
		if (!rfc822_is_atext(*ctx->data))
			return 1;
		if ((ret = rfc822_parse_atom(ctx, str)) <= 0)
			return ret;
	}
	return 1;
}

int rfc822_parse_mime_token(struct rfc822_parser_context *ctx, struct str *str)
{
	const unsigned char *start = ctx->data;

	while (ctx->data < ctx->end && rfc822_is_mime_token(*ctx->data))
		ctx->data++;
	if (ctx->data == start)
		return -1;
	str_append_n(str, start, (size_t)(ctx->data - start));
	return rfc822_skip_lwsp(ctx);
}

int rfc822_parse_quoted_string(struct rfc822_parser_context *ctx,
			       struct str *str)
{
	if (ctx->data >= ctx->end || *ctx->data != '"')
		return -1;
	for (ctx->data++; ctx->data < ctx->end; ctx->data++) {
		unsigned char c = *ctx->data;

		if (c == '"') {
			ctx->data++;
			return rfc822_skip_lwsp(ctx);
		}
		if (c == '\r' || c == '\n')
			continue;	/* folding: RFC 5322 3.2.4 FWS */
		if (c == '\\') {
			if (ctx->data + 1 == ctx->end)
				break;
			c = *++ctx->data;
		}
		rfc822_append_c(str, c);
	}
	return -1;
}

static int rfc822_parse_word(struct rfc822_parser_context *ctx, struct str *str)
{
	if (*ctx->data == '"')
		return rfc822_parse_quoted_string(ctx, str);
	return rfc822_parse_atom(ctx, str);
}

/* True if the byte before the current position is whitespace or a
   comment end, i.e. the next word is separated from the previous one. */
static bool rfc822_after_space(const struct rfc822_parser_context *ctx,
			       const unsigned char *start)
{
	if (ctx->data == start)
		return false;
	return ctx->data[-1] == ' ' || ctx->data[-1] == '\t' ||
		ctx->data[-1] == '\n' || ctx->data[-1] == '\r' ||
		ctx->data[-1] == ')';
}

/* RFC 5322 obs-phrase also allows '.' between words ("John Q. Public").
   Words separated by whitespace get one space, others none. */
int rfc822_parse_phrase(struct rfc822_parser_context *ctx, struct str *str)
{
	const unsigned char *start = ctx->data;
	bool first = true;
	int ret;

	if (ctx->data >= ctx->end)
		return -1;
	if (*ctx->data != '"' && !rfc822_is_atext(*ctx->data))
		return -1;
	for (;;) {
		if (ctx->data >= ctx->end)
			return 0;
		if (*ctx->data != '.' && *ctx->data != '"' &&
		    !rfc822_is_atext(*ctx->data))
			return 1;
		if (!first && rfc822_after_space(ctx, start))
			str_append_c(str, ' ');
		first = false;
		if (*ctx->data == '.') {
			str_append_c(str, '.');
			ctx->data++;
			ret = rfc822_skip_lwsp(ctx);
		} else {
			ret = rfc822_parse_word(ctx, str);
		}
		if (ret <= 0)
			return ret;
	}
}

static int rfc822_parse_domain_literal(struct rfc822_parser_context *ctx,
				       struct str *str)
{
	/* ctx->data is at '[' */
	for (; ctx->data < ctx->end; ctx->data++) {
		unsigned char c = *ctx->data;

		if (c == '\r' || c == '\n')
			continue;
		if (c == '\\') {
			if (ctx->data + 1 == ctx->end)
				break;
			rfc822_append_c(str, *++ctx->data);
			continue;
		}
		rfc822_append_c(str, c);
		if (c == ']') {
			ctx->data++;
			return rfc822_skip_lwsp(ctx);
		}
	}
	return -1;
}

int rfc822_parse_domain(struct rfc822_parser_context *ctx, struct str *str)
{
	int ret;

	ASSERT(ctx->data < ctx->end && *ctx->data == '@');
	ctx->data++;
	if ((ret = rfc822_skip_lwsp(ctx)) <= 0)
		return -1;
	if (*ctx->data == '[')
		return rfc822_parse_domain_literal(ctx, str);
	return rfc822_parse_dot_atom(ctx, str);
}

int rfc822_parse_content_type(struct rfc822_parser_context *ctx,
			      struct str *str)
{
	int ret;

	if (rfc822_skip_lwsp(ctx) <= 0)
		return -1;
	if ((ret = rfc822_parse_mime_token(ctx, str)) <= 0)
		return -1;
	if (*ctx->data != '/')
		return -1;
	str_append_c(str, '/');
	ctx->data++;
	if (rfc822_skip_lwsp(ctx) <= 0)
		return -1;
	return rfc822_parse_mime_token(ctx, str);
}
