/* Copyright (c) dovecot-like authors. RFC 4648 base64, strict on decode
   because its input (SASL responses, handoff data) comes from peers; a
   lenient decoder for mail headers, where broken padding is common. */
#include "lib.h"
#include "base64.h"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(const void *src, size_t src_len, struct buf *dest)
{
	const unsigned char *s = src;
	unsigned char out[4];
	size_t i;

	for (i = 0; i + 3 <= src_len; i += 3) {
		out[0] = (unsigned char)b64chars[s[i] >> 2];
		out[1] = (unsigned char)b64chars[((s[i] & 0x03) << 4) | (s[i + 1] >> 4)];
		out[2] = (unsigned char)b64chars[((s[i + 1] & 0x0f) << 2) | (s[i + 2] >> 6)];
		out[3] = (unsigned char)b64chars[s[i + 2] & 0x3f];
		(void)buf_append(dest, out, 4);
	}
	if (i < src_len) {
		out[0] = (unsigned char)b64chars[s[i] >> 2];
		if (i + 1 < src_len) {
			out[1] = (unsigned char)b64chars[((s[i] & 0x03) << 4) | (s[i + 1] >> 4)];
			out[2] = (unsigned char)b64chars[(s[i + 1] & 0x0f) << 2];
		} else {
			out[1] = (unsigned char)b64chars[(s[i] & 0x03) << 4];
			out[2] = '=';
		}
		out[3] = '=';
		(void)buf_append(dest, out, 4);
	}
}

int base64_char_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const void *src, size_t src_len, struct buf *dest)
{
	const unsigned char *s = src;
	unsigned char out[3];
	int v[4];
	size_t i, j, pad;

	if (src_len % 4 != 0)
		return -1;
	for (i = 0; i < src_len; i += 4) {
		pad = 0;
		for (j = 0; j < 4; j++) {
			if (s[i + j] == '=') {
				/* '=' only in the last group's last two places */
				if (i + 4 != src_len || j < 2)
					return -1;
				pad++;
				v[j] = 0;
				continue;
			}
			if (pad > 0)
				return -1;	/* data after padding */
			v[j] = base64_char_value(s[i + j]);
			if (v[j] < 0)
				return -1;
		}
		out[0] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
		out[1] = (unsigned char)(((v[1] & 0x0f) << 4) | (v[2] >> 2));
		out[2] = (unsigned char)(((v[2] & 0x03) << 6) | v[3]);
		if (buf_append(dest, out, 3 - pad) < 0)
			return -1;
	}
	return 0;
}

int base64_decode_lenient(const void *src, size_t src_len, struct buf *dest)
{
	const unsigned char *s = src;
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t i;
	int v;

	for (i = 0; i < src_len && s[i] != '='; i++) {
		if ((v = base64_char_value(s[i])) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_append_c(dest, (unsigned char)(acc >> bits)) < 0)
				return -1;
		}
	}
	return 0;
}
