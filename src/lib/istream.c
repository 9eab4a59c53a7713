/* Copyright (c) dovecot-like authors. Buffered input streams: the generic
   part (buffer, lines, limits) shared by the fd, memory and TLS streams. */
#include "lib.h"
#include "buffer.h"
#include "istream-private.h"

#define ISTREAM_READ_CHUNK (64 * 1024)
#define ISTREAM_DEFAULT_MAX_BUFFER (64 * 1024)

struct istream *istream_create_private(const struct istream_vfuncs *v,
				       void *context, int fd, size_t max_buffer_size)
{
	struct istream_private *stream =
		p_malloc(system_pool, sizeof(*stream));

	stream->istream.real = stream;
	stream->v = v;
	stream->context = context;
	stream->fd = fd;
	stream->refcount = 1;
	stream->max_buffer_size = max_buffer_size != 0 ? max_buffer_size :
		ISTREAM_DEFAULT_MAX_BUFFER;
	stream->buffer = buf_create(system_pool,
		MIN(stream->max_buffer_size, 4096));
	return &stream->istream;
}

void istream_ref(struct istream *input)
{
	input->real->refcount++;
}

void istream_unref(struct istream **_input)
{
	struct istream *input = *_input;
	struct istream_private *stream;

	if (input == NULL)
		return;
	*_input = NULL;
	stream = input->real;
	ASSERT(stream->refcount > 0);
	if (--stream->refcount > 0)
		return;
	if (stream->v->destroy != NULL)
		stream->v->destroy(stream);
	buf_free(&stream->buffer);
	p_free(system_pool, stream->error);
	p_free(system_pool, stream);
}

int istream_get_fd(const struct istream *input)
{
	return input->real->fd;
}

void istream_set_max_buffer_size(struct istream *input, size_t max_size)
{
	input->real->max_buffer_size = max_size != 0 ? max_size :
		ISTREAM_DEFAULT_MAX_BUFFER;
}

size_t istream_get_max_buffer_size(const struct istream *input)
{
	return input->real->max_buffer_size;
}

static void istream_set_error(struct istream_private *stream, int error,
			      const char *msg)
{
	stream->istream.stream_errno = error;
	stream->istream.eof = true;
	p_free(system_pool, stream->error);
	stream->error = p_strdup(system_pool, msg);
}

void istream_prepend(struct istream *input, const void *data, size_t len)
{
	struct istream_private *stream = input->real;
	struct buf *buf = stream->buffer;

	if (len == 0)
		return;
	if (stream->skip >= len) {
		stream->skip -= len;
		memcpy(buf->data + stream->skip, data, len);
		return;
	}
	/* make room in front of the unread data */
	buf_delete(buf, 0, stream->skip);
	stream->skip = 0;
	buf_reserve(buf, buf->used + len);
	memmove(buf->data + len, buf->data, buf->used);
	memcpy(buf->data, data, len);
	buf->used += len;
}

ssize_t istream_read(struct istream *input)
{
	struct istream_private *stream = input->real;
	struct buf *buf = stream->buffer;
	size_t unread, room, chunk;
	ssize_t ret;

	if (input->eof)
		return -1;
	unread = buf->used - stream->skip;
	if (unread >= stream->max_buffer_size)
		return -2;
	if (stream->skip > 0) {
		/* compact so the buffer never grows past max_buffer_size */
		buf_delete(buf, 0, stream->skip);
		stream->skip = 0;
	}
	room = stream->max_buffer_size - unread;
	chunk = buf->size - buf->used;
	if (chunk < 4096)
		chunk = 4096;
	if (chunk > ISTREAM_READ_CHUNK)
		chunk = ISTREAM_READ_CHUNK;
	if (chunk > room)
		chunk = room;
	buf_reserve(buf, buf->used + chunk);

	errno = 0;
	ret = stream->v->read(stream, buf->data + buf->used, chunk);
	if (ret > 0) {
		ASSERT((size_t)ret <= chunk);
		buf->used += (size_t)ret;
		return ret;
	}
	if (ret == 0)
		return 0;
	if (errno == 0) {
		input->eof = true;
	} else if (stream->error != NULL) {
		/* the layer (e.g. zlib) set its own error string; keep it */
		input->stream_errno = errno;
		input->eof = true;
	} else {
		int error = errno;

		istream_set_error(stream, error,
			tmp_printf("read(%s) failed: %s",
				   stream->fd >= 0 ? "fd" : "stream",
				   strerror(error)));
	}
	return -1;
}

const unsigned char *istream_get_data(struct istream *input, size_t *size_r)
{
	struct istream_private *stream = input->real;

	*size_r = stream->buffer->used - stream->skip;
	return stream->buffer->data + stream->skip;
}

void istream_skip(struct istream *input, size_t count)
{
	struct istream_private *stream = input->real;

	ASSERT(count <= stream->buffer->used - stream->skip);
	stream->skip += count;
	input->v_offset += count;
	if (stream->skip == stream->buffer->used) {
		stream->buffer->used = 0;
		stream->skip = 0;
	}
}

const char *istream_next_line(struct istream *input, size_t *len_r)
{
	struct istream_private *stream = input->real;
	unsigned char *data = stream->buffer->data + stream->skip;
	size_t size = stream->buffer->used - stream->skip;
	unsigned char *lf;
	size_t len;

	lf = size == 0 ? NULL : memchr(data, '\n', size);
	if (lf == NULL) {
		if (size >= stream->max_buffer_size &&
		    input->stream_errno == 0)
			istream_set_error(stream, ENOBUFS, "Line too long");
		return NULL;
	}
	len = (size_t)(lf - data);
	*lf = '\0';
	if (len > 0 && data[len - 1] == '\r')
		data[--len] = '\0';
	stream->skip += (size_t)(lf - data) + 1;
	input->v_offset += (size_t)(lf - data) + 1;
	if (len_r != NULL)
		*len_r = len;
	return (const char *)data;
}

const char *istream_read_next_line(struct istream *input, size_t *len_r)
{
	const char *line;
	ssize_t ret;

	for (;;) {
		line = istream_next_line(input, len_r);
		if (line != NULL || input->stream_errno != 0)
			return line;
		ret = istream_read(input);
		if (ret == 0 || ret == -1)
			return NULL;
		/* -2: next_line sets ENOBUFS; >0: look again */
	}
}

const char *istream_get_error(const struct istream *input)
{
	const struct istream_private *stream = input->real;

	if (stream->error != NULL)
		return stream->error;
	if (input->eof)
		return "EOF";
	return "(no error)";
}

/* memory stream: everything is in the buffer from the start */
static ssize_t istream_data_read(struct istream_private *stream ATTR_UNUSED,
				 void *data ATTR_UNUSED, size_t size ATTR_UNUSED)
{
	errno = 0;
	return -1;
}

static const struct istream_vfuncs istream_data_vfuncs = {
	.read = istream_data_read,
};

struct istream *istream_create_from_data(const void *data, size_t len)
{
	struct istream *input =
		istream_create_private(&istream_data_vfuncs, NULL, -1,
				       SIZE_MAX / 2);

	(void)buf_append(input->real->buffer, data, len);
	return input;
}
