/* Copyright (c) dovecot-like authors. Check suite for the RFC 5322 token
   reader and the RFC 2045/2231 parameter parser: well-formed values,
   real-world breakage and hostile input (deep comments, huge lists). */

#include "lib.h"
#include "str.h"
#include "rfc822-parser.h"
#include "test-values.h"

#define DATA(s) (const unsigned char *)(s), strlen(s)

START_TEST(test_rfc822_atoms)
{
	struct rfc822_parser_context ctx;
	struct str *str = t_str_new(64), *comment = t_str_new(64);

	rfc822_parser_init(&ctx, DATA("  foo (a (nested) \\) c) bar"), comment);
	ck_assert_int_eq(rfc822_skip_lwsp(&ctx), 1);
	ck_assert_int_eq(rfc822_parse_atom(&ctx, str), 1);
	ck_assert_str_eq(str_c(str), "foo");
	ck_assert_str_eq(str_c(comment), "a (nested) ) c");
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_atom(&ctx, str), 0);
	ck_assert_str_eq(str_c(str), "bar");

	/* specials are not atoms */
	rfc822_parser_init(&ctx, DATA("<x"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_atom(&ctx, str), -1);
	ck_assert_uint_eq(str_len(str), 0);

	rfc822_parser_init(&ctx, DATA("a . b..c. @x"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_dot_atom(&ctx, str), 1);
	ck_assert_str_eq(str_c(str), "a.b..c.");
	ck_assert_int_eq(*ctx.data, '@');
}
END_TEST

START_TEST(test_rfc822_quoted)
{
	struct rfc822_parser_context ctx;
	struct str *str = t_str_new(64);

	rfc822_parser_init(&ctx, DATA("\"a \\\"b\\\\\r\n c\" rest"), NULL);
	ck_assert_int_eq(rfc822_parse_quoted_string(&ctx, str), 1);
	ck_assert_str_eq(str_c(str), "a \"b\\ c");
	ck_assert_int_eq(*ctx.data, 'r');

	/* unterminated: error, never past the end */
	rfc822_parser_init(&ctx, DATA("\"abc\\"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_quoted_string(&ctx, str), -1);
	ck_assert(ctx.data <= ctx.end);

	/* a NUL inside becomes 0x80 */
	rfc822_parser_init(&ctx, (const unsigned char *)"\"a\0b\"", 5, NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_quoted_string(&ctx, str), 0);
	ck_assert_uint_eq(str_len(str), 3);
	ck_assert_int_eq((unsigned char)str_c(str)[1], 0x80);
}
END_TEST

START_TEST(test_rfc822_phrase_domain)
{
	struct rfc822_parser_context ctx;
	struct str *str = t_str_new(64);

	rfc822_parser_init(&ctx, DATA("John Q. \"Public, Jr\" <x>"), NULL);
	ck_assert_int_eq(rfc822_parse_phrase(&ctx, str), 1);
	ck_assert_str_eq(str_c(str), "John Q. Public, Jr");
	ck_assert_int_eq(*ctx.data, '<');

	rfc822_parser_init(&ctx, DATA("@[1.2.\\]3.4] x"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_domain(&ctx, str), 1);
	ck_assert_str_eq(str_c(str), "[1.2.]3.4]");

	rfc822_parser_init(&ctx, DATA("@ example . com"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_domain(&ctx, str), 0);
	ck_assert_str_eq(str_c(str), "example.com");

	rfc822_parser_init(&ctx, DATA("@[unterminated"), NULL);
	str_reset(str);
	ck_assert_int_eq(rfc822_parse_domain(&ctx, str), -1);
}
END_TEST

START_TEST(test_rfc822_deep_comments)
{
	struct rfc822_parser_context ctx;
	size_t n = 100000, i;
	char *buf = p_malloc(tmp_pool, n * 2 + 8);
	struct str *str = t_str_new(16);

	/* unterminated: error */
	memset(buf, '(', n);
	rfc822_parser_init(&ctx, (const unsigned char *)buf, n, NULL);
	ck_assert_int_eq(rfc822_skip_lwsp(&ctx), -1);
	ck_assert(ctx.data == ctx.end);

	/* balanced: skipped without recursion */
	for (i = 0; i < n; i++)
		buf[n + i] = ')';
	memcpy(buf + 2 * n, "atom", 4);
	rfc822_parser_init(&ctx, (const unsigned char *)buf, 2 * n + 4, NULL);
	ck_assert_int_eq(rfc822_skip_lwsp(&ctx), 1);
	ck_assert_int_eq(rfc822_parse_atom(&ctx, str), 0);
	ck_assert_str_eq(str_c(str), "atom");
}
END_TEST

static ARRAY_TYPE(rfc822_param) *
parse_ct(const char *value, const char **type_r)
{
	struct rfc822_parser_context ctx;
	ARRAY_TYPE(rfc822_param) *params = t_new(ARRAY_TYPE(rfc822_param), 1);
	struct str *str = t_str_new(64);

	array_init(params, tmp_pool, 4);
	rfc822_parser_init(&ctx, (const unsigned char *)value, strlen(value),
			   NULL);
	if (rfc822_parse_content_type(&ctx, str) < 0)
		*type_r = NULL;
	else
		*type_r = tmp_strdup(str_c(str));
	(void)rfc2231_parse(&ctx, tmp_pool, params);
	return params;
}

START_TEST(test_rfc822_content_type)
{
	ARRAY_TYPE(rfc822_param) *params;
	const struct rfc822_param *p;
	const char *type;

	params = parse_ct("Text/Plain (comment) ; CharSet=\"utf-8\";\r\n"
			  "\tformat=flowed (x)", &type);
	ck_assert_str_eq(type, "Text/Plain");
	ck_assert_uint_eq(array_count(params), 2);
	p = array_idx(params, 0);
	ck_assert_str_eq(p->key, "charset");
	ck_assert_str_eq(p->value, "utf-8");
	ck_assert(!p->extended);
	ck_assert_str_eq(rfc822_params_get(params, "FORMAT"), "flowed");
	ck_assert_ptr_null(rfc822_params_get(params, "boundary"));

	params = parse_ct("multipart/mixed;\r\n boundary=\"----=_Part_1_2.3\"",
			  &type);
	ck_assert_str_eq(type, "multipart/mixed");
	ck_assert_str_eq(rfc822_params_get(params, "boundary"),
			 "----=_Part_1_2.3");

	/* no subtype: error, params still read */
	params = parse_ct("text; charset=us-ascii", &type);
	ck_assert_ptr_null(type);
	ck_assert_str_eq(rfc822_params_get(params, "charset"), "us-ascii");

	/* broken: after an error one byte is skipped and parsing resumes
	   (Dovecot compatible): "a/b.pdf" keeps "a", "bad;" swallows the
	   following parameter */
	params = parse_ct("application/x; name=a/b.pdf; ;=x; bad; "
			  "name2=foo bar.txt ;x=", &type);
	ck_assert_str_eq(rfc822_params_get(params, "name"), "a");
	ck_assert_ptr_null(rfc822_params_get(params, "name2"));
	ck_assert_str_eq(rfc822_params_get(params, "x"), "");
	ck_assert_uint_eq(array_count(params), 2);

	/* keys keep their case for BODYSTRUCTURE; unquoted encoded word */
	params = parse_ct("a/b; CharSet=x; Name==?utf-8?q?a?= ; y=\"q\\\"\"",
			  &type);
	p = array_idx(params, 0);
	ck_assert_str_eq(p->key, "charset");
	ck_assert_str_eq(p->key_written, "CharSet");
	ck_assert_str_eq(rfc822_params_get(params, "name"), "=?utf-8?q?a?=");
	ck_assert_str_eq(rfc822_params_get(params, "y"), "q\"");
}
END_TEST

START_TEST(test_rfc2231)
{
	ARRAY_TYPE(rfc822_param) *params;
	const struct rfc822_param *p;
	const char *type;

	/* continuations out of order */
	params = parse_ct("a/b; title*1=\" world\"; title*0=hello", &type);
	ck_assert_uint_eq(array_count(params), 1);
	p = array_idx(params, 0);
	ck_assert_str_eq(p->key, "title");
	ck_assert_str_eq(p->value, "hello world");
	ck_assert(!p->extended);

	/* extended, with a plain segment %-encoded into it */
	params = parse_ct("a/b; filename*0*=utf-8'fi'%C3%A4; filename*1=\"b c\"",
			  &type);
	p = array_idx(params, 0);
	ck_assert_str_eq(p->key, "filename");
	ck_assert(p->extended);
	ck_assert_str_eq(p->value, "utf-8'fi'%C3%A4b%20c");
	ck_assert_str_eq(p->charset, "utf-8");
	ck_assert_str_eq(p->language, "fi");
	ck_assert_str_eq(rfc822_param_get_decoded(tmp_pool, p), "\xc3\xa4" "b c");
	ck_assert_str_eq(rfc822_params_get(params, "filename"), "\xc3\xa4" "b c");

	/* single extended, latin1 converted */
	params = parse_ct("a/b; name*=iso-8859-1''%E4%ZZ", &type);
	p = array_idx(params, 0);
	ck_assert_str_eq(p->value, "iso-8859-1''%E4%ZZ");
	ck_assert_str_eq(rfc822_param_get_decoded(tmp_pool, p), "\xc3\xa4%ZZ");

	/* unknown charset: no decoded value, raw value returned */
	params = parse_ct("a/b; name*=x-nonexistent-charset''abc", &type);
	p = array_idx(params, 0);
	ck_assert(p->extended);
	ck_assert_ptr_null(rfc822_param_get_decoded(tmp_pool, p));
	ck_assert_str_eq(rfc822_params_get(params, "name"),
			 "x-nonexistent-charset''abc");
	params = parse_ct("a/b; name*=utf-8//TRANSLIT''abc", &type);
	ck_assert_ptr_null(rfc822_param_get_decoded(tmp_pool, array_idx(params, 0)));

	/* invalid UTF-8 in a utf-8 value becomes U+FFFD */
	params = parse_ct("a/b; name*=utf-8''a%FFb", &type);
	ck_assert_str_eq(rfc822_param_get_decoded(tmp_pool, array_idx(params, 0)),
			 "a\xef\xbf\xbd" "b");

	/* missing segment 0: dropped; leading zero / huge index: ignored */
	params = parse_ct("a/b; t*1=x; u*01=y; v*1000=z; w=ok", &type);
	ck_assert_uint_eq(array_count(params), 1);
	ck_assert_str_eq(rfc822_params_get(params, "w"), "ok");

	/* plain parameters come before joined continuations */
	params = parse_ct("a/b; t*0=x; p=1; t*1=y; q*=''z", &type);
	ck_assert_uint_eq(array_count(params), 3);
	ck_assert_str_eq(array_idx(params, 0)->key, "p");
	ck_assert_str_eq(array_idx(params, 1)->key, "q");
	ck_assert_str_eq(array_idx(params, 2)->key, "t");
	ck_assert_str_eq(array_idx(params, 2)->value, "xy");

	/* gap: joined up to the gap */
	params = parse_ct("a/b; t*0=a; t*2=c; t*1=b; t*4=e", &type);
	ck_assert_str_eq(rfc822_params_get(params, "t"), "abc");
}
END_TEST

START_TEST(test_rfc2231_hostile)
{
	struct str *value = t_str_new(200000);
	ARRAY_TYPE(rfc822_param) *params;
	const char *type;
	unsigned int i;

	str_append(value, "a/b");
	for (i = 0; i < 20000; i++)
		str_printfa(value, "; k%u*%u=v", i % 7, i % 1500);
	params = parse_ct(str_c(value), &type);
	/* bounded: only the first 1000 raw parameters are kept; of those
	   only k0 has a segment 0 (the others are dropped), and its value
	   ends where segment 1 is missing */
	ck_assert_uint_eq(array_count(params), 1);
	ck_assert_str_eq(array_idx(params, 0)->key, "k0");
	ck_assert_str_eq(array_idx(params, 0)->value, "v");

	str_reset(value);
	str_append(value, "a/b; x=\"");
	for (i = 0; i < 50000; i++)
		str_append(value, "\\");
	params = parse_ct(str_c(value), &type);
	ck_assert_str_eq(type, "a/b");
}
END_TEST

Suite *test_rfc822_parser_suite(void)
{
	Suite *s = suite_create("rfc822-parser");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc822_atoms);
	tcase_add_test(tc, test_rfc822_quoted);
	tcase_add_test(tc, test_rfc822_phrase_domain);
	tcase_add_test(tc, test_rfc822_deep_comments);
	tcase_add_test(tc, test_rfc822_content_type);
	tcase_add_test(tc, test_rfc2231);
	tcase_add_test(tc, test_rfc2231_hostile);
	suite_add_tcase(s, tc);
	return s;
}
