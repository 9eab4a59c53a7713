/* Copyright (c) dovecot-like authors. Fuzzes IMAP date-time and date
   parsing (APPEND's internal date, SEARCH dates): never crashes, and what
   parses is a real instant whose re-formatted form parses the same. */
#include "fuzz-common.h"
#include "imap-date.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *str;
	char again[64];
	struct tm tm;
	time_t t, t2;
	int tz, tz2;

	fuzz_init();
	str = tmp_strndup(data, size);
	if (imap_parse_datetime(str, &t, &tz)) {
		if (tz < -(99 * 60 + 59) || tz > 99 * 60 + 59)
			abort();
		/* the same instant written back in UTC parses to itself */
		if (gmtime_r(&t, &tm) == NULL)
			abort();
		(void)strftime(again, sizeof(again), "%d-%b-%Y %H:%M:%S +0000", &tm);
		if (tm.tm_sec != 60 &&
		    (!imap_parse_datetime(again, &t2, &tz2) || t2 != t || tz2 != 0))
			abort();
	}
	if (imap_parse_date(str, &t) && t % 86400 != 0)
		abort();
	tmp_reset();
	return 0;
}
