/* Copyright (c) dovecot-like authors. mail-sort.c: the SORT program's keys
   are computed once per message (numbers, or strings already mapped with
   i;unicode-casemap so that they compare octet by octet), then the
   sequence numbers are sorted by them. The header fields come from one
   mail_get_header_fields() call per message (so from the cache file when
   the client's earlier fetches made it keep them). */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "mempool.h"
#include "message-address.h"
#include "message-date.h"
#include "message-header-decode.h"
#include "unicode-casefold.h"
#include "imap-base-subject.h"
#include "mail-storage.h"
#include "mail-fetch-cache.h"
#include "mail-sort.h"

#include <stdlib.h>
#include <strings.h>

/* Enough of any header for the first address or the subject. */
#define MAIL_SORT_MAX_HEADER_SIZE (64 * 1024)

static const char *const sort_type_names[] = {
	[MAIL_SORT_ARRIVAL] = "ARRIVAL",
	[MAIL_SORT_CC] = "CC",
	[MAIL_SORT_DATE] = "DATE",
	[MAIL_SORT_FROM] = "FROM",
	[MAIL_SORT_SIZE] = "SIZE",
	[MAIL_SORT_SUBJECT] = "SUBJECT",
	[MAIL_SORT_TO] = "TO",
	[MAIL_SORT_DISPLAYFROM] = "DISPLAYFROM",
	[MAIL_SORT_DISPLAYTO] = "DISPLAYTO",
};

/* The header field each type reads (NULL: none). */
static const char *const sort_type_headers[] = {
	[MAIL_SORT_CC] = "Cc",
	[MAIL_SORT_DATE] = "Date",
	[MAIL_SORT_FROM] = "From",
	[MAIL_SORT_SUBJECT] = "Subject",
	[MAIL_SORT_TO] = "To",
	[MAIL_SORT_DISPLAYFROM] = "From",
	[MAIL_SORT_DISPLAYTO] = "To",
};

union sort_value {
	uint64_t num;
	const char *str;	/* casemapped UTF-8 */
};

struct sort_item {
	uint32_t seq;
	const union sort_value *values;	/* one per key */
};

struct sort_ctx {
	struct mailbox *box;
	const struct mail_sort_key *keys;
	unsigned int count;
	struct pool *pool;		/* the keys' strings */
	const char *header_names[N_ELEMENTS(sort_type_headers) + 1];
	unsigned int header_count;
	/* a sort type's index in header_names (resolved once) */
	unsigned int type_field[N_ELEMENTS(sort_type_headers)];
	/* per message: the first value of each wanted header field */
	const unsigned char *fields[N_ELEMENTS(sort_type_headers)];
	size_t field_lens[N_ELEMENTS(sort_type_headers)];
};

bool mail_sort_type_parse(const char *name, enum mail_sort_type *type_r)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(sort_type_names); i++) {
		if (strcasecmp(name, sort_type_names[i]) == 0) {
			*type_r = (enum mail_sort_type)i;
			return true;
		}
	}
	return false;
}

static bool sort_type_is_string(enum mail_sort_type type)
{
	return type != MAIL_SORT_ARRIVAL && type != MAIL_SORT_DATE &&
		type != MAIL_SORT_SIZE;
}

/* The distinct header names the program reads (NULL-terminated) and
   each key type's index among them. */
static void sort_header_names(struct sort_ctx *ctx)
{
	enum mail_sort_type type;
	unsigned int i, j, n = 0;
	const char *name;

	for (i = 0; i < ctx->count; i++) {
		type = ctx->keys[i].type;
		name = sort_type_headers[type];
		if (name == NULL)
			continue;
		for (j = 0; j < n && strcmp(ctx->header_names[j], name) != 0; j++) ;
		if (j == n)
			ctx->header_names[n++] = name;
		ctx->type_field[type] = j;
	}
	ctx->header_names[n] = NULL;
	ctx->header_count = n;
}

/* Reads the wanted header fields of seq into ctx->fields (first
   occurrence of each; NULL if missing). 0 or -1. */
static int sort_read_headers(struct sort_ctx *ctx, uint32_t seq,
			     struct pool *msg_pool)
{
	return mail_get_first_header_values(ctx->box, seq, ctx->header_names,
					    ctx->header_count,
					    MAIL_SORT_MAX_HEADER_SIZE,
					    msg_pool, ctx->fields,
					    ctx->field_lens);
}

static const unsigned char *
sort_field(const struct sort_ctx *ctx, enum mail_sort_type type,
	   size_t *len_r)
{
	unsigned int idx = ctx->type_field[type];

	*len_r = ctx->field_lens[idx];
	return ctx->fields[idx];
}

/* The address key: addr-mailbox of the first address, or for DISPLAY*
   its decoded display name, else "mailbox@domain" (RFC 5957). */
static void sort_address_key(const struct sort_ctx *ctx,
			     enum mail_sort_type type, struct pool *msg_pool,
			     struct str *dest)
{
	const struct message_address *addr;
	const unsigned char *value;
	struct str *text = str_new(msg_pool, 64);
	size_t len;

	value = sort_field(ctx, type, &len);
	if (value == NULL)
		return;
	addr = message_address_parse(msg_pool, value, len, 1, false);
	if (addr == NULL)
		return;
	if (type == MAIL_SORT_FROM || type == MAIL_SORT_TO ||
	    type == MAIL_SORT_CC) {
		if (addr->mailbox != NULL)
			str_append(text, addr->mailbox);
	} else if (addr->name != NULL && addr->name[0] != '\0') {
		message_header_decode_utf8((const unsigned char *)addr->name,
					   strlen(addr->name), text);
	} else if (addr->mailbox != NULL) {
		str_append(text, addr->mailbox);
		if (addr->domain != NULL && addr->domain[0] != '\0')
			str_printfa(text, "@%s", addr->domain);
	}
	unicode_casefold_append(dest, str_data(text), str_len(text));
}

/* The value of one key for message seq. 0 or -1. */
static int sort_key_value(struct sort_ctx *ctx, uint32_t seq,
			  enum mail_sort_type type, struct pool *msg_pool,
			  union sort_value *value_r)
{
	const unsigned char *data;
	struct str *str;
	uoff_t size;
	time_t t;
	size_t len;
	int tz;

	switch (type) {
	case MAIL_SORT_ARRIVAL:
		if (mail_get_received_date(ctx->box, seq, &t) < 0)
			return -1;
		value_r->num = (uint64_t)t;
		return 0;
	case MAIL_SORT_SIZE:
		if (mail_get_virtual_size(ctx->box, seq, &size) < 0)
			return -1;
		value_r->num = size;
		return 0;
	case MAIL_SORT_DATE:
		data = sort_field(ctx, type, &len);
		if (data == NULL || !message_date_parse(data, len, &t, &tz)) {
			if (mail_get_received_date(ctx->box, seq, &t) < 0)
				return -1;
		}
		value_r->num = (uint64_t)t;
		return 0;
	case MAIL_SORT_SUBJECT:
		str = str_new(msg_pool, 128);
		data = sort_field(ctx, type, &len);
		if (data != NULL)
			imap_base_subject_append(msg_pool, str, data, len, NULL);
		break;
	default:
		str = str_new(msg_pool, 128);
		sort_address_key(ctx, type, msg_pool, str);
		break;
	}
	value_r->str = p_strdup(ctx->pool, str_c(str));
	return 0;
}

static int sort_item_cmp(const void *p1, const void *p2, void *context)
{
	const struct sort_item *a = p1, *b = p2;
	const struct sort_ctx *ctx = context;
	unsigned int i;
	int ret;

	for (i = 0; i < ctx->count; i++) {
		if (sort_type_is_string(ctx->keys[i].type))
			ret = strcmp(a->values[i].str, b->values[i].str);
		else {
			ret = a->values[i].num < b->values[i].num ? -1 :
				a->values[i].num > b->values[i].num ? 1 : 0;
		}
		if (ret != 0)
			return ctx->keys[i].reverse ? -ret : ret;
	}
	/* equal under every key: mailbox order */
	return a->seq < b->seq ? -1 : a->seq > b->seq ? 1 : 0;
}

static bool sort_msg_vanished(struct mailbox *box)
{
	const char *str;
	enum mail_storage_error error = mailbox_get_last_error(box, &str);

	return error == MAIL_ERROR_EXPUNGED || error == MAIL_ERROR_NOTFOUND;
}

static void sort_empty_values(const struct sort_ctx *ctx,
			      union sort_value *values)
{
	unsigned int k;

	for (k = 0; k < ctx->count; k++) {
		if (sort_type_is_string(ctx->keys[k].type))
			values[k].str = "";
		else
			values[k].num = 0;
	}
}

/* The keys of every message: 0 or -1. */
static int sort_fill_items(struct sort_ctx *ctx, const uint32_t *seqs,
			   unsigned int n, struct sort_item *items,
			   union sort_value *values)
{
	struct pool *msg_pool = pool_create("sort message", 4096, 0);
	unsigned int i, k;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		pool_clear(msg_pool);
		items[i].seq = seqs[i];
		items[i].values = values + (size_t)i * ctx->count;
		ret = sort_read_headers(ctx, seqs[i], msg_pool);
		for (k = 0; k < ctx->count && ret == 0; k++) {
			ret = sort_key_value(ctx, seqs[i], ctx->keys[k].type,
					     msg_pool, &values[(size_t)i *
							       ctx->count + k]);
		}
		if (ret < 0 && sort_msg_vanished(ctx->box)) {
			/* expunged by another session meanwhile: empty keys */
			sort_empty_values(ctx, &values[(size_t)i * ctx->count]);
			ret = 0;
		}
	}
	pool_unref(&msg_pool);
	return ret;
}

int mail_sort(struct mailbox *box, const struct mail_sort_key *keys,
	      unsigned int count, ARRAY_TYPE(uint32) *seqs)
{
	struct sort_ctx ctx;
	struct sort_item *items;
	union sort_value *values;
	uint32_t *nums;
	unsigned int i, n;
	int ret;

	ASSERT(count > 0 && count <= MAIL_SORT_MAX_KEYS);
	nums = array_get_modifiable(seqs, &n);
	if (n < 2)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.keys = keys;
	ctx.count = count;
	ctx.pool = pool_create("sort keys", 16384, 0);
	sort_header_names(&ctx);
	items = pool_new(ctx.pool, struct sort_item, n);
	values = pool_new(ctx.pool, union sort_value, (size_t)n * count);
	ret = sort_fill_items(&ctx, nums, n, items, values);
	if (ret == 0) {
		qsort_r(items, n, sizeof(*items), sort_item_cmp, &ctx);
		for (i = 0; i < n; i++)
			nums[i] = items[i].seq;
	}
	pool_unref(&ctx.pool);
	return ret;
}
