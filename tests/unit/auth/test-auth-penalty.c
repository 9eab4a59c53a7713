/* Copyright (c) dovecot-like authors. Tests for the auth penalty rules:
   Dovecot's delay formula and the "still in force" rule, the cap, the IP
   ident (IPv6 /48, IPv4-mapped), the keyed failure checksum and the
   PENALTY-GET reply parser with malformed replies. */
#include "lib.h"
#include "net.h"
#include "auth-penalty-policy.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	unsigned int penalty, secs;
} to_secs_tests[] = {
	{ 0, 0 }, { 1, 4 }, { 2, 8 }, { 3, 15 }, { 4, 15 }, { 5, 15 },
	{ 31, 15 }, { 32, 15 }, { 65535, 15 }, { 4294967295U, 15 },
};

START_TEST(test_to_secs)
{
	ck_assert_uint_eq(auth_penalty_to_secs(to_secs_tests[_i].penalty),
			  to_secs_tests[_i].secs);
}
END_TEST

#define NOW ((time_t)1700000000)
static const struct {
	unsigned int penalty;
	time_t last_penalty;
	unsigned int delay;
} delay_tests[] = {
	{ 0, NOW, 0 }, { 0, 0, 0 },
	{ 1, NOW, 4 }, { 1, NOW - 3, 4 }, { 1, NOW - 4, 0 }, { 1, NOW - 100, 0 },
	{ 2, NOW - 7, 8 }, { 2, NOW - 8, 0 },
	{ 3, NOW - 14, 15 }, { 3, NOW - 15, 0 },
	{ 4, NOW, 15 }, { 4, NOW - 14, 15 }, { 4, NOW - 15, 0 },
	/* anvil's clock ahead of ours: counts as just now */
	{ 2, NOW + 1000, 8 },
	/* an entry that never had a time */
	{ 3, 0, 0 },
};

START_TEST(test_delay)
{
	ck_assert_uint_eq(auth_penalty_delay_secs(delay_tests[_i].penalty,
						  delay_tests[_i].last_penalty, NOW),
			  delay_tests[_i].delay);
}
END_TEST

START_TEST(test_next)
{
	ck_assert_uint_eq(auth_penalty_next(0), 1);
	ck_assert_uint_eq(auth_penalty_next(1), 2);
	ck_assert_uint_eq(auth_penalty_next(3), AUTH_PENALTY_MAX_PENALTY);
	ck_assert_uint_eq(auth_penalty_next(AUTH_PENALTY_MAX_PENALTY),
			  AUTH_PENALTY_MAX_PENALTY);
	ck_assert_uint_eq(auth_penalty_next(4294967295U), AUTH_PENALTY_MAX_PENALTY);
}
END_TEST

static const struct {
	const char *ip, *ident;
} ident_tests[] = {
	{ "127.0.0.1", "127.0.0.1" },
	{ "192.0.2.255", "192.0.2.255" },
	{ "::1", "::" },
	{ "2001:db8:1:2:3:4:5:6", "2001:db8:1::" },
	{ "2001:db8:1:ffff::", "2001:db8:1::" },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8:ffff::" },
	{ "::ffff:192.0.2.7", "192.0.2.7" },
};

START_TEST(test_ident)
{
	struct ip_addr ip;

	ck_assert_int_eq(net_addr2ip(ident_tests[_i].ip, &ip), 0);
	ck_assert_str_eq(auth_penalty_ident(&ip), ident_tests[_i].ident);
}
END_TEST

START_TEST(test_ident_unset)
{
	struct ip_addr ip;

	memset(&ip, 0, sizeof(ip));
	ck_assert_ptr_null(auth_penalty_ident(&ip));
}
END_TEST

START_TEST(test_checksum)
{
	unsigned char key[AUTH_PENALTY_CHECKSUM_KEY_SIZE], key2[sizeof(key)];
	uint32_t a;

	memset(key, 0x11, sizeof(key));
	memset(key2, 0x22, sizeof(key2));
	a = auth_penalty_checksum(key, "demo", "wrong");
	ck_assert_uint_ne(a, 0);
	/* stable for the same attempt */
	ck_assert_uint_eq(auth_penalty_checksum(key, "demo", "wrong"), a);
	/* password, user, the split between them and the key all count */
	ck_assert_uint_ne(auth_penalty_checksum(key, "demo", "wrong2"), a);
	ck_assert_uint_ne(auth_penalty_checksum(key, "demo2", "wrong"), a);
	ck_assert_uint_ne(auth_penalty_checksum(key, "dem", "owrong"), a);
	ck_assert_uint_ne(auth_penalty_checksum(key2, "demo", "wrong"), a);
	/* no password (not a plaintext mechanism) differs from "" only in
	   nothing: both hash the user alone */
	ck_assert_uint_eq(auth_penalty_checksum(key, "demo", NULL),
			  auth_penalty_checksum(key, "demo", ""));
	ck_assert_uint_ne(auth_penalty_checksum(key, "", ""), 0);
}
END_TEST

static const struct {
	const char *line;
	int ret;
	unsigned int penalty;
	time_t last;
} reply_tests[] = {
	{ "0 0", 0, 0, 0 },
	{ "2 1700000000", 0, 2, 1700000000 },
	{ "4294967295 9223372036854775807", 0, 4294967295U, INT64_MAX },
	{ "", -1, 0, 0 },
	{ "1", -1, 0, 0 },
	{ "1 ", -1, 0, 0 },
	{ " 1", -1, 0, 0 },
	{ "1  2", -1, 0, 0 },
	{ "1 2 3", -1, 0, 0 },
	{ "-1 2", -1, 0, 0 },
	{ "1 -2", -1, 0, 0 },
	{ "4294967296 2", -1, 0, 0 },
	{ "1 9223372036854775808", -1, 0, 0 },
	{ "1\t2", -1, 0, 0 },
	{ "OK", -1, 0, 0 },
	{ "ERROR\tinvalid IP address", -1, 0, 0 },
	{ "1 2x", -1, 0, 0 },
	{ "1 000000000000000000000000000000000000000000000000000000000000002", -1, 0, 0 },
};

START_TEST(test_parse_reply)
{
	const char *line = reply_tests[_i].line;
	unsigned int penalty = 12345;
	time_t last = 12345;
	int ret;

	ret = auth_penalty_parse_reply(line, strlen(line), &penalty, &last);
	ck_assert_msg(ret == reply_tests[_i].ret, "'%s': %d", line, ret);
	if (ret == 0) {
		ck_assert_uint_eq(penalty, reply_tests[_i].penalty);
		ck_assert_int_eq(last, reply_tests[_i].last);
	}
}
END_TEST

START_TEST(test_parse_reply_nul)
{
	static const char line[] = "1 2\0003";
	unsigned int penalty;
	time_t last;

	ck_assert_int_eq(auth_penalty_parse_reply(line, sizeof(line) - 1,
						  &penalty, &last), -1);
	/* only line[0..len) counts */
	ck_assert_int_eq(auth_penalty_parse_reply(line, 3, &penalty, &last), 0);
	ck_assert_uint_eq(penalty, 1);
	ck_assert_int_eq(last, 2);
}
END_TEST

static Suite *auth_penalty_suite(void)
{
	Suite *s = suite_create("auth-penalty");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_to_secs, 0, N_ELEMENTS(to_secs_tests));
	tcase_add_loop_test(tc, test_delay, 0, N_ELEMENTS(delay_tests));
	tcase_add_test(tc, test_next);
	tcase_add_loop_test(tc, test_ident, 0, N_ELEMENTS(ident_tests));
	tcase_add_test(tc, test_ident_unset);
	tcase_add_test(tc, test_checksum);
	tcase_add_loop_test(tc, test_parse_reply, 0, N_ELEMENTS(reply_tests));
	tcase_add_test(tc, test_parse_reply_nul);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(auth_penalty_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
