/* Copyright (c) dovecot-like authors. Tests for imap-search-partial: the
   PARTIAL range of RFC 5267 4.4 as Dovecot 2.3 takes it (swapped when
   reversed, no "*", no negative RFC 9394 ranges, 32-bit bounds) and the
   slice it selects, with malformed input. */
#include "imap-search-partial.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static bool parse(const char *s, uint32_t *low, uint32_t *high)
{
	return imap_search_partial_parse(s, strlen(s), low, high);
}

START_TEST(test_partial_valid)
{
	uint32_t low, high;

	ck_assert(parse("1:5", &low, &high));
	ck_assert_uint_eq(low, 1);
	ck_assert_uint_eq(high, 5);
	ck_assert(parse("5:1", &low, &high));
	ck_assert_uint_eq(low, 1);
	ck_assert_uint_eq(high, 5);
	ck_assert(parse("7:7", &low, &high));
	ck_assert_uint_eq(low, 7);
	ck_assert_uint_eq(high, 7);
	ck_assert(parse("1:4294967295", &low, &high));
	ck_assert_uint_eq(high, 4294967295u);
	ck_assert(parse("007:0010", &low, &high));
	ck_assert_uint_eq(low, 7);
	ck_assert_uint_eq(high, 10);
}
END_TEST

START_TEST(test_partial_malformed)
{
	static const char *const bad[] = {
		"", ":", "1", "1:", ":1", "0:3", "3:0", "0:0", "-1:-3", "1:-3",
		"1:*", "*:1", "1,2", "1:2,3", "1:2:3", "a:b", "1:2 ", " 1:2",
		"+1:2", "1:4294967296", "4294967296:1", "99999999999999999999:1",
		"1:99999999999999999999", "1::2", "1:2x",
	};
	uint32_t low = 11, high = 12;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!parse(bad[i], &low, &high), "%s", bad[i]);
		/* outputs untouched on failure */
		ck_assert_uint_eq(low, 11);
		ck_assert_uint_eq(high, 12);
	}
	/* explicit length: bytes after it aren't read, a NUL inside fails */
	ck_assert(imap_search_partial_parse("1:23", 3, &low, &high));
	ck_assert_uint_eq(high, 2);
	ck_assert(!imap_search_partial_parse("1:\0002", 4, &low, &high));
	ck_assert(!imap_search_partial_parse("1:2", 0, &low, &high));
}
END_TEST

START_TEST(test_partial_slice)
{
	unsigned int first, count;

	imap_search_partial_slice(1, 5, 8, &first, &count);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(count, 5);
	imap_search_partial_slice(2, 3, 8, &first, &count);
	ck_assert_uint_eq(first, 1);
	ck_assert_uint_eq(count, 2);
	imap_search_partial_slice(6, 20, 8, &first, &count);
	ck_assert_uint_eq(first, 5);
	ck_assert_uint_eq(count, 3);
	imap_search_partial_slice(8, 8, 8, &first, &count);
	ck_assert_uint_eq(first, 7);
	ck_assert_uint_eq(count, 1);
	imap_search_partial_slice(1, 4294967295u, 8, &first, &count);
	ck_assert_uint_eq(first, 0);
	ck_assert_uint_eq(count, 8);
	/* past the end, empty results, nonsense ranges: nothing */
	imap_search_partial_slice(9, 20, 8, &first, &count);
	ck_assert_uint_eq(count, 0);
	imap_search_partial_slice(1, 5, 0, &first, &count);
	ck_assert_uint_eq(count, 0);
	imap_search_partial_slice(0, 5, 8, &first, &count);
	ck_assert_uint_eq(count, 0);
	imap_search_partial_slice(5, 2, 8, &first, &count);
	ck_assert_uint_eq(count, 0);
	imap_search_partial_slice(4294967295u, 4294967295u, 8, &first, &count);
	ck_assert_uint_eq(count, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("imap-search-partial");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_partial_valid);
	tcase_add_test(tc, test_partial_malformed);
	tcase_add_test(tc, test_partial_slice);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
