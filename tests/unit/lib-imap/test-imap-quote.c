/* Copyright (c) dovecot-like authors. Check suite for IMAP string quoting:
   values with specials, 8-bit and line breaks must never break a reply. */

#include "lib.h"
#include "str.h"
#include "imap-quote.h"
#include "test-imap.h"

static const struct {
	const char *in;
	const char *string, *astring;
} quote_tests[] = {
	{ "foo", "\"foo\"", "foo" },
	{ "", "\"\"", "\"\"" },
	{ NULL, "NIL", "\"\"" },
	{ "NIL", "\"NIL\"", "\"NIL\"" },
	{ "a b", "\"a b\"", "\"a b\"" },
	{ "q\"b\\s", "\"q\\\"b\\\\s\"", "\"q\\\"b\\\\s\"" },
	{ "INBOX]", "\"INBOX]\"", "INBOX]" },
	{ "a*%", "\"a*%\"", "\"a*%\"" },
	{ "(x)", "\"(x)\"", "\"(x)\"" },
	{ "l\r\nf", "{4}\r\nl\r\nf", "{4}\r\nl\r\nf" },
	{ "\xc3\xa4", "{2}\r\n\xc3\xa4", "{2}\r\n\xc3\xa4" },
};

START_TEST(test_imap_quote)
{
	struct str *str = str_new(system_pool, 64);

	imap_append_string(str, quote_tests[_i].in);
	ck_assert_str_eq(str_c(str), quote_tests[_i].string);
	str_reset(str);
	imap_append_nstring(str, quote_tests[_i].in);
	ck_assert_str_eq(str_c(str), quote_tests[_i].string);
	str_reset(str);
	imap_append_astring(str, quote_tests[_i].in);
	ck_assert_str_eq(str_c(str), quote_tests[_i].astring);
	str_free(&str);
}
END_TEST

START_TEST(test_imap_quote_nul)
{
	struct str *str = str_new(system_pool, 64);

	imap_append_string_n(str, "a\0b", 3);
	ck_assert_uint_eq(str_len(str), 8);
	ck_assert(memcmp(str_data(str), "{3}\r\na\0b", 8) == 0);
	str_free(&str);
}
END_TEST

START_TEST(test_imap_append_literal)
{
	struct str *str = t_str_new(32);

	imap_append_literal(str, "a\"b\r\n", 5);
	ck_assert_uint_eq(str_len(str), 10);
	ck_assert(memcmp(str_c(str), "{5}\r\na\"b\r\n", 10) == 0);
	str_reset(str);
	imap_append_literal(str, "", 0);
	ck_assert_str_eq(str_c(str), "{0}\r\n");
}
END_TEST

/* quoted even with 8-bit bytes (RFC 6855 UTF-8 names); only '"' and '\\'
   are escaped; len, not a NUL, ends it */
START_TEST(test_imap_append_quoted)
{
	struct str *str = t_str_new(32);

	imap_append_quoted(str, "\xc3\xa4 \"q\"\\x", 7);
	ck_assert_str_eq(str_c(str), "\"\xc3\xa4 \\\"q\\\"\\\\\"");
	str_reset(str);
	imap_append_quoted(str, "abc", 2);
	ck_assert_str_eq(str_c(str), "\"ab\"");
	str_reset(str);
	imap_append_quoted(str, "", 0);
	ck_assert_str_eq(str_c(str), "\"\"");
}
END_TEST

Suite *test_imap_quote_suite(void)
{
	Suite *s = suite_create("imap-quote");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_quote, 0, N_ELEMENTS(quote_tests));
	tcase_add_test(tc, test_imap_quote_nul);
	tcase_add_test(tc, test_imap_append_literal);
	tcase_add_test(tc, test_imap_append_quoted);
	suite_add_tcase(s, tc);
	return s;
}
