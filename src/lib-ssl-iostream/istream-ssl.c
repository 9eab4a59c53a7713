/* Copyright (c) dovecot-like authors. The TLS istream: decrypts with SSL_read
   and drains what OpenSSL has buffered, since epoll cannot see that data. */
#include "lib.h"
#include "buffer.h"
#include "istream-private.h"
#include "iostream-ssl-private.h"

#include <openssl/err.h>

#define ISTREAM_SSL_GROW_STEP 4096

/* Whether OpenSSL holds input the fd will not report again. */
static bool istream_ssl_has_buffered(struct ssl_iostream *ssl)
{
	return SSL_pending(ssl->ssl) > 0 || SSL_has_pending(ssl->ssl) == 1;
}

static ssize_t istream_ssl_read(struct istream_private *stream, void *data,
				size_t size)
{
	struct ssl_iostream *ssl = stream->context;
	struct buf *buf = stream->buffer;
	unsigned char *dest = data;
	size_t base = 0, limit = size, cap = size, total = 0, n, unread;
	bool extendable;
	int ret;

	if (ssl->failed) {
		errno = ssl_iostream_get_errno(ssl);
		return -1;
	}
	if (!ssl->handshaked) {
		ret = ssl_iostream_handshake(ssl);
		if (ret < 0) {
			errno = ssl_iostream_get_errno(ssl);
			return -1;
		}
		if (ret == 0)
			return 0;
	}
	if (ssl->input_closed) {
		errno = 0;
		return -1;
	}

	/* istream_read() hands us the free space at the end of the buffer.
	   A TLS record can be bigger than that space; whatever we leave in
	   OpenSSL would sit unseen while epoll reports nothing, so grow the
	   buffer in place up to max_buffer_size and account the extra bytes
	   as used ourselves. */
	extendable = dest == buf->data + buf->used;
	if (extendable) {
		base = buf->used;
		unread = buf->used - stream->skip;
		if (stream->max_buffer_size > unread &&
		    stream->max_buffer_size - unread > size)
			limit = stream->max_buffer_size - unread;
	}

	for (;;) {
		if (total == cap) {
			if (cap >= limit || !istream_ssl_has_buffered(ssl))
				break;
			cap += MAX((size_t)SSL_pending(ssl->ssl),
				   ISTREAM_SSL_GROW_STEP);
			if (cap > limit)
				cap = limit;
			buf_reserve(buf, base + cap);
			dest = buf->data + base;
		}
		ERR_clear_error();
		errno = 0;
		if (SSL_read_ex(ssl->ssl, dest + total, cap - total, &n) == 1) {
			total += n;
			continue;
		}
		switch (ssl_iostream_result(ssl, 0, "SSL_read")) {
		case SSL_IOSTREAM_RESULT_OK:
		case SSL_IOSTREAM_RESULT_WANT_READ:
			break;
		case SSL_IOSTREAM_RESULT_WANT_WRITE:
			/* only post-handshake messages (KeyUpdate) write
			   here; the next write or read flushes them */
			break;
		case SSL_IOSTREAM_RESULT_EOF:
			/* input_closed is set: EOF after this data */
			break;
		case SSL_IOSTREAM_RESULT_ERROR:
			ssl->failed = true;
			break;
		}
		break;
	}
	if (total > 0)
		ssl_iostream_output_kick(ssl);
	if (total > size) {
		/* istream_read() adds the size we return */
		buf->used += total - size;
		return (ssize_t)size;
	}
	if (total > 0)
		return (ssize_t)total;
	if (ssl->failed) {
		errno = ssl_iostream_get_errno(ssl);
		return -1;
	}
	if (ssl->input_closed) {
		errno = 0;
		return -1;
	}
	return 0;
}

static void istream_ssl_destroy(struct istream_private *stream)
{
	struct ssl_iostream *ssl = stream->context;

	ssl->input = NULL;
	stream->context = NULL;
	ssl_iostream_unref(&ssl);
}

static const struct istream_vfuncs istream_ssl_vfuncs = {
	.read = istream_ssl_read,
	.destroy = istream_ssl_destroy,
};

struct istream *istream_ssl_create(struct ssl_iostream *ssl,
				   size_t max_buffer_size)
{
	/* the fd stays the caller's: autoclose is off */
	return istream_create_private(&istream_ssl_vfuncs, ssl, ssl->fd,
				      max_buffer_size);
}
