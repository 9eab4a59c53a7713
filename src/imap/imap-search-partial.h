/* Copyright (c) dovecot-like authors. imap-search-partial.h: the range of
   the PARTIAL return option of SEARCH/SORT (RFC 5267 4.4) and the slice of
   a result it selects. Free of other modules so unit tests link it alone. */
#ifndef IMAP_SEARCH_PARTIAL_H
#define IMAP_SEARCH_PARTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses "low:high" from data[0..len): two non-zero 32-bit numbers without
   a sign or "*" (RFC 5267's partial-range; RFC 9394's negative ranges are
   refused, as Dovecot 2.3 does). A reversed range is swapped. false for
   anything else (Dovecot: "PARTIAL range broken"). */
bool imap_search_partial_parse(const char *data, size_t len,
			       uint32_t *low_r, uint32_t *high_r);

/* The 0-based [*first_r, *first_r + *count_r) of a result of count
   messages that positions low..high (1-based) select; *count_r 0 when the
   range lies past the end. */
void imap_search_partial_slice(uint32_t low, uint32_t high,
			       unsigned int count, unsigned int *first_r,
			       unsigned int *count_r);

#endif
