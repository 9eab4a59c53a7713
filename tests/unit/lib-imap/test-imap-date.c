/* Copyright (c) dovecot-like authors. Tests for imap-date: valid IMAP
   date-times and dates, and every malformed shape rejected. */
#include "lib.h"
#include "str.h"
#include "imap-date.h"

#include <stdlib.h>
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
	/* a leap second is the next day's first second, not a wrap into
	   29-Feb's start */
	ck_assert(imap_parse_datetime("29-Feb-2024 23:59:60 +0000", &t, &tz));
	ck_assert_int_eq(t, 1709251200);
	ck_assert_int_eq(tz, 0);
	ck_assert(imap_parse_datetime("29-Feb-2024 23:59:60 -0130", &t, &tz));
	ck_assert_int_eq(t, 1709251200 + 90 * 60);
	ck_assert_int_eq(tz, -90);
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

/* INTERNALDATE: the local zone's offset, a space-padded day; TZ is set
   here and restored at the end (in case Check doesn't fork). */
START_TEST(test_append_datetime)
{
	struct str *str = t_str_new(64);
	const char *old_tz = getenv("TZ");

	old_tz = tmp_strdup(old_tz);
	ck_assert_int_eq(setenv("TZ", "UTC0", 1), 0);
	tzset();
	imap_append_datetime(str, 0);
	ck_assert_str_eq(str_c(str), " 1-Jan-1970 00:00:00 +0000");
	str_reset(str);
	/* POSIX TZ: "XXX+1:30" is 1:30 west of UTC */
	ck_assert_int_eq(setenv("TZ", "XXX+1:30", 1), 0);
	tzset();
	imap_append_datetime(str, 1000000000);
	ck_assert_str_eq(str_c(str), " 9-Sep-2001 00:16:40 -0130");
	str_reset(str);
	ck_assert_int_eq(setenv("TZ", "XXX-10", 1), 0);
	tzset();
	imap_append_datetime(str, 1000000000);
	ck_assert_str_eq(str_c(str), " 9-Sep-2001 11:46:40 +1000");
	/* what it writes, the parser reads back */
	{
		time_t t;
		int tz;

		ck_assert(imap_parse_datetime(str_c(str), &t, &tz));
		ck_assert_int_eq(t, 1000000000);
		ck_assert_int_eq(tz, 600);
	}
	if (old_tz == NULL)
		ck_assert_int_eq(unsetenv("TZ"), 0);
	else
		ck_assert_int_eq(setenv("TZ", old_tz, 1), 0);
	tzset();
}
END_TEST

Suite *test_imap_date_suite(void)
{
	Suite *s = suite_create("imap-date");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_datetime_valid);
	tcase_add_test(tc, test_datetime_invalid);
	tcase_add_test(tc, test_date);
	tcase_add_test(tc, test_append_datetime);
	suite_add_tcase(s, tc);
	return s;
}
