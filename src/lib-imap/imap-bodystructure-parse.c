/* Copyright (c) dovecot-like authors. imap-bodystructure-parse.c: turns a
   cached BODYSTRUCTURE string back into the shorter BODY form (dropping
   the extension data), checking its syntax so a corrupted cache record is
   detected instead of being sent to a client. */
#include "lib.h"
#include "str.h"
#include "imap-bodystructure.h"

#include <strings.h>

/* Deeper lists are rejected (each message/rfc822 level costs ~3). */
#define BODYSTRUCTURE_MAX_DEPTH 512

enum bs_node_type {
	BS_NODE_ATOM,
	BS_NODE_STRING,
	BS_NODE_LIST,
};

struct bs_node {
	enum bs_node_type type;
	const char *start;	/* the raw text of the item */
	size_t len;
	const char *value;	/* strings: the unquoted value (tmp) */
	struct bs_node *children, *next;
	unsigned int count;
};

struct bs_parser {
	const char *p, *end;
	const char *error;
};

static struct bs_node *bs_parse_item(struct bs_parser *ctx, unsigned int depth);

static bool bs_parse_quoted(struct bs_parser *ctx, struct bs_node *node)
{
	struct str *value = t_str_new(64);

	for (ctx->p++; ctx->p < ctx->end; ctx->p++) {
		if (*ctx->p == '"') {
			ctx->p++;
			node->value = str_c(value);
			return true;
		}
		if (*ctx->p == '\\' && ctx->p + 1 < ctx->end)
			ctx->p++;
		str_append_c(value, *ctx->p);
	}
	ctx->error = "Unterminated quoted string";
	return false;
}

static bool bs_parse_literal(struct bs_parser *ctx, struct bs_node *node)
{
	uint64_t len = 0;

	for (ctx->p++; ctx->p < ctx->end && *ctx->p >= '0' && *ctx->p <= '9';
	     ctx->p++) {
		len = len * 10 + (uint64_t)(*ctx->p - '0');
		if (len > (uint64_t)(ctx->end - ctx->p))
			break;
	}
	if (ctx->end - ctx->p < 3 || memcmp(ctx->p, "}\r\n", 3) != 0 ||
	    len > (uint64_t)(ctx->end - ctx->p - 3)) {
		ctx->error = "Invalid literal";
		return false;
	}
	ctx->p += 3;
	node->value = tmp_strndup(ctx->p, (size_t)len);
	ctx->p += len;
	return true;
}

static bool bs_parse_list(struct bs_parser *ctx, struct bs_node *node,
			  unsigned int depth)
{
	struct bs_node *child, **tail = &node->children;

	if (depth >= BODYSTRUCTURE_MAX_DEPTH) {
		ctx->error = "Too deeply nested";
		return false;
	}
	ctx->p++;
	for (;;) {
		while (ctx->p < ctx->end && *ctx->p == ' ')
			ctx->p++;
		if (ctx->p == ctx->end) {
			ctx->error = "Unterminated list";
			return false;
		}
		if (*ctx->p == ')') {
			ctx->p++;
			return true;
		}
		if ((child = bs_parse_item(ctx, depth + 1)) == NULL)
			return false;
		*tail = child;
		tail = &child->next;
		node->count++;
	}
}

static struct bs_node *bs_parse_item(struct bs_parser *ctx, unsigned int depth)
{
	struct bs_node *node = t_new(struct bs_node, 1);
	bool ok;

	node->start = ctx->p;
	switch (*ctx->p) {
	case '(':
		node->type = BS_NODE_LIST;
		ok = bs_parse_list(ctx, node, depth);
		break;
	case '"':
		node->type = BS_NODE_STRING;
		ok = bs_parse_quoted(ctx, node);
		break;
	case '{':
		node->type = BS_NODE_STRING;
		ok = bs_parse_literal(ctx, node);
		break;
	default:
		node->type = BS_NODE_ATOM;
		while (ctx->p < ctx->end && *ctx->p != ' ' && *ctx->p != '(' &&
		       *ctx->p != ')' && *ctx->p != '"')
			ctx->p++;
		ok = ctx->p != node->start;
		if (!ok)
			ctx->error = "Unexpected character";
		break;
	}
	if (!ok)
		return NULL;
	node->len = (size_t)(ctx->p - node->start);
	return node;
}

static struct bs_node *bs_child(const struct bs_node *node, unsigned int idx)
{
	struct bs_node *child = node->children;

	while (idx-- > 0 && child != NULL)
		child = child->next;
	return child;
}

static bool bs_is_string(const struct bs_node *node, const char *value)
{
	return node->type == BS_NODE_STRING && strcasecmp(node->value, value) == 0;
}

static void bs_append(struct str *dest, const struct bs_node *node)
{
	str_append_n(dest, node->start, node->len);
}

static bool bs_write_body(const struct bs_node *node, struct str *dest,
			  const char **error_r);

static bool bs_write_multipart(const struct bs_node *node, struct str *dest,
			       const char **error_r)
{
	const struct bs_node *child;

	for (child = node->children; child != NULL &&
	     child->type == BS_NODE_LIST; child = child->next) {
		if (!bs_write_body(child, dest, error_r))
			return false;
	}
	if (child == NULL || child->type != BS_NODE_STRING) {
		*error_r = "Multipart subtype missing";
		return false;
	}
	str_append_c(dest, ' ');
	bs_append(dest, child);
	return true;
}

static bool bs_write_single(const struct bs_node *node, struct str *dest,
			    const char **error_r)
{
	const struct bs_node *child = node->children, *type, *subtype;
	unsigned int i, fields = 7;

	if (node->count < 7) {
		*error_r = "Too few body fields";
		return false;
	}
	type = child;
	subtype = child->next;
	if (type->type != BS_NODE_STRING || subtype->type != BS_NODE_STRING) {
		*error_r = "Invalid body type";
		return false;
	}
	if (strcasecmp(type->value, "text") == 0)
		fields = 8;
	else if (bs_is_string(type, "message") && bs_is_string(subtype, "rfc822"))
		fields = 10;
	if (node->count < fields) {
		*error_r = "Too few body fields";
		return false;
	}
	for (i = 0; i < fields; i++, child = child->next) {
		if (i > 0)
			str_append_c(dest, ' ');
		if (fields == 10 && i == 8) {
			if (!bs_write_body(child, dest, error_r))
				return false;
		} else {
			bs_append(dest, child);
		}
	}
	return true;
}

static bool bs_write_body(const struct bs_node *node, struct str *dest,
			  const char **error_r)
{
	bool ret;

	if (node->type != BS_NODE_LIST || node->count == 0) {
		*error_r = "Body is not a list";
		return false;
	}
	str_append_c(dest, '(');
	if (bs_child(node, 0)->type == BS_NODE_LIST)
		ret = bs_write_multipart(node, dest, error_r);
	else
		ret = bs_write_single(node, dest, error_r);
	str_append_c(dest, ')');
	return ret;
}

int imap_body_parse_from_bodystructure(const char *bodystructure,
				       struct str *dest, const char **error_r)
{
	struct bs_parser ctx;
	struct bs_node *root;

	memset(&ctx, 0, sizeof(ctx));
	ctx.p = bodystructure;
	ctx.end = bodystructure + strlen(bodystructure);
	if (ctx.p == ctx.end || *ctx.p != '(') {
		*error_r = "Not a list";
		return -1;
	}
	if ((root = bs_parse_item(&ctx, 0)) == NULL) {
		*error_r = ctx.error;
		return -1;
	}
	if (ctx.p != ctx.end) {
		*error_r = "Trailing data";
		return -1;
	}
	return bs_write_body(root, dest, error_r) ? 0 : -1;
}
