/* Copyright (c) dovecot-like authors. imap-search-partial.c: parsing the
   PARTIAL range and slicing a result with it (RFC 5267 4.4). */
#include "imap-search-partial.h"

/* One non-zero number <= 2^32-1 from data[*pos..len), up to a non-digit.
   Leading zeros are taken (their value is what counts). */
static bool partial_parse_num(const char *data, size_t len, size_t *pos,
			      uint32_t *num_r)
{
	uint64_t num = 0;
	size_t i = *pos;

	if (i >= len || data[i] < '0' || data[i] > '9')
		return false;
	for (; i < len && data[i] >= '0' && data[i] <= '9'; i++) {
		num = num * 10 + (uint64_t)(data[i] - '0');
		if (num > UINT32_MAX)
			return false;
	}
	if (num == 0)
		return false;
	*pos = i;
	*num_r = (uint32_t)num;
	return true;
}

bool imap_search_partial_parse(const char *data, size_t len,
			       uint32_t *low_r, uint32_t *high_r)
{
	uint32_t low, high;
	size_t pos = 0;

	if (!partial_parse_num(data, len, &pos, &low))
		return false;
	if (pos >= len || data[pos] != ':')
		return false;
	pos++;
	if (!partial_parse_num(data, len, &pos, &high) || pos != len)
		return false;
	/* RFC 5267 4.4 doesn't order them; Dovecot swaps a reversed one */
	if (low > high) {
		uint32_t tmp = low;

		low = high;
		high = tmp;
	}
	*low_r = low;
	*high_r = high;
	return true;
}

void imap_search_partial_slice(uint32_t low, uint32_t high,
			       unsigned int count, unsigned int *first_r,
			       unsigned int *count_r)
{
	if (low == 0 || low > high || low > count) {
		*first_r = 0;
		*count_r = 0;
		return;
	}
	*first_r = low - 1;
	*count_r = (high > count ? count : high) - (low - 1);
}
