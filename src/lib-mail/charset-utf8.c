/* Copyright (c) dovecot-like authors. charset-utf8.c: charset -> UTF-8
   through glibc iconv, with our own UTF-8 validation so every result that
   reaches a client or the index is valid UTF-8. */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "utf8.h"
#include "charset-utf8.h"

#include <iconv.h>
#include <strings.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"

bool charset_is_utf8(const char *charset)
{
	return strcasecmp(charset, "utf-8") == 0 ||
		strcasecmp(charset, "utf8") == 0 ||
		strcasecmp(charset, "us-ascii") == 0 ||
		strcasecmp(charset, "ascii") == 0;
}

/* Length of the valid UTF-8 sequence at data, or 0 if it is invalid;
   a NUL is invalid too (it would cut the string for a client). */
static size_t utf8_valid_seq_len(const unsigned char *data, size_t size)
{
	uint32_t cp;

	if (data[0] == '\0')
		return 0;
	return utf8_get_char_n(data, size, &cp);
}

void charset_utf8_append_valid(struct str *dest, const unsigned char *data,
			       size_t size)
{
	size_t i = 0, start = 0, len;

	while (i < size) {
		len = utf8_valid_seq_len(data + i, size - i);
		if (len > 0) {
			i += len;
			continue;
		}
		str_append_n(dest, data + start, i - start);
		str_append(dest, UTF8_REPLACEMENT);
		start = ++i;
	}
	str_append_n(dest, data + start, i - start);
}

static bool charset_name_is_sane(const char *charset)
{
	size_t i, len = strlen(charset);

	if (len == 0 || len > CHARSET_MAX_NAME_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = charset[i];

		/* no "//TRANSLIT" style suffixes or paths reach iconv */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == ':'))
			return false;
	}
	return true;
}

int charset_to_utf8(const char *charset, const unsigned char *data,
		    size_t size, struct str *dest)
{
	char outbuf[1024];
	char *inp = (char *)data, *outp;
	size_t inleft = size, outleft;
	struct buf *tmp;
	iconv_t cd;

	if (charset_is_utf8(charset)) {
		charset_utf8_append_valid(dest, data, size);
		return 0;
	}
	if (!charset_name_is_sane(charset))
		return -1;
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -1;
	/* iconv output is validated again: some converters pass NULs (so
	   this is a buf: str_append_n() would stop at them) */
	tmp = buf_create(tmp_pool, size * 2 + 16);
	while (inleft > 0) {
		outp = outbuf;
		outleft = sizeof(outbuf);
		size_t ret = iconv(cd, &inp, &inleft, &outp, &outleft);
		(void)buf_append(tmp, outbuf, sizeof(outbuf) - outleft);
		if (ret != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		/* EILSEQ: skip one byte; EINVAL: truncated at the end */
		(void)buf_append(tmp, UTF8_REPLACEMENT, 3);
		if (errno == EINVAL) {
			break;
		}
		inp++;
		inleft--;
	}
	/* flush any shift state (ISO-2022-JP) */
	outp = outbuf;
	outleft = sizeof(outbuf);
	(void)iconv(cd, NULL, NULL, &outp, &outleft);
	(void)buf_append(tmp, outbuf, sizeof(outbuf) - outleft);
	iconv_close(cd);
	charset_utf8_append_valid(dest, tmp->data, tmp->used);
	return 0;
}
