/* Copyright (c) dovecot-like authors. The TLS ostream: encrypts with SSL_write;
   what OpenSSL cannot send now stays in the ostream buffer and is retried
   from the ioloop, waiting for readability when TLS needs to read first. */
#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "ostream-private.h"
#include "iostream-ssl-private.h"

#include <openssl/err.h>

static void ostream_ssl_read_ready(void *context)
{
	struct ostream_private *stream = context;

	ostream_ssl_kick(&stream->ostream);
}

void ostream_ssl_kick(struct ostream *output)
{
	struct ostream_private *stream = output->real;
	struct ssl_iostream *ssl = stream->context;

	if (!ssl->output_waits_read)
		return;
	ssl->output_waits_read = false;
	io_remove(&stream->io);
	/* the generic write io retries the flush and calls the callback */
	ostream_set_flush_pending(output);
}

/* TLS must read before it can write: a write io would fire at once and
   spin, so watch for input on our own dup of the fd instead. The generic
   code leaves stream->io alone while it is set. */
static void ostream_ssl_wait_read(struct ostream_private *stream)
{
	struct ssl_iostream *ssl = stream->context;
	int fd;

	if (ssl->output_waits_read || current_ioloop == NULL)
		return;
	fd = ssl_iostream_get_watch_fd(ssl);
	if (fd < 0)
		return;	/* fall back to the write io */
	io_remove(&stream->io);
	stream->io = io_add(fd, IO_READ, ostream_ssl_read_ready, stream);
	ssl->output_waits_read = true;
}

/* TLS waits for the socket to be writable: the generic write io. */
static void ostream_ssl_wait_write(struct ostream_private *stream)
{
	struct ssl_iostream *ssl = stream->context;

	if (!ssl->output_waits_read)
		return;
	ssl->output_waits_read = false;
	io_remove(&stream->io);
}

static ssize_t ostream_ssl_write(struct ostream_private *stream,
				 const void *data, size_t size)
{
	struct ssl_iostream *ssl = stream->context;
	size_t done = 0, n;
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
		if (ret == 0) {
			if (ssl->want_read)
				ostream_ssl_wait_read(stream);
			else
				ostream_ssl_wait_write(stream);
			return 0;
		}
	}

	/* After WANT_*, OpenSSL needs the same bytes again: they are the
	   head of our buffer on the retry (moving buffers are allowed). */
	while (done < size) {
		ERR_clear_error();
		errno = 0;
		if (SSL_write_ex(ssl->ssl, (const unsigned char *)data + done,
				 size - done, &n) == 1) {
			done += n;
			continue;
		}
		switch (ssl_iostream_result(ssl, 0, "SSL_write")) {
		case SSL_IOSTREAM_RESULT_OK:
			break;
		case SSL_IOSTREAM_RESULT_WANT_READ:
			ostream_ssl_wait_read(stream);
			return (ssize_t)done;
		case SSL_IOSTREAM_RESULT_WANT_WRITE:
			ostream_ssl_wait_write(stream);
			return (ssize_t)done;
		case SSL_IOSTREAM_RESULT_EOF:
			/* the peer has closed: nothing more gets through */
			ssl->failed = true;
			ssl->last_errno = EPIPE;
			ssl_iostream_set_error(ssl, "SSL_write failed: "
					       "Connection closed by peer");
			break;
		case SSL_IOSTREAM_RESULT_ERROR:
			ssl->failed = true;
			break;
		}
		break;
	}
	if (done > 0) {
		/* as ostream-fd does: see net_set_tcp_quickack() */
		if (done == size && ssl->is_tcp)
			net_set_tcp_quickack(ssl->fd);
		return (ssize_t)done;
	}
	if (ssl->failed) {
		errno = ssl_iostream_get_errno(ssl);
		return -1;
	}
	return 0;
}

static void ostream_ssl_destroy(struct ostream_private *stream)
{
	struct ssl_iostream *ssl = stream->context;

	/* ostream_unref() has removed stream->io */
	ssl->output_waits_read = false;
	ssl->output = NULL;
	if (ssl->handshaked && !ssl->failed) {
		/* best effort close_notify: never wait for the peer's */
		ERR_clear_error();
		(void)SSL_shutdown(ssl->ssl);
		ERR_clear_error();
	}
	stream->context = NULL;
	ssl_iostream_unref(&ssl);
}

static const struct ostream_vfuncs ostream_ssl_vfuncs = {
	.write = ostream_ssl_write,
	.destroy = ostream_ssl_destroy,
};

struct ostream *ostream_ssl_create(struct ssl_iostream *ssl,
				   size_t max_buffer_size)
{
	/* the fd stays the caller's: autoclose is off */
	return ostream_create_private(&ostream_ssl_vfuncs, ssl, ssl->fd,
				      max_buffer_size);
}
