/* Copyright (c) dovecot-like authors. message-header-decode.c: RFC 2047
   decoding. Lenient where senders commonly break the rules (long words,
   missing base64 padding, words inside quoted text), strict where it
   matters for safety (bounded charset names, no whitespace inside a
   word). */
#include "lib.h"
#include "buffer.h"
#include "base64.h"
#include "strfuncs.h"
#include "charset-utf8.h"
#include "message-header-decode.h"

#include <strings.h>

#define ENCODED_WORD_MAX_CHARSET_LEN 64

struct encoded_word {
	char charset[ENCODED_WORD_MAX_CHARSET_LEN + 1];
	const unsigned char *start, *end;	/* "=?" .. after "?=" */
};

struct header_decoder {
	struct str *dest;
	struct buf *pending;		/* decoded bytes not yet converted */
	char pending_charset[ENCODED_WORD_MAX_CHARSET_LEN + 1];
	const unsigned char *pending_start, *pending_end; /* original text */
};

/* RFC 2047 4.2 Q encoding; a bad "=XY" is kept literally. */
static void decode_q(const unsigned char *p, size_t len, struct buf *dest)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (p[i] == '_')
			(void)buf_append_c(dest, ' ');
		else if (p[i] == '=' && i + 2 < len &&
			 (hi = hex_digit_value(p[i + 1])) >= 0 &&
			 (lo = hex_digit_value(p[i + 2])) >= 0) {
			(void)buf_append_c(dest, (unsigned char)(hi * 16 + lo));
			i += 2;
		} else
			(void)buf_append_c(dest, p[i]);
	}
}

/* Where the next "?=" and the next whitespace are, remembered across
   words: the scan positions only grow, so hostile input such as many
   "=?a?Q?x" without a closing "?=" stays linear. */
struct decode_memo {
	const unsigned char *close, *space;
};

static const unsigned char *
memo_find_close(struct decode_memo *memo, const unsigned char *from,
		const unsigned char *end)
{
	const unsigned char *q;

	if (memo->close != NULL && memo->close >= from)
		return memo->close;
	for (q = from; q + 1 < end; q++) {
		if (q[0] == '?' && q[1] == '=')
			break;
	}
	memo->close = q + 1 < end ? q : end;
	return memo->close;
}

static const unsigned char *
memo_find_space(struct decode_memo *memo, const unsigned char *from,
		const unsigned char *end)
{
	const unsigned char *q;

	if (memo->space != NULL && memo->space >= from)
		return memo->space;
	for (q = from; q < end; q++) {
		if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			break;
	}
	memo->space = q;
	return q;
}

/* Parses "=?charset[*lang]?E?text?=" at p (which is at "=?"); on success
   appends the decoded bytes to out. */
static bool encoded_word_parse(const unsigned char *p, const unsigned char *end,
			       struct decode_memo *memo,
			       struct encoded_word *word, struct buf *out)
{
	const unsigned char *cs, *text, *q, *star;
	size_t cs_len;
	unsigned char enc;

	word->start = p;
	cs = p + 2;
	for (q = cs; q < end && *q != '?'; q++) {
		if (*q <= ' ' || *q >= 0x7f ||
		    q - cs > ENCODED_WORD_MAX_CHARSET_LEN * 2)
			return false;
	}
	if (q == end || q == cs || q + 3 >= end || q[2] != '?')
		return false;
	cs_len = (size_t)(q - cs);
	/* RFC 2231 5: charset*language */
	star = memchr(cs, '*', cs_len);
	if (star != NULL)
		cs_len = (size_t)(star - cs);
	if (cs_len == 0 || cs_len > ENCODED_WORD_MAX_CHARSET_LEN)
		return false;
	memcpy(word->charset, cs, cs_len);
	word->charset[cs_len] = '\0';
	enc = q[1];
	text = q + 3;
	q = memo_find_close(memo, text, end);
	if (q == end || memo_find_space(memo, text, end) < q)
		return false;
	word->end = q + 2;
	if (enc == 'B' || enc == 'b')
		return base64_decode_lenient(text, (size_t)(q - text), out) == 0;
	if (enc == 'Q' || enc == 'q') {
		decode_q(text, (size_t)(q - text), out);
		return true;
	}
	return false;
}

static void decoder_flush(struct header_decoder *dec)
{
	if (dec->pending_start == NULL)
		return;
	if (charset_to_utf8(dec->pending_charset, dec->pending->data,
			    dec->pending->used, dec->dest) < 0) {
		/* unknown charset: keep the words as written */
		charset_utf8_append_valid(dec->dest, dec->pending_start,
					  (size_t)(dec->pending_end -
						   dec->pending_start));
	}
	buf_reset(dec->pending);
	dec->pending_start = NULL;
}

static bool is_all_lwsp(const unsigned char *p, const unsigned char *end)
{
	for (; p < end; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return false;
	}
	return true;
}

void message_header_decode_utf8(const unsigned char *data, size_t size,
				struct str *dest)
{
	const unsigned char *end = data + size, *pos = data, *p;
	struct header_decoder dec;
	struct encoded_word word;
	struct decode_memo memo;
	/* created on the first "=?": a plain header (the common case, e.g. a
	   SEARCH over every message) allocates nothing from tmp_pool */
	struct buf *decoded = NULL;

	memset(&dec, 0, sizeof(dec));
	memset(&memo, 0, sizeof(memo));
	dec.dest = dest;
	for (p = data; p + 1 < end; p++) {
		if (p[0] != '=' || p[1] != '?')
			continue;
		if (decoded == NULL) {
			decoded = buf_create(tmp_pool, 128);
			dec.pending = buf_create(tmp_pool, 128);
		}
		buf_reset(decoded);
		if (!encoded_word_parse(p, end, &memo, &word, decoded))
			continue;
		if (dec.pending_start == NULL || !is_all_lwsp(pos, p)) {
			decoder_flush(&dec);
			charset_utf8_append_valid(dest, pos, (size_t)(p - pos));
		}
		if (dec.pending_start != NULL &&
		    strcasecmp(dec.pending_charset, word.charset) != 0)
			decoder_flush(&dec);
		if (dec.pending_start == NULL) {
			dec.pending_start = word.start;
			memcpy(dec.pending_charset, word.charset,
			       sizeof(word.charset));
		}
		(void)buf_append(dec.pending, decoded->data, decoded->used);
		dec.pending_end = word.end;
		pos = word.end;
		p = word.end - 1;
	}
	decoder_flush(&dec);
	charset_utf8_append_valid(dest, pos, (size_t)(end - pos));
}
