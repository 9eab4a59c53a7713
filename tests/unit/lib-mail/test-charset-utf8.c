/* Copyright (c) dovecot-like authors. Check suite for charset -> UTF-8
   conversion and UTF-8 validation: every result must be valid UTF-8. */

#include "lib.h"
#include "str.h"
#include "charset-utf8.h"
#include "test-values.h"

static const struct {
	const char *in, *out;
	size_t len;
} valid_tests[] = {
	{ "abc", "abc", 3 },
	{ "\xc3\xa4", "\xc3\xa4", 2 },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 4 },
	{ "a\0b", "a\xef\xbf\xbd" "b", 3 },
	{ "\xc3", "\xef\xbf\xbd", 1 },			/* truncated */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2 },	/* overlong */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3 }, /* surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4 },
	{ "\xff" "a", "\xef\xbf\xbd" "a", 2 },
};

START_TEST(test_utf8_valid)
{
	struct str *str = t_str_new(32);

	charset_utf8_append_valid(str, (const unsigned char *)valid_tests[_i].in,
				  valid_tests[_i].len);
	ck_assert_str_eq(str_c(str), valid_tests[_i].out);
}
END_TEST

START_TEST(test_charset_to_utf8)
{
	struct str *str = t_str_new(32);

	ck_assert(charset_is_utf8("UTF-8"));
	ck_assert(charset_is_utf8("us-ascii"));
	ck_assert(!charset_is_utf8("latin1"));

	ck_assert_int_eq(charset_to_utf8("ISO-8859-1",
		(const unsigned char *)"\xe4\xf6", 2, str), 0);
	ck_assert_str_eq(str_c(str), "\xc3\xa4\xc3\xb6");

	/* invalid sequence in a multibyte charset: replaced, rest kept */
	str_reset(str);
	ck_assert_int_eq(charset_to_utf8("EUC-JP",
		(const unsigned char *)"a\xff" "b", 3, str), 0);
	ck_assert_str_eq(str_c(str), "a\xef\xbf\xbd" "b");

	/* truncated at the end */
	str_reset(str);
	ck_assert_int_eq(charset_to_utf8("UTF-16BE",
		(const unsigned char *)"\x00" "a\x00", 3, str), 0);
	ck_assert_str_eq(str_c(str), "a\xef\xbf\xbd");

	/* NUL from a converter: replaced too */
	str_reset(str);
	ck_assert_int_eq(charset_to_utf8("UTF-16BE",
		(const unsigned char *)"\x00\x00\x00" "b", 4, str), 0);
	ck_assert_str_eq(str_c(str), "\xef\xbf\xbd" "b");

	/* unknown or suspicious names: -1, nothing appended */
	str_reset(str);
	ck_assert_int_eq(charset_to_utf8("x-no-such-charset",
		(const unsigned char *)"a", 1, str), -1);
	ck_assert_int_eq(charset_to_utf8("UTF-8//TRANSLIT",
		(const unsigned char *)"a", 1, str), -1);
	ck_assert_uint_eq(str_len(str), 0);
}
END_TEST

Suite *test_charset_utf8_suite(void)
{
	Suite *s = suite_create("charset-utf8");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_utf8_valid, 0, N_ELEMENTS(valid_tests));
	tcase_add_test(tc, test_charset_to_utf8);
	suite_add_tcase(s, tc);
	return s;
}
