/* Copyright (c) dovecot-like authors. message-header-decode.h: RFC 2047
   encoded-words ("=?charset?B?...?=" / "?Q?") in header values to UTF-8,
   for display names, subjects and SEARCH. */
#ifndef MESSAGE_HEADER_DECODE_H
#define MESSAGE_HEADER_DECODE_H

#include "str.h"

/* Appends data to dest as valid UTF-8 with every well-formed encoded word
   decoded. Whitespace between adjacent encoded words is dropped (RFC 2047
   6.2) and adjacent words in the same charset are joined before conversion
   (so a character split between two words survives). Malformed words and
   words in unknown charsets are kept as written; invalid UTF-8 becomes
   U+FFFD. Linear in size. */
void message_header_decode_utf8(const unsigned char *data, size_t size,
				struct str *dest);

#endif
