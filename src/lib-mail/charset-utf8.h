/* Copyright (c) dovecot-like authors. charset-utf8.h: converting header
   and body text in any charset iconv knows to valid UTF-8, for RFC 2047
   encoded words, RFC 2231 parameters and SEARCH. */
#ifndef CHARSET_UTF8_H
#define CHARSET_UTF8_H

#include "str.h"

/* Charset names longer than this are treated as unknown. */
#define CHARSET_MAX_NAME_LEN 64

/* True for "utf-8"/"utf8"/"us-ascii"/"ascii" (case-insensitive). */
bool charset_is_utf8(const char *charset);
/* Converts data from charset to UTF-8, appended to dest. Invalid or
   incomplete sequences become U+FFFD, NULs become U+FFFD too. Returns 0,
   or -1 if the charset is unknown (nothing appended). Never blocks. */
int charset_to_utf8(const char *charset, const unsigned char *data,
		    size_t size, struct str *dest);
/* Appends data with every invalid UTF-8 sequence (and NUL) replaced by
   U+FFFD. */
void charset_utf8_append_valid(struct str *dest, const unsigned char *data,
			       size_t size);

#endif
