/* Copyright (c) dovecot-like authors. message-size.c: physical/virtual sizes
   of a header or body read from a blocking stream, for callers that need
   sizes without the full MIME parse. */
#include "lib.h"
#include "istream.h"
#include "message-header-parser.h"
#include "message-size.h"

bool message_size_add_data(struct message_size *size,
			   const unsigned char *data, size_t len, bool *last_cr)
{
	const unsigned char *p = data, *end = data + len, *lf;

	if (len == 0)
		return false;
	size->physical_size += len;
	size->virtual_size += len;
	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size->lines++;
		/* the byte before this LF: in data, or the previous call's */
		if (!(lf > data ? lf[-1] == '\r' : *last_cr))
			size->virtual_size++;
		p = lf + 1;
		if (p == end)
			break;
	}
	*last_cr = end[-1] == '\r';
	return memchr(data, '\0', len) != NULL;
}

int message_get_header_size(struct istream *input, struct message_size *hdr_r,
			    bool *has_nuls_r)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	int ret;

	ctx = message_header_parser_init(input, hdr_r, 0);
	/* small fields: only the sizes are wanted */
	message_header_parser_set_max_field_size(ctx, 1024);
	while ((ret = message_parse_header_next(ctx, &hdr)) > 0) ;
	*has_nuls_r = message_header_parser_has_nuls(ctx);
	message_header_parser_deinit(&ctx);
	if (ret == 0 || input->stream_errno != 0)
		return -1;
	return 0;
}

int message_get_body_size(struct istream *input, struct message_size *body_r,
			  bool *has_nuls_r)
{
	const unsigned char *data;
	bool last_cr = false;
	size_t size;
	ssize_t ret;

	memset(body_r, 0, sizeof(*body_r));
	*has_nuls_r = false;
	for (;;) {
		data = istream_get_data(input, &size);
		if (size == 0) {
			ret = istream_read(input);
			if (ret == -1)
				break;
			if (ret == 0)
				return -1;	/* non-blocking stream: not supported */
			continue;
		}
		if (message_size_add_data(body_r, data, size, &last_cr))
			*has_nuls_r = true;
		istream_skip(input, size);
	}
	return input->stream_errno != 0 ? -1 : 0;
}

void message_size_add(struct message_size *dest, const struct message_size *src)
{
	dest->physical_size += src->physical_size;
	dest->virtual_size += src->virtual_size;
	dest->lines += src->lines;
}
