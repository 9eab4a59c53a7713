/* Copyright (c) dovecot-like authors. rfc2231-parser.c: Content-Type and
   Content-Disposition parameter lists (RFC 2045 5.1) with RFC 2231
   continuations (key*0=, key*1*=) and charset'lang'%xx values. Tolerant
   the way Dovecot is (so BODYSTRUCTURE matches it): after a syntax error
   one byte is skipped and parsing resumes; bounded in count and segment
   numbers. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "charset-utf8.h"
#include "rfc822-parser.h"

#include <strings.h>

/* More parameters than this in one header are ignored. */
#define RFC2231_MAX_PARAMS 1000
/* key*N with N above this is ignored (RFC 2231 sets no limit). */
#define RFC2231_MAX_SEGMENT 999

struct rfc2231_raw {
	const char *base;	/* lowercased key without RFC 2231 suffixes */
	const char *written;	/* the same as written */
	int idx;		/* continuation number, -1 = none */
	bool star;		/* key ended in '*': extended value */
	bool consumed;
	const char *value;
};
typedef ARRAY(struct rfc2231_raw) ARRAY_TYPE(rfc2231_raw);

/* One "; key=value" (RFC 2045 5.1). 1 = parsed, 0 = end of data, -1 =
   syntax error (the caller skips one byte and retries, so a broken
   parameter loses only itself and what it swallows). */
static int rfc2231_parse_one(struct rfc822_parser_context *ctx,
			     struct str *key, struct str *value)
{
	int ret;

	if (rfc822_skip_lwsp(ctx) <= 0)
		return 0;
	if (*ctx->data != ';')
		return -1;
	ctx->data++;
	if (rfc822_skip_lwsp(ctx) <= 0)
		return -1;
	str_reset(key);
	str_reset(value);
	if (rfc822_parse_mime_token(ctx, key) <= 0 || *ctx->data != '=')
		return -1;
	ctx->data++;
	if ((ret = rfc822_skip_lwsp(ctx)) < 0)
		return -1;
	if (ret == 0)
		return 1;	/* "key=" at the end: empty value */
	if (*ctx->data == '"')
		return rfc822_parse_quoted_string(ctx, value) < 0 ? -1 : 1;
	if (*ctx->data == ';')
		return 1;	/* "key=;" */
	if (*ctx->data == '=') {
		/* broken but common: name==?utf-8?b?...?= unquoted */
		while (ctx->data < ctx->end && *ctx->data != ';' &&
		       *ctx->data != ' ' && *ctx->data != '\t' &&
		       *ctx->data != '\r' && *ctx->data != '\n') {
			str_append_c(value, *ctx->data == '\0' ? (char)0x80 :
				     (char)*ctx->data);
			ctx->data++;
		}
		return 1;
	}
	return rfc822_parse_mime_token(ctx, value) < 0 ? -1 : 1;
}

/* Splits "name*2*" into base "name", idx 2, star. false if the suffix is
   malformed (leading zeros, too large). */
static bool rfc2231_split_key(const char *key, struct rfc2231_raw *raw)
{
	size_t len = strlen(key), i;
	const char *p;
	unsigned int idx = 0;

	raw->idx = -1;
	raw->star = len > 1 && key[len - 1] == '*';
	if (raw->star)
		len--;
	p = memrchr(key, '*', len);
	if (p == NULL || p == key) {
		raw->base = tmp_strndup(key, len);
		return true;
	}
	i = (size_t)(p - key) + 1;
	if (i == len)
		return false;
	if (key[i] == '0' && i + 1 < len)
		return false;
	for (; i < len; i++) {
		if (key[i] < '0' || key[i] > '9')
			return false;
		idx = idx * 10 + (unsigned int)(key[i] - '0');
		if (idx > RFC2231_MAX_SEGMENT)
			return false;
	}
	raw->idx = (int)idx;
	raw->base = tmp_strndup(key, (size_t)(p - key));
	return true;
}

static void rfc2231_parse_raw(struct rfc822_parser_context *ctx,
			      ARRAY_TYPE(rfc2231_raw) *raws)
{
	struct str *key = t_str_new(64), *value = t_str_new(256);
	struct rfc2231_raw raw;
	const char *written;
	int ret;

	while (array_count(raws) < RFC2231_MAX_PARAMS &&
	       (ret = rfc2231_parse_one(ctx, key, value)) != 0) {
		if (ret < 0) {
			if (ctx->data >= ctx->end)
				break;
			ctx->data++;
			continue;
		}
		memset(&raw, 0, sizeof(raw));
		written = tmp_strdup(str_c(key));
		if (!rfc2231_split_key(written, &raw))
			continue;
		raw.written = raw.base;
		raw.base = tmp_str_lcase(raw.base);
		raw.value = tmp_strdup(str_c(value));
		array_append(raws, &raw);
	}
}

/* Fills charset and language of an extended param from its
   "charset'lang'%xx" value; the text is converted only when asked for
   (rfc822_param_get_decoded), so parsing opens no charset converter. */
static void rfc2231_split(struct pool *pool, struct rfc822_param *param)
{
	const char *v = param->value, *q1, *q2;

	q1 = strchr(v, '\'');
	q2 = q1 == NULL ? NULL : strchr(q1 + 1, '\'');
	if (q2 == NULL) {
		/* no charset'lang' prefix: keep the text as is */
		param->extended = false;
		return;
	}
	param->charset = p_strndup(pool, v, (size_t)(q1 - v));
	param->language = p_strndup(pool, q1 + 1, (size_t)(q2 - q1 - 1));
}

const char *rfc822_param_get_decoded(struct pool *pool,
				     const struct rfc822_param *param)
{
	const char *q, *p, *charset;
	struct buf *raw;
	struct str *utf8;
	int hi, lo;

	if (!param->extended)
		return NULL;
	/* after "charset'lang'"; rfc2231_split() made sure both are there */
	q = strchr(param->value, '\'');
	q = strchr(q + 1, '\'');
	raw = buf_create(tmp_pool, strlen(q));
	for (p = q + 1; *p != '\0'; p++) {
		if (*p == '%' && (hi = hex_digit_value((unsigned char)p[1])) >= 0 &&
		    (lo = hex_digit_value((unsigned char)p[2])) >= 0) {
			(void)buf_append_c(raw, (unsigned char)(hi * 16 + lo));
			p += 2;
		} else {
			(void)buf_append_c(raw, (unsigned char)*p);
		}
	}
	utf8 = t_str_new(raw->used + 16);
	charset = *param->charset == '\0' ? "us-ascii" : param->charset;
	if (charset_to_utf8(charset, raw->data, raw->used, utf8) < 0)
		return NULL;
	return p_strdup(pool, str_c(utf8));
}

/* RFC 2231 4.1: a plain segment inside an extended value is %-encoded so
   the joined value stays one valid extended value. */
static void rfc2231_append_encoded(struct str *dest, const char *value)
{
	for (; *value != '\0'; value++) {
		unsigned char c = (unsigned char)*value;

		if (c <= 0x20 || c >= 0x7f || strchr("*'%()<>@,;:\\\"/[]?=", c) != NULL)
			str_printfa(dest, "%%%02X", c);
		else
			str_append_c(dest, (char)c);
	}
}

/* Joins all key*N segments with raws[first]'s base, marking them used. */
static bool rfc2231_join(ARRAY_TYPE(rfc2231_raw) *raws, unsigned int first,
			 const struct rfc2231_raw **segs, struct str *value,
			 bool *extended_r)
{
	unsigned int i, count;
	struct rfc2231_raw *r = array_get_modifiable(raws, &count);
	const char *base = r[first].base;
	int max = -1, n;

	memset(segs, 0, sizeof(*segs) * (RFC2231_MAX_SEGMENT + 1));
	for (i = first; i < count; i++) {
		if (r[i].consumed || r[i].idx < 0 || strcmp(r[i].base, base) != 0)
			continue;
		r[i].consumed = true;
		if (segs[r[i].idx] == NULL)
			segs[r[i].idx] = &r[i];
		max = MAX(max, r[i].idx);
	}
	if (segs[0] == NULL)
		return false;
	*extended_r = segs[0]->star;
	for (n = 0; n <= max && segs[n] != NULL; n++) {
		if (!*extended_r || segs[n]->star)
			str_append(value, segs[n]->value);
		else
			rfc2231_append_encoded(value, segs[n]->value);
	}
	return true;
}

unsigned int rfc2231_parse(struct rfc822_parser_context *ctx, struct pool *pool,
			   ARRAY_TYPE(rfc822_param) *params)
{
	ARRAY_TYPE(rfc2231_raw) raws;
	struct rfc2231_raw *r;
	struct rfc822_param param;
	struct str *value = t_str_new(256);
	const struct rfc2231_raw **segs = NULL;
	unsigned int i, pass, count, added = 0;
	bool extended;

	array_init(&raws, tmp_pool, 8);
	rfc2231_parse_raw(ctx, &raws);
	r = array_get_modifiable(&raws, &count);
	/* plain parameters first, then the joined continuations in the
	   order of their first segment: the order Dovecot's BODYSTRUCTURE
	   has */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < count; i++) {
			if (r[i].consumed || (r[i].idx < 0) != (pass == 0))
				continue;
			memset(&param, 0, sizeof(param));
			param.key = p_strdup(pool, r[i].base);
			param.key_written = p_strdup(pool, r[i].written);
			if (r[i].idx < 0) {
				param.value = p_strdup(pool, r[i].value);
				extended = r[i].star;
			} else {
				str_reset(value);
				if (segs == NULL) {
					segs = t_new(const struct rfc2231_raw *,
						     RFC2231_MAX_SEGMENT + 1);
				}
				if (!rfc2231_join(&raws, i, segs, value,
						  &extended))
					continue;
				param.value = p_strdup(pool, str_c(value));
			}
			param.extended = extended;
			if (extended)
				rfc2231_split(pool, &param);
			array_append(params, &param);
			added++;
		}
	}
	return added;
}

const char *rfc822_params_get(const ARRAY_TYPE(rfc822_param) *params,
			      const char *key)
{
	const struct rfc822_param *param;
	const char *decoded;

	array_foreach(params, param) {
		if (strcasecmp(param->key, key) != 0)
			continue;
		/* extended values: the UTF-8 text when the charset is known */
		if (param->extended &&
		    (decoded = rfc822_param_get_decoded(tmp_pool, param)) != NULL)
			return decoded;
		return param->value;
	}
	return NULL;
}
