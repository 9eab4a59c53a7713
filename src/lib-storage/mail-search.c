/* Copyright (c) dovecot-like authors. mail-search.c: runs a search program
   over a mailbox. Flags, keywords, sizes, dates and sets come from the
   storage's accessors and are evaluated first (three-valued: content keys
   unknown); only a message whose result is still undecided gets one
   streaming pass through the MIME parser and message-decoder for the
   header and body keys. Header keys match the top header's unfolded,
   RFC 2047 decoded values; BODY/TEXT match the decoded body text: each
   text part with its transfer encoding undone and its charset converted
   to UTF-8; TEXT also matches the headers of sub-parts (message/rfc822
   included), BODY doesn't, and bodies of non-text parts (attachments)
   are not searched: all as in Dovecot.
   Text and keys are compared as substrings after Unicode simple case
   folding (unicode-casefold.h). */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "message-parser.h"
#include "message-decoder.h"
#include "message-date.h"
#include "unicode-casefold.h"
#include "mail-search.h"
#include "mail-fetch-cache.h"
#include "mail-storage-private.h"
#include "mailbox-objectid.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

/* Longest header value searched (the rest of a field is cut). */
#define MAIL_SEARCH_MAX_HEADER_SIZE (64 * 1024)
/* A search that reads only named header fields reads at most this many
   (more: the whole header is read) ... */
#define MAIL_SEARCH_MAX_FIELD_NAMES 8
/* ... and at most this much of them. */
#define MAIL_SEARCH_MAX_FIELDS_SIZE (1024 * 1024)
/* Body chunk compared at a time (plus the tail of the previous one). */
#define MAIL_SEARCH_BODY_CHUNK 8192

/* search_eval's third value: a content key not read yet. */
#define SEARCH_UNKNOWN 2

/* One mail_search_run: what is computed once per search, and a pool for
   per-message data (cleared per message, so a search over 100k messages
   doesn't grow tmp_pool inside one ioloop callback). */
struct search_ctx {
	struct mailbox *box;
	struct mail_search_arg *args;
	struct pool *msg_pool;
	bool need_content;
	/* HEADER (FROM, SUBJECT...) or TEXT keys: top header values are
	   decoded and folded; TEXT: the field names too */
	bool need_header_text, need_header_names;
	/* there are BODY/TEXT keys: the body is decoded */
	bool need_body;
	/* the only header fields the keys look at (NULL-terminated; no
	   BODY/TEXT keys): read through mail_get_header_fields(), so from
	   the cache file once the fields are cached there; NULL: the keys
	   need the whole message */
	const char *const *header_names;
	const char *field_names[MAIL_SEARCH_MAX_FIELD_NAMES + 1];
	unsigned int field_count;
	/* longest BODY/TEXT key - 1: the folded text kept from the previous
	   chunk so a key spanning chunks still matches */
	size_t keep;
	/* these live for the whole search (outside msg_pool) */
	struct message_decoder_context *decoder;
	struct str *body;	/* kept bytes + folded new chunk */
	struct str *folded;	/* a folded header value */
	struct unicode_casefold fold;
};

/* needle is already case folded by the builder, hay must be too:
   memmem is linear, so a long key against a big body can't go quadratic. */
static bool search_mem_contains(const unsigned char *hay, size_t hay_len,
				const char *needle)
{
	size_t n = strlen(needle);

	return n == 0 || memmem(hay, hay_len, needle, n) != NULL;
}

/* The day (midnight UTC of the date) of t as seen in zone tz (minutes). */
static time_t search_day_of(time_t t, int tz_offset)
{
	time_t local = t + (time_t)tz_offset * 60;
	time_t day = local / 86400 * 86400;

	if (local < 0 && local % 86400 != 0)
		day -= 86400;
	return day;
}

/* The local time at which the day (midnight UTC of the date) starts in
   the server's zone (mktime: DST-correct for that very day). */
static time_t search_local_midnight(time_t day)
{
	struct tm tm;
	time_t t;

	if (gmtime_r(&day, &tm) == NULL)
		return day;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? day : t;
}

/* INTERNALDATE against the key day in the server's local zone. */
static bool search_local_date_cmp(const struct mail_search_arg *arg,
				  time_t t)
{
	switch (arg->type) {
	case SEARCH_BEFORE:
	case SEARCH_SAVEDBEFORE:
		return t < arg->day_start;
	case SEARCH_ON:
	case SEARCH_SAVEDON:
		return t >= arg->day_start && t < arg->day_end;
	default:
		return t >= arg->day_start;
	}
}

static bool search_date_cmp(enum mail_search_arg_type type, time_t day,
			    time_t key)
{
	switch (type) {
	case SEARCH_BEFORE:
	case SEARCH_SENTBEFORE:
		return day < key;
	case SEARCH_ON:
	case SEARCH_SENTON:
		return day == key;
	default:
		return day >= key;
	}
}

static_assert(SEARCH_THREADID < 32, "search key types fit a mask");

/* The key types in the program, as a bit mask (1 << type). */
static unsigned int search_args_types(const struct mail_search_arg *arg)
{
	unsigned int types = 0;

	for (; arg != NULL; arg = arg->next) {
		types |= 1U << arg->type;
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			types |= search_args_types(arg->value.subargs);
	}
	return types;
}

#define SEARCH_TYPES_CONTENT \
	((1U << SEARCH_HEADER) | (1U << SEARCH_BODY) | (1U << SEARCH_TEXT) | \
	 (1U << SEARCH_SENTBEFORE) | (1U << SEARCH_SENTON) | \
	 (1U << SEARCH_SENTSINCE))

/* Sets every content key's matched = false before a message. */
static void search_args_reset(struct mail_search_arg *arg)
{
	for (; arg != NULL; arg = arg->next) {
		arg->matched = false;
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_args_reset(arg->value.subargs);
	}
}

/* One unfolded header field: name, decoded value. */
static void search_args_header(struct mail_search_arg *arg, const char *name,
			       const unsigned char *raw, size_t raw_len,
			       const char *decoded, size_t decoded_len)
{
	for (; arg != NULL; arg = arg->next) {
		switch (arg->type) {
		case SEARCH_SUB:
		case SEARCH_OR:
			search_args_header(arg->value.subargs, name, raw,
					   raw_len, decoded, decoded_len);
			break;
		case SEARCH_HEADER:
			if (!arg->matched &&
			    strcasecmp(arg->hdr_field, name) == 0)
				arg->matched = search_mem_contains(
					(const unsigned char *)decoded,
					decoded_len, arg->value.str);
			break;
		case SEARCH_TEXT:
			if (!arg->matched)
				arg->matched = search_mem_contains(
					(const unsigned char *)decoded,
					decoded_len, arg->value.str) ||
					search_mem_contains((const unsigned char *)name,
							    strlen(name), arg->value.str);
			break;
		case SEARCH_SENTBEFORE:
		case SEARCH_SENTON:
		case SEARCH_SENTSINCE: {
			time_t t;
			int tz;

			if (strcasecmp(name, "Date") == 0 &&
			    message_date_parse(raw, raw_len, &t, &tz))
				arg->matched = search_date_cmp(arg->type,
					search_day_of(t, tz), arg->value.date);
			break;
		}
		default:
			break;
		}
	}
}

/* A body chunk; data includes the overlap kept from the previous chunk. */
static void search_args_body(struct mail_search_arg *arg,
			     const unsigned char *data, size_t size)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_args_body(arg->value.subargs, data, size);
		else if ((arg->type == SEARCH_BODY || arg->type == SEARCH_TEXT) &&
			 !arg->matched)
			arg->matched = search_mem_contains(data, size,
							   arg->value.str);
	}
}

/* Whether there are BODY/TEXT keys (the body must be read), and the
   longest one's length in *max_r. */
static bool search_args_body_keys(const struct mail_search_arg *arg,
				  size_t *max_r)
{
	bool found = false;
	size_t len;

	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR) {
			if (search_args_body_keys(arg->value.subargs, max_r))
				found = true;
		} else if (arg->type == SEARCH_BODY ||
			   arg->type == SEARCH_TEXT) {
			found = true;
			len = strlen(arg->value.str);
			if (len > *max_r)
				*max_r = len;
		}
	}
	return found;
}

/* A complete field of the top header: name and decoded value. */
static void search_top_header(struct search_ctx *ctx,
			      struct message_header_line *hdr,
			      const unsigned char *value, size_t size)
{
	const char *name;

	str_reset(ctx->folded);
	if (ctx->need_header_text)
		unicode_casefold_append(ctx->folded, value, size);
	/* TEXT matches the name too: needs it folded (HEADER compares
	   names case-insensitively as they are) */
	name = !ctx->need_header_names ? hdr->name :
		unicode_casefold_str(ctx->msg_pool, hdr->name);
	search_args_header(ctx->args, name, hdr->full_value,
			   hdr->full_value_len, str_c(ctx->folded),
			   str_len(ctx->folded));
}

/* Ends a run of body text: a key can't span two header lines or two
   parts. */
static void search_body_break(struct search_ctx *ctx)
{
	unicode_casefold_finish(&ctx->fold, ctx->body);
	str_reset(ctx->body);
}

/* Decoded body text: folded and matched in chunks, keeping the last
   (longest key - 1) bytes so a match across a chunk border is found. A
   cut UTF-8 character at the start of the kept bytes can't match: keys
   start with a whole character. */
static void search_body_text(struct search_ctx *ctx,
			     const unsigned char *data, size_t size)
{
	size_t n, len;

	while (size > 0) {
		n = MIN(size, MAIL_SEARCH_BODY_CHUNK);
		unicode_casefold_more(&ctx->fold, data, n, ctx->body);
		data += n;
		size -= n;
		search_args_body(ctx->args, str_data(ctx->body),
				 str_len(ctx->body));
		len = str_len(ctx->body);
		if (len > ctx->keep) {
			memmove(ctx->body->buf.data,
				ctx->body->buf.data + len - ctx->keep,
				ctx->keep);
			str_truncate(ctx->body, ctx->keep);
		}
	}
}

/* A header field of a sub-part: as in Dovecot, TEXT matches it (as
   "name: value") but BODY doesn't. */
static void search_args_sub_header(struct mail_search_arg *arg,
				   const unsigned char *data, size_t size)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_args_sub_header(arg->value.subargs, data, size);
		else if (arg->type == SEARCH_TEXT && !arg->matched)
			arg->matched = search_mem_contains(data, size,
							   arg->value.str);
	}
}

static void search_sub_header(struct search_ctx *ctx,
			      struct message_header_line *hdr,
			      const unsigned char *value, size_t size)
{
	str_reset(ctx->folded);
	unicode_casefold_append(ctx->folded, (const unsigned char *)hdr->name,
				strlen(hdr->name));
	str_append(ctx->folded, ": ");
	unicode_casefold_append(ctx->folded, value, size);
	search_args_sub_header(ctx->args, str_data(ctx->folded),
			       str_len(ctx->folded));
}

/* One decoded block. Returns false when nothing more is needed (the top
   header is done and there are no body keys). */
static bool search_block(struct search_ctx *ctx, struct message_block *out)
{
	bool top = out->part == NULL || out->part->parent == NULL;

	if (out->hdr != NULL && out->hdr->eoh) {
		search_body_break(ctx);
		return !top || ctx->need_body;
	}
	if (out->hdr != NULL) {
		if (top)
			search_top_header(ctx, out->hdr, out->data, out->size);
		else if (ctx->need_header_names)
			/* sub-part headers only match TEXT, as in Dovecot */
			search_sub_header(ctx, out->hdr, out->data, out->size);
	} else if (out->size == 0) {
		/* end of a part's header */
		search_body_break(ctx);
		return !top || ctx->need_body;
	} else if (ctx->need_body) {
		search_body_text(ctx, out->data, out->size);
	}
	return true;
}

/* The one streaming pass over the message: MIME parser -> decoder ->
   folding -> key matching. */
static int search_read_message(struct search_ctx *ctx, struct istream *input)
{
	struct message_parser_settings set;
	struct message_parser_ctx *parser;
	struct message_block block, out;
	struct message_part *parts;
	int ret;

	memset(&set, 0, sizeof(set));
	set.max_header_field_size = MAIL_SEARCH_MAX_HEADER_SIZE;
	message_decoder_reset(ctx->decoder);
	unicode_casefold_init(&ctx->fold);
	str_reset(ctx->body);
	/* an empty BODY/TEXT key matches every message, even one with
	   no body text at all */
	search_args_body(ctx->args, (const unsigned char *)"", 0);
	parser = message_parser_init(ctx->msg_pool, input, &set);
	while ((ret = message_parser_parse_next_block(parser, &block)) != -1) {
		if (ret == 0) {
			/* mail streams block: "no data yet" would spin here */
			log_error("SEARCH: message stream would block");
			break;
		}
		if (!message_decoder_decode_next_block(ctx->decoder, &block,
						       &out))
			continue;
		if (!search_block(ctx, &out))
			break;
	}
	if (ret == -1 && message_decoder_finish(ctx->decoder, &out))
		search_body_text(ctx, out.data, out.size);
	search_body_break(ctx);
	if (message_parser_deinit(&parser, &parts) < 0 || ret == 0)
		return -1;
	return input->stream_errno != 0 ? -1 : 0;
}

/* Evaluates one key list as AND (or OR): 1, 0, SEARCH_UNKNOWN (a content
   key while !content, i.e. the message isn't read yet) or -1 error. */
static int search_eval(struct mailbox *box, uint32_t seq,
		       struct mail_search_arg *arg, bool is_or, bool content);

/* RFC 8514 / RFC 8474 keys: 1 match, 0 not, -1 error. */
static int mail_search_objectid_match(struct mailbox *box, uint32_t seq,
				      const struct mail_search_arg *arg)
{
	const char *id;
	time_t t;
	int ret;

	switch (arg->type) {
	case SEARCH_SAVEDATESUPPORTED:
		return mailbox_has_save_dates(box) ? 1 : 0;
	case SEARCH_THREADID:
		return 0;	/* FETCH THREADID is NIL for every message */
	case SEARCH_EMAILID:
		if (mail_get_email_id(box, seq, &id) < 0)
			return -1;
		return strcmp(id, arg->value.str) == 0 ? 1 : 0;
	default:
		if ((ret = mail_get_save_date(box, seq, &t)) < 0)
			return -1;
		/* as Dovecot: a message without a save date (mbox) is
		   compared as if saved now */
		if (ret == 0)
			t = time(NULL);
		return search_local_date_cmp(arg, t) ? 1 : 0;
	}
}

static int search_eval_one(struct mailbox *box, uint32_t seq,
			   struct mail_search_arg *arg, bool content)
{
	uoff_t size;
	time_t t;
	int ret = 0;

	switch (arg->type) {
	case SEARCH_ALL:
		ret = 1;
		break;
	case SEARCH_SUB:
	case SEARCH_OR:
		ret = search_eval(box, seq, arg->value.subargs,
				  arg->type == SEARCH_OR, content);
		break;
	case SEARCH_FLAGS:
		ret = (mail_get_flags(box, seq) & arg->value.flags) ==
			arg->value.flags;
		break;
	case SEARCH_KEYWORD:
		/* keyword_idx resolved once per search */
		ret = arg->keyword_known &&
			mail_keywords_has(mail_get_keywords(box, seq),
					  arg->keyword_idx);
		break;
	case SEARCH_SEQSET:
		ret = seq_range_array_exists(&arg->ranges, seq);
		break;
	case SEARCH_UIDSET:
		ret = seq_range_array_exists(&arg->ranges,
					     mailbox_seq_to_uid(box, seq));
		break;
	case SEARCH_BEFORE:
	case SEARCH_ON:
	case SEARCH_SINCE:
		if (mail_get_received_date(box, seq, &t) < 0)
			return -1;
		ret = search_local_date_cmp(arg, t);
		break;
	case SEARCH_OLDER:
	case SEARCH_YOUNGER:
		if (mail_get_received_date(box, seq, &t) < 0)
			return -1;
		ret = arg->type == SEARCH_OLDER ? t <= arg->value.date :
			t >= arg->value.date;
		break;
	case SEARCH_SMALLER:
	case SEARCH_LARGER:
		if (mail_get_virtual_size(box, seq, &size) < 0)
			return -1;
		ret = arg->type == SEARCH_SMALLER ? size < arg->value.size :
			size > arg->value.size;
		break;
	case SEARCH_MODSEQ:
		ret = mail_get_modseq(box, seq) >= arg->value.size;
		break;
	case SEARCH_SAVEDBEFORE:
	case SEARCH_SAVEDON:
	case SEARCH_SAVEDSINCE:
	case SEARCH_SAVEDATESUPPORTED:
	case SEARCH_EMAILID:
	case SEARCH_THREADID:
		ret = mail_search_objectid_match(box, seq, arg);
		if (ret < 0)
			return -1;
		break;
	default:
		if (!content)
			return SEARCH_UNKNOWN;
		ret = arg->matched;
		break;
	}
	if (ret < 0 || ret == SEARCH_UNKNOWN)
		return ret;
	return arg->negate ? !ret : ret;
}

static int search_eval(struct mailbox *box, uint32_t seq,
		       struct mail_search_arg *arg, bool is_or, bool content)
{
	bool unknown = false;
	int ret;

	for (; arg != NULL; arg = arg->next) {
		ret = search_eval_one(box, seq, arg, content);
		if (ret < 0)
			return -1;
		if (ret == SEARCH_UNKNOWN)
			unknown = true;
		else if (is_or && ret == 1)
			return 1;
		else if (!is_or && ret == 0)
			return 0;
	}
	if (unknown)
		return SEARCH_UNKNOWN;
	return is_or ? 0 : 1;
}

/* Once per search: seqsets against box's current counts, keyword names to
   indexes, date keys to local day bounds. */
static void search_args_resolve(struct mailbox *box,
				struct mail_search_arg *arg)
{
	uint32_t count = mailbox_get_messages_count(box), max;
	const char *error;

	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_args_resolve(box, arg->value.subargs);
		if (arg->type == SEARCH_KEYWORD) {
			int idx = mailbox_keyword_lookup(box, arg->value.str);

			arg->keyword_known = idx >= 0;
			arg->keyword_idx = idx < 0 ? 0 : (unsigned int)idx;
			continue;
		}
		if (arg->type == SEARCH_BEFORE || arg->type == SEARCH_ON ||
		    arg->type == SEARCH_SINCE || arg->type == SEARCH_SAVEDBEFORE ||
		    arg->type == SEARCH_SAVEDON ||
		    arg->type == SEARCH_SAVEDSINCE) {
			arg->day_start = search_local_midnight(arg->value.date);
			arg->day_end = search_local_midnight(arg->value.date +
							     86400);
			continue;
		}
		if (arg->type != SEARCH_SEQSET && arg->type != SEARCH_UIDSET)
			continue;
		seq_range_array_free(&arg->ranges);
		max = arg->type == SEARCH_SEQSET ? count :
			(count == 0 ? 0 : mailbox_seq_to_uid(box, count));
		/* validated when built (typed sets bounded there; a saved
		   "$" result may hold more ranges); "*" in an empty mailbox:
		   no ranges */
		if (max > 0)
			(void)imap_seqset_parse_full(arg->seqset_str,
						     strlen(arg->seqset_str),
						     max, UINT_MAX,
						     &arg->ranges, &error);
	}
}

/* Frees resolved seqset ranges. */
static void search_args_deinit(struct mail_search_arg *arg)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_args_deinit(arg->value.subargs);
		seq_range_array_free(&arg->ranges);
	}
}

/* Adds the header fields HEADER and SENT* keys read to ctx->field_names
   (once each); false if there are more than MAIL_SEARCH_MAX_FIELD_NAMES. */
static bool search_args_field_names(struct search_ctx *ctx,
				    const struct mail_search_arg *arg)
{
	const char *name;
	unsigned int i;

	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR) {
			if (!search_args_field_names(ctx, arg->value.subargs))
				return false;
			continue;
		}
		if (arg->type == SEARCH_HEADER)
			name = arg->hdr_field;
		else if (arg->type == SEARCH_SENTBEFORE ||
			 arg->type == SEARCH_SENTON ||
			 arg->type == SEARCH_SENTSINCE)
			name = "Date";
		else
			continue;
		for (i = 0; i < ctx->field_count &&
			    strcasecmp(ctx->field_names[i], name) != 0; i++) ;
		if (i < ctx->field_count)
			continue;
		if (ctx->field_count == MAIL_SEARCH_MAX_FIELD_NAMES)
			return false;
		ctx->field_names[ctx->field_count++] = name;
	}
	return true;
}

/* Sets ctx->header_names when the keys read only named header fields. */
static void search_init_field_names(struct search_ctx *ctx)
{
	if (ctx->need_body || ctx->need_header_names ||
	    !search_args_field_names(ctx, ctx->args))
		return;
	ctx->field_names[ctx->field_count] = NULL;
	ctx->header_names = ctx->field_names;
}

/* The message stream content keys are matched against: the named header
   fields (then an empty line) when they are all the keys need, else the
   whole message. */
static int search_content_stream(struct search_ctx *ctx, uint32_t seq,
				 struct istream **input_r)
{
	struct buf *fields;

	if (ctx->header_names == NULL)
		return mail_get_stream(ctx->box, seq, input_r);
	if (mail_get_header_fields(ctx->box, seq, ctx->header_names,
				   MAIL_SEARCH_MAX_FIELDS_SIZE, ctx->msg_pool,
				   &fields) < 0)
		return -1;
	*input_r = istream_create_from_data(fields->data, fields->used);
	return 0;
}

/* Reads the header and body of seq, setting the content keys' matched. */
static int search_read_content(struct search_ctx *ctx, uint32_t seq)
{
	struct istream *input;
	int ret;

	search_args_reset(ctx->args);
	if (search_content_stream(ctx, seq, &input) < 0)
		return -1;
	ret = search_read_message(ctx, input);
	if (ret < 0) {
		/* set our own error: the box may still hold an older
		   EXPUNGED one that mail_search_run would skip on */
		log_error("SEARCH: reading message %u failed: %s", seq,
			  istream_get_error(input));
		mailbox_set_internal_error(ctx->box);
	}
	istream_unref(&input);
	return ret;
}

/* One message: the cheap keys first; the message is read only when the
   result still depends on a content key. 1 match, 0 no, -1 error. */
static int search_match(struct search_ctx *ctx, uint32_t seq)
{
	int ret;

	ret = search_eval(ctx->box, seq, ctx->args, false, false);
	if (ret != SEARCH_UNKNOWN)
		return ret;
	pool_clear(ctx->msg_pool);
	if (search_read_content(ctx, seq) < 0)
		return -1;
	/* with content every key is known: never SEARCH_UNKNOWN here */
	return search_eval(ctx->box, seq, ctx->args, false, true);
}

/* The search over the messages in only[0..only_count) (ascending seqs,
   those above the count skipped), or over all when only is NULL. */
static int search_run(struct mailbox *box, struct mail_search_arg *args,
		      const uint32_t *only, unsigned int only_count,
		      bool uids, ARRAY_TYPE(uint32) *result_r)
{
	uint32_t seq, count = mailbox_get_messages_count(box), value;
	unsigned int i, n = only == NULL ? count : only_count;
	enum mail_storage_error error;
	struct search_ctx ctx;
	unsigned int types;
	const char *str;
	int ret = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.args = args;
	types = search_args_types(args);
	ctx.need_content = (types & SEARCH_TYPES_CONTENT) != 0;
	ctx.need_header_names = (types & (1U << SEARCH_TEXT)) != 0;
	ctx.need_header_text = ctx.need_header_names ||
		(types & (1U << SEARCH_HEADER)) != 0;
	search_args_resolve(box, args);
	if (ctx.need_content) {
		ctx.msg_pool = pool_create("mail search message", 4096,
					   POOL_FLAG_NONE);
		ctx.need_body = search_args_body_keys(args, &ctx.keep);
		if (ctx.keep > 0)
			ctx.keep--;
		ctx.decoder = message_decoder_init();
		ctx.body = str_new(system_pool, ctx.keep +
				   MAIL_SEARCH_BODY_CHUNK * 2);
		ctx.folded = str_new(system_pool, 256);
		search_init_field_names(&ctx);
	}
	for (i = 0; i < n; i++) {
		seq = only == NULL ? i + 1 : only[i];
		if (seq == 0 || seq > count)
			continue;
		int match = search_match(&ctx, seq);

		if (match < 0) {
			error = mailbox_get_last_error(box, &str);
			if (error == MAIL_ERROR_EXPUNGED ||
			    error == MAIL_ERROR_NOTFOUND)
				continue;
			ret = -1;
			break;
		}
		if (match == 0)
			continue;
		value = uids ? mailbox_seq_to_uid(box, seq) : seq;
		array_append(result_r, &value);
	}
	search_args_deinit(args);
	message_decoder_deinit(&ctx.decoder);
	if (ctx.body != NULL)
		str_free(&ctx.body);
	if (ctx.folded != NULL)
		str_free(&ctx.folded);
	if (ctx.msg_pool != NULL)
		pool_unref(&ctx.msg_pool);
	return ret;
}

int mail_search_run(struct mailbox *box, struct mail_search_arg *args,
		    bool uids, ARRAY_TYPE(uint32) *result_r)
{
	return search_run(box, args, NULL, 0, uids, result_r);
}

int mail_search_run_seqs(struct mailbox *box, struct mail_search_arg *args,
			 const uint32_t *seqs, unsigned int count, bool uids,
			 ARRAY_TYPE(uint32) *result_r)
{
	return search_run(box, args, seqs, count, uids, result_r);
}
