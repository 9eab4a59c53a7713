/* Copyright (c) dovecot-like authors. utf8.c: one UTF-8 decoder for every
   validator (charset conversion, mUTF-7). */
#include "lib.h"
#include "utf8.h"

unsigned int utf8_get_char_n(const unsigned char *data, size_t size,
			     uint32_t *cp_r)
{
	unsigned int len, i;
	uint32_t cp, min;

	if (data[0] < 0x80) {
		*cp_r = data[0];
		return 1;
	}
	if ((data[0] & 0xe0) == 0xc0) {
		len = 2; cp = data[0] & 0x1f; min = 0x80;
	} else if ((data[0] & 0xf0) == 0xe0) {
		len = 3; cp = data[0] & 0x0f; min = 0x800;
	} else if ((data[0] & 0xf8) == 0xf0) {
		len = 4; cp = data[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (size < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((data[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (data[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return len;
}

unsigned int utf8_encode_char(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
