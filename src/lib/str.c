/* Copyright (c) dovecot-like authors. Text strings over struct buf: lengths
   are explicit, the trailing NUL is only a convenience for C APIs. */
#include "lib.h"
#include "str.h"

#include <stdio.h>

static void str_terminate(struct str *str)
{
	buf_reserve(&str->buf, str->buf.used + 1);
	str->buf.data[str->buf.used] = '\0';
}

struct str *str_new(struct pool *pool, size_t initial_size)
{
	struct str *str = pool_new(pool, struct str, 1);

	str->buf.pool = pool;
	str->buf.size = initial_size < 16 ? 16 : initial_size + 1;
	str->buf.data = p_malloc(pool, str->buf.size);
	return str;
}

struct str *t_str_new(size_t initial_size)
{
	return str_new(tmp_pool, initial_size);
}

void str_free(struct str **_str)
{
	struct str *str = *_str;

	if (str == NULL)
		return;
	*_str = NULL;
	p_free(str->buf.pool, str->buf.data);
	p_free(str->buf.pool, str);
}

const char *str_c(struct str *str)
{
	str_terminate(str);
	return (const char *)str->buf.data;
}

size_t str_len(const struct str *str)
{
	return str->buf.used;
}

const unsigned char *str_data(const struct str *str)
{
	return str->buf.data;
}

void str_append_n(struct str *str, const void *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);

	/* like strncat: stop at a NUL so str_c() stays the whole string */
	if (nul != NULL)
		len = (size_t)(nul - (const char *)data);
	(void)buf_append(&str->buf, data, len);
	str_terminate(str);
}

void str_append(struct str *str, const char *cstr)
{
	(void)buf_append(&str->buf, cstr, strlen(cstr));
	str_terminate(str);
}

void str_append_c(struct str *str, char c)
{
	(void)buf_append_c(&str->buf, (unsigned char)c);
	str_terminate(str);
}

void str_append_str(struct str *dest, const struct str *src)
{
	(void)buf_append(&dest->buf, src->buf.data, src->buf.used);
	str_terminate(dest);
}

void str_vprintfa(struct str *str, const char *fmt, va_list args)
{
	int saved_errno = errno;
	size_t avail;
	va_list args2;
	int len;

	va_copy(args2, args);
	buf_reserve(&str->buf, str->buf.used + 128);
	avail = str->buf.size - str->buf.used;
	len = vsnprintf((char *)str->buf.data + str->buf.used, avail, fmt, args);
	if (len < 0) {
		va_end(args2);
		str_terminate(str);
		return;
	}
	if ((size_t)len >= avail) {
		buf_reserve(&str->buf, str->buf.used + (size_t)len + 1);
		errno = saved_errno;	/* for %m */
		(void)vsnprintf((char *)str->buf.data + str->buf.used,
				(size_t)len + 1, fmt, args2);
	}
	va_end(args2);
	if (str->buf.max_size != 0 &&
	    str->buf.used + (size_t)len > str->buf.max_size)
		len = (int)(str->buf.max_size - str->buf.used);
	str->buf.used += (size_t)len;
	str_terminate(str);
	errno = saved_errno;
}

void str_printfa(struct str *str, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	str_vprintfa(str, fmt, args);
	va_end(args);
}

void str_truncate(struct str *str, size_t len)
{
	buf_truncate(&str->buf, len);
	str_terminate(str);
}
