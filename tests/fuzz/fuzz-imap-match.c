/* Copyright (c) dovecot-like authors. Fuzzes LIST pattern matching against a
   simple memoized reference matcher, so both crashes and wrong answers on
   client-sent patterns are caught. */
#include "fuzz-common.h"
#include "imap-match.h"

#include <strings.h>

#define REF_MAX 64

struct ref_ctx {
	const char *p, *n;
	char sep;
	signed char memo[REF_MAX + 1][REF_MAX + 1];
};

static bool ref_match(struct ref_ctx *ctx, size_t i, size_t j)
{
	bool ret;

	if (ctx->memo[i][j] >= 0)
		return ctx->memo[i][j] != 0;
	if (ctx->p[i] == '\0')
		ret = ctx->n[j] == '\0';
	else if (ctx->p[i] == '*')
		ret = ref_match(ctx, i + 1, j) ||
			(ctx->n[j] != '\0' && ref_match(ctx, i, j + 1));
	else if (ctx->p[i] == '%')
		ret = ref_match(ctx, i + 1, j) ||
			(ctx->n[j] != '\0' && ctx->n[j] != ctx->sep &&
			 ref_match(ctx, i, j + 1));
	else
		ret = ctx->n[j] != '\0' && ctx->p[i] == ctx->n[j] &&
			ref_match(ctx, i + 1, j + 1);
	ctx->memo[i][j] = ret ? 1 : 0;
	return ret;
}

/* INBOX as the first level is case-insensitive: compare it uppercased. */
static const char *ref_inbox(const char *str, char sep, char *buf)
{
	if (strncasecmp(str, "INBOX", 5) == 0 &&
	    (str[5] == '\0' || str[5] == sep)) {
		memcpy(buf, "INBOX", 5);
		strcpy(buf + 5, str + 5);
		return buf;
	}
	return str;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref_ctx ctx;
	char pbuf[REF_MAX + 1], nbuf[REF_MAX + 1];
	const uint8_t *nul;
	char *pattern, *name, sep;
	bool ret;

	fuzz_init();
	if (size < 1)
		return 0;
	/* [separator] pattern NUL name */
	sep = (char)data[0];
	data++; size--;
	nul = memchr(data, '\0', size);
	if (nul == NULL)
		return 0;
	pattern = fuzz_strndup(data, (size_t)(nul - data));
	name = fuzz_strndup(nul + 1, size - (size_t)(nul - data) - 1);

	ret = imap_match(pattern, name, sep);
	if (strlen(pattern) <= REF_MAX && strlen(name) <= REF_MAX) {
		memset(ctx.memo, -1, sizeof(ctx.memo));
		ctx.p = ref_inbox(pattern, sep, pbuf);
		ctx.n = ref_inbox(name, sep, nbuf);
		ctx.sep = sep;
		if (ref_match(&ctx, 0, 0) != ret)
			abort();
	}
	/* matching is a pure function */
	if (imap_match(pattern, name, sep) != ret)
		abort();
	/* a name always matches itself and "*" (within the length bound) */
	if (strlen(name) <= IMAP_MATCH_MAX_LEN &&
	    strchr(name, '*') == NULL && strchr(name, '%') == NULL &&
	    !imap_match(name, name, sep))
		abort();
	free(pattern);
	free(name);
	tmp_reset();
	return 0;
}
