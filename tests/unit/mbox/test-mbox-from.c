/* Copyright (c) dovecot-like authors. Tests for mbox-from.c: which lines
   Dovecot takes as message boundaries, and the line we write. */
#include "lib.h"
#include "str.h"
#include "mbox-from.h"
#include "test-mbox.h"

static const struct {
	const char *line;
	int ret;
	long long time;	/* expected unix time (TZ=UTC), when ret == 0 */
} from_tests[] = {
	{ "From x@example.org  Mon Nov 23 19:12:55 2026", 0, 1795461175 },
	{ "From MAILER-DAEMON  Mon Nov 23 19:12:55 2026", 0, 1795461175 },
	{ "From carol@vm  Fri Feb 05 06:09:10 2021", 0, 1612505350 },
	{ "From a@b Thu Nov  9 22:33:52 2001", 0, 1005345232 },
	{ "From a@b Thu Nov 9 22:33:52 2001", 0, 1005345232 },
	{ "From a@b Thu Nov 09 22:33:52 2001", 0, 1005345232 },
	{ "From a@b thu nov  9 22:33:52 2001", 0, 1005345232 },
	{ "From a@b Thu Nov  9 22:33 2001", 0, 1005345180 },
	{ "From a@b Thu Nov  9 22:33:52 +0300 2001", 0, 1005334432 },
	{ "From a@b Thu Nov  9 22:33:52 -0130 2001", 0, 1005350632 },
	{ "From a@b Thu Nov 29 22:33:52 EET 2001", 0, 1007073232 },
	{ "From a@b Thu Nov  9 22:33:52 2001 +0300", 0, 1005334432 },
	{ "From a@b Thu Nov  9 22:33:52 2001 remote from x", 0, 1005345232 },
	{ "From a@b Thu, 9 Nov 2002 22:33:52", 0, 1036881232 },
	{ "From \"john doe\"@example.com Thu Nov  9 22:33:52 2001", 0, 1005345232 },
	{ "From \"a\\\" b\"@c Thu Nov  9 22:33:52 2001", 0, 1005345232 },
	{ "From x@example.org  Mon Nov 23 19:12:55 2026\r", 0, 1795461175 },
	/* not boundaries */
	{ "From here on", -1, 0 },
	{ "From the start", -1, 0 },
	{ "From me", -1, 0 },
	{ "From ", -1, 0 },
	{ "From", -1, 0 },
	{ ">From a@b Thu Nov  9 22:33:52 2001", -1, 0 },
	{ "from a@b Thu Nov  9 22:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52 01", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52 20011", -1, 0 },
	{ "From a@b Thu Foo  9 22:33:52 2001", -1, 0 },
	{ "From a@b Xyz Nov  9 22:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov 32 22:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  0 22:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 24:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 22:60:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:61 2001", -1, 0 },
	{ "From a@b Thu Nov  9 2:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52 2001x", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52 +03 2001", -1, 0 },
	{ "From \"unterminated Thu Nov  9 22:33:52 2001", -1, 0 },
	{ "From a@b Thu, 9 Nov 02 22:33:52", -1, 0 },
	{ "From  Thu Nov  9 22:33:52 2001", -1, 0 },
	{ "From a@b Thu Nov  9 22:33:52 2001 Nov", 0, 1005345232 },
	{ "From a@b Thu Nov  9 22:33:52 1899", -1, 0 },
};

START_TEST(test_from_parse)
{
	const char *line = from_tests[_i].line;
	const char *sender = NULL;
	time_t t = 0;
	int tz, ret;

	ret = mbox_from_parse((const unsigned char *)line, strlen(line), &t,
			      &tz, tmp_pool, &sender);
	ck_assert_msg(ret == from_tests[_i].ret, "%s: ret %d", line, ret);
	if (ret == 0) {
		ck_assert_msg((long long)t == from_tests[_i].time,
			      "%s: %lld", line, (long long)t);
		ck_assert(sender != NULL && sender[0] != '\0');
	}
}
END_TEST

START_TEST(test_from_parse_sender)
{
	const char *line = "From \"john doe\"@example.com  Thu Nov  9 22:33:52 2001";
	const char *sender;
	time_t t;
	int tz;

	ck_assert_int_eq(mbox_from_parse((const unsigned char *)line,
					 strlen(line), &t, &tz, tmp_pool,
					 &sender), 0);
	ck_assert_str_eq(sender, "\"john doe\"@example.com");
	line = "From a@b Thu Nov  9 22:33:52 -0130 2001";
	ck_assert_int_eq(mbox_from_parse((const unsigned char *)line,
					 strlen(line), &t, &tz, NULL, NULL), 0);
	ck_assert_int_eq(tz, -90);
}
END_TEST

START_TEST(test_from_parse_bounds)
{
	/* data not NUL-terminated: parse must stay inside len */
	char buf[64];
	const char *line = "From a@b Thu Nov  9 22:33:52 2001";
	size_t len = strlen(line);
	time_t t;
	int tz;

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, line, len);
	ck_assert_int_eq(mbox_from_parse((unsigned char *)buf, len, &t, &tz,
					 NULL, NULL), 0);
	/* cut anywhere in the date: never valid */
	for (size_t i = 0; i < len - 4; i++) {
		ck_assert_int_eq(mbox_from_parse((unsigned char *)buf, i, &t,
						 &tz, NULL, NULL), -1);
	}
	/* too long */
	char *longline = p_malloc(tmp_pool, MBOX_FROM_MAX_LINE_LEN + 100);
	memset(longline, 'a', MBOX_FROM_MAX_LINE_LEN + 100);
	memcpy(longline, "From ", 5);
	memcpy(longline + MBOX_FROM_MAX_LINE_LEN + 60, " Thu Nov  9 22:33:52 2001", 25);
	ck_assert_int_eq(mbox_from_parse((unsigned char *)longline,
					 MBOX_FROM_MAX_LINE_LEN + 85, &t, &tz,
					 NULL, NULL), -1);
}
END_TEST

START_TEST(test_from_create)
{
	struct str *str = t_str_new(128);
	time_t t;
	int tz;

	mbox_from_create(str, "x@example.org", 1795461175);
	ck_assert_str_eq(str_c(str), "From x@example.org  Mon Nov 23 19:12:55 2026\n");
	str_truncate(str, 0);
	mbox_from_create(str, "", 1612505350);
	ck_assert_str_eq(str_c(str), "From MAILER-DAEMON  Fri Feb 05 06:09:10 2021\n");
	str_truncate(str, 0);
	mbox_from_create(str, "a b\nc", 1612505350);
	ck_assert_str_eq(str_c(str), "From a_b_c  Fri Feb 05 06:09:10 2021\n");
	/* what we write parses back */
	ck_assert_int_eq(mbox_from_parse(str_data(str), str_len(str) - 1, &t,
					 &tz, NULL, NULL), 0);
	ck_assert_int_eq((long long)t, 1612505350);
}
END_TEST

Suite *test_mbox_from_suite(void)
{
	Suite *s = suite_create("mbox-from");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_from_parse, 0, N_ELEMENTS(from_tests));
	tcase_add_test(tc, test_from_parse_sender);
	tcase_add_test(tc, test_from_parse_bounds);
	tcase_add_test(tc, test_from_create);
	suite_add_tcase(s, tc);
	return s;
}
