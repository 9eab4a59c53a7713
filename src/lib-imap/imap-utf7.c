/* Copyright (c) dovecot-like authors. Mailbox names travel in modified UTF-7
   (RFC 3501 5.1.3) while storage and users see UTF-8; the decoder is strict so
   that one name has exactly one encoding. */

#include "lib.h"
#include "str.h"
#include "utf8.h"
#include "imap-utf7.h"

static const char mbase64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int mbase64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == ',') return 63;
	return -1;
}

static void utf8_append(struct str *dest, uint32_t cp)
{
	unsigned char out[4];

	str_append_n(dest, out, utf8_encode_char(cp, out));
}

struct utf7_encoder {
	uint32_t bits;
	unsigned int nbits;
};

static void utf7_put16(struct str *dest, struct utf7_encoder *enc, uint16_t u)
{
	enc->bits = (enc->bits << 16) | u;
	enc->nbits += 16;
	while (enc->nbits >= 6) {
		enc->nbits -= 6;
		str_append_c(dest, mbase64[(enc->bits >> enc->nbits) & 0x3f]);
	}
}

int imap_utf8_to_utf7(const char *src, struct str *dest)
{
	const unsigned char *p = (const unsigned char *)src;
	const unsigned char *end = p + strlen(src);
	struct utf7_encoder enc = { 0, 0 };
	bool in_base64 = false;
	unsigned int len;
	uint32_t cp;

	while (*p != '\0') {
		if (*p >= 0x20 && *p <= 0x7e) {
			if (in_base64) {
				if (enc.nbits > 0) {
					str_append_c(dest, mbase64[(enc.bits << (6 - enc.nbits)) & 0x3f]);
				}
				str_append_c(dest, '-');
				in_base64 = false;
			}
			str_append(dest, *p == '&' ? "&-" : "");
			if (*p != '&')
				str_append_c(dest, (char)*p);
			p++;
			continue;
		}
		if ((len = utf8_get_char_n(p, (size_t)(end - p), &cp)) == 0)
			return -1;
		p += len;
		if (!in_base64) {
			str_append_c(dest, '&');
			in_base64 = true;
			enc.bits = 0;
			enc.nbits = 0;
		}
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;

			utf7_put16(dest, &enc, (uint16_t)(0xd800 | (v >> 10)));
			utf7_put16(dest, &enc, (uint16_t)(0xdc00 | (v & 0x3ff)));
		} else {
			utf7_put16(dest, &enc, (uint16_t)cp);
		}
	}
	if (in_base64) {
		if (enc.nbits > 0)
			str_append_c(dest, mbase64[(enc.bits << (6 - enc.nbits)) & 0x3f]);
		str_append_c(dest, '-');
	}
	return 0;
}

/* Decode "&...-" starting after the '&'. Returns bytes used incl. '-', or -1. */
static int utf7_decode_section(const unsigned char *s, struct str *dest)
{
	uint32_t bits = 0, high = 0;
	unsigned int nbits = 0, i = 0, units = 0;
	int v;

	for (; s[i] != '-'; i++) {
		if ((v = mbase64_value(s[i])) < 0)
			return -1;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint16_t u = (uint16_t)(bits >> nbits);
		bits &= (1U << nbits) - 1;
		units++;
		if (high != 0) {
			if (u < 0xdc00 || u > 0xdfff)
				return -1;
			utf8_append(dest, 0x10000 + ((high - 0xd800) << 10) +
				    (u - 0xdc00));
			high = 0;
		} else if (u >= 0xd800 && u <= 0xdbff) {
			high = u;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			return -1;
		} else if (u == 0 || (u >= 0x20 && u <= 0x7e)) {
			/* printable ASCII must be written directly; U+0000
			   would cut the UTF-8 name short */
			return -1;
		} else {
			utf8_append(dest, u);
		}
	}
	/* leftover bits must be padding: fewer than 6 and all zero */
	if (units == 0 || high != 0 || nbits >= 6 || bits != 0)
		return -1;
	return (int)i + 1;
}

int imap_utf7_to_utf8(const char *src, struct str *dest)
{
	const unsigned char *p = (const unsigned char *)src;
	int n;

	while (*p != '\0') {
		if (*p < 0x20 || *p > 0x7e)
			return -1;
		if (*p != '&') {
			str_append_c(dest, (char)*p++);
			continue;
		}
		p++;
		if (*p == '-') {
			str_append_c(dest, '&');
			p++;
			continue;
		}
		if ((n = utf7_decode_section(p, dest)) < 0)
			return -1;
		p += n;
	}
	return 0;
}

bool imap_utf7_is_valid(const char *src)
{
	struct str *tmp = t_str_new(128);

	return imap_utf7_to_utf8(src, tmp) == 0;
}
