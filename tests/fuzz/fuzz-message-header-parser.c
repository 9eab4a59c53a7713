/* Copyright (c) dovecot-like authors. Fuzzes the header parser: line and
   full-value modes, chunked reads giving the same lines, and sizes that
   match the bytes consumed. */
#include "fuzz-common.h"
#include "buffer.h"
#include "message-size.h"
#include "message-header-parser.h"

static void parse(struct istream *input, enum message_header_parser_flags flags,
		  struct buf *dest, struct message_size *size_r)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	int ret;

	ctx = message_header_parser_init(input, size_r, flags);
	message_header_parser_set_max_field_size(ctx, 1000);
	while ((ret = message_parse_header_next(ctx, &hdr)) != -1) {
		if (ret == 0)
			continue;
		if (hdr->name_len > 1000 || hdr->value_len > 1000)
			abort();
		(void)buf_append(dest, hdr->name, hdr->name_len);
		(void)buf_append(dest, hdr->middle, hdr->middle_len);
		(void)buf_append(dest, hdr->value, hdr->value_len);
		if (!hdr->continues)
			(void)buf_append(dest, hdr->full_value, hdr->full_value_len);
		(void)buf_append(dest, &hdr->name_offset, sizeof(hdr->name_offset));
		(void)buf_append_c(dest, (unsigned char)(hdr->continued |
			hdr->continues << 1 | hdr->eoh << 2 |
			hdr->no_newline << 3 | hdr->crlf_newline << 4));
	}
	message_header_parser_deinit(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum message_header_parser_flags flag_sets[] = {
		0, MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE,
		MESSAGE_HEADER_PARSER_FLAG_DROP_CR,
	};
	struct message_size size1, size2;
	struct fuzz_chunk_input ci;
	struct istream *input;
	struct buf *out1, *out2;
	unsigned int i;
	uoff_t consumed;

	fuzz_init();
	for (i = 0; i < N_ELEMENTS(flag_sets); i++) {
		out1 = buf_create(system_pool, 256);
		out2 = buf_create(system_pool, 256);
		input = istream_create_from_data(data, size);
		parse(input, flag_sets[i], out1, &size1);
		consumed = input->v_offset;
		istream_unref(&input);
		if (size1.physical_size != consumed ||
		    size1.virtual_size < size1.physical_size ||
		    size1.lines > size1.physical_size)
			abort();
		input = fuzz_istream_create_chunked(&ci, data, size, 1 + i * 3, 512);
		parse(input, flag_sets[i], out2, &size2);
		istream_unref(&input);
		if (out1->used != out2->used ||
		    memcmp(out1->data, out2->data, out1->used) != 0 ||
		    memcmp(&size1, &size2, sizeof(size1)) != 0)
			abort();
		buf_free(&out1);
		buf_free(&out2);
	}
	/* the Content-Type parsing uses tmp_pool; no ioloop clears it here */
	tmp_reset();
	return 0;
}
