/* Copyright (c) dovecot-like authors. mail-search-build.c: parses RFC 3501
   search keys (case-insensitive names) from parsed IMAP args into a
   mail_search_arg tree. Numbers are bounded to 32 bits, dates are RFC 3501
   dates, nesting is bounded by MAIL_SEARCH_MAX_DEPTH. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "charset-utf8.h"
#include "unicode-casefold.h"
#include "imap-date.h"
#include "mail-search-build.h"
#include "mailbox-objectid.h"

#include <string.h>
#include <strings.h>
#include <time.h>

struct search_build_ctx {
	struct pool *pool;
	const char *charset;	/* NULL = UTF-8 */
	const char *saved;	/* RFC 5182 "$" as a UID set; "" = empty */
	const char *error;
	unsigned int depth;
};

/* Keys that are only a set of flags (the UN* forms are negated). */
static const struct {
	const char *name;
	enum mail_flags flags;
	bool negate;
} search_flag_keys[] = {
	{ "ANSWERED", MAIL_ANSWERED, false },
	{ "DELETED", MAIL_DELETED, false },
	{ "DRAFT", MAIL_DRAFT, false },
	{ "FLAGGED", MAIL_FLAGGED, false },
	{ "RECENT", MAIL_RECENT, false },
	{ "SEEN", MAIL_SEEN, false },
	{ "OLD", MAIL_RECENT, true },
	{ "UNANSWERED", MAIL_ANSWERED, true },
	{ "UNDELETED", MAIL_DELETED, true },
	{ "UNDRAFT", MAIL_DRAFT, true },
	{ "UNFLAGGED", MAIL_FLAGGED, true },
	{ "UNSEEN", MAIL_SEEN, true },
};

/* Keys taking a date, and keys searching a header for a string. */
static const struct {
	const char *name;
	enum mail_search_arg_type type;
} search_date_keys[] = {
	{ "BEFORE", SEARCH_BEFORE }, { "ON", SEARCH_ON },
	{ "SINCE", SEARCH_SINCE }, { "SENTBEFORE", SEARCH_SENTBEFORE },
	{ "SENTON", SEARCH_SENTON }, { "SENTSINCE", SEARCH_SENTSINCE },
	{ "SAVEDBEFORE", SEARCH_SAVEDBEFORE }, { "SAVEDON", SEARCH_SAVEDON },
	{ "SAVEDSINCE", SEARCH_SAVEDSINCE },	/* RFC 8514 */
};
static const char *const search_header_keys[] = {
	"BCC", "CC", "FROM", "SUBJECT", "TO",
};

static int search_build_list(struct search_build_ctx *ctx,
			     const struct imap_arg **argsp,
			     struct mail_search_arg **list_r);

static struct mail_search_arg *
search_arg_new(struct search_build_ctx *ctx, enum mail_search_arg_type type)
{
	struct mail_search_arg *arg = pool_new(ctx->pool, struct mail_search_arg, 1);

	arg->type = type;
	return arg;
}

static int search_fail(struct search_build_ctx *ctx, const char *error)
{
	ctx->error = error;
	return -1;
}

/* The next arg as a string (atom, quoted or literal), converted from the
   charset to UTF-8. */
static int search_next_string(struct search_build_ctx *ctx,
			      const struct imap_arg **argsp, const char *key,
			      const char **str_r)
{
	const struct imap_arg *arg = *argsp;
	struct str *utf8;

	if (arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_STRING &&
	    arg->type != IMAP_ARG_LITERAL && arg->type != IMAP_ARG_NIL)
		return search_fail(ctx, tmp_strconcat("Missing parameter for ",
						      key, NULL));
	*argsp = arg + 1;
	utf8 = str_new(ctx->pool, arg->str_len + 16);
	if (ctx->charset == NULL || charset_is_utf8(ctx->charset))
		charset_utf8_append_valid(utf8, (const unsigned char *)arg->u.str,
					  arg->str_len);
	else if (charset_to_utf8(ctx->charset, (const unsigned char *)arg->u.str,
				 arg->str_len, utf8) < 0)
		return search_fail(ctx, "Unknown charset");
	*str_r = str_c(utf8);
	return 0;
}

/* The next arg as an atom (number, date, set): no literals. */
static int search_next_atom(struct search_build_ctx *ctx,
			    const struct imap_arg **argsp, const char *key,
			    const char **str_r)
{
	const struct imap_arg *arg = *argsp;

	if ((arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_STRING) ||
	    strlen(arg->u.str) != arg->str_len)
		return search_fail(ctx, tmp_strconcat("Missing parameter for ",
						      key, NULL));
	*str_r = arg->u.str;
	*argsp = arg + 1;
	return 0;
}

/* A sequence set: validated now (syntax and bounds), resolved against the
   mailbox when run. */
static bool search_seqset_is_valid(const char *set)
{
	struct seq_range_array ranges = SEQ_RANGE_ARRAY_INIT;
	const char *error;
	int ret;

	ret = imap_seqset_parse(set, strlen(set), (uint32_t)-1, &ranges, &error);
	seq_range_array_free(&ranges);
	return ret == 0;
}

/* RFC 5182 2.1: "$" (the saved result, UIDs) as a key: a UID set, or
   nothing when empty ("NOT ALL"). */
static struct mail_search_arg *search_saved_arg(struct search_build_ctx *ctx)
{
	struct mail_search_arg *arg;

	if (ctx->saved[0] == '\0') {
		arg = search_arg_new(ctx, SEARCH_ALL);
		arg->negate = true;
		return arg;
	}
	arg = search_arg_new(ctx, SEARCH_UIDSET);
	arg->seqset_str = ctx->saved;
	return arg;
}

/* RFC 5032: OLDER/YOUNGER <interval>, seconds > 0 (Dovecot's text for a
   bad one). The threshold is fixed now, when the program is built. */
static int search_build_within_key(struct search_build_ctx *ctx,
				   const char *key,
				   const struct imap_arg **argsp,
				   struct mail_search_arg **arg_r)
{
	enum mail_search_arg_type type;
	const char *str;
	uint32_t secs;

	if (strcasecmp(key, "OLDER") == 0)
		type = SEARCH_OLDER;
	else if (strcasecmp(key, "YOUNGER") == 0)
		type = SEARCH_YOUNGER;
	else
		return 0;
	if (search_next_atom(ctx, argsp, key, &str) < 0)
		return -1;
	if (str_to_uint32(str, &secs) < 0 || secs == 0)
		return search_fail(ctx, "Invalid search interval parameter");
	*arg_r = search_arg_new(ctx, type);
	(*arg_r)->value.date = time(NULL) - (time_t)secs;
	return 1;
}

static int search_build_flag_key(struct search_build_ctx *ctx, const char *key,
				 struct mail_search_arg **arg_r)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(search_flag_keys); i++) {
		if (strcasecmp(key, search_flag_keys[i].name) != 0)
			continue;
		*arg_r = search_arg_new(ctx, SEARCH_FLAGS);
		(*arg_r)->value.flags = search_flag_keys[i].flags;
		(*arg_r)->negate = search_flag_keys[i].negate;
		return 1;
	}
	if (strcasecmp(key, "NEW") == 0) {
		/* RECENT UNSEEN */
		struct mail_search_arg *recent, *unseen;

		recent = search_arg_new(ctx, SEARCH_FLAGS);
		recent->value.flags = MAIL_RECENT;
		unseen = search_arg_new(ctx, SEARCH_FLAGS);
		unseen->value.flags = MAIL_SEEN;
		unseen->negate = true;
		recent->next = unseen;
		*arg_r = search_arg_new(ctx, SEARCH_SUB);
		(*arg_r)->value.subargs = recent;
		return 1;
	}
	if (strcasecmp(key, "ALL") == 0) {
		*arg_r = search_arg_new(ctx, SEARCH_ALL);
		return 1;
	}
	if (strcasecmp(key, "SAVEDATESUPPORTED") == 0) {
		*arg_r = search_arg_new(ctx, SEARCH_SAVEDATESUPPORTED);
		return 1;
	}
	return 0;
}

/* RFC 8474 6: EMAILID / THREADID <objectid>; a malformed id is a BAD. */
static int search_build_objectid_key(struct search_build_ctx *ctx,
				     const char *key,
				     const struct imap_arg **argsp,
				     struct mail_search_arg **arg_r)
{
	enum mail_search_arg_type type;
	const char *str;

	if (strcasecmp(key, "EMAILID") == 0)
		type = SEARCH_EMAILID;
	else if (strcasecmp(key, "THREADID") == 0)
		type = SEARCH_THREADID;
	else
		return 0;
	if (search_next_atom(ctx, argsp, key, &str) < 0)
		return -1;
	if (!mailbox_objectid_is_valid(str, strlen(str)))
		return search_fail(ctx, tmp_strconcat("Invalid ", key, NULL));
	*arg_r = search_arg_new(ctx, type);
	(*arg_r)->value.str = p_strdup(ctx->pool, str);
	return 1;
}

static int search_build_date_key(struct search_build_ctx *ctx, const char *key,
				 const struct imap_arg **argsp,
				 struct mail_search_arg **arg_r)
{
	const char *str;
	unsigned int i;
	time_t t;

	for (i = 0; i < N_ELEMENTS(search_date_keys); i++) {
		if (strcasecmp(key, search_date_keys[i].name) == 0)
			break;
	}
	if (i == N_ELEMENTS(search_date_keys))
		return 0;
	if (search_next_atom(ctx, argsp, key, &str) < 0)
		return -1;
	if (!imap_parse_date(str, &t))
		return search_fail(ctx, tmp_strconcat("Invalid date for ", key,
						      NULL));
	*arg_r = search_arg_new(ctx, search_date_keys[i].type);
	(*arg_r)->value.date = t;
	return 1;
}

static int search_build_string_key(struct search_build_ctx *ctx,
				   const char *key, const struct imap_arg **argsp,
				   struct mail_search_arg **arg_r)
{
	const char *field = NULL, *str;
	enum mail_search_arg_type type;
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(search_header_keys); i++) {
		if (strcasecmp(key, search_header_keys[i]) == 0)
			field = search_header_keys[i];
	}
	if (field != NULL)
		type = SEARCH_HEADER;
	else if (strcasecmp(key, "HEADER") == 0) {
		type = SEARCH_HEADER;
		if (search_next_string(ctx, argsp, key, &field) < 0)
			return -1;
	} else if (strcasecmp(key, "BODY") == 0)
		type = SEARCH_BODY;
	else if (strcasecmp(key, "TEXT") == 0)
		type = SEARCH_TEXT;
	else if (strcasecmp(key, "KEYWORD") == 0 ||
		 strcasecmp(key, "UNKEYWORD") == 0)
		type = SEARCH_KEYWORD;
	else
		return 0;
	if (search_next_string(ctx, argsp, key, &str) < 0)
		return -1;
	if (type != SEARCH_KEYWORD) {
		/* matched case-insensitively (Unicode simple folding): the
		   matcher folds the text and searches it for this */
		str = unicode_casefold_str(ctx->pool, str);
	}
	*arg_r = search_arg_new(ctx, type);
	(*arg_r)->value.str = str;
	(*arg_r)->hdr_field = field;
	(*arg_r)->negate = strcasecmp(key, "UNKEYWORD") == 0;
	return 1;
}

static int search_build_number_key(struct search_build_ctx *ctx,
				   const char *key, const struct imap_arg **argsp,
				   struct mail_search_arg **arg_r)
{
	enum mail_search_arg_type type;
	const char *str;
	uint32_t num;

	if (strcasecmp(key, "LARGER") == 0)
		type = SEARCH_LARGER;
	else if (strcasecmp(key, "SMALLER") == 0)
		type = SEARCH_SMALLER;
	else if (strcasecmp(key, "UID") == 0) {
		if (search_next_atom(ctx, argsp, key, &str) < 0)
			return -1;
		if (strcmp(str, "$") == 0) {
			*arg_r = search_saved_arg(ctx);
			return 1;
		}
		if (!search_seqset_is_valid(str))
			return search_fail(ctx, "Invalid UID set");
		*arg_r = search_arg_new(ctx, SEARCH_UIDSET);
		(*arg_r)->seqset_str = p_strdup(ctx->pool, str);
		return 1;
	} else
		return 0;
	if (search_next_atom(ctx, argsp, key, &str) < 0)
		return -1;
	if (str_to_uint32(str, &num) < 0)
		return search_fail(ctx, tmp_strconcat("Invalid number for ", key,
						      NULL));
	*arg_r = search_arg_new(ctx, type);
	(*arg_r)->value.size = num;
	return 1;
}

/* RFC 7162 3.1.5: MODSEQ ["/flags/<flag>" priv|shared|all] <modseq>.
   The entry (per-flag modseq) is accepted and the message's modseq used:
   it is never lower than the flag's. 1 = built, 0 = not MODSEQ, -1. */
static int search_build_modseq_key(struct search_build_ctx *ctx,
				   const char *key,
				   const struct imap_arg **argsp,
				   struct mail_search_arg **arg_r)
{
	const char *str, *type;
	uint64_t modseq;

	if (strcasecmp(key, "MODSEQ") != 0)
		return 0;
	if ((*argsp)->type == IMAP_ARG_STRING) {
		if (search_next_atom(ctx, argsp, key, &str) < 0)
			return -1;
		if (strncasecmp(str, "/flags/", 7) != 0 || str[7] == '\0')
			return search_fail(ctx, "Invalid MODSEQ entry name");
		if ((*argsp)->type != IMAP_ARG_ATOM ||
		    search_next_atom(ctx, argsp, key, &type) < 0 ||
		    (strcasecmp(type, "priv") != 0 &&
		     strcasecmp(type, "shared") != 0 &&
		     strcasecmp(type, "all") != 0))
			return search_fail(ctx, "Invalid MODSEQ entry type");
	}
	if ((*argsp)->type != IMAP_ARG_ATOM ||
	    search_next_atom(ctx, argsp, key, &str) < 0 ||
	    str_to_uint64(str, &modseq) < 0 || modseq > INT64_MAX)
		return search_fail(ctx, "Invalid MODSEQ value");
	*arg_r = search_arg_new(ctx, SEARCH_MODSEQ);
	(*arg_r)->value.size = modseq;
	return 1;
}

/* One search-key at *argsp (advanced past it). */
static int search_build_key(struct search_build_ctx *ctx,
			    const struct imap_arg **argsp,
			    struct mail_search_arg **arg_r)
{
	const struct imap_arg *arg = *argsp;
	const struct imap_arg *list;
	const char *key;
	int ret;

	if (arg->type == IMAP_ARG_EOL)
		return search_fail(ctx, "Missing search key");
	if (ctx->depth >= MAIL_SEARCH_MAX_DEPTH)
		return search_fail(ctx, "Search keys nested too deeply");
	if (arg->type == IMAP_ARG_LIST) {
		unsigned int count;

		(void)imap_arg_get_list(arg, &list, &count);
		*argsp = arg + 1;
		*arg_r = search_arg_new(ctx, SEARCH_SUB);
		ctx->depth++;
		ret = search_build_list(ctx, &list, &(*arg_r)->value.subargs);
		ctx->depth--;
		return ret;
	}
	if (arg->type != IMAP_ARG_ATOM || strlen(arg->u.str) != arg->str_len)
		return search_fail(ctx, "Invalid search key");
	key = arg->u.str;
	*argsp = arg + 1;

	if (strcasecmp(key, "NOT") == 0 || strcasecmp(key, "OR") == 0) {
		bool is_or = strcasecmp(key, "OR") == 0;
		struct mail_search_arg *a, *b = NULL;

		ctx->depth++;
		ret = search_build_key(ctx, argsp, &a);
		if (ret == 0 && is_or)
			ret = search_build_key(ctx, argsp, &b);
		ctx->depth--;
		if (ret < 0)
			return -1;
		if (!is_or) {
			*arg_r = search_arg_new(ctx, SEARCH_SUB);
			(*arg_r)->value.subargs = a;
			(*arg_r)->negate = true;
		} else {
			a->next = b;
			*arg_r = search_arg_new(ctx, SEARCH_OR);
			(*arg_r)->value.subargs = a;
		}
		return 0;
	}
	if ((ret = search_build_flag_key(ctx, key, arg_r)) != 0 ||
	    (ret = search_build_date_key(ctx, key, argsp, arg_r)) != 0 ||
	    (ret = search_build_string_key(ctx, key, argsp, arg_r)) != 0 ||
	    (ret = search_build_number_key(ctx, key, argsp, arg_r)) != 0 ||
	    (ret = search_build_modseq_key(ctx, key, argsp, arg_r)) != 0 ||
	    (ret = search_build_within_key(ctx, key, argsp, arg_r)) != 0 ||
	    (ret = search_build_objectid_key(ctx, key, argsp, arg_r)) != 0)
		return ret < 0 ? -1 : 0;
	if (strcmp(key, "$") == 0) {
		*arg_r = search_saved_arg(ctx);
		return 0;
	}
	if ((key[0] >= '0' && key[0] <= '9') || key[0] == '*') {
		if (!search_seqset_is_valid(key))
			return search_fail(ctx, "Invalid message sequence set");
		*arg_r = search_arg_new(ctx, SEARCH_SEQSET);
		(*arg_r)->seqset_str = p_strdup(ctx->pool, key);
		return 0;
	}
	return search_fail(ctx, "Unknown search key");
}

/* Keys until EOL (an implicit AND); at least one. */
static int search_build_list(struct search_build_ctx *ctx,
			     const struct imap_arg **argsp,
			     struct mail_search_arg **list_r)
{
	struct mail_search_arg **tail = list_r;

	*list_r = NULL;
	if (IMAP_ARG_IS_EOL(*argsp))
		return search_fail(ctx, "Missing search key");
	while (!IMAP_ARG_IS_EOL(*argsp)) {
		if (search_build_key(ctx, argsp, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	return 0;
}

enum mail_search_build_result
mail_search_build(struct pool *pool, const struct imap_arg *args,
		  const char *charset, struct mail_search_arg **args_r,
		  const char **error_r)
{
	return mail_search_build_saved(pool, args, charset, NULL, args_r,
				       error_r);
}

enum mail_search_build_result
mail_search_build_saved(struct pool *pool, const struct imap_arg *args,
			const char *charset, const char *saved_uids,
			struct mail_search_arg **args_r, const char **error_r)
{
	struct search_build_ctx ctx;
	struct mail_search_arg *root;
	struct str *tmp;

	memset(&ctx, 0, sizeof(ctx));
	ctx.pool = pool;
	ctx.charset = charset;
	ctx.saved = saved_uids == NULL ? "" : p_strdup(pool, saved_uids);
	*args_r = NULL;
	if (charset != NULL && !charset_is_utf8(charset)) {
		tmp = t_str_new(16);
		if (charset_to_utf8(charset, (const unsigned char *)"a", 1,
				    tmp) < 0) {
			*error_r = "Unknown charset";
			return MAIL_SEARCH_BUILD_BADCHARSET;
		}
	}
	root = search_arg_new(&ctx, SEARCH_SUB);
	if (search_build_list(&ctx, &args, &root->value.subargs) < 0) {
		*error_r = ctx.error;
		return MAIL_SEARCH_BUILD_BAD;
	}
	*args_r = root;
	return MAIL_SEARCH_BUILD_OK;
}
