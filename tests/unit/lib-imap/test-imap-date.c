/* Copyright (c) dovecot-like authors. Tests for imap-date: valid IMAP
   date-times and dates, and every malformed shape rejected. */
#include "lib.h"
#include "imap-date.h"
#include "test-imap.h"

START_TEST(test_datetime_valid)
{
	time_t t;
	int tz;

	ck_assert(imap_parse_datetime("17-Jul-1996 02:44:25 -0700", &t, &tz));
	ck_assert_int_eq(t, 837596665);
	ck_assert_int_eq(tz, -420);
	ck_assert(imap_parse_datetime(" 1-Jan-2000 00:00:00 +0000", &t, &tz));
	ck_assert_int_eq(t, 946684800);
	ck_assert_int_eq(tz, 0);
	ck_assert(imap_parse_datetime("1-jan-2000 01:30:00 +0130", &t, &tz));
	ck_assert_int_eq(t, 946684800);
	ck_assert_int_eq(tz, 90);
	ck_assert(imap_parse_datetime("29-Feb-2024 23:59:60 +0000", &t, &tz));
}
END_TEST

START_TEST(test_datetime_invalid)
{
	static const char *const bad[] = {
		"", "17-Jul-1996", "17-Jul-1996 02:44:25", "17-Jul-1996 02:44:25 0700",
		"17-Jul-1996 02:44:25 -07000", "17-Jul-1996 02:44:25 -070",
		"32-Jul-1996 02:44:25 +0000", "0-Jul-1996 02:44:25 +0000",
		"31-Feb-1996 02:44:25 +0000", "29-Feb-2023 02:44:25 +0000",
		"17-Jux-1996 02:44:25 +0000", "17-Jul-96 02:44:25 +0000",
		"17-Jul-1996 24:00:00 +0000", "17-Jul-1996 02:60:00 +0000",
		"17-Jul-1996 02:44:61 +0000", "17-Jul-1996 2:44:25 +0000",
		"17-Jul-1996  02:44:25 +0000", "17-Jul-1996 02:44:25 +0060",
		"\"17-Jul-1996 02:44:25 +0000\"", "17-Jul-1996 02:44:25 +0000 ",
		"123-Jul-1996 02:44:25 +0000", "17Jul-1996 02:44:25 +0000",
		"17-Jul-1996 02-44-25 +0000", "17-Jul-1896 02:44:25 +0000",
	};
	time_t t;
	int tz;

	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++)
		ck_assert_msg(!imap_parse_datetime(bad[i], &t, &tz), "%s", bad[i]);
}
END_TEST

START_TEST(test_date)
{
	time_t t;

	ck_assert(imap_parse_date("1-Feb-1994", &t));
	ck_assert_int_eq(t, 760060800);
	ck_assert(imap_parse_date("01-feb-1994", &t));
	ck_assert_int_eq(t, 760060800);
	ck_assert(!imap_parse_date("1-Feb-1994 ", &t));
	ck_assert(!imap_parse_date("30-Feb-1994", &t));
	ck_assert(!imap_parse_date("1-Feb-94", &t));
	ck_assert(!imap_parse_date("", &t));
	ck_assert(!imap_parse_date("1-Febr-1994", &t));
}
END_TEST

Suite *test_imap_date_suite(void)
{
	Suite *s = suite_create("imap-date");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_datetime_valid);
	tcase_add_test(tc, test_datetime_invalid);
	tcase_add_test(tc, test_date);
	suite_add_tcase(s, tc);
	return s;
}
