/* Copyright (c) dovecot-like authors. Fuzzes the PARTIAL range of SEARCH/
   SORT RETURN (RFC 5267 4.4): never crashes or reads past the length, what
   parses is an ordered non-zero range that prints back to itself (once
   swapped), and its slice of any result stays inside it. The module is
   compiled in here: it lives in the imap process, not a library. */
#include "fuzz-common.h"
#include "../../src/imap/imap-search-partial.c"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t low, high, low2, high2;
	unsigned int first, count, n;
	char again[32];
	int len;

	fuzz_init();
	if (!imap_search_partial_parse((const char *)data, size, &low, &high))
		return 0;
	if (low == 0 || low > high)
		abort();
	len = snprintf(again, sizeof(again), "%u:%u", high, low);
	if (len <= 0 || (size_t)len >= sizeof(again) ||
	    !imap_search_partial_parse(again, (size_t)len, &low2, &high2) ||
	    low2 != low || high2 != high)
		abort();
	for (n = 0; n < 40; n += 7) {
		imap_search_partial_slice(low, high, n, &first, &count);
		if (count > 0 && (first + count > n || first != low - 1 ||
				  count > high - low + 1))
			abort();
	}
	return 0;
}
