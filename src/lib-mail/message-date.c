/* Copyright (c) dovecot-like authors. message-date.c: RFC 5322 date-time
   parsing without the C library's locale and TZ dependent functions:
   civil date -> day number arithmetic is done here. */
#include "lib.h"
#include "str.h"
#include "rfc822-parser.h"
#include "message-date.h"

#include <strings.h>

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const weekday_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* RFC 5322 4.3 obs-zone (military zones other than Z are treated as
   +0000 as the RFC advises: their sign was historically reversed). */
static const struct {
	const char *name;
	int offset;
} zone_names[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -5 * 60 }, { "EDT", -4 * 60 },
	{ "CST", -6 * 60 }, { "CDT", -5 * 60 },
	{ "MST", -7 * 60 }, { "MDT", -6 * 60 },
	{ "PST", -8 * 60 }, { "PDT", -7 * 60 },
};

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct date_scanner {
	struct rfc822_parser_context parser;
};

static bool date_skip(struct date_scanner *s)
{
	(void)rfc822_skip_lwsp(&s->parser);
	return s->parser.data < s->parser.end;
}

/* Reads 1..max_digits digits. */
static bool date_number(struct date_scanner *s, unsigned int max_digits,
			unsigned int *num_r, unsigned int *digits_r)
{
	unsigned int n = 0, digits = 0;

	while (s->parser.data < s->parser.end &&
	       *s->parser.data >= '0' && *s->parser.data <= '9') {
		if (++digits > max_digits)
			return false;
		n = n * 10 + (unsigned int)(*s->parser.data++ - '0');
	}
	*num_r = n;
	if (digits_r != NULL)
		*digits_r = digits;
	return digits > 0;
}

/* Reads letters into buf (NUL-terminated); false if none or too long. */
static bool date_word(struct date_scanner *s, char *buf, size_t size)
{
	size_t len = 0;

	while (s->parser.data < s->parser.end &&
	       ((*s->parser.data >= 'a' && *s->parser.data <= 'z') ||
		(*s->parser.data >= 'A' && *s->parser.data <= 'Z'))) {
		if (len + 1 >= size)
			return false;
		buf[len++] = (char)*s->parser.data++;
	}
	buf[len] = '\0';
	return len > 0;
}

static bool date_parse_zone(struct date_scanner *s, int *tz_r)
{
	char word[8];
	unsigned int num, digits, i;
	int sign;

	*tz_r = 0;
	if (!date_skip(s))
		return true;	/* obs: missing zone = +0000 */
	if (*s->parser.data == '+' || *s->parser.data == '-') {
		sign = *s->parser.data++ == '-' ? -1 : 1;
		if (!date_number(s, 4, &num, &digits) || digits != 4 ||
		    num % 100 >= 60)
			return false;
		*tz_r = sign * (int)((num / 100) * 60 + num % 100);
		return true;
	}
	if (!date_word(s, word, sizeof(word)))
		return true;	/* junk after the time: ignore it */
	for (i = 0; i < N_ELEMENTS(zone_names); i++) {
		if (strcasecmp(word, zone_names[i].name) == 0) {
			*tz_r = zone_names[i].offset;
			return true;
		}
	}
	/* unknown or military zone: RFC 5322 4.3 says treat as -0000 */
	return true;
}

static bool date_parse_month(struct date_scanner *s, unsigned int *month_r)
{
	char word[16];
	unsigned int i;

	if (!date_word(s, word, sizeof(word)) || strlen(word) < 3)
		return false;
	for (i = 0; i < N_ELEMENTS(month_names); i++) {
		if (strncasecmp(word, month_names[i], 3) == 0) {
			*month_r = i + 1;
			return true;
		}
	}
	return false;
}

bool message_date_parse(const unsigned char *data, size_t size,
			time_t *time_r, int *tz_offset_r)
{
	struct date_scanner s;
	char word[16];
	unsigned int day, month, year, ydigits, hour, min, sec = 0;
	int tz;
	int64_t t;

	rfc822_parser_init(&s.parser, data, size, NULL);
	if (!date_skip(&s))
		return false;
	/* [ day-of-week "," ] */
	if (date_word(&s, word, sizeof(word))) {
		if (date_skip(&s) && *s.parser.data == ',')
			s.parser.data++;
	}
	if (!date_skip(&s) || !date_number(&s, 2, &day, NULL) ||
	    day < 1 || day > 31)
		return false;
	(void)date_skip(&s);
	if (!date_parse_month(&s, &month) || !date_skip(&s))
		return false;
	if (!date_number(&s, 4, &year, &ydigits))
		return false;
	/* RFC 5322 4.3 obs-year */
	if (ydigits == 2)
		year += year < 50 ? 2000 : 1900;
	else if (ydigits == 3)
		year += 1900;
	if (year < 1900)
		return false;
	if (!date_skip(&s) || !date_number(&s, 2, &hour, NULL) || hour > 23)
		return false;
	(void)date_skip(&s);
	if (s.parser.data >= s.parser.end || *s.parser.data++ != ':')
		return false;
	(void)date_skip(&s);
	if (!date_number(&s, 2, &min, NULL) || min > 59)
		return false;
	(void)date_skip(&s);
	if (s.parser.data < s.parser.end && *s.parser.data == ':') {
		s.parser.data++;
		(void)date_skip(&s);
		if (!date_number(&s, 2, &sec, NULL) || sec > 60)
			return false;
	}
	if (!date_parse_zone(&s, &tz))
		return false;

	t = days_from_civil(year, month, day) * 86400 +
		(int64_t)hour * 3600 + min * 60 + sec - (int64_t)tz * 60;
	if (sizeof(time_t) < 8 && (t < INT32_MIN || t > INT32_MAX))
		return false;
	*time_r = (time_t)t;
	*tz_offset_r = tz;
	return true;
}

const char *message_date_create(time_t t, int tz_offset)
{
	int64_t local = (int64_t)t + (int64_t)tz_offset * 60;
	int64_t days = local / 86400, secs = local % 86400;
	int64_t z, era, y;
	unsigned int doe, yoe, doy, mp, d, m;
	int tz_abs = tz_offset < 0 ? -tz_offset : tz_offset;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* inverse of days_from_civil() */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return tmp_printf("%s, %u %s %lld %02d:%02d:%02d %c%02d%02d",
			  weekday_names[((days % 7) + 11) % 7], d,
			  month_names[m - 1], (long long)y,
			  (int)(secs / 3600), (int)(secs / 60 % 60),
			  (int)(secs % 60), tz_offset < 0 ? '-' : '+',
			  tz_abs / 60, tz_abs % 60);
}
