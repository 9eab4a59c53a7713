/* Copyright (c) dovecot-like authors. Check suite for sequence sets: the
   client decides their shape, so malformed and oversized sets matter most. */

#include "lib.h"
#include "str.h"
#include "imap-seqset.h"
#include "test-imap.h"

static const struct {
	const char *in;
	uint32_t max_uid;
	int ret;
	const char *ranges;
} seqset_tests[] = {
	{ "1:4,7", 10, 0, "1-4,7-7" },
	{ "4:1", 10, 0, "1-4" },
	{ "9:*", 10, 0, "9-10" },
	{ "*:9", 10, 0, "9-10" },
	{ "*", 10, 0, "10-10" },
	{ "12:*", 10, 0, "10-12" },
	{ "7,1:3,4,10:8", 10, 0, "1-4,7-10" },
	{ "3:5,1:2", 10, 0, "1-5" },
	{ "1:3,2:4", 10, 0, "1-4" },
	{ "5,3,1", 10, 0, "1-1,3-3,5-5" },
	{ "4294967295", 10, 0, "4294967295-4294967295" },
	{ "1:4294967295,5", 10, 0, "1-4294967295" },
	{ "", 10, -1, NULL },
	{ "1,,2", 10, -1, NULL },
	{ "0", 10, -1, NULL },
	{ "1:0", 10, -1, NULL },
	{ "01", 10, -1, NULL },
	{ "1,", 10, -1, NULL },
	{ ",1", 10, -1, NULL },
	{ "1:", 10, -1, NULL },
	{ ":1", 10, -1, NULL },
	{ "1:2:3", 10, -1, NULL },
	{ "a", 10, -1, NULL },
	{ "1 2", 10, -1, NULL },
	{ "-1", 10, -1, NULL },
	{ "4294967296", 10, -1, NULL },
	{ "99999999999999999999", 10, -1, NULL },
	{ "*", 0, -1, NULL },
	{ "1,2,3,4,5", 10, -1, NULL },	/* over the bound of 4 */
	{ "1,2,3,4", 10, 0, "1-4" },
};

START_TEST(test_imap_seqset_parse)
{
	struct seq_range_array r = SEQ_RANGE_ARRAY_INIT;
	const char *in = seqset_tests[_i].in, *error = NULL;
	const struct seq_range *range;
	struct str *str = str_new(system_pool, 64);
	unsigned int i, count;
	int ret;

	ret = imap_seqset_parse_full(in, strlen(in), seqset_tests[_i].max_uid,
				     4, &r, &error);
	ck_assert_msg(ret == seqset_tests[_i].ret, "row %d: %s", _i, in);
	if (ret < 0) {
		ck_assert(error != NULL);
	} else {
		range = seq_range_array_get(&r, &count);
		for (i = 0; i < count; i++) {
			str_printfa(str, "%s%u-%u", i == 0 ? "" : ",",
				    range[i].seq1, range[i].seq2);
		}
		ck_assert_str_eq(str_c(str), seqset_tests[_i].ranges);
	}
	seq_range_array_free(&r);
	str_free(&str);
}
END_TEST

START_TEST(test_imap_seqset_exists)
{
	struct seq_range_array r = SEQ_RANGE_ARRAY_INIT;
	const char *error;

	ck_assert_int_eq(imap_seqset_parse("1:3,7,9:10", 10, 10, &r, &error), 0);
	ck_assert(seq_range_array_exists(&r, 1));
	ck_assert(seq_range_array_exists(&r, 3));
	ck_assert(!seq_range_array_exists(&r, 4));
	ck_assert(seq_range_array_exists(&r, 7));
	ck_assert(!seq_range_array_exists(&r, 8));
	ck_assert(seq_range_array_exists(&r, 10));
	ck_assert(!seq_range_array_exists(&r, 11));
	ck_assert_uint_eq(seq_range_array_count(&r), 3);
	seq_range_array_free(&r);
}
END_TEST

START_TEST(test_imap_write_uid_list)
{
	static const uint32_t uids[] = { 3, 4, 5, 9, 11, 12, 2, 7, 8 };
	struct str *str = t_str_new(64);

	imap_write_uid_list(str, uids, 0);
	ck_assert_str_eq(str_c(str), "");
	imap_write_uid_list(str, uids, 1);
	ck_assert_str_eq(str_c(str), "3");
	str_reset(str);
	imap_write_uid_list(str, uids, N_ELEMENTS(uids));
	ck_assert_str_eq(str_c(str), "3:5,9,11:12,2,7:8");
}
END_TEST

/* The set parsed from str (no "*"), written back. */
static const char *ranges_str(const struct seq_range_array *arr)
{
	struct str *str = t_str_new(64);

	imap_write_seq_ranges(str, arr);
	return str_c(str);
}

START_TEST(test_seq_range_add_intersect)
{
	struct seq_range_array a = SEQ_RANGE_ARRAY_INIT, b = SEQ_RANGE_ARRAY_INIT;
	struct seq_range_array c = SEQ_RANGE_ARRAY_INIT;
	const char *error;

	ck_assert_str_eq(ranges_str(&a), "");
	seq_range_array_add_range(&a, 2, 2);
	seq_range_array_add_range(&a, 3, 5);	/* touches: merged */
	seq_range_array_add_range(&a, 4, 4);	/* inside */
	seq_range_array_add_range(&a, 7, 9);
	seq_range_array_add_range(&a, 8, 12);	/* overlaps */
	seq_range_array_add_range(&a, 20, 4294967295U);
	seq_range_array_add_range(&a, 30, 40);	/* after the end: kept */
	ck_assert_str_eq(ranges_str(&a), "2:5,7:12,20:4294967295");

	ck_assert_int_eq(imap_seqset_parse("1,4:8,11,13:25", 14, 0, &b,
					   &error), 0);
	seq_range_array_intersect(&c, &a, &b);
	ck_assert_str_eq(ranges_str(&c), "4:5,7:8,11,20:25");
	seq_range_array_free(&c);
	seq_range_array_intersect(&c, &b, &a);	/* symmetric */
	ck_assert_str_eq(ranges_str(&c), "4:5,7:8,11,20:25");
	seq_range_array_free(&c);
	seq_range_array_intersect(&c, &a, &c);	/* with nothing */
	ck_assert_str_eq(ranges_str(&c), "");
	seq_range_array_free(&a);
	seq_range_array_free(&b);
	seq_range_array_free(&c);
}
END_TEST

Suite *test_imap_seqset_suite(void)
{
	Suite *s = suite_create("imap-seqset");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_seqset_parse, 0, N_ELEMENTS(seqset_tests));
	tcase_add_test(tc, test_imap_seqset_exists);
	tcase_add_test(tc, test_imap_write_uid_list);
	tcase_add_test(tc, test_seq_range_add_intersect);
	suite_add_tcase(s, tc);
	return s;
}
