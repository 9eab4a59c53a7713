/* Copyright (c) dovecot-like authors. Tests for doveadm-like penalty: the
   ip/mask filter, the PENALTY-DUMP line parser (malformed lines included)
   and Dovecot's table layout. */
#include "lib.h"
#include "net.h"
#include "str.h"
#include "doveadm-penalty.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *net;
	int ret;
	unsigned int bits;
} net_tests[] = {
	{ "127.0.0.1", 0, 32 }, { "127.0.0.0/8", 0, 8 }, { "0.0.0.0/0", 0, 0 },
	{ "::1", 0, 128 }, { "2001:db8::/32", 0, 32 }, { "::/0", 0, 0 },
	{ "1.2.3.4/32", 0, 32 },
	{ "", -1, 0 }, { "*", -1, 0 }, { "bogus", -1, 0 }, { "1.2.3.4/", -1, 0 },
	{ "1.2.3.4/33", -1, 0 }, { "::1/129", -1, 0 }, { "1.2.3.4/-1", -1, 0 },
	{ "1.2.3.4/8x", -1, 0 }, { "/8", -1, 0 }, { "1.2.3/8", -1, 0 },
	{ "1.2.3.4/8/8", -1, 0 },
};

START_TEST(test_parse_net)
{
	struct ip_addr net;
	unsigned int bits = 999;

	ck_assert_msg(doveadm_penalty_parse_net(net_tests[_i].net, &net, &bits) ==
		      net_tests[_i].ret, "%s", net_tests[_i].net);
	if (net_tests[_i].ret == 0)
		ck_assert_uint_eq(bits, net_tests[_i].bits);
}
END_TEST

static const struct {
	const char *ip, *net;
	bool match;
} match_tests[] = {
	{ "127.0.0.2", "127.0.0.0/8", true },
	{ "128.0.0.2", "127.0.0.0/8", false },
	{ "127.0.0.2", "127.0.0.2/31", true },
	{ "127.0.0.3", "127.0.0.2/31", true },
	{ "127.0.0.4", "127.0.0.2/31", false },
	{ "10.1.2.3", "0.0.0.0/0", true },
	{ "10.1.2.3", "10.1.2.3", true },
	{ "10.1.2.4", "10.1.2.3", false },
	{ "2001:db8:1::", "2001:db8::/32", true },
	{ "2001:db9:1::", "2001:db8::/32", false },
	{ "2001:db8:1::", "2001:db8:1::/47", true },
	{ "2001:db8:1::", "2001:db8::/47", true },
	{ "2001:db8:2::", "2001:db8::/47", false },
	/* never across families */
	{ "127.0.0.1", "::/0", false },
	{ "::1", "0.0.0.0/0", false },
};

START_TEST(test_net_match)
{
	struct ip_addr ip, net;
	unsigned int bits;

	ck_assert_int_eq(net_addr2ip(match_tests[_i].ip, &ip), 0);
	ck_assert_int_eq(doveadm_penalty_parse_net(match_tests[_i].net, &net, &bits), 0);
	ck_assert_msg(net_is_in_network(&ip, &net, bits) == match_tests[_i].match,
		      "%s in %s", match_tests[_i].ip, match_tests[_i].net);
}
END_TEST

static const struct {
	const char *line;
	int ret;
	const char *ip;
	unsigned int penalty;
	long long last_penalty, last_update;
} row_tests[] = {
	{ "127.0.0.1\t2\t1700000000\t1700000004", 0, "127.0.0.1", 2,
	  1700000000, 1700000004 },
	{ "2001:db8:1::\t65535\t0\t9223372036854775807", 0, "2001:db8:1::",
	  65535, 0, 9223372036854775807LL },
	/* an escaped tab in the ident is unescaped (never an IP: skipped
	   later, not an error) */
	{ "a\001tb\t1\t2\t3", 0, "a\tb", 1, 2, 3 },
	{ "", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t2\t3", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t2\t3\t4\t5", -1, NULL, 0, 0, 0 },
	{ "\t2\t3\t4", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t-2\t3\t4", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t2\tx\t4", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t2\t3\t", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t4294967296\t3\t4", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1\t2\t9223372036854775808\t4", -1, NULL, 0, 0, 0 },
	{ "127.0.0.1 2 3 4", -1, NULL, 0, 0, 0 },
};

START_TEST(test_parse_row)
{
	const char *line = row_tests[_i].line;
	struct doveadm_penalty_row row;
	int ret;

	ret = doveadm_penalty_parse_row(line, strlen(line), &row);
	ck_assert_msg(ret == row_tests[_i].ret, "'%s': %d", line, ret);
	if (ret < 0)
		return;
	ck_assert_str_eq(row.ip, row_tests[_i].ip);
	ck_assert_uint_eq(row.penalty, row_tests[_i].penalty);
	ck_assert_int_eq(row.last_penalty, row_tests[_i].last_penalty);
	ck_assert_int_eq(row.last_update, row_tests[_i].last_update);
}
END_TEST

START_TEST(test_parse_row_nul)
{
	static const char line[] = "1.2.3.4\t1\t2\t3\0";
	struct doveadm_penalty_row row;

	ck_assert_int_eq(doveadm_penalty_parse_row(line, sizeof(line) - 1, &row), -1);
	ck_assert_int_eq(doveadm_penalty_parse_row(line, sizeof(line) - 2, &row), 0);
}
END_TEST

START_TEST(test_format)
{
	struct doveadm_penalty_row rows[2];
	struct str *out = t_str_new(256);

	/* what Dovecot 2.3.19's doveadm penalty printed off a terminal */
	doveadm_penalty_format(NULL, 0, out);
	ck_assert_str_eq(str_c(out), "IP penalty last_penalty last_update"
			 "                      \n");

	str_truncate(out, 0);
	rows[0].ip = "127.0.0.1";
	rows[0].penalty = 1;
	rows[0].last_penalty = 1795545270;	/* 2026-11-24 18:34:30 UTC */
	rows[0].last_update = 1795545270;
	doveadm_penalty_format(rows, 1, out);
	ck_assert_str_eq(str_c(out),
		"IP        penalty last_penalty        last_update               \n"
		"127.0.0.1 1       2026-11-24 18:34:30 18:34:30                  \n");

	/* a wider IP column leaves less room for the last */
	str_truncate(out, 0);
	rows[1].ip = "2001:db8:ffff::";
	rows[1].penalty = 12345;
	rows[1].last_penalty = 0;
	rows[1].last_update = 59;
	doveadm_penalty_format(rows, 2, out);
	ck_assert_str_eq(str_c(out),
		"IP              penalty last_penalty        last_update            \n"
		"127.0.0.1       1       2026-11-24 18:34:30 18:34:30               \n"
		"2001:db8:ffff:: 12345   1970-01-01 00:00:00 00:00:59               \n");
}
END_TEST

static Suite *doveadm_penalty_suite(void)
{
	Suite *s = suite_create("doveadm-penalty");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_net, 0, N_ELEMENTS(net_tests));
	tcase_add_loop_test(tc, test_net_match, 0, N_ELEMENTS(match_tests));
	tcase_add_loop_test(tc, test_parse_row, 0, N_ELEMENTS(row_tests));
	tcase_add_test(tc, test_parse_row_nul);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* the table shows local time: make it UTC */
	setenv("TZ", "UTC", 1);
	tzset();
	lib_init();
	sr = srunner_create(doveadm_penalty_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
