/* Copyright (c) dovecot-like authors. unicode-casefold.h: mapping UTF-8
   text to the form that the i;unicode-casemap collation (RFC 5051, used by
   SEARCH and SORT as Dovecot does) compares octet by octet: every code
   point becomes its simple titlecase mapping, fully decomposed (canonical
   and compatibility decompositions), so "Å", "å" and "A" + U+030A map
   alike and "é" contains "E". Invalid sequences and NULs become U+FFFD. */
#ifndef UNICODE_CASEFOLD_H
#define UNICODE_CASEFOLD_H

#include "str.h"

/* Streaming state: an incomplete UTF-8 sequence at the end of one call is
   carried to the next. */
struct unicode_casefold {
	unsigned char carry[4];
	size_t carry_len;
};

void unicode_casefold_init(struct unicode_casefold *cf);
/* Appends the folded form of data to dest. */
void unicode_casefold_more(struct unicode_casefold *cf,
			   const unsigned char *data, size_t size,
			   struct str *dest);
/* A carried incomplete sequence becomes U+FFFD; cf is ready for reuse. */
void unicode_casefold_finish(struct unicode_casefold *cf, struct str *dest);

/* Folds a complete string: appended to dest. */
void unicode_casefold_append(struct str *dest, const unsigned char *data,
			     size_t size);
/* The folded form of a NUL-terminated string, allocated from pool. */
const char *unicode_casefold_str(struct pool *pool, const char *str);
/* Appends the mapped form of one code point (one or more code points). */
void unicode_casefold_char_append(struct str *dest, uint32_t cp);

#endif
