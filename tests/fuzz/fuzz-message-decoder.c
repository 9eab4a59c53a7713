/* Copyright (c) dovecot-like authors. Fuzzes message-decoder (and
   unicode-casefold on its output): any message through the MIME parser
   and decoder gives valid UTF-8 without NULs, the same text when read in
   small chunks, and folding it gives valid UTF-8 too. */
#include "fuzz-common.h"
#include "str.h"
#include "utf8.h"
#include "message-parser.h"
#include "message-decoder.h"
#include "unicode-casefold.h"

/* Aborts unless data is valid UTF-8 without NULs. */
static void check_utf8(const unsigned char *data, size_t size)
{
	size_t i = 0;
	unsigned int len;
	uint32_t cp;

	while (i < size) {
		len = data[i] == '\0' ? 0 :
			utf8_get_char_n(data + i, size - i, &cp);
		if (len == 0)
			abort();
		i += len;
	}
}

/* All decoded text (headers and bodies) of the message in input. */
static void decode(struct pool *pool, struct istream *input, struct str *dest)
{
	struct message_decoder_context *ctx = message_decoder_init();
	struct message_parser_ctx *parser;
	struct message_block in, out;
	struct message_part *parts;
	int ret;

	parser = message_parser_init(pool, input, NULL);
	while ((ret = message_parser_parse_next_block(parser, &in)) != -1) {
		if (ret == 0 ||
		    !message_decoder_decode_next_block(ctx, &in, &out))
			continue;
		if (out.size == 0)
			continue;
		check_utf8(out.data, out.size);
		str_append_n(dest, out.data, out.size);
	}
	if (message_decoder_finish(ctx, &out)) {
		check_utf8(out.data, out.size);
		str_append_n(dest, out.data, out.size);
	}
	(void)message_parser_deinit(&parser, &parts);
	message_decoder_deinit(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_chunk_input ci;
	struct pool *pool;
	struct istream *input;
	struct str *text1, *text2, *folded;
	struct unicode_casefold cf;

	fuzz_init();
	pool = pool_create("fuzz", 4096, POOL_FLAG_NONE);
	text1 = str_new(pool, 256);
	text2 = str_new(pool, 256);
	folded = str_new(pool, 256);

	input = istream_create_from_data(data, size);
	decode(pool, input, text1);
	istream_unref(&input);

	input = fuzz_istream_create_chunked(&ci, data, size,
					    size > 0 ? 1 + data[0] % 7 : 1, 4096);
	decode(pool, input, text2);
	istream_unref(&input);
	if (str_len(text1) != str_len(text2) ||
	    memcmp(str_data(text1), str_data(text2), str_len(text1)) != 0)
		abort();

	/* folding, fed in uneven pieces, stays valid */
	unicode_casefold_init(&cf);
	for (size_t i = 0; i < str_len(text1); i += 5)
		unicode_casefold_more(&cf, str_data(text1) + i,
				      MIN(5, str_len(text1) - i), folded);
	unicode_casefold_finish(&cf, folded);
	check_utf8(str_data(folded), str_len(folded));
	/* and so does folding the raw input */
	str_reset(folded);
	unicode_casefold_append(folded, data, size);
	check_utf8(str_data(folded), str_len(folded));
	pool_unref(&pool);
	tmp_reset();
	return 0;
}
