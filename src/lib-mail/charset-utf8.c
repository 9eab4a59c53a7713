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

/* Longest multibyte sequence carried between chunks (UTF-8 needs 3,
   iconv's stateful encodings a few more). */
#define CHARSET_CARRY_MAX 16
/* iconv input and output are handled in pieces of this size. */
#define CHARSET_BLOCK 1024

struct charset_translation {
	iconv_t cd;		/* (iconv_t)-1: UTF-8 validation only */
	unsigned char carry[CHARSET_CARRY_MAX];
	size_t carry_len;
	/* iconv output waiting for validation; reused */
	struct buf *out;
};

struct charset_translation *
charset_translation_init(const char *charset, bool *unknown_r)
{
	struct charset_translation *ct;
	bool unknown = false;

	ct = pool_new(system_pool, struct charset_translation, 1);
	ct->cd = (iconv_t)-1;
	if (charset != NULL && !charset_is_utf8(charset)) {
		if (charset_name_is_sane(charset))
			ct->cd = iconv_open("UTF-8", charset);
		unknown = ct->cd == (iconv_t)-1;
	}
	ct->out = buf_create(system_pool, CHARSET_BLOCK * 4);
	if (unknown_r != NULL)
		*unknown_r = unknown;
	return ct;
}

/* Length of an incomplete (but so far valid-looking) UTF-8 sequence at
   the end of data, to be carried to the next call; 0 if none. */
static size_t utf8_incomplete_tail(const unsigned char *data, size_t size)
{
	size_t i, need;

	for (i = 1; i <= 3 && i <= size; i++) {
		unsigned char c = data[size - i];

		if ((c & 0xc0) == 0x80)
			continue;	/* continuation: look further back */
		if ((c & 0xe0) == 0xc0)
			need = 2;
		else if ((c & 0xf0) == 0xe0)
			need = 3;
		else if ((c & 0xf8) == 0xf0)
			need = 4;
		else
			return 0;
		return need > i ? i : 0;
	}
	return 0;
}

/* UTF-8 input: validate all but an incomplete tail, which is carried. */
static void charset_utf8_more(struct charset_translation *ct,
			      const unsigned char *data, size_t size,
			      struct str *dest)
{
	size_t n, tail;

	/* complete the carried sequence one byte at a time; what can't
	   be part of it any more is output (the same as if the input had
	   come in one piece: a valid sequence never contains a lead byte) */
	while (ct->carry_len > 0 && size > 0) {
		ct->carry[ct->carry_len++] = *data++;
		size--;
		tail = utf8_incomplete_tail(ct->carry, ct->carry_len);
		if (tail == ct->carry_len)
			continue;
		charset_utf8_append_valid(dest, ct->carry,
					  ct->carry_len - tail);
		memmove(ct->carry, ct->carry + ct->carry_len - tail, tail);
		ct->carry_len = tail;
	}
	tail = utf8_incomplete_tail(data, size);
	n = size - tail;
	charset_utf8_append_valid(dest, data, n);
	memcpy(ct->carry + ct->carry_len, data + n, tail);
	ct->carry_len += tail;
}

/* Runs iconv over in, appending output to ct->out. Returns the number of
   input bytes left unconverted because they are an incomplete sequence at
   the end (EINVAL). */
static size_t charset_iconv_run(struct charset_translation *ct,
				const unsigned char *in, size_t size)
{
	char outbuf[CHARSET_BLOCK];
	char *inp = (char *)in, *outp;
	size_t inleft = size, outleft, ret;

	while (inleft > 0) {
		outp = outbuf;
		outleft = sizeof(outbuf);
		ret = iconv(ct->cd, &inp, &inleft, &outp, &outleft);
		(void)buf_append(ct->out, outbuf, sizeof(outbuf) - outleft);
		if (ret != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && inleft < CHARSET_CARRY_MAX)
			return inleft;
		/* EILSEQ (or a too long EINVAL): skip one byte */
		(void)buf_append(ct->out, UTF8_REPLACEMENT, 3);
		inp++;
		inleft--;
	}
	return 0;
}

/* Converts ct->out (validated) into dest and empties it. */
static void charset_out_flush(struct charset_translation *ct,
			      struct str *dest)
{
	charset_utf8_append_valid(dest, ct->out->data, ct->out->used);
	buf_reset(ct->out);
}

void charset_translation_more(struct charset_translation *ct,
			      const unsigned char *data, size_t size,
			      struct str *dest)
{
	unsigned char tmp[CHARSET_CARRY_MAX * 2];
	size_t n, left;

	if (ct->cd == (iconv_t)-1) {
		charset_utf8_more(ct, data, size, dest);
		return;
	}
	/* the carried bytes first, with enough new ones to complete them */
	if (ct->carry_len > 0) {
		n = MIN(size, sizeof(tmp) - ct->carry_len);
		memcpy(tmp, ct->carry, ct->carry_len);
		memcpy(tmp + ct->carry_len, data, n);
		left = charset_iconv_run(ct, tmp, ct->carry_len + n);
		if (left > n) {
			/* still incomplete: everything is carried */
			memcpy(ct->carry, tmp + ct->carry_len + n - left, left);
			ct->carry_len = left;
			charset_out_flush(ct, dest);
			return;
		}
		data += n - left;
		size -= n - left;
		ct->carry_len = 0;
		charset_out_flush(ct, dest);
	}
	while (size > 0) {
		n = MIN(size, CHARSET_BLOCK);
		left = charset_iconv_run(ct, data, n);
		if (left > 0 && n < size) {
			/* incomplete at the piece's end: redo it with the
			   next piece */
			n -= left;
			left = 0;
		}
		memcpy(ct->carry, data + n - left, left);
		ct->carry_len = left;
		data += n;
		size -= n;
		charset_out_flush(ct, dest);
	}
}

void charset_translation_finish(struct charset_translation *ct,
				struct str *dest)
{
	char outbuf[CHARSET_BLOCK];
	char *outp = outbuf;
	size_t outleft = sizeof(outbuf);

	if (ct->carry_len > 0) {
		str_append(dest, UTF8_REPLACEMENT);
		ct->carry_len = 0;
	}
	if (ct->cd == (iconv_t)-1)
		return;
	(void)iconv(ct->cd, NULL, NULL, &outp, &outleft);
	(void)buf_append(ct->out, outbuf, sizeof(outbuf) - outleft);
	charset_out_flush(ct, dest);
}

void charset_translation_deinit(struct charset_translation **_ct)
{
	struct charset_translation *ct = *_ct;

	if (ct == NULL)
		return;
	*_ct = NULL;
	if (ct->cd != (iconv_t)-1)
		iconv_close(ct->cd);
	buf_free(&ct->out);
	p_free(system_pool, ct);
}
