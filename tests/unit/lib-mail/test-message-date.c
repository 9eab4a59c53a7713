/* Copyright (c) dovecot-like authors. Check suite for RFC 5322 date
   parsing (current and obsolete forms, broken values) and writing. */

#include "lib.h"
#include "message-date.h"
#include "test-values.h"

static const struct {
	const char *in;
	bool ok;
	time_t t;
	int tz;
} date_tests[] = {
	{ "Mon, 23 Nov 2026 23:30:00 +0000", true, 1795476600, 0 },
	{ "Thu, 13 Feb 1969 23:32:54 -0330", true, -27723426, -210 },
	{ "23 Nov 2026 23:30 +0100", true, 1795473000, 60 },
	{ "Mon,23 Nov 2026 23:30:00 +0000 (UTC)", true, 1795476600, 0 },
	{ "Mon, 23 Nov 26 23:30:00 GMT", true, 1795476600, 0 },
	{ "Mon, 23 Nov 99 23:30:00 EST", true, 943399800 + 5 * 3600, -300 },
	{ "Mon, 23 Nov 126 23:30:00 +0000", true, 1795476600, 0 },
	{ "Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", true, 880127706, -360 },
	{ "Mon, 23 November 2026 23:30:00 pdt", true, 1795476600 + 7 * 3600, -420 },
	{ "Mon, 23 Nov 2026 23:30:00", true, 1795476600, 0 },
	{ "Mon, 23 Nov 2026 23:30:00 X", true, 1795476600, 0 },
	{ "29 Feb 2024 00:00:00 +0000", true, 1709164800, 0 },
	{ "1 Jan 1970 00:00:00 +0000", true, 0, 0 },
	{ "", false, 0, 0 },
	{ "garbage", false, 0, 0 },
	{ "Mon, 32 Nov 2026 23:30:00 +0000", false, 0, 0 },
	{ "Mon, 23 Foo 2026 23:30:00 +0000", false, 0, 0 },
	{ "Mon, 23 Nov 2026 24:30:00 +0000", false, 0, 0 },
	{ "Mon, 23 Nov 2026 23:60:00 +0000", false, 0, 0 },
	{ "Mon, 23 Nov 2026 23:30:00 +01", false, 0, 0 },
	{ "Mon, 23 Nov 2026 23:30:00 +0160", false, 0, 0 },
	{ "Mon, 23 Nov 12026 23:30:00 +0000", false, 0, 0 },
	{ "Mon, 23 Nov 2026", false, 0, 0 },
	{ "Mon, 23 Nov 2026 23", false, 0, 0 },
	{ "(unterminated comment", false, 0, 0 },
};

START_TEST(test_message_date_parse)
{
	time_t t = 12345;
	int tz = 12345;
	bool ok;

	ok = message_date_parse((const unsigned char *)date_tests[_i].in,
				strlen(date_tests[_i].in), &t, &tz);
	ck_assert_msg(ok == date_tests[_i].ok, "%s", date_tests[_i].in);
	if (ok) {
		ck_assert_msg(t == date_tests[_i].t, "%s: %lld",
			      date_tests[_i].in, (long long)t);
		ck_assert_int_eq(tz, date_tests[_i].tz);
	}
}
END_TEST

START_TEST(test_message_date_create)
{
	time_t t;
	int tz;
	const char *s;

	ck_assert_str_eq(message_date_create(0, 0),
			 "Thu, 1 Jan 1970 00:00:00 +0000");
	ck_assert_str_eq(message_date_create(1795476600, 60),
			 "Tue, 24 Nov 2026 00:30:00 +0100");
	ck_assert_str_eq(message_date_create(-27723426, -210),
			 "Thu, 13 Feb 1969 23:32:54 -0330");
	s = message_date_create(1709164800, -480);
	ck_assert(message_date_parse((const unsigned char *)s, strlen(s),
				     &t, &tz));
	ck_assert(t == 1709164800);
	ck_assert_int_eq(tz, -480);
}
END_TEST

Suite *test_message_date_suite(void)
{
	Suite *s = suite_create("message-date");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_message_date_parse, 0,
			    N_ELEMENTS(date_tests));
	tcase_add_test(tc, test_message_date_create);
	suite_add_tcase(s, tc);
	return s;
}
