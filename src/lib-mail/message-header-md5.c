/* Copyright (c) dovecot-like authors. message-header-md5.c: header MD5 for
   POP3 UIDLs (%m), kept apart so mbox can reuse it when it arrives. */
#include "lib.h"
#include "message-header-md5.h"

#include <strings.h>
#include <openssl/evp.h>

struct header_md5_ctx {
	EVP_MD_CTX *md;
	bool seen_received;
	bool in_received;	/* continuation lines belong to the first Received */
};

static void header_md5_line(struct header_md5_ctx *ctx, const char *name,
			    size_t name_len, const unsigned char *value,
			    size_t value_len, bool continued)
{
#define NAME_IS(str) (name_len == sizeof(str) - 1 && \
		      strncasecmp(name, str, name_len) == 0)
	if (NAME_IS("Date")) {
		/* Received holds a more trusted date */
		if (!ctx->seen_received)
			EVP_DigestUpdate(ctx->md, value, value_len);
	} else if (NAME_IS("Delivered-To") || NAME_IS("Message-ID") ||
		   NAME_IS("X-Delivery-ID")) {
		EVP_DigestUpdate(ctx->md, value, value_len);
	} else if (NAME_IS("Received")) {
		if (!ctx->seen_received &&
		    (!continued || ctx->in_received)) {
			EVP_DigestUpdate(ctx->md, value, value_len);
			ctx->in_received = true;
		}
	}
#undef NAME_IS
}

size_t message_header_size(const unsigned char *data, size_t len)
{
	size_t pos = 0;
	const unsigned char *lf;

	while (pos < len) {
		lf = memchr(data + pos, '\n', len - pos);
		if (lf == NULL)
			return len;
		if (lf == data + pos ||
		    (lf == data + pos + 1 && data[pos] == '\r'))
			return (size_t)(lf - data) + 1;
		pos = (size_t)(lf - data) + 1;
	}
	return len;
}

void message_header_md5(const unsigned char *data, size_t len,
			unsigned char md5_r[MESSAGE_HEADER_MD5_LEN])
{
	struct header_md5_ctx ctx;
	const char *name = "";
	size_t name_len = 0, pos = 0, line_len, end, i;
	const unsigned char *lf, *line;
	unsigned int md_len;
	bool continued;

	memset(&ctx, 0, sizeof(ctx));
	ctx.md = EVP_MD_CTX_new();
	if (ctx.md == NULL || EVP_DigestInit_ex(ctx.md, EVP_md5(), NULL) != 1)
		panic("EVP_DigestInit_ex(md5) failed");

	while (pos < len) {
		line = data + pos;
		lf = memchr(line, '\n', len - pos);
		end = lf == NULL ? len - pos : (size_t)(lf - line);
		pos += end + (lf == NULL ? 0 : 1);
		line_len = end;
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (line_len == 0)
			break;	/* end of header */

		continued = line[0] == ' ' || line[0] == '\t';
		if (continued) {
			if (name_len > 0)
				header_md5_line(&ctx, name, name_len, line,
						line_len, true);
			continue;
		}
		if (ctx.in_received) {
			/* the first Received header ended */
			ctx.in_received = false;
			ctx.seen_received = true;
		}
		for (i = 0; i < line_len && line[i] != ':'; i++) ;
		if (i == line_len) {
			name_len = 0;	/* not a header line: ignore */
			continue;
		}
		name = (const char *)line;
		name_len = i;
		while (name_len > 0 && (name[name_len - 1] == ' ' ||
					name[name_len - 1] == '\t'))
			name_len--;
		/* like Dovecot's parser without SKIP_INITIAL_LWSP: only one
		   white space char after the colon belongs to the separator */
		i++;
		if (i < line_len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		header_md5_line(&ctx, name, name_len, line + i, line_len - i,
				false);
	}
	if (EVP_DigestFinal_ex(ctx.md, md5_r, &md_len) != 1 ||
	    md_len != MESSAGE_HEADER_MD5_LEN)
		panic("EVP_DigestFinal_ex(md5) failed");
	EVP_MD_CTX_free(ctx.md);
}
