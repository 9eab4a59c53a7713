/* Copyright (c) dovecot-like authors. imap-date.c: strict parsing of IMAP
   date and date-time strings into time_t, and writing date-time, with one
   month table. */
#include "lib.h"
#include "str.h"
#include "imap-date.h"

#include <strings.h>

static const char *const imap_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* n decimal digits at *p into *value_r. */
static bool parse_digits(const char **p, unsigned int n, int *value_r)
{
	int value = 0;

	for (unsigned int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		value = value * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*value_r = value;
	return true;
}

/* "d-Mon-yyyy" / "dd-Mon-yyyy" / " d-Mon-yyyy" into tm (mday, mon, year);
   *p moved past it. */
static bool parse_day_month_year(const char **p, struct tm *tm)
{
	const char *s = *p;
	int day, year;
	unsigned int i;

	if (s[0] == ' ')
		s++;
	if (!parse_digits(&s, 1, &day))
		return false;
	if (s[0] >= '0' && s[0] <= '9') {
		day = day * 10 + (s[0] - '0');
		s++;
	}
	if (*s++ != '-')
		return false;
	for (i = 0; i < N_ELEMENTS(imap_months); i++) {
		if (strncasecmp(s, imap_months[i], 3) == 0)
			break;
	}
	if (i == N_ELEMENTS(imap_months) || s[3] != '-')
		return false;
	s += 4;
	if (!parse_digits(&s, 4, &year) || day < 1 || day > 31 || year < 1900)
		return false;
	tm->tm_mday = day;
	tm->tm_mon = (int)i;
	tm->tm_year = year - 1900;
	*p = s;
	return true;
}

/* timegm() of tm, false if the day doesn't exist (31-Feb). */
static bool tm_to_time(struct tm *tm, time_t *time_r)
{
	struct tm check = *tm;
	time_t t = timegm(&check);

	if (t == (time_t)-1 || check.tm_mday != tm->tm_mday ||
	    check.tm_mon != tm->tm_mon)
		return false;
	*time_r = t;
	return true;
}

bool imap_parse_date(const char *str, time_t *time_r)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!parse_day_month_year(&str, &tm) || *str != '\0')
		return false;
	return tm_to_time(&tm, time_r);
}

bool imap_parse_datetime(const char *str, time_t *time_r, int *tz_offset_r)
{
	struct tm tm;
	int zh, zm, sign, leap;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!parse_day_month_year(&str, &tm) || *str++ != ' ')
		return false;
	if (!parse_digits(&str, 2, &tm.tm_hour) || *str++ != ':' ||
	    !parse_digits(&str, 2, &tm.tm_min) || *str++ != ':' ||
	    !parse_digits(&str, 2, &tm.tm_sec) || *str++ != ' ')
		return false;
	if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	if (*str != '+' && *str != '-')
		return false;
	sign = *str++ == '-' ? -1 : 1;
	if (!parse_digits(&str, 2, &zh) || !parse_digits(&str, 2, &zm) ||
	    *str != '\0' || zm > 59)
		return false;
	/* a leap second would roll 23:59:60 into the next day's check */
	leap = tm.tm_sec == 60 ? 1 : 0;
	tm.tm_sec -= leap;
	if (!tm_to_time(&tm, &t))
		return false;
	t += leap;
	*tz_offset_r = sign * (zh * 60 + zm);
	*time_r = t - (time_t)*tz_offset_r * 60;
	return true;
}

void imap_append_datetime(struct str *dest, time_t t)
{
	struct tm tm;
	long offset;
	char sign = '+';

	if (localtime_r(&t, &tm) == NULL) {
		t = 0;
		(void)gmtime_r(&t, &tm);
	}
	offset = tm.tm_gmtoff / 60;
	if (offset < 0) {
		sign = '-';
		offset = -offset;
	}
	/* date-day-fixed = (SP DIGIT) / 2DIGIT */
	str_printfa(dest, "%2d-%s-%04d %02d:%02d:%02d %c%02ld%02ld",
		    tm.tm_mday, imap_months[tm.tm_mon], tm.tm_year + 1900,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
		    offset / 60, offset % 60);
}
