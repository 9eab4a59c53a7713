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

static bool field_listed(const struct message_header_line *hdr,
			 const char *const *fields)
{
	for (; *fields != NULL; fields++) {
		if (strlen(*fields) == hdr->name_len &&
		    strncasecmp(*fields, hdr->name, hdr->name_len) == 0)
			return true;
	}
	return false;
}

static void filter_append(struct buf *dest, size_t max_size,
			  const void *data, size_t len)
{
	if (dest->used >= max_size)
		return;
	(void)buf_append(dest, data, MIN(len, max_size - dest->used));
}

int message_header_filter(struct istream *input, const char *const *fields,
			  bool exclude, size_t max_size, struct buf *dest)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	bool matched = false, is_field;
	size_t start = dest->used;
	int ret;

	max_size += start;
	ctx = message_header_parser_init(input, NULL, 0);
	message_header_parser_set_max_field_size(ctx, HEADER_FILTER_MAX_FIELD_SIZE);
	while ((ret = message_parse_header_next(ctx, &hdr)) > 0) {
		if (hdr->eoh)
			break;
		if (!hdr->continued) {
			/* a line without ':' has no middle */
			is_field = hdr->middle_len > 0;
			matched = is_field &&
				field_listed(hdr, fields) != exclude;
		}
		if (!matched)
			continue;
		if (!hdr->continued) {
			filter_append(dest, max_size, hdr->name, hdr->name_len);
			filter_append(dest, max_size, hdr->middle, hdr->middle_len);
		}
		filter_append(dest, max_size, hdr->value, hdr->value_len);
		filter_append(dest, max_size, "\r\n", 2);
	}
	message_header_parser_deinit(&ctx);
	filter_append(dest, max_size, "\r\n", 2);
	if (ret == 0 || input->stream_errno != 0)
		return -1;
	return 0;
}
