/* Copyright (c) dovecot-like authors. base64.h: RFC 4648 base64. */
#ifndef BASE64_H
#define BASE64_H

#include "buffer.h"

#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4)
void base64_encode(const void *src, size_t src_len, struct buf *dest);
/* Strict: rejects characters outside the alphabet, bad padding and data after
   padding. Returns 0, or -1 (dest may hold partial data). */
/* 0..63 for a base64 alphabet byte, -1 for anything else ('=' too). */
int base64_char_value(unsigned char c);
int base64_decode(const void *src, size_t src_len, struct buf *dest);

#endif
