/* Copyright (c) dovecot-like authors. str.h: growable text strings, always
   NUL-terminated for convenience but carrying their length. */
#ifndef STR_H
#define STR_H

#include "buffer.h"

struct str {
	struct buf buf;	/* buf.used excludes the NUL */
};

struct str *str_new(struct pool *pool, size_t initial_size);
struct str *t_str_new(size_t initial_size);	/* in tmp_pool */
void str_free(struct str **str);
const char *str_c(struct str *str);
size_t str_len(const struct str *str);
const unsigned char *str_data(const struct str *str);
void str_append(struct str *str, const char *cstr);
void str_append_n(struct str *str, const void *data, size_t len);
void str_append_c(struct str *str, char c);
void str_append_str(struct str *dest, const struct str *src);
void str_printfa(struct str *str, const char *fmt, ...) ATTR_FORMAT(2, 3);
void str_vprintfa(struct str *str, const char *fmt, va_list args) ATTR_FORMAT(2, 0);
void str_truncate(struct str *str, size_t len);
#define str_reset(s) str_truncate(s, 0)

#endif
