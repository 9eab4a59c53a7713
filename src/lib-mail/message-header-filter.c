/* Copyright (c) dovecot-like authors. message-header-filter.c: header field
   subsets built line by line from the header parser, so a header is never
   held whole in memory. */
#include "lib.h"
#include "buffer.h"
#include "istream.h"
#include "message-header-parser.h"
#include "message-header-filter.h"

#include <strings.h>

/* a long field is kept in full up to this (a header subset is small) */
#define HEADER_FILTER_MAX_FIELD_SIZE (256 * 1024)

/* The index of hdr's name in fields, or -1. */
static int field_listed(const struct message_header_line *hdr,
			const char *const *fields)
{
	int i;

	for (i = 0; fields[i] != NULL; i++) {
		if (strlen(fields[i]) == hdr->name_len &&
		    strncasecmp(fields[i], hdr->name, hdr->name_len) == 0)
			return i;
	}
	return -1;
}

int message_header_filter_lines(struct istream *input,
				const char *const *fields, bool exclude,
				message_header_filter_line_t *callback,
				void *context)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	bool matched = false;
	unsigned int line_no = 0;
	int field_idx = -1, ret;

	ctx = message_header_parser_init(input, NULL, 0);
	message_header_parser_set_max_field_size(ctx, HEADER_FILTER_MAX_FIELD_SIZE);
	while ((ret = message_parse_header_next(ctx, &hdr)) > 0) {
		if (hdr->eoh)
			break;
		if (!hdr->continued) {
			/* a line without ':' has no middle */
			field_idx = hdr->middle_len > 0 ?
				field_listed(hdr, fields) : -1;
			matched = hdr->middle_len > 0 &&
				(field_idx >= 0) != exclude;
		}
		if (matched)
			callback(hdr, field_idx, line_no, context);
		line_no++;
	}
	message_header_parser_deinit(&ctx);
	if (ret == 0 || input->stream_errno != 0)
		return -1;
	return 0;
}

struct header_filter_ctx {
	struct buf *dest;
	size_t max_size;
};

void message_header_line_append(struct buf *dest,
				const struct message_header_line *hdr,
				size_t max_used)
{
	if (!hdr->continued) {
		buf_append_max(dest, max_used, hdr->name, hdr->name_len);
		buf_append_max(dest, max_used, hdr->middle, hdr->middle_len);
	}
	buf_append_max(dest, max_used, hdr->value, hdr->value_len);
	buf_append_max(dest, max_used, "\r\n", 2);
}

static void filter_line(const struct message_header_line *hdr,
			int field_idx ATTR_UNUSED, unsigned int line_no ATTR_UNUSED,
			void *context)
{
	struct header_filter_ctx *ctx = context;

	message_header_line_append(ctx->dest, hdr, ctx->max_size);
}

int message_header_filter(struct istream *input, const char *const *fields,
			  bool exclude, size_t max_size, struct buf *dest)
{
	struct header_filter_ctx ctx = {
		.dest = dest, .max_size = dest->used + max_size,
	};
	int ret;

	ret = message_header_filter_lines(input, fields, exclude,
					  filter_line, &ctx);
	buf_append_max(dest, ctx.max_size, "\r\n", 2);
	return ret;
}
