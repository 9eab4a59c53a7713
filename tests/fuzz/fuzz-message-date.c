/* Copyright (c) dovecot-like authors. Fuzzes the RFC 5322 Date: parser
   (SORT, SEARCH SENT*, ENVELOPE users): any accepted date written back
   with message_date_create() parses to the same time and zone. */
#include "fuzz-common.h"
#include "message-date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	const char *created;
	time_t t, t2;
	int tz, tz2;

	fuzz_init();
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	if (message_date_parse(copy, size, &t, &tz)) {
		if (tz <= -6000 || tz >= 6000)
			abort();
		created = message_date_create(t, tz);
		if (!message_date_parse((const unsigned char *)created,
					strlen(created), &t2, &tz2) ||
		    t2 != t || tz2 != tz)
			abort();
	}
	free(copy);
	tmp_reset();
	return 0;
}
