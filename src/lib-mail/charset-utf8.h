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

/* A streaming converter to UTF-8 for one body part: state (iconv shift
   state, an incomplete multibyte sequence at the end of a chunk) is kept
   between calls, so a character split across chunks converts right. */
struct charset_translation;
/* charset NULL, UTF-8 or unknown (or an insane name): UTF-8 validation
   only; *unknown_r (may be NULL) says whether the charset was unknown. */
struct charset_translation *
charset_translation_init(const char *charset, bool *unknown_r);
/* Appends the UTF-8 text of data (with what was carried from the last
   call) to dest; invalid sequences and NULs become U+FFFD. At most a few
   bytes of an incomplete sequence are carried. */
void charset_translation_more(struct charset_translation *ct,
			      const unsigned char *data, size_t size,
			      struct str *dest);
/* End of input: a carried incomplete sequence becomes U+FFFD and iconv's
   shift state is flushed and reset, ready for new input. */
void charset_translation_finish(struct charset_translation *ct,
				struct str *dest);
void charset_translation_deinit(struct charset_translation **ct);

#endif
