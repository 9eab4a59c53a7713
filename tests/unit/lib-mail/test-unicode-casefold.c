/* Copyright (c) dovecot-like authors. Check suite for unicode-casefold:
   non-ASCII folding, invalid UTF-8 replaced, streaming with a character
   split at every position. */

#include "lib.h"
#include "str.h"
#include "unicode-casefold.h"
#include "test-decode.h"

#include <string.h>

#define FFFD "\xef\xbf\xbd"

static const struct {
	const char *in, *out;
	size_t len;
} fold_tests[] = {
	{ "ABC xyz", "abc xyz", 7 },
	{ "\xc3\x85NGSTR\xc3\x96M", "\xc3\xa5ngstr\xc3\xb6m", 10 }, /* ÅNGSTRÖM */
	{ "\xce\xa3\xce\x91", "\xcf\x83\xce\xb1", 4 },	/* ΣΑ -> σα */
	{ "\xd0\x96", "\xd0\xb6", 2 },			/* Ж -> ж */
	{ "\xcf\x82", "\xcf\x83", 2 },			/* final ς -> σ */
	{ "\xc5\xbf", "s", 2 },				/* long ſ -> s */
	{ "\xcf\x90", "\xce\xb2", 2 },			/* ϐ -> β */
	{ "\xe2\x84\xaa", "k", 3 },			/* KELVIN SIGN */
	{ "\xf0\x90\x90\x80", "\xf0\x90\x90\xa8", 4 },	/* DESERET */
	{ "a\0b", "a" FFFD "b", 3 },
	{ "\x80x", FFFD "x", 2 },			/* lone continuation */
	{ "\xc0\xaf", FFFD FFFD, 2 },			/* overlong */
	{ "\xe0\x80\xaf", FFFD FFFD FFFD, 3 },		/* overlong */
	{ "\xed\xa0\x80", FFFD FFFD FFFD, 3 },		/* surrogate */
	{ "\xc3", FFFD, 1 },				/* truncated */
	{ "\xff\xfe", FFFD FFFD, 2 },
};

START_TEST(test_fold_append)
{
	struct str *str = t_str_new(32);

	unicode_casefold_append(str, (const unsigned char *)fold_tests[_i].in,
				fold_tests[_i].len);
	ck_assert_str_eq(str_c(str), fold_tests[_i].out);
}
END_TEST

/* The streaming API gives the same result however the input is split. */
START_TEST(test_fold_stream_split)
{
	const char *in = fold_tests[_i].in, *expected = fold_tests[_i].out;
	size_t len = fold_tests[_i].len, split, split2;
	struct unicode_casefold cf;
	struct str *str;

	for (split = 0; split <= len; split++) {
		for (split2 = split; split2 <= len; split2++) {
			str = t_str_new(32);
			unicode_casefold_init(&cf);
			unicode_casefold_more(&cf, (const unsigned char *)in,
					      split, str);
			unicode_casefold_more(&cf, (const unsigned char *)in +
					      split, split2 - split, str);
			unicode_casefold_more(&cf, (const unsigned char *)in +
					      split2, len - split2, str);
			unicode_casefold_finish(&cf, str);
			ck_assert_msg(strcmp(str_c(str), expected) == 0,
				      "test %d split %zu/%zu", _i, split,
				      split2);
		}
	}
}
END_TEST

START_TEST(test_fold_str)
{
	ck_assert_str_eq(unicode_casefold_str(tmp_pool, "\xc3\x85ngstr\xc3\xb6m"),
			 "\xc3\xa5ngstr\xc3\xb6m");
	ck_assert_str_eq(unicode_casefold_str(tmp_pool, ""), "");
	ck_assert_uint_eq(unicode_casefold_char('Q'), 'q');
	ck_assert_uint_eq(unicode_casefold_char(0xc9), 0xe9);	/* É */
	ck_assert_uint_eq(unicode_casefold_char(0x1f600), 0x1f600);
}
END_TEST

/* A truncated sequence at the end of a stream is replaced at finish. */
START_TEST(test_fold_stream_truncated)
{
	struct unicode_casefold cf;
	struct str *str = t_str_new(16);

	unicode_casefold_init(&cf);
	unicode_casefold_more(&cf, (const unsigned char *)"A\xe2\x82", 3, str);
	ck_assert_str_eq(str_c(str), "a");
	unicode_casefold_finish(&cf, str);
	ck_assert_str_eq(str_c(str), "a" FFFD);
	/* an invalid continuation after a carried lead byte */
	str_reset(str);
	unicode_casefold_more(&cf, (const unsigned char *)"\xc3", 1, str);
	unicode_casefold_more(&cf, (const unsigned char *)"B", 1, str);
	unicode_casefold_finish(&cf, str);
	ck_assert_str_eq(str_c(str), FFFD "b");
}
END_TEST

Suite *test_unicode_casefold_suite(void)
{
	Suite *s = suite_create("unicode-casefold");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_fold_append, 0, N_ELEMENTS(fold_tests));
	tcase_add_loop_test(tc, test_fold_stream_split, 0,
			    N_ELEMENTS(fold_tests));
	tcase_add_test(tc, test_fold_str);
	tcase_add_test(tc, test_fold_stream_truncated);
	suite_add_tcase(s, tc);
	return s;
}
