/* Copyright (c) dovecot-like authors. message-date.h: the RFC 5322 3.3
   Date: header (with the obsolete forms of 4.3: two/three digit years,
   named and military zones, comments, missing seconds) to a UTC time and
   zone, for ENVELOPE, SORT and SEARCH SENT*. */
#ifndef MESSAGE_DATE_H
#define MESSAGE_DATE_H

#include <time.h>

/* Returns true and sets *time_r (seconds since the epoch, UTC) and
   *tz_offset_r (the zone in minutes east of UTC) for a valid date, false
   for anything else (the value is then ignored). */
bool message_date_parse(const unsigned char *data, size_t size,
			time_t *time_r, int *tz_offset_r);
/* "Mon, 2 Jan 2006 15:04:05 +0100" for t shown in zone tz_offset
   (minutes); tmp-allocated. */
const char *message_date_create(time_t t, int tz_offset);

#endif
