/* Copyright (c) dovecot-like authors. imap-utf7.h: modified UTF-7 mailbox
   names (RFC 3501 5.1.3) <-> UTF-8. */
#ifndef IMAP_UTF7_H
#define IMAP_UTF7_H

#include "str.h"

/* Appends the mUTF-7 form of the UTF-8 name src to dest. Returns 0, or -1 if
   src is not valid UTF-8 (dest may hold partial output). Never blocks. */
int imap_utf8_to_utf7(const char *src, struct str *dest);
/* Appends the UTF-8 form of the mUTF-7 name src to dest. Returns 0, or -1 if
   src is not valid modified UTF-7: raw 8-bit or control bytes, an
   unterminated or malformed "&...-" section, one that encodes printable
   ASCII or U+0000, non-zero padding bits or broken UTF-16 surrogates. */
int imap_utf7_to_utf8(const char *src, struct str *dest);
/* TRUE if src is valid modified UTF-7. */
bool imap_utf7_is_valid(const char *src);

#endif
