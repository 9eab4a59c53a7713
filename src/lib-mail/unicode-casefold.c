/* Copyright (c) dovecot-like authors. unicode-casefold.c: UTF-8 decode,
   then per code point the i;unicode-casemap mapping of RFC 5051 with
   libunistring's tables (uc_totitle, then uc_decomposition applied until
   nothing decomposes further), UTF-8 encode. ASCII takes a table-free
   path. */
#include "lib.h"
#include "str.h"
#include "utf8.h"
#include "unicode-casefold.h"

#include <string.h>
#include <unicase.h>
#include <uninorm.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Appends the full (canonical and compatibility) decomposition of cp.
   Unicode decompositions nest only a few levels deep. */
static void casemap_decompose(struct str *dest, ucs4_t cp, unsigned int depth)
{
	ucs4_t parts[UC_DECOMPOSITION_MAX_LENGTH];
	unsigned char enc[4];
	int i, tag, len;

	len = depth < 8 ? uc_decomposition(cp, &tag, parts) : -1;
	if (len <= 0) {
		str_append_n(dest, enc, utf8_encode_char(cp, enc));
		return;
	}
	for (i = 0; i < len; i++)
		casemap_decompose(dest, parts[i], depth + 1);
}

void unicode_casefold_char_append(struct str *dest, uint32_t cp)
{
	if (cp < 0x80) {
		str_append_c(dest, (char)(cp >= 'a' && cp <= 'z' ?
					  cp - 'a' + 'A' : cp));
		return;
	}
	casemap_decompose(dest, uc_totitle(cp), 0);
}

/* True if data (1-3 bytes) can be completed into a valid sequence. */
static bool casefold_is_prefix(const unsigned char *data, size_t n)
{
	static const unsigned char second[] = { 0x80, 0xa0 };
	unsigned char probe[4];
	unsigned int i;
	uint32_t cp;

	for (i = 0; i < N_ELEMENTS(second); i++) {
		memset(probe, 0x80, sizeof(probe));
		memcpy(probe, data, n);
		if (n == 1)
			probe[1] = second[i];
		if (utf8_get_char_n(probe, sizeof(probe), &cp) > n)
			return true;
	}
	return false;
}

/* Appends NUL-free ASCII with a-z mapped to A-Z, a chunk at a time. */
static void casefold_ascii_append(struct str *dest, const unsigned char *data,
				  size_t size)
{
	unsigned char chunk[256];
	size_t i, n;

	while (size > 0) {
		n = size < sizeof(chunk) ? size : sizeof(chunk);
		for (i = 0; i < n; i++) {
			chunk[i] = data[i] >= 'a' && data[i] <= 'z' ?
				(unsigned char)(data[i] - ('a' - 'A')) : data[i];
		}
		str_append_n(dest, chunk, n);
		data += n;
		size -= n;
	}
}

/* Folds data; returns how many bytes at the end are an incomplete (so far
   valid) sequence left unprocessed when carry is allowed. */
static size_t casefold_run(const unsigned char *data, size_t size,
			   struct str *dest, bool allow_carry)
{
	size_t i = 0, start;
	unsigned int len;
	uint32_t cp;

	while (i < size) {
		/* ASCII runs without a per-character lookup: titlecase of
		   a-z is A-Z, nothing else in ASCII changes */
		start = i;
		while (i < size && data[i] < 0x80 && data[i] != 0)
			i++;
		if (i > start)
			casefold_ascii_append(dest, data + start, i - start);
		if (i == size)
			break;
		len = data[i] == 0 ? 0 : utf8_get_char_n(data + i, size - i, &cp);
		if (len > 0) {
			unicode_casefold_char_append(dest, cp);
			i += len;
			continue;
		}
		if (allow_carry && size - i < 4 &&
		    casefold_is_prefix(data + i, size - i))
			return size - i;
		str_append(dest, UTF8_REPLACEMENT);
		i++;
	}
	return 0;
}

void unicode_casefold_init(struct unicode_casefold *cf)
{
	memset(cf, 0, sizeof(*cf));
}

void unicode_casefold_more(struct unicode_casefold *cf,
			   const unsigned char *data, size_t size,
			   struct str *dest)
{
	unsigned char tmp[8];
	size_t left;

	/* complete the carried character a byte at a time */
	while (cf->carry_len > 0 && size > 0) {
		memcpy(tmp, cf->carry, cf->carry_len);
		tmp[cf->carry_len] = *data++;
		size--;
		left = casefold_run(tmp, cf->carry_len + 1, dest, true);
		memcpy(cf->carry, tmp + cf->carry_len + 1 - left, left);
		cf->carry_len = left;
	}
	if (size == 0)
		return;
	left = casefold_run(data, size, dest, true);
	memcpy(cf->carry, data + size - left, left);
	cf->carry_len = left;
}

void unicode_casefold_finish(struct unicode_casefold *cf, struct str *dest)
{
	if (cf->carry_len > 0)
		str_append(dest, UTF8_REPLACEMENT);
	cf->carry_len = 0;
}

void unicode_casefold_append(struct str *dest, const unsigned char *data,
			     size_t size)
{
	(void)casefold_run(data, size, dest, false);
}

const char *unicode_casefold_str(struct pool *pool, const char *str)
{
	size_t len = strlen(str);
	struct str *dest = str_new(pool, len + 8);

	unicode_casefold_append(dest, (const unsigned char *)str, len);
	return str_c(dest);
}
