/* Copyright (c) dovecot-like authors. Growable byte buffers: every length is
   explicit and an optional max size bounds what input can make us allocate. */
#include "lib.h"
#include "buffer.h"

struct buf *buf_create(struct pool *pool, size_t initial_size)
{
	struct buf *buf = pool_new(pool, struct buf, 1);

	buf->pool = pool;
	buf->size = initial_size < 16 ? 16 : initial_size;
	buf->data = p_malloc(pool, buf->size);
	return buf;
}

void buf_free(struct buf **_buf)
{
	struct buf *buf = *_buf;

	if (buf == NULL)
		return;
	*_buf = NULL;
	p_free(buf->pool, buf->data);
	p_free(buf->pool, buf);
}

void buf_set_max_size(struct buf *buf, size_t max_size)
{
	buf->max_size = max_size;
}

void buf_reserve(struct buf *buf, size_t size)
{
	size_t new_size;

	if (size <= buf->size)
		return;
	new_size = buf->size < 16 ? 16 : buf->size;
	while (new_size < size) {
		if (new_size > SIZE_MAX / 2) {
			new_size = size;
			break;
		}
		new_size *= 2;
	}
	buf->data = p_realloc(buf->pool, buf->data, buf->size, new_size);
	buf->size = new_size;
}

/* Can the buffer hold end bytes of data without passing max_size? */
static bool buf_fits(const struct buf *buf, size_t pos, size_t len)
{
	if (len > SIZE_MAX - pos)
		return false;
	return buf->max_size == 0 || pos + len <= buf->max_size;
}

int buf_append(struct buf *buf, const void *data, size_t len)
{
	if (!buf_fits(buf, buf->used, len))
		return -1;
	buf_reserve(buf, buf->used + len);
	if (len > 0)
		memcpy(buf->data + buf->used, data, len);
	buf->used += len;
	return 0;
}

void buf_append_max(struct buf *buf, size_t max_used, const void *data,
		    size_t len)
{
	if (buf->used >= max_used)
		return;
	(void)buf_append(buf, data, MIN(len, max_used - buf->used));
}

int buf_append_c(struct buf *buf, unsigned char c)
{
	return buf_append(buf, &c, 1);
}

int buf_write(struct buf *buf, size_t pos, const void *data, size_t len)
{
	if (!buf_fits(buf, pos, len))
		return -1;
	buf_reserve(buf, pos + len);
	if (pos > buf->used)
		memset(buf->data + buf->used, 0, pos - buf->used);
	if (len > 0)
		memcpy(buf->data + pos, data, len);
	if (pos + len > buf->used)
		buf->used = pos + len;
	return 0;
}

void buf_delete(struct buf *buf, size_t pos, size_t len)
{
	if (pos >= buf->used)
		return;
	if (len > buf->used - pos)
		len = buf->used - pos;
	memmove(buf->data + pos, buf->data + pos + len,
		buf->used - pos - len);
	buf->used -= len;
}

void buf_reset(struct buf *buf)
{
	buf->used = 0;
}

void buf_truncate(struct buf *buf, size_t len)
{
	if (len < buf->used)
		buf->used = len;
}

void *buf_get_space(struct buf *buf, size_t len)
{
	if (!buf_fits(buf, buf->used, len))
		return NULL;
	buf_reserve(buf, buf->used + len);
	return buf->data + buf->used;
}

void buf_commit_space(struct buf *buf, size_t len)
{
	ASSERT(len <= buf->size - buf->used);
	buf->used += len;
}
