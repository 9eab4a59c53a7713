/* Copyright (c) dovecot-like authors. utf8.h: UTF-8 sequence validation
   and encoding. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the valid UTF-8 sequence at data[0..size) and its
   code point in *cp_r; 0 if it is invalid or truncated (overlong forms,
   surrogates and values over U+10FFFF are invalid). size > 0. */
unsigned int utf8_get_char_n(const unsigned char *data, size_t size,
			     uint32_t *cp_r);
/* The 1-4 byte UTF-8 encoding of cp (<= U+10FFFF, not a surrogate) into
   out; returns its length. */
unsigned int utf8_encode_char(uint32_t cp, unsigned char out[4]);

#endif
