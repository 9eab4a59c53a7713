/* Copyright (c) dovecot-like authors. Check suite for unicode-casefold:
   the RFC 5051 mapping (titlecase, then decomposed), invalid UTF-8 replaced, streaming with a character
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
	{ "ABC xyz", "ABC XYZ", 7 },
	/* ÅNGSTRÖM: titlecase, then decomposed */
	{ "\xc3\x85NGSTR\xc3\xb6m", "A\xcc\x8aNGSTRO\xcc\x88M", 10 },
	{ "\xce\xa3\xce\xb1", "\xce\xa3\xce\x91", 4 },	/* Σα -> ΣΑ */
	{ "\xd0\xb6", "\xd0\x96", 2 },			/* ж -> Ж */
	{ "\xcf\x82", "\xce\xa3", 2 },			/* final ς -> Σ */
	{ "\xc5\xbf", "S", 2 },				/* long ſ -> S */
	{ "\xcf\x90", "\xce\x92", 2 },			/* ϐ -> Β */
	{ "\xe2\x84\xaa", "K", 3 },			/* KELVIN SIGN */
	/* no simple titlecase, compatibility decomposition: stays lower */
	{ "\xef\xac\x81", "fi", 3 },			/* ﬁ ligature */
	{ "\xc7\x86", "Dz\xcc\x8c", 2 },	/* ǆ -> titlecase ǅ -> D z ˇ */
	{ "\xf0\x90\x90\xa8", "\xf0\x90\x90\x80", 4 },	/* DESERET */
	{ "a\0b", "A" FFFD "B", 3 },
	{ "\x80x", FFFD "X", 2 },			/* lone continuation */
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

/* ASCII runs: every byte folds as unicode_casefold_char_append() folds
   it alone, also in runs longer than the folding's chunk. */
START_TEST(test_fold_ascii_runs)
{
	unsigned char in[1100];
	struct str *str = t_str_new(1100), *expected = t_str_new(1100);
	size_t i;

	for (i = 0; i < sizeof(in); i++) {
		in[i] = (unsigned char)(1 + i % 127);
		unicode_casefold_char_append(expected, in[i]);
	}
	unicode_casefold_append(str, in, sizeof(in));
	ck_assert_uint_eq(str_len(str), sizeof(in));
	ck_assert(memcmp(str_data(str), str_data(expected), sizeof(in)) == 0);
	/* a-z only */
	str_reset(str);
	unicode_casefold_append(str, (const unsigned char *)"`az{@AZ[", 8);
	ck_assert_str_eq(str_c(str), "`AZ{@AZ[");
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
	struct str *str = t_str_new(16);

	ck_assert_str_eq(unicode_casefold_str(tmp_pool, "\xc3\x85ngstr\xc3\xb6m"),
			 "A\xcc\x8aNGSTRO\xcc\x88M");
	ck_assert_str_eq(unicode_casefold_str(tmp_pool, ""), "");
	unicode_casefold_char_append(str, 'q');
	ck_assert_str_eq(str_c(str), "Q");
	str_reset(str);
	unicode_casefold_char_append(str, 0xe9);	/* é */
	ck_assert_str_eq(str_c(str), "E\xcc\x81");
	str_reset(str);
	unicode_casefold_char_append(str, 0x1f600);
	ck_assert_str_eq(str_c(str), "\xf0\x9f\x98\x80");
	str_reset(str);
	/* Hangul syllables decompose algorithmically: 한 -> ᄒ ᅡ ᆫ */
	unicode_casefold_char_append(str, 0xd55c);
	ck_assert_str_eq(str_c(str), "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab");
}
END_TEST

/* A truncated sequence at the end of a stream is replaced at finish. */
START_TEST(test_fold_stream_truncated)
{
	struct unicode_casefold cf;
	struct str *str = t_str_new(16);

	unicode_casefold_init(&cf);
	unicode_casefold_more(&cf, (const unsigned char *)"a\xe2\x82", 3, str);
	ck_assert_str_eq(str_c(str), "A");
	unicode_casefold_finish(&cf, str);
	ck_assert_str_eq(str_c(str), "A" FFFD);
	/* an invalid continuation after a carried lead byte */
	str_reset(str);
	unicode_casefold_more(&cf, (const unsigned char *)"\xc3", 1, str);
	unicode_casefold_more(&cf, (const unsigned char *)"b", 1, str);
	unicode_casefold_finish(&cf, str);
	ck_assert_str_eq(str_c(str), FFFD "B");
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
	tcase_add_test(tc, test_fold_ascii_runs);
	tcase_add_test(tc, test_fold_stream_truncated);
	suite_add_tcase(s, tc);
	return s;
}
