/* Copyright (c) dovecot-like authors. unicode-casefold.c: UTF-8 decode,
   towlower_l() under a private C.UTF-8 locale object (created once; if it
   is missing only ASCII is folded, logged once), UTF-8 encode. */
#include "lib.h"
#include "str.h"
#include "utf8.h"
#include "log.h"
#include "unicode-casefold.h"

#include <locale.h>
#include <wctype.h>
#include <string.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"

static locale_t casefold_locale = (locale_t)0;
static bool casefold_locale_tried = false;

/* The C.UTF-8 locale object, or 0 if it can't be created. */
static locale_t casefold_get_locale(void)
{
	if (!casefold_locale_tried) {
		casefold_locale_tried = true;
		casefold_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8",
					    (locale_t)0);
		if (casefold_locale == (locale_t)0)
			log_warning("casefold: no C.UTF-8 locale, "
				    "non-ASCII text is compared as is");
	}
	return casefold_locale;
}

uint32_t unicode_casefold_char(uint32_t cp)
{
	locale_t loc;
	wint_t lc;

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
	loc = casefold_get_locale();
	if (loc == (locale_t)0)
		return cp;
	/* via the upper case: the simple folding of RFC 5255 maps final
	   sigma, long s, the Greek symbol forms... onto one letter, which
	   towlower alone leaves apart (ς vs σ) */
	lc = towlower_l(towupper_l((wint_t)cp, loc), loc);
	/* never produce a surrogate, NUL or out-of-range code point */
	if (lc == 0 || lc > 0x10ffff || (lc >= 0xd800 && lc <= 0xdfff))
		return cp;
	return (uint32_t)lc;
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

/* Folds data; returns how many bytes at the end are an incomplete (so far
   valid) sequence left unprocessed when carry is allowed. */
static size_t casefold_run(const unsigned char *data, size_t size,
			   struct str *dest, bool allow_carry)
{
	size_t i = 0, start;
	unsigned int len;
	uint32_t cp;

	while (i < size) {
		/* ASCII runs without a byte-at-a-time lookup */
		start = i;
		while (i < size && data[i] < 0x80 && data[i] != 0 &&
		       !(data[i] >= 'A' && data[i] <= 'Z'))
			i++;
		if (i > start)
			str_append_n(dest, data + start, i - start);
		if (i == size)
			break;
		len = data[i] == 0 ? 0 : utf8_get_char_n(data + i, size - i, &cp);
		if (len > 0) {
			unsigned char out[4];

			str_append_n(dest, out, utf8_encode_char(
				unicode_casefold_char(cp), out));
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
