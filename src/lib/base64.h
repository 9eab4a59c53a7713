/* Copyright (c) dovecot-like authors. base64.h: RFC 4648 base64. */
#ifndef BASE64_H
#define BASE64_H

#include "buffer.h"

#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4)
void base64_encode(const void *src, size_t src_len, struct buf *dest);
/* Strict: rejects characters outside the alphabet, bad padding and data after
   padding. Returns 0, or -1 (dest may hold partial data). */
int base64_decode(const void *src, size_t src_len, struct buf *dest);
/* Lenient, for what mail senders write (RFC 2047 encoded words): decoding
   stops at the first '=' (missing or partial padding is fine, leftover
   bits are dropped); any other byte outside the alphabet gives -1 with the
   bytes before it decoded into dest. 0 otherwise. */
int base64_decode_lenient(const void *src, size_t src_len, struct buf *dest);
/* 0..63 for a base64 alphabet byte, -1 for anything else ('=' too). */
int base64_char_value(unsigned char c);

#endif
