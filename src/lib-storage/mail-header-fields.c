/* Copyright (c) dovecot-like authors. mail-header-fields.c: BODY[HEADER.FIELDS
   (...)] of a message from the backend's cache when every listed field is
   cached there ("hdr.<name>"), else from one read of the header, whose
   fields are then offered to the cache (kept once clients ask for them).
   An ENVELOPE parse offers its fields' lists too (mail_header_lists_*),
   built by the same encoder.

   A cached field is the list of its lines as they appear in the header,
   each as a 4-byte line number (0 = the header's first line), a 4-byte
   length and the line with its CRLF (host byte order: the cache file is
   per host); a field the message lacks is an empty list. Merging the
   fields' lines by line number gives exactly what
   message_header_filter() reads from the message. The first values SORT
   and THREAD want come straight from those line lists when the lines are
   plain (else through the header parser, which defines the result). */
#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "strfuncs.h"
#include "istream.h"
#include "message-header-parser.h"
#include "message-header-filter.h"
#include "mail-fetch-cache.h"
#include "mail-storage-private.h"

#include <strings.h>

/* Longer names (or names with odd bytes) are answered but never cached. */
#define HDR_CACHE_MAX_NAME_LEN 64
/* A longer field list is answered from the message without the cache
   (and without the per-message de-duplication, quadratic in the list). */
#define HDR_CACHE_MAX_NAMES 32
/* A field's line list beyond this isn't cached (nor kept in memory). */
#define HDR_CACHE_MAX_FIELD_SIZE (64 * 1024)

struct hdr_line {
	uint32_t line_no;
	uint32_t len;
	const unsigned char *data;
};

typedef ARRAY(struct hdr_line) ARRAY_TYPE(hdr_line);

struct hdr_field {
	const char *name;	/* as the client wrote it */
	const char *cache_name;	/* "hdr.<lowercase>", NULL = not cacheable */
	struct buf *cached;	/* encoded line list from the cache, or NULL */
	struct buf *parsed;	/* encoded line list read from the header */
	bool too_large;
};

/* "hdr.<lowercase name>", or NULL if the name can't be a cache field
   name (too long, or bytes outside printable ASCII). */
static const char *hdr_cache_name(struct pool *pool, const char *name)
{
	size_t i, len = strlen(name);
	char *cache_name;

	if (len == 0 || len > HDR_CACHE_MAX_NAME_LEN)
		return NULL;
	cache_name = p_malloc(pool, 4 + len + 1);
	memcpy(cache_name, "hdr.", 4);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || c == ':')
			return NULL;
		cache_name[4 + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return cache_name;
}

struct hdr_fields {
	struct hdr_field *f;
	unsigned int count;
};

/* The listed names once each (case-insensitively), in the client's order
   (a handful: the quadratic check is cheaper than hashing). */
static void hdr_fields_init(struct pool *pool, const char *const *names,
			    struct hdr_fields *fields_r)
{
	unsigned int i, j, n = 0;

	while (names[n] != NULL)
		n++;
	fields_r->f = pool_new(pool, struct hdr_field, n);
	fields_r->count = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < fields_r->count; j++) {
			if (strcasecmp(fields_r->f[j].name, names[i]) == 0)
				break;
		}
		if (j < fields_r->count)
			continue;
		fields_r->f[j].name = names[i];
		fields_r->f[j].cache_name = hdr_cache_name(pool, names[i]);
		fields_r->count++;
	}
}

/* The names as they are, none cacheable (a list too long to bother). */
static void hdr_fields_uncached(struct pool *pool, const char *const *names,
				struct hdr_fields *fields_r)
{
	unsigned int i;

	fields_r->count = str_array_length(names);
	fields_r->f = pool_new(pool, struct hdr_field, fields_r->count);
	for (i = 0; i < fields_r->count; i++)
		fields_r->f[i].name = names[i];
}

/* Decodes an encoded line list into lines. FALSE if it is damaged. */
static bool hdr_decode(const struct buf *data, ARRAY_TYPE(hdr_line) *lines)
{
	struct hdr_line line;
	size_t pos = 0;

	while (pos < data->used) {
		if (data->used - pos < 8)
			return false;
		memcpy(&line.line_no, data->data + pos, 4);
		memcpy(&line.len, data->data + pos + 4, 4);
		pos += 8;
		if (line.len > data->used - pos)
			return false;
		line.data = data->data + pos;
		pos += line.len;
		array_append(lines, &line);
	}
	return true;
}

static int hdr_line_cmp(const struct hdr_line *a, const struct hdr_line *b)
{
	if (a->line_no != b->line_no)
		return a->line_no < b->line_no ? -1 : 1;
	return 0;
}

/* Looks up every field; TRUE if all were cached and sane, with the
   merged result in dest. */
static bool hdr_from_cache(struct mailbox *box, struct mailbox_msg *msg,
			   struct hdr_fields *fields, size_t max_size,
			   struct pool *pool, struct buf *dest)
{
	ARRAY_TYPE(hdr_line) lines;
	const struct hdr_line *line;
	struct hdr_field *f;
	bool all = true;

	if (box->v->cache_lookup == NULL)
		return false;
	for (f = fields->f; f < fields->f + fields->count; f++) {
		if (f->cache_name == NULL) {
			all = false;
			continue;
		}
		f->cached = buf_create(pool, 64);
		if (box->v->cache_lookup(box, msg, f->cache_name,
					 f->cached) <= 0) {
			f->cached = NULL;
			all = false;
		}
	}
	if (!all)
		return false;
	array_init(&lines, pool, 16);
	for (f = fields->f; f < fields->f + fields->count; f++) {
		if (!hdr_decode(f->cached, &lines)) {
			log_warning("Cached %s of UID %u is damaged "
				    "(reading the message)", f->cache_name,
				    msg->uid);
			f->cached = NULL;
			return false;
		}
	}
	array_sort(&lines, hdr_line_cmp);
	array_foreach(&lines, line)
		buf_append_max(dest, max_size, line->data, line->len);
	buf_append_max(dest, max_size, "\r\n", 2);
	return true;
}

struct hdr_parse_ctx {
	struct hdr_field *fields;
	struct buf *dest, *line;
	size_t max_size;
};

/* The encoder of a cached field: appends hdr's line (header line number
   line_no) to f's list, unless the list would grow too large. scratch is
   the caller's buffer for the line. */
static void hdr_field_encode_line(struct hdr_field *f, struct buf *scratch,
				  const struct message_header_line *hdr,
				  unsigned int line_no)
{
	uint32_t no = line_no, len;

	if (f->cache_name == NULL || f->too_large)
		return;
	buf_reset(scratch);
	message_header_line_append(scratch, hdr, SIZE_MAX);
	len = (uint32_t)scratch->used;
	if (f->parsed->used + 8 + len > HDR_CACHE_MAX_FIELD_SIZE) {
		f->too_large = true;
		return;
	}
	(void)buf_append(f->parsed, &no, 4);
	(void)buf_append(f->parsed, &len, 4);
	(void)buf_append(f->parsed, scratch->data, len);
}

/* Offers the parsed lists to the cache (not the ones that came from it,
   nor those grown too large). */
static void hdr_fields_offer(struct mailbox *box, struct mailbox_msg *msg,
			     const struct hdr_fields *fields)
{
	const struct hdr_field *f;

	if (box->v->cache_add == NULL)
		return;
	for (f = fields->f; f < fields->f + fields->count; f++) {
		if (f->cache_name != NULL && f->parsed != NULL &&
		    f->cached == NULL && !f->too_large)
			box->v->cache_add(box, msg, f->cache_name,
					  f->parsed->data, f->parsed->used);
	}
}

static void hdr_parse_line(const struct message_header_line *hdr,
			   int field_idx, unsigned int line_no, void *context)
{
	struct hdr_parse_ctx *ctx = context;

	message_header_line_append(ctx->dest, hdr, ctx->max_size);
	hdr_field_encode_line(&ctx->fields[field_idx], ctx->line, hdr, line_no);
}

/* Reads the header once: dest gets the answer, each field its encoded
   line list, offered to the cache unless it came from there. */
static int hdr_from_message(struct mailbox *box, struct mailbox_msg *msg,
			    struct hdr_fields *fields, size_t max_size,
			    struct pool *pool, struct buf *dest)
{
	struct hdr_parse_ctx ctx;
	struct hdr_field *f = fields->f;
	const char **names;
	struct istream *input;
	unsigned int i, count = fields->count;
	int ret;

	names = pool_new(pool, const char *, count + 1);
	for (i = 0; i < count; i++) {
		names[i] = f[i].name;
		if (f[i].cache_name != NULL)
			f[i].parsed = buf_create(pool, 128);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.fields = f;
	ctx.dest = dest;
	ctx.line = buf_create(pool, 256);
	ctx.max_size = max_size;
	if (box->v->get_stream(box, msg, &input) < 0)
		return -1;
	ret = message_header_filter_lines(input, names, false,
					  hdr_parse_line, &ctx);
	istream_unref(&input);
	if (ret < 0) {
		log_error("Reading the header of UID %u failed", msg->uid);
		mailbox_set_internal_error(box);
		return -1;
	}
	buf_append_max(dest, max_size, "\r\n", 2);
	hdr_fields_offer(box, msg, fields);
	return 0;
}

struct mail_header_lists {
	struct hdr_fields fields;
	struct buf *line;
	unsigned int line_no;
	int field_idx;		/* the current line's field, -1 = not listed */
};

struct mail_header_lists *
mail_header_lists_init(struct pool *pool, const char *const *names)
{
	struct mail_header_lists *lists = pool_new(pool, struct mail_header_lists, 1);
	unsigned int i;

	hdr_fields_init(pool, names, &lists->fields);
	for (i = 0; i < lists->fields.count; i++) {
		if (lists->fields.f[i].cache_name != NULL)
			lists->fields.f[i].parsed = buf_create(pool, 128);
	}
	lists->line = buf_create(pool, 256);
	lists->field_idx = -1;
	return lists;
}

/* The index of the field named name (name_len bytes), or -1. */
static int hdr_fields_find(const struct hdr_fields *fields, const char *name,
			   size_t name_len)
{
	unsigned int i;

	for (i = 0; i < fields->count; i++) {
		if (strlen(fields->f[i].name) == name_len &&
		    strncasecmp(fields->f[i].name, name, name_len) == 0)
			return (int)i;
	}
	return -1;
}

/* Selects and numbers the lines as message_header_filter_lines() does: a
   field is a line with a ':' (middle) and its continuation lines; every
   line but the final empty one counts. */
void mail_header_lists_add_line(struct mail_header_lists *lists,
				const struct message_header_line *hdr)
{
	if (hdr->eoh)
		return;
	if (!hdr->continued) {
		lists->field_idx = hdr->middle_len > 0 ?
			hdr_fields_find(&lists->fields, hdr->name,
					hdr->name_len) : -1;
	}
	if (lists->field_idx >= 0)
		hdr_field_encode_line(&lists->fields.f[lists->field_idx],
				      lists->line, hdr, lists->line_no);
	lists->line_no++;
}

void mail_header_lists_offer(struct mail_header_lists *lists,
			     struct mailbox *box, struct mailbox_msg *msg)
{
	hdr_fields_offer(box, msg, &lists->fields);
}

int mail_get_header_fields(struct mailbox *box, uint32_t seq,
			   const char *const *names, size_t max_size,
			   struct pool *pool, struct buf **dest_r)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);
	struct hdr_fields fields;
	struct buf *dest;

	if (msg == NULL) {
		mailbox_set_error(box, MAIL_ERROR_PARAMS,
				  "Invalid message sequence");
		return -1;
	}
	dest = buf_create(pool, 1024);
	*dest_r = dest;
	if (str_array_length(names) > HDR_CACHE_MAX_NAMES) {
		/* read as listed: no de-duplication, nothing cached */
		hdr_fields_uncached(pool, names, &fields);
		return hdr_from_message(box, msg, &fields, max_size, pool,
					dest);
	}
	hdr_fields_init(pool, names, &fields);
	if (hdr_from_cache(box, msg, &fields, max_size, pool, dest))
		return 0;
	buf_reset(dest);
	return hdr_from_message(box, msg, &fields, max_size, pool, dest);
}

/* The next entry of an encoded line list at *pos: FALSE at its end or
   if it is damaged. */
static bool hdr_next_line(const struct buf *list, size_t *pos,
			  struct hdr_line *line_r)
{
	if (list->used - *pos < 8)
		return false;
	memcpy(&line_r->line_no, list->data + *pos, 4);
	memcpy(&line_r->len, list->data + *pos + 4, 4);
	*pos += 8;
	if (line_r->len > list->used - *pos)
		return false;
	line_r->data = list->data + *pos;
	*pos += line_r->len;
	return true;
}

/* The line's length without its CRLF, or -1 if it doesn't end in CRLF
   or has a CR, LF or NUL before (left to the header parser). */
static ssize_t hdr_plain_line_len(const struct hdr_line *line)
{
	size_t len = line->len;

	if (len < 2 || line->data[len - 2] != '\r' ||
	    line->data[len - 1] != '\n')
		return -1;
	len -= 2;
	if (memchr(line->data, '\r', len) != NULL ||
	    memchr(line->data, '\n', len) != NULL ||
	    memchr(line->data, '\0', len) != NULL)
		return -1;
	return (ssize_t)len;
}

/* The first field's value as the header parser returns it with
   FULL_VALUE (its continuation lines appended without their CRLFs),
   when its lines are plain: the list's first line (lowest number) is
   "<name>" [spaces] ":" value CRLF and the lines numbered right after it
   that start with a space or tab are its continuations. FALSE: let the
   parser decide. */
static bool hdr_simple_first_value(struct pool *pool, const struct buf *list,
				   const char *name,
				   const unsigned char **value_r,
				   size_t *len_r)
{
	struct hdr_line first, line;
	const unsigned char *p, *end;
	size_t pos = 0, name_len = strlen(name);
	ssize_t len;
	struct buf *full = NULL;
	uint32_t prev_no;

	if (list->used == 0) {
		*value_r = NULL;
		*len_r = 0;
		return true;
	}
	if (!hdr_next_line(list, &pos, &first) ||
	    (len = hdr_plain_line_len(&first)) < 0 ||
	    (size_t)len <= name_len ||
	    strncasecmp((const char *)first.data, name, name_len) != 0)
		return false;
	end = first.data + len;
	for (p = first.data + name_len; p < end && (*p == ' ' || *p == '\t'); p++) ;
	if (p == end || *p != ':')
		return false;
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++) ;
	*value_r = p;
	*len_r = (size_t)(end - p);
	/* the rest must come later in the header; continuations follow */
	prev_no = first.line_no;
	while (pos < list->used) {
		if (!hdr_next_line(list, &pos, &line) ||
		    line.line_no <= first.line_no)
			return false;
		if (prev_no == UINT32_MAX || line.line_no != prev_no + 1 ||
		    line.len == 0 ||
		    (line.data[0] != ' ' && line.data[0] != '\t')) {
			/* no more continuations: still check the order */
			prev_no = UINT32_MAX;
			continue;
		}
		if ((len = hdr_plain_line_len(&line)) < 0)
			return false;
		if (full == NULL) {
			full = buf_create(pool, *len_r + (size_t)len + 64);
			(void)buf_append(full, *value_r, *len_r);
		}
		(void)buf_append(full, line.data, (size_t)len);
		prev_no = line.line_no;
	}
	if (full != NULL) {
		*value_r = full->data;
		*len_r = full->used;
	}
	return true;
}

/* mail_get_first_header_values() straight from the cached line lists
   when every field is cached and its first line simple (the common
   case); FALSE leaves values_r unset for the general path. */
static bool hdr_first_values_cached(struct mailbox *box, uint32_t seq,
				    const char *const *names,
				    unsigned int count, size_t max_size,
				    struct pool *pool,
				    const unsigned char **values_r,
				    size_t *lens_r)
{
	struct mailbox_msg *msg;
	const char *cache_name;
	struct buf *list;
	size_t total = 0;
	unsigned int i;

	if (box->v->cache_lookup == NULL || count > HDR_CACHE_MAX_NAMES)
		return false;
	msg = mailbox_msg_lookup(box, seq);
	if (msg == NULL)
		return false;
	for (i = 0; i < count; i++) {
		cache_name = hdr_cache_name(pool, names[i]);
		if (cache_name == NULL)
			return false;
		list = buf_create(pool, 128);
		if (box->v->cache_lookup(box, msg, cache_name, list) <= 0)
			return false;
		/* the merged header is capped at max_size: stay well below */
		total += list->used;
		if (total >= max_size / 2 ||
		    !hdr_simple_first_value(pool, list, names[i],
					    &values_r[i], &lens_r[i]))
			return false;
	}
	return true;
}

int mail_get_first_header_values(struct mailbox *box, uint32_t seq,
				 const char *const *names, unsigned int count,
				 size_t max_size, struct pool *pool,
				 const unsigned char **values_r,
				 size_t *lens_r)
{
	const char **name_list;
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct istream *input;
	struct buf *buf;
	unsigned int i;

	memset(values_r, 0, sizeof(*values_r) * count);
	memset(lens_r, 0, sizeof(*lens_r) * count);
	if (count == 0)
		return 0;
	if (hdr_first_values_cached(box, seq, names, count, max_size, pool,
				    values_r, lens_r))
		return 0;
	memset(values_r, 0, sizeof(*values_r) * count);
	memset(lens_r, 0, sizeof(*lens_r) * count);
	name_list = pool_new(pool, const char *, count + 1);
	memcpy(name_list, names, sizeof(*names) * count);
	if (mail_get_header_fields(box, seq, name_list, max_size, pool,
				   &buf) < 0)
		return -1;
	input = istream_create_from_data(buf->data, buf->used);
	parser = message_header_parser_init(input, NULL,
			MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE);
	while (message_parse_header_next(parser, &hdr) > 0) {
		if (hdr->eoh)
			continue;
		for (i = 0; i < count; i++) {
			if (values_r[i] == NULL &&
			    strcasecmp(names[i], hdr->name) == 0) {
				values_r[i] = p_memdup(pool, hdr->full_value,
						       hdr->full_value_len);
				lens_r[i] = hdr->full_value_len;
			}
		}
	}
	message_header_parser_deinit(&parser);
	istream_unref(&input);
	return 0;
}
