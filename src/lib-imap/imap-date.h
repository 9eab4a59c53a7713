/* Copyright (c) dovecot-like authors. imap-date.h: IMAP date-time (RFC 3501
   9: APPEND's "dd-Mon-yyyy hh:mm:ss +zzzz", without the quotes) and date
   ("d-Mon-yyyy", SEARCH BEFORE/ON/SINCE) parsing, and writing date-time. */
#ifndef IMAP_DATE_H
#define IMAP_DATE_H

#include <time.h>

struct str;

/* The instant, and the zone's offset east of UTC in minutes. The day may
   be "dd", " d" or "d" (clients differ). false if str isn't exactly a valid
   date-time (no trailing bytes, real calendar day, hh < 24, mm < 60,
   ss <= 60, zone within +-99:59). */
bool imap_parse_datetime(const char *str, time_t *time_r, int *tz_offset_r);
/* date = date-day "-" date-month "-" date-year: midnight UTC of that day. */
bool imap_parse_date(const char *str, time_t *time_r);
/* Appends t as date-time in local time, "17-Jul-1996 02:44:25 -0700"
   (date-day-fixed: " 7-Jul-..."), without quotes (INTERNALDATE). */
void imap_append_datetime(struct str *dest, time_t t);

#endif
