/* Copyright (c) dovecot-like authors. Fuzzes Content-Type parsing and the
   RFC 2045/2231 parameter parser (continuations, charset'lang'%xx through
   iconv), which every MIME part header reaches. */
#include "fuzz-common.h"
#include "str.h"
#include "array.h"
#include "charset-utf8.h"
#include "rfc822-parser.h"

#include <strings.h>

static void check_utf8(const char *value)
{
	struct str *str = t_str_new(256);

	/* valid UTF-8 is returned unchanged by the validator */
	charset_utf8_append_valid(str, (const unsigned char *)value,
				  strlen(value));
	if (strcmp(str_c(str), value) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc822_parser_context ctx;
	ARRAY_TYPE(rfc822_param) params;
	const struct rfc822_param *param;
	struct str *str, *comment;
	unsigned char *copy;
	unsigned int count;

	fuzz_init();
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	str = t_str_new(64);
	comment = t_str_new(64);

	rfc822_parser_init(&ctx, copy, size, comment);
	(void)rfc822_parse_content_type(&ctx, str);
	if (ctx.data > ctx.end)
		abort();
	array_init(&params, tmp_pool, 4);
	count = rfc2231_parse(&ctx, tmp_pool, &params);
	if (count != array_count(&params) || count > 1000)
		abort();
	array_foreach(&params, param) {
		if (param->key == NULL || param->value == NULL ||
		    param->key_written == NULL ||
		    strcasecmp(param->key, param->key_written) != 0)
			abort();
		if (rfc822_params_get(&params, param->key) == NULL)
			abort();
		if (param->extended) {
			const char *decoded =
				rfc822_param_get_decoded(tmp_pool, param);

			if (decoded != NULL)
				check_utf8(decoded);
		}
	}

	/* the other token readers on the same bytes */
	rfc822_parser_init(&ctx, copy, size, comment);
	while (ctx.data < ctx.end) {
		const unsigned char *start = ctx.data;

		str_reset(str);
		if (*ctx.data == '@')
			(void)rfc822_parse_domain(&ctx, str);
		else if (*ctx.data == '"')
			(void)rfc822_parse_quoted_string(&ctx, str);
		else if (rfc822_parse_phrase(&ctx, str) < 0)
			(void)rfc822_skip_lwsp(&ctx);
		if (ctx.data > ctx.end)
			abort();
		if (ctx.data == start)
			ctx.data++;
	}
	free(copy);
	tmp_reset();
	return 0;
}
