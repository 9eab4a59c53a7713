/* Copyright (c) dovecot-like authors. message-address.c: the RFC 5322 3.4
   address-list grammar (plus the obsolete forms of 4.4: routes, empty list
   elements, "a..b" local parts, comments as names) for ENVELOPE and
   SEARCH. Never fails: broken parts are kept and marked invalid. */
#include "lib.h"
#include "str.h"
#include "rfc822-parser.h"
#include "message-address.h"

struct message_address_parser {
	struct pool *pool;
	struct rfc822_parser_context parser;
	struct str *str, *comment;
	struct str *phrase;	/* the last phrase, kept until it's used */
	struct message_address *head, *tail;
	unsigned int count, max;
	bool fill_missing;
	bool in_group;
};

struct message_address_tmp {
	const char *name, *route, *mailbox, *domain;
	bool invalid;
};

static void address_add(struct message_address_parser *ctx,
			const struct message_address_tmp *tmp)
{
	struct message_address *addr;

	if (ctx->count >= ctx->max)
		return;
	ctx->count++;
	addr = pool_new(ctx->pool, struct message_address, 1);
	/* the strings are already in ctx->pool (or constants) */
	addr->name = tmp->name;
	addr->route = tmp->route;
	addr->mailbox = tmp->mailbox;
	addr->domain = tmp->domain;
	addr->invalid = tmp->invalid;
	if (ctx->tail == NULL)
		ctx->head = addr;
	else
		ctx->tail->next = addr;
	ctx->tail = addr;
}

static void address_add_missing(struct message_address_parser *ctx)
{
	struct message_address_tmp tmp;

	memset(&tmp, 0, sizeof(tmp));
	tmp.mailbox = "MISSING_MAILBOX";
	tmp.domain = "MISSING_DOMAIN";
	tmp.invalid = true;
	address_add(ctx, &tmp);
}

static bool parser_at(struct message_address_parser *ctx, char c)
{
	return ctx->parser.data < ctx->parser.end && *ctx->parser.data == c;
}

/* local-part = dot-atom / quoted-string / obs-local-part (words and
   dots, "a..b" and ".a" kept as written). Appends to ctx->str. */
static int parse_local_part(struct message_address_parser *ctx)
{
	bool after_dot = true;
	int ret;

	while (ctx->parser.data < ctx->parser.end) {
		unsigned char c = *ctx->parser.data;

		if (c == '.') {
			str_append_c(ctx->str, '.');
			ctx->parser.data++;
			ret = rfc822_skip_lwsp(&ctx->parser);
			after_dot = true;
		} else if (!after_dot) {
			return 1;
		} else if (c == '"') {
			ret = rfc822_parse_quoted_string(&ctx->parser, ctx->str);
			after_dot = false;
		} else {
			ret = rfc822_parse_dot_atom(&ctx->parser, ctx->str);
			after_dot = false;
		}
		if (ret <= 0)
			return ret;
	}
	return 0;
}

/* RFC 5322 3.4.1: a domain is a dot-atom (no empty labels) or a
   literal. */
static bool domain_is_valid(const char *domain)
{
	size_t len = strlen(domain);

	if (len == 0)
		return false;
	if (domain[0] == '[')
		return true;
	return domain[0] != '.' && domain[len - 1] != '.' &&
		strstr(domain, "..") == NULL;
}

static const char *missing(struct message_address_parser *ctx,
			   const char *what)
{
	return ctx->fill_missing ? what : "";
}

/* addr-spec = local-part "@" domain; fills mailbox and domain. */
static void parse_addr_spec(struct message_address_parser *ctx,
			    struct message_address_tmp *tmp)
{
	str_reset(ctx->str);
	if (parse_local_part(ctx) < 0) {
		/* unterminated quoted string: nothing usable */
		str_reset(ctx->str);
		tmp->invalid = true;
	}
	if (str_len(ctx->str) == 0) {
		tmp->mailbox = missing(ctx, "MISSING_MAILBOX");
		tmp->invalid = true;
	} else {
		tmp->mailbox = p_strdup(ctx->pool, str_c(ctx->str));
	}
	if (!parser_at(ctx, '@')) {
		tmp->domain = missing(ctx, "MISSING_DOMAIN");
		tmp->invalid = true;
		return;
	}
	str_reset(ctx->str);
	if (rfc822_parse_domain(&ctx->parser, ctx->str) < 0)
		tmp->invalid = true;
	if (!domain_is_valid(str_c(ctx->str))) {
		tmp->domain = missing(ctx, "MISSING_DOMAIN");
		tmp->invalid = true;
	} else {
		tmp->domain = p_strdup(ctx->pool, str_c(ctx->str));
	}
}

/* obs-route = obs-domain-list ":"; ctx is at '@'. */
static void parse_route(struct message_address_parser *ctx,
			struct message_address_tmp *tmp)
{
	str_reset(ctx->str);
	while (parser_at(ctx, '@')) {
		str_append_c(ctx->str, '@');
		if (rfc822_parse_domain(&ctx->parser, ctx->str) <= 0)
			break;
		while (parser_at(ctx, ',')) {
			ctx->parser.data++;
			if (rfc822_skip_lwsp(&ctx->parser) <= 0)
				break;
		}
		if (parser_at(ctx, '@'))
			str_append_c(ctx->str, ',');
	}
	tmp->route = p_strdup(ctx->pool, str_c(ctx->str));
	if (parser_at(ctx, ':')) {
		ctx->parser.data++;
		(void)rfc822_skip_lwsp(&ctx->parser);
	} else {
		tmp->invalid = true;
	}
}

/* angle-addr = "<" [obs-route] addr-spec ">"; ctx is at '<'. */
static void parse_angle_addr(struct message_address_parser *ctx,
			     struct message_address_tmp *tmp)
{
	const unsigned char *p;

	ctx->parser.data++;
	(void)rfc822_skip_lwsp(&ctx->parser);
	if (parser_at(ctx, '>')) {
		/* <> (null reverse path): no mailbox, no domain */
		tmp->mailbox = missing(ctx, "MISSING_MAILBOX");
		tmp->domain = missing(ctx, "MISSING_DOMAIN");
		tmp->invalid = true;
		ctx->parser.data++;
		(void)rfc822_skip_lwsp(&ctx->parser);
		return;
	}
	if (parser_at(ctx, '@'))
		parse_route(ctx, tmp);
	parse_addr_spec(ctx, tmp);
	if (!parser_at(ctx, '>')) {
		tmp->invalid = true;
		/* drop junk up to the '>' when there is one */
		p = ctx->parser.data;
		while (p < ctx->parser.end && *p != '>' && *p != ',')
			p++;
		if (p == ctx->parser.end || *p != '>')
			return;
		ctx->parser.data = p;
	}
	ctx->parser.data++;
	(void)rfc822_skip_lwsp(&ctx->parser);
}

/* Skips to the next ',' (or ';' inside a group) outside quotes and
   angle brackets after garbage. */
static void skip_junk(struct message_address_parser *ctx)
{
	bool quoted = false;

	for (; ctx->parser.data < ctx->parser.end; ctx->parser.data++) {
		unsigned char c = *ctx->parser.data;

		if (c == '\\' && ctx->parser.data + 1 < ctx->parser.end)
			ctx->parser.data++;
		else if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == ',' || (c == ';' && ctx->in_group)))
			return;
	}
}

/* mailbox = name-addr / addr-spec. Returns false if the phrase was a
   group name (ctx at ':'), with *name_r set. */
static bool parse_mailbox(struct message_address_parser *ctx,
			  const char **name_r)
{
	struct message_address_tmp tmp;
	const unsigned char *start = ctx->parser.data, *phrase_end = start;
	const char *phrase;

	memset(&tmp, 0, sizeof(tmp));
	*name_r = NULL;
	str_reset(ctx->phrase);
	if (!parser_at(ctx, '<')) {
		(void)rfc822_parse_phrase(&ctx->parser, ctx->phrase);
		phrase_end = ctx->parser.data;
		/* copied to the pool only where it becomes a name */
		phrase = str_c(ctx->phrase);
		if (parser_at(ctx, ':') && !ctx->in_group) {
			*name_r = p_strdup(ctx->pool, phrase);
			return false;
		}
		if (parser_at(ctx, '<') && *phrase != '\0')
			tmp.name = p_strdup(ctx->pool, phrase);
	}
	if (parser_at(ctx, '<'))
		parse_angle_addr(ctx, &tmp);
	else {
		/* addr-spec; "a@b (Name)" gives the comment as the name */
		ctx->parser.data = start;
		str_reset(ctx->comment);
		parse_addr_spec(ctx, &tmp);
		if (str_len(ctx->comment) > 0)
			tmp.name = p_strdup(ctx->pool, str_c(ctx->comment));
		if (ctx->parser.data < phrase_end && !parser_at(ctx, '@') &&
		    tmp.domain != NULL && !parser_at(ctx, ',')) {
			/* "John Doe" alone: a name without an address */
			memset(&tmp, 0, sizeof(tmp));
			tmp.name = p_strdup(ctx->pool, str_c(ctx->phrase));
			tmp.mailbox = missing(ctx, "MISSING_MAILBOX");
			tmp.domain = missing(ctx, "MISSING_DOMAIN");
			tmp.invalid = true;
			ctx->parser.data = phrase_end;
		}
	}
	if (ctx->parser.data < ctx->parser.end && !parser_at(ctx, ',') &&
	    !(ctx->in_group && parser_at(ctx, ';'))) {
		tmp.invalid = true;
		skip_junk(ctx);
	}
	if (ctx->parser.data == start) {
		/* nothing parsed: make progress */
		ctx->parser.data++;
		tmp.invalid = true;
	}
	address_add(ctx, &tmp);
	return true;
}

/* group = display-name ":" [group-list] ";"; ctx is at ':'. */
static void parse_group(struct message_address_parser *ctx, const char *name)
{
	struct message_address_tmp tmp;
	const char *dummy;

	memset(&tmp, 0, sizeof(tmp));
	tmp.mailbox = name;
	address_add(ctx, &tmp);
	ctx->parser.data++;
	ctx->in_group = true;
	while (rfc822_skip_lwsp(&ctx->parser) > 0) {
		if (parser_at(ctx, ';')) {
			ctx->parser.data++;
			(void)rfc822_skip_lwsp(&ctx->parser);
			break;
		}
		if (parser_at(ctx, ',')) {
			ctx->parser.data++;
			continue;
		}
		(void)parse_mailbox(ctx, &dummy);
	}
	ctx->in_group = false;
	memset(&tmp, 0, sizeof(tmp));
	address_add(ctx, &tmp);
}

struct message_address *
message_address_parse(struct pool *pool, const unsigned char *data,
		      size_t size, unsigned int max_addresses,
		      bool fill_missing)
{
	struct message_address_parser ctx;
	const char *group_name;
	bool element_seen = false;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.str = t_str_new(128);
	ctx.comment = t_str_new(64);
	ctx.phrase = t_str_new(64);
	ctx.max = max_addresses == 0 ? MESSAGE_ADDRESS_DEFAULT_MAX :
		max_addresses;
	ctx.fill_missing = fill_missing;
	rfc822_parser_init(&ctx.parser, data, size, ctx.comment);

	while (ctx.count < ctx.max && rfc822_skip_lwsp(&ctx.parser) > 0) {
		if (parser_at(&ctx, ',')) {
			/* RFC 5322 4.4 obs empty list element: shown as a
			   missing address (as Dovecot does) unless trailing */
			if (!element_seen && fill_missing)
				address_add_missing(&ctx);
			element_seen = false;
			ctx.parser.data++;
			continue;
		}
		if (parser_at(&ctx, ';')) {
			/* stray group end */
			ctx.parser.data++;
			continue;
		}
		element_seen = true;
		if (!parse_mailbox(&ctx, &group_name))
			parse_group(&ctx, group_name);
	}
	return ctx.head;
}

/* A phrase is written as atoms when it can be, else quoted. */
static void address_write_phrase(struct str *dest, const char *name)
{
	const char *p;
	bool quote = *name == '\0';

	for (p = name; *p != '\0'; p++) {
		if (strchr("()<>[]:;@\\,.\"", *p) != NULL ||
		    (unsigned char)*p < 0x20) {
			quote = true;
			break;
		}
	}
	if (!quote) {
		str_append(dest, name);
		return;
	}
	str_append_c(dest, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			str_append_c(dest, '\\');
		if (*p != '\r' && *p != '\n')
			str_append_c(dest, *p);
	}
	str_append_c(dest, '"');
}

static void address_write_one(struct str *dest,
			      const struct message_address *addr)
{
	bool angle = addr->name != NULL || addr->route != NULL ||
		*addr->mailbox == '\0';

	if (addr->name != NULL) {
		address_write_phrase(dest, addr->name);
		str_append_c(dest, ' ');
	}
	if (angle)
		str_append_c(dest, '<');
	if (addr->route != NULL) {
		str_append(dest, addr->route);
		str_append_c(dest, ':');
	}
	str_append(dest, addr->mailbox);
	if (addr->domain != NULL && *addr->domain != '\0') {
		str_append_c(dest, '@');
		str_append(dest, addr->domain);
	}
	if (angle)
		str_append_c(dest, '>');
}

void message_address_write(struct str *dest,
			   const struct message_address *addr)
{
	bool in_group = false, first = true;

	for (; addr != NULL; addr = addr->next) {
		if (addr->domain == NULL) {
			if (addr->mailbox != NULL) {
				if (!first)
					str_append(dest, ", ");
				address_write_phrase(dest, addr->mailbox);
				str_append(dest, ": ");
				in_group = true;
				first = true;
			} else {
				str_append_c(dest, ';');
				in_group = false;
				first = false;
			}
			continue;
		}
		if (!first)
			str_append(dest, ", ");
		address_write_one(dest, addr);
		first = false;
	}
	if (in_group)
		str_append_c(dest, ';');
}
