/* Copyright (c) dovecot-like authors. Fuzzes the mbox From_ line parser,
   which decides where messages start in files anyone can deliver to: the
   parse stays in bounds, and what we write for any sender and time parses
   back to the same time. */
#include "fuzz-common.h"
#include "str.h"
#include "mbox-from.h"
#include "mbox-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool;
	struct str *str;
	const char *sender;
	unsigned char *copy;
	char *any_sender;
	time_t t, t2;
	int tz, ret;

	fuzz_init();
	setenv("TZ", "UTC", 1);
	/* an exact-size copy so ASan sees any read past the end */
	copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	pool = pool_create("fuzz mbox from", 256, POOL_FLAG_NONE);

	ret = mbox_from_parse(copy, size, &t, &tz, pool, &sender);
	if (ret == 0) {
		if (tz < -24 * 60 || tz > 24 * 60)
			abort();
		if (strlen(sender) == 0 || strlen(sender) > size)
			abort();
		/* the writer's form of the same date parses to it */
		str = str_new(pool, 128);
		mbox_from_create(str, sender, t);
		if (strlen(sender) <= MBOX_FROM_MAX_SENDER_LEN &&
		    (mbox_from_parse(str_data(str), str_len(str) - 1, &t2, &tz,
				     NULL, NULL) < 0 || t2 != t))
			abort();
	}
	/* consistent with the boundary check the mbox parser uses */
	if (memchr(copy, '\n', size) == NULL &&
	    mbox_parse_is_from_line(copy, size, 0) != (ret == 0))
		abort();

	/* any sender bytes give one parseable line */
	str = str_new(pool, 128);
	any_sender = fuzz_strndup(data, MIN(size, 200));
	mbox_from_create(str, any_sender, 1000000000);
	free(any_sender);
	if (mbox_from_parse(str_data(str), str_len(str) - 1, &t, &tz,
			    NULL, NULL) < 0 || t != 1000000000)
		abort();
	pool_unref(&pool);
	free(copy);
	tmp_reset();
	return 0;
}
