/* Copyright (c) dovecot-like authors. imap-binary.c: Content-Transfer-
   Encoding decoding for FETCH BINARY (RFC 3516, RFC 2045 6). Works on
   memory: the caller bounds the input by the message size. */
#include "lib.h"
#include "base64.h"
#include "strfuncs.h"
#include "imap-binary.h"

#include <strings.h>

#define CTE_FIELD "Content-Transfer-Encoding"

static bool binary_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool binary_token_is(const unsigned char *p, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp((const char *)p, name, len) == 0;
}

/* The encoding of one field value (the mechanism token, RFC 2045 6.1). */
static enum imap_binary_cte binary_cte_value(const unsigned char *p, size_t len)
{
	size_t start = 0, end;

	while (start < len && binary_is_space(p[start]))
		start++;
	for (end = start; end < len; end++) {
		if (binary_is_space(p[end]) || p[end] == '(' || p[end] == ';')
			break;
	}
	p += start;
	len = end - start;
	if (len == 0 || binary_token_is(p, len, "7bit") ||
	    binary_token_is(p, len, "8bit") || binary_token_is(p, len, "binary"))
		return IMAP_BINARY_CTE_IDENTITY;
	if (binary_token_is(p, len, "base64"))
		return IMAP_BINARY_CTE_BASE64;
	if (binary_token_is(p, len, "quoted-printable"))
		return IMAP_BINARY_CTE_QP;
	return IMAP_BINARY_CTE_UNKNOWN;
}

enum imap_binary_cte imap_binary_cte_parse(const unsigned char *hdr, size_t len)
{
	size_t name_len = strlen(CTE_FIELD), i, end;

	/* the first field wins; its value runs to the first CRLF that isn't
	   followed by a continuation line */
	for (i = 0; i < len; i = end) {
		const unsigned char *nl = memchr(hdr + i, '\n', len - i);

		end = nl == NULL ? len : (size_t)(nl - hdr) + 1;
		if (end - i <= name_len || hdr[i + name_len] != ':' ||
		    strncasecmp((const char *)hdr + i, CTE_FIELD, name_len) != 0)
			continue;
		i += name_len + 1;
		while (end < len && (hdr[end] == ' ' || hdr[end] == '\t')) {
			nl = memchr(hdr + end, '\n', len - end);
			end = nl == NULL ? len : (size_t)(nl - hdr) + 1;
		}
		return binary_cte_value(hdr + i, end - i);
	}
	return IMAP_BINARY_CTE_IDENTITY;
}

static void binary_decode_base64(const unsigned char *data, size_t len,
				 struct buf *dest)
{
	unsigned int bits = 0, nbits = 0;
	unsigned char c;
	size_t i;
	int v;

	for (i = 0; i < len && data[i] != '='; i++) {
		v = base64_char_value(data[i]);
		if (v < 0)
			continue;	/* RFC 2045 6.8: ignore line breaks etc. */
		bits = (bits << 6) | (unsigned int)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			c = (unsigned char)(bits >> nbits);
			(void)buf_append_c(dest, c);
			bits &= (1U << nbits) - 1;
		}
	}
}

/* One quoted-printable line data[0..len) without its line break. */
static void binary_decode_qp_line(const unsigned char *data, size_t len,
				  bool has_break, struct buf *dest)
{
	size_t i;
	int hi, lo;

	/* RFC 2045 6.7 (3): trailing whitespace was added in transport */
	while (len > 0 && (data[len - 1] == ' ' || data[len - 1] == '\t'))
		len--;
	for (i = 0; i < len; i++) {
		if (data[i] != '=') {
			(void)buf_append_c(dest, data[i]);
			continue;
		}
		if (i + 1 == len)
			return;	/* soft line break */
		hi = i + 2 < len ? hex_digit_value(data[i + 1]) : -1;
		lo = i + 2 < len ? hex_digit_value(data[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			(void)buf_append_c(dest, '=');
			continue;
		}
		(void)buf_append_c(dest, (unsigned char)(hi * 16 + lo));
		i += 2;
	}
	if (has_break)
		(void)buf_append(dest, "\r\n", 2);
}

static void binary_decode_qp(const unsigned char *data, size_t len,
			     struct buf *dest)
{
	const unsigned char *nl;
	size_t line_len;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		if (nl == NULL) {
			binary_decode_qp_line(data, len, false, dest);
			return;
		}
		line_len = (size_t)(nl - data);
		binary_decode_qp_line(data, line_len > 0 && nl[-1] == '\r' ?
				      line_len - 1 : line_len, true, dest);
		data = nl + 1;
		len -= line_len + 1;
	}
}

void imap_binary_decode(enum imap_binary_cte cte, const unsigned char *data,
			size_t len, struct buf *dest)
{
	switch (cte) {
	case IMAP_BINARY_CTE_BASE64:
		binary_decode_base64(data, len, dest);
		return;
	case IMAP_BINARY_CTE_QP:
		binary_decode_qp(data, len, dest);
		return;
	case IMAP_BINARY_CTE_IDENTITY:
	case IMAP_BINARY_CTE_UNKNOWN:
		break;
	}
	(void)buf_append(dest, data, len);
}
