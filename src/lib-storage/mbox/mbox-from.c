/* Copyright (c) dovecot-like authors. mbox-from.c: From_ line parsing and
   writing. A "From " line is a message boundary only if a valid date follows
   the sender (reference mbox-format.md 2.1), so body lines such as "From
   here on" are never taken as separators. */
#include "lib.h"
#include "str.h"
#include "mbox-from.h"

#include <ctype.h>
#include <strings.h>

static const char *const mbox_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const mbox_weekdays[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* A cursor over the line being parsed. */
struct mbox_from_cursor {
	const unsigned char *p, *end;
};

static bool cur_char(struct mbox_from_cursor *c, unsigned char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

/* Reads exactly min..max digits. */
static bool cur_number(struct mbox_from_cursor *c, unsigned int min_digits,
		       unsigned int max_digits, int *num_r)
{
	unsigned int n = 0;
	int num = 0;

	while (n < max_digits && c->p < c->end && isdigit(*c->p)) {
		num = num * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	*num_r = num;
	return n >= min_digits;
}

static bool cur_month(struct mbox_from_cursor *c, int *month_r)
{
	unsigned int i;

	if (c->end - c->p < 3)
		return false;
	for (i = 0; i < N_ELEMENTS(mbox_months); i++) {
		if (strncasecmp((const char *)c->p, mbox_months[i], 3) == 0) {
			*month_r = (int)i;
			c->p += 3;
			return true;
		}
	}
	return false;
}

static bool cur_weekday(struct mbox_from_cursor *c)
{
	unsigned int i;

	if (c->end - c->p < 3)
		return false;
	for (i = 0; i < N_ELEMENTS(mbox_weekdays); i++) {
		if (strncasecmp((const char *)c->p, mbox_weekdays[i], 3) == 0) {
			c->p += 3;
			return true;
		}
	}
	return false;
}

/* hh:mm[:ss] */
static bool cur_time(struct mbox_from_cursor *c, struct tm *tm)
{
	if (!cur_number(c, 2, 2, &tm->tm_hour) || !cur_char(c, ':') ||
	    !cur_number(c, 2, 2, &tm->tm_min))
		return false;
	tm->tm_sec = 0;
	if (c->p < c->end && *c->p == ':') {
		c->p++;
		if (!cur_number(c, 2, 2, &tm->tm_sec))
			return false;
	}
	return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec <= 60;
}

/* +hhmm / -hhmm, also +hh:mm. Returns false without moving if not there. */
static bool cur_numeric_zone(struct mbox_from_cursor *c, int *offset_r)
{
	struct mbox_from_cursor save = *c;
	int sign, hh, mm;

	if (c->p >= c->end || (*c->p != '+' && *c->p != '-'))
		return false;
	sign = *c->p == '-' ? -1 : 1;
	c->p++;
	if (!cur_number(c, 2, 2, &hh))
		goto fail;
	(void)cur_char(c, ':');
	if (!cur_number(c, 2, 2, &mm) || hh > 23 || mm > 59)
		goto fail;
	*offset_r = sign * (hh * 60 + mm);
	return true;
fail:
	*c = save;
	return false;
}

/* asctime style after "Www ": "Mmm dd hh:mm[:ss] [zone ]yyyy[ +zone]" */
static bool mbox_from_parse_asctime(struct mbox_from_cursor *c, struct tm *tm,
				    int *tz_r, bool *have_tz_r)
{
	struct mbox_from_cursor save;

	if (!cur_month(c, &tm->tm_mon) || !cur_char(c, ' '))
		return false;
	(void)cur_char(c, ' ');	/* "Nov  9" */
	if (!cur_number(c, 1, 2, &tm->tm_mday) || !cur_char(c, ' ') ||
	    !cur_time(c, tm) || !cur_char(c, ' '))
		return false;
	if (cur_numeric_zone(c, tz_r)) {
		*have_tz_r = true;
		if (!cur_char(c, ' '))
			return false;
	} else if (c->p < c->end && isalpha(*c->p)) {
		/* named zone: skipped */
		while (c->p < c->end && isalpha(*c->p))
			c->p++;
		if (!cur_char(c, ' '))
			return false;
	}
	if (!cur_number(c, 4, 4, &tm->tm_year))
		return false;
	if (c->p < c->end && isdigit(*c->p))
		return false;
	save = *c;
	if (!*have_tz_r && cur_char(c, ' ') && cur_numeric_zone(c, tz_r))
		*have_tz_r = true;
	else
		*c = save;
	return true;
}

/* "Www, d Mmm yyyy hh:mm:ss" */
static bool mbox_from_parse_rfc(struct mbox_from_cursor *c, struct tm *tm)
{
	if (!cur_char(c, ' ') || !cur_number(c, 1, 2, &tm->tm_mday) ||
	    !cur_char(c, ' ') || !cur_month(c, &tm->tm_mon) ||
	    !cur_char(c, ' ') || !cur_number(c, 4, 4, &tm->tm_year) ||
	    !cur_char(c, ' ') || !cur_time(c, tm))
		return false;
	return true;
}

/* Sender: "quoted string" (backslash escapes) followed by non-space chars,
   or a run of non-space chars. */
static bool mbox_from_parse_sender(struct mbox_from_cursor *c)
{
	const unsigned char *start = c->p;

	if (c->p < c->end && *c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
		}
		if (!cur_char(c, '"'))
			return false;
	}
	while (c->p < c->end && *c->p != ' ') {
		if (*c->p == '\n' || *c->p == '\r' || *c->p == '\0')
			return false;
		c->p++;
	}
	return c->p > start;
}

int mbox_from_parse(const unsigned char *data, size_t len, time_t *time_r,
		    int *tz_offset_r, struct pool *pool, const char **sender_r)
{
	struct mbox_from_cursor c;
	const unsigned char *sender_start, *sender_end;
	struct tm tm;
	int tz = 0;
	bool have_tz = false, ok;
	time_t t;

	if (len > MBOX_FROM_MAX_LINE_LEN || len < 5 ||
	    memcmp(data, "From ", 5) != 0)
		return -1;
	if (data[len - 1] == '\r')
		len--;
	c.p = data + 5;
	c.end = data + len;
	sender_start = c.p;
	if (!mbox_from_parse_sender(&c))
		return -1;
	sender_end = c.p;
	while (c.p < c.end && *c.p == ' ')
		c.p++;

	memset(&tm, 0, sizeof(tm));
	if (!cur_weekday(&c))
		return -1;
	if (cur_char(&c, ' '))
		ok = mbox_from_parse_asctime(&c, &tm, &tz, &have_tz);
	else if (cur_char(&c, ','))
		ok = mbox_from_parse_rfc(&c, &tm);
	else
		ok = false;
	if (!ok || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_year < 1900)
		return -1;
	/* anything may follow the date, but only after a space */
	if (c.p < c.end && *c.p != ' ')
		return -1;

	tm.tm_year -= 1900;
	tm.tm_isdst = -1;
	if (have_tz) {
		t = timegm(&tm);
		if (t == (time_t)-1)
			return -1;
		t -= (time_t)tz * 60;
	} else {
		t = mktime(&tm);
		if (t == (time_t)-1)
			return -1;
	}
	*time_r = t;
	*tz_offset_r = tz;
	if (sender_r != NULL) {
		*sender_r = p_strndup(pool, sender_start,
				      (size_t)(sender_end - sender_start));
	}
	return 0;
}

/* Does the quoted string at the start of sender end before its end? */
static bool mbox_from_quoted_ok(const char *sender)
{
	const char *p;

	for (p = sender + 1; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return *p == '"';
}

void mbox_from_create(struct str *dest, const char *sender, time_t t)
{
	struct tm tm;
	const char *p;

	if (sender == NULL || sender[0] == '\0')
		sender = "MAILER-DAEMON";
	str_append(dest, "From ");
	/* a quoted sender must be terminated or the line won't parse */
	if (sender[0] == '"' && !mbox_from_quoted_ok(sender)) {
		str_append_c(dest, '_');
		sender++;
	}
	/* the sender must stay one word on one line */
	for (p = sender; *p != '\0' && p - sender < MBOX_FROM_MAX_SENDER_LEN;
	     p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			str_append_c(dest, '_');
		else
			str_append_c(dest, *p);
	}
	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	str_printfa(dest, "  %s %s %02d %02d:%02d:%02d %04d\n",
		    mbox_weekdays[tm.tm_wday % 7], mbox_months[tm.tm_mon % 12],
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    tm.tm_year + 1900);
}
