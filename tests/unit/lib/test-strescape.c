/* Copyright (c) dovecot-like authors. Tests for the auth protocol's TAB
   escaping (auth-protocol.md section 2). */
#include "test-lib.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"

static const struct {
	const char *raw, *escaped;
} esc_tests[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "a\tb", "a\001tb" },
	{ "a\nb\r", "a\001nb\001r" },
	{ "\001", "\0011" },
	{ "\t\t", "\001t\001t" },
	{ "x\001ty", "x\0011ty" },
	{ "user@example.com\tpass=x", "user@example.com\001tpass=x" },
};

START_TEST(test_tabescape_roundtrip)
{
	struct str *str = t_str_new(16);
	char *copy;

	str_append_tabescaped(str, esc_tests[_i].raw);
	ck_assert_str_eq(str_c(str), esc_tests[_i].escaped);
	ck_assert_str_eq(tmp_str_tabescape(esc_tests[_i].raw), esc_tests[_i].escaped);
	copy = p_strdup(tmp_pool, esc_tests[_i].escaped);
	ck_assert_str_eq(str_tabunescape(copy), esc_tests[_i].raw);
	ck_assert(strchr(str_c(str), '\t') == NULL);
	ck_assert(strchr(str_c(str), '\n') == NULL);
	tmp_reset();
}
END_TEST

static const struct {
	const char *in, *out;
} unesc_tests[] = {
	{ "abc\001", "abc" },		/* trailing lone 0x01 dropped */
	{ "\001x", "x" },		/* unknown escape: the byte itself */
	{ "\001\001t", "\001" "t" },	/* 0x01 0x01 -> 0x01, then a plain t */
	{ "a\0010b", "a" },		/* NUL ends the C string */
	{ "\001l", "l" },		/* 'l' is not LF (follow the code) */
};

START_TEST(test_tabunescape_odd)
{
	char *copy = p_strdup(tmp_pool, unesc_tests[_i].in);

	ck_assert_str_eq(str_tabunescape(copy), unesc_tests[_i].out);
	tmp_reset();
}
END_TEST

START_TEST(test_strsplit_tabescaped)
{
	const char *const *args =
		tmp_strsplit_tabescaped("USER\t1\tuser\001tname\t\tx\001n");

	ck_assert_uint_eq(str_array_length(args), 5);
	ck_assert_str_eq(args[0], "USER");
	ck_assert_str_eq(args[2], "user\tname");
	ck_assert_str_eq(args[3], "");
	ck_assert_str_eq(args[4], "x\n");
	tmp_reset();
}
END_TEST

Suite *strescape_suite(void)
{
	Suite *s = suite_create("strescape");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_tabescape_roundtrip, 0, N_ELEMENTS(esc_tests));
	tcase_add_loop_test(tc, test_tabunescape_odd, 0, N_ELEMENTS(unesc_tests));
	tcase_add_test(tc, test_strsplit_tabescaped);
	suite_add_tcase(s, tc);
	return s;
}
