/* Copyright (c) dovecot-like authors. Buffered output streams: sends never
   block; what the backend does not take now is flushed from the ioloop. */
#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "ioloop.h"
#include "ostream-private.h"

#include <stdio.h>

#define OSTREAM_DEFAULT_MAX_BUFFER (64 * 1024)

static void ostream_io_flush(void *context);

struct ostream *ostream_create_private(const struct ostream_vfuncs *v,
				       void *context, int fd, size_t max_buffer_size)
{
	struct ostream_private *stream = p_malloc(system_pool, sizeof(*stream));

	stream->ostream.real = stream;
	stream->v = v;
	stream->context = context;
	stream->fd = fd;
	stream->refcount = 1;
	stream->max_buffer_size = max_buffer_size != 0 ? max_buffer_size :
		OSTREAM_DEFAULT_MAX_BUFFER;
	stream->buffer = buf_create(system_pool, 1024);
	return &stream->ostream;
}

void ostream_ref(struct ostream *output)
{
	output->real->refcount++;
}

void ostream_unref(struct ostream **_output)
{
	struct ostream *output = *_output;
	struct ostream_private *stream;

	if (output == NULL)
		return;
	*_output = NULL;
	stream = output->real;
	ASSERT(stream->refcount > 0);
	if (--stream->refcount > 0)
		return;
	io_remove(&stream->io);
	if (stream->v->destroy != NULL)
		stream->v->destroy(stream);
	safe_memzero(stream->buffer->data, stream->buffer->used);
	buf_free(&stream->buffer);
	p_free(system_pool, stream->error);
	p_free(system_pool, stream);
}

void ostream_destroy(struct ostream **_output)
{
	struct ostream *output = *_output;

	if (output == NULL)
		return;
	if (!output->closed && output->stream_errno == 0) {
		output->real->corked = false;
		(void)ostream_flush(output);
	}
	output->closed = true;
	io_remove(&output->real->io);
	ostream_unref(_output);
}

int ostream_get_fd(const struct ostream *output)
{
	return output->real->fd;
}

static void ostream_set_error(struct ostream_private *stream, int error)
{
	stream->ostream.stream_errno = error;
	p_free(system_pool, stream->error);
	stream->error = p_printf(system_pool, "write(%s) failed: %s",
				 stream->fd >= 0 ? "fd" : "stream",
				 strerror(error));
	io_remove(&stream->io);
}

/* Write as much of data as the backend takes now; -1 on error. */
static ssize_t ostream_write_now(struct ostream_private *stream,
				 const void *data, size_t size)
{
	size_t done = 0;
	ssize_t ret;

	while (done < size) {
		errno = 0;
		ret = stream->v->write(stream, (const unsigned char *)data + done,
				       size - done);
		if (ret < 0) {
			ostream_set_error(stream, errno != 0 ? errno : EIO);
			return -1;
		}
		if (ret == 0)
			break;
		done += (size_t)ret;
	}
	return (ssize_t)done;
}

static void ostream_add_io(struct ostream_private *stream)
{
	if (stream->io == NULL && stream->fd >= 0 && current_ioloop != NULL &&
	    !stream->ostream.closed && stream->ostream.stream_errno == 0)
		stream->io = io_add(stream->fd, IO_WRITE, ostream_io_flush,
				    stream);
}

int ostream_flush(struct ostream *output)
{
	struct ostream_private *stream = output->real;
	struct buf *buf = stream->buffer;
	ssize_t ret;

	if (output->stream_errno != 0)
		return -1;
	if (output->closed)
		return -1;
	if (buf->used == 0)
		return 1;
	ret = ostream_write_now(stream, buf->data, buf->used);
	if (ret < 0)
		return -1;
	buf_delete(buf, 0, (size_t)ret);
	if (buf->used == 0)
		return 1;
	ostream_add_io(stream);
	return 0;
}

static void ostream_io_flush(void *context)
{
	struct ostream_private *stream = context;
	struct ostream *output = &stream->ostream;
	int ret;

	ret = ostream_flush(output);
	if (ret == 0)
		return;	/* still data left: keep waiting */
	io_remove(&stream->io);
	if (stream->flush_callback == NULL)
		return;
	/* the callback may unref or destroy the stream */
	ostream_ref(output);
	if (stream->flush_callback(stream->flush_context) == 0 &&
	    stream->refcount > 1)
		ostream_add_io(stream);	/* it wants more writable calls */
	ostream_unref(&output);
}

ssize_t ostream_send(struct ostream *output, const void *data, size_t len)
{
	struct ostream_private *stream = output->real;
	ssize_t ret = 0;

	if (output->closed) {
		if (output->stream_errno == 0)
			output->stream_errno = EPIPE;
		return -1;
	}
	if (output->stream_errno != 0)
		return -1;
	if (len == 0)
		return 0;
	if (!stream->corked && stream->buffer->used == 0) {
		ret = ostream_write_now(stream, data, len);
		if (ret < 0)
			return -1;
	}
	if ((size_t)ret < len) {
		(void)buf_append(stream->buffer,
				 (const unsigned char *)data + ret,
				 len - (size_t)ret);
		if (!stream->corked)
			ostream_add_io(stream);
		else if (stream->buffer->used >= stream->max_buffer_size &&
			 ostream_flush(output) < 0)
			return -1;
	}
	output->offset += len;
	return (ssize_t)len;
}

ssize_t ostream_send_str(struct ostream *output, const char *str)
{
	return ostream_send(output, str, strlen(str));
}

ssize_t ostream_printf(struct ostream *output, const char *fmt, ...)
{
	struct str *str = t_str_new(256);
	va_list args;

	va_start(args, fmt);
	str_vprintfa(str, fmt, args);
	va_end(args);
	return ostream_send(output, str_data(str), str_len(str));
}

void ostream_cork(struct ostream *output)
{
	output->real->corked = true;
}

void ostream_uncork(struct ostream *output)
{
	struct ostream_private *stream = output->real;

	if (!stream->corked)
		return;
	stream->corked = false;
	(void)ostream_flush(output);
}

size_t ostream_get_buffer_used(const struct ostream *output)
{
	return output->real->buffer->used;
}

void ostream_set_flush_callback(struct ostream *output,
				ostream_flush_callback_t *callback, void *context)
{
	output->real->flush_callback = callback;
	output->real->flush_context = context;
}

void ostream_set_flush_pending(struct ostream *output)
{
	ostream_add_io(output->real);
}

const char *ostream_get_error(const struct ostream *output)
{
	const struct ostream_private *stream = output->real;

	if (stream->error != NULL)
		return stream->error;
	if (output->closed)
		return "Stream closed";
	return "(no error)";
}

/* collects everything into a caller-owned buffer */
static ssize_t ostream_buffer_write(struct ostream_private *stream,
				    const void *data, size_t size)
{
	if (buf_append(stream->context, data, size) < 0) {
		errno = ENOBUFS;
		return -1;
	}
	return (ssize_t)size;
}

static const struct ostream_vfuncs ostream_buffer_vfuncs = {
	.write = ostream_buffer_write,
};

struct ostream *ostream_create_buffer(struct buf *output)
{
	return ostream_create_private(&ostream_buffer_vfuncs, output, -1, 0);
}
