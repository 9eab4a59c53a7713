/* Copyright (c) dovecot-like authors. Writing strings into IMAP replies in
   the cheapest form the grammar allows (RFC 3501 4.3, 9), so no reply can be
   broken by a value the client or a mailbox supplied. */

#include "lib.h"
#include "str.h"
#include "imap-quote.h"

#include <strings.h>

/* A quoted string is 7-bit TEXT-CHAR without CR/LF/NUL (RFC 3501 9); long
   values go as literals too so a reply line stays readable. */
#define IMAP_QUOTE_MAX_QUOTED_LEN 1024

static bool imap_quote_can_quote(const char *src, size_t len)
{
	size_t i;

	if (len > IMAP_QUOTE_MAX_QUOTED_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\0' || c == '\r' || c == '\n' || c >= 0x80)
			return false;
	}
	return true;
}

void imap_append_literal(struct str *dest, const void *data, size_t len)
{
	str_printfa(dest, "{%zu}\r\n", len);
	/* by length: str_append_n() would stop at a NUL */
	(void)buf_append(&dest->buf, data, len);
}

void imap_append_string_n(struct str *dest, const char *src, size_t len)
{
	if (!imap_quote_can_quote(src, len)) {
		imap_append_literal(dest, src, len);
		return;
	}
	imap_append_quoted(dest, src, len);
}

void imap_append_string(struct str *dest, const char *src)
{
	if (src == NULL) {
		str_append(dest, "NIL");
		return;
	}
	imap_append_string_n(dest, src, strlen(src));
}

void imap_append_nstring(struct str *dest, const char *src)
{
	imap_append_string(dest, src);
}

/* ASTRING-CHAR = ATOM-CHAR / "]" (RFC 3501 9) */
static bool imap_quote_is_astring_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("(){%*\"\\", c) == NULL;
}

void imap_append_astring(struct str *dest, const char *src)
{
	size_t i, len;

	if (src == NULL) {
		/* an astring cannot be NIL; an empty string is the closest */
		str_append(dest, "\"\"");
		return;
	}
	len = strlen(src);
	/* "NIL" as a bare atom would read as nil in nstring contexts */
	if (len == 0 || strcasecmp(src, "NIL") == 0) {
		imap_append_string_n(dest, src, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (!imap_quote_is_astring_char((unsigned char)src[i])) {
			imap_append_string_n(dest, src, len);
			return;
		}
	}
	str_append_n(dest, src, len);
}

void imap_append_quoted(struct str *dest, const char *src, size_t len)
{
	size_t i;

	str_append_c(dest, '"');
	for (i = 0; i < len; i++) {
		if (src[i] == '"' || src[i] == '\\')
			str_append_c(dest, '\\');
		str_append_c(dest, src[i]);
	}
	str_append_c(dest, '"');
}
