/* Copyright (c) dovecot-like authors. Tests for the string helpers. */
#include "test-lib.h"
#include "strfuncs.h"

static const struct {
	const char *in, *seps, *joined;
	unsigned int count, count_spaces;
} split_tests[] = {
	{ "a b c", " ", "a|b|c", 3, 3 },
	{ "", " ", "", 1, 0 },
	{ "  a  b ", " ", "||a||b|", 6, 2 },
	{ "a,b;c", ",;", "a|b|c", 3, 3 },
	{ "abc", "", "abc", 1, 1 },
	{ ",,", ",", "||", 3, 0 },
};

START_TEST(test_strsplit)
{
	const char **f = tmp_strsplit(split_tests[_i].in, split_tests[_i].seps);

	ck_assert_uint_eq(str_array_length(f), split_tests[_i].count);
	ck_assert_str_eq(tmp_strarray_join(f, "|"), split_tests[_i].joined);
	f = tmp_strsplit_spaces(split_tests[_i].in, split_tests[_i].seps);
	ck_assert_uint_eq(str_array_length(f), split_tests[_i].count_spaces);
	f = p_strsplit(tmp_pool, split_tests[_i].in, split_tests[_i].seps);
	ck_assert_uint_eq(str_array_length(f), split_tests[_i].count);
	tmp_reset();
}
END_TEST

static const struct {
	const char *in;
	int ret_uint, ret_u32, ret_u64;
	uint64_t value;
} num_tests[] = {
	{ "0", 0, 0, 0, 0 },
	{ "123", 0, 0, 0, 123 },
	{ "4294967295", 0, 0, 0, 4294967295ULL },
	{ "4294967296", -1, -1, 0, 4294967296ULL },
	{ "18446744073709551615", -1, -1, 0, 18446744073709551615ULL },
	{ "18446744073709551616", -1, -1, -1, 0 },
	{ "", -1, -1, -1, 0 },
	{ "-1", -1, -1, -1, 0 },
	{ "+1", -1, -1, -1, 0 },
	{ " 1", -1, -1, -1, 0 },
	{ "1 ", -1, -1, -1, 0 },
	{ "1x", -1, -1, -1, 0 },
	{ "0x10", -1, -1, -1, 0 },
};

START_TEST(test_str_to_num)
{
	unsigned int u;
	uint32_t u32;
	uint64_t u64;
	unsigned long ul;

	ck_assert_int_eq(str_to_uint(num_tests[_i].in, &u), num_tests[_i].ret_uint);
	ck_assert_int_eq(str_to_uint32(num_tests[_i].in, &u32), num_tests[_i].ret_u32);
	ck_assert_int_eq(str_to_uint64(num_tests[_i].in, &u64), num_tests[_i].ret_u64);
	ck_assert_int_eq(str_to_ulong(num_tests[_i].in, &ul), num_tests[_i].ret_u64);
	if (num_tests[_i].ret_u64 == 0) {
		ck_assert(u64 == num_tests[_i].value);
		ck_assert(ul == num_tests[_i].value);
	}
	if (num_tests[_i].ret_uint == 0)
		ck_assert_uint_eq(u, num_tests[_i].value);
}
END_TEST

START_TEST(test_str_misc)
{
	const char *suffix;

	ck_assert_str_eq(tmp_str_lcase("AbC1"), "abc1");
	ck_assert_str_eq(tmp_str_ucase("AbC1"), "ABC1");
	ck_assert(str_begins("foobar", "foo", &suffix));
	ck_assert_str_eq(suffix, "bar");
	ck_assert(str_begins("foo", "", NULL));
	ck_assert(!str_begins("fo", "foo", &suffix));
	ck_assert(mem_equals_timing_safe("abc", "abc", 3));
	ck_assert(!mem_equals_timing_safe("abc", "abd", 3));
	ck_assert(mem_equals_timing_safe("x", "y", 0));
	ck_assert_uint_eq(str_array_length(NULL), 0);
	tmp_reset();
}
END_TEST

Suite *strfuncs_suite(void)
{
	Suite *s = suite_create("strfuncs");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_strsplit, 0, N_ELEMENTS(split_tests));
	tcase_add_loop_test(tc, test_str_to_num, 0, N_ELEMENTS(num_tests));
	tcase_add_test(tc, test_str_misc);
	suite_add_tcase(s, tc);
	return s;
}
