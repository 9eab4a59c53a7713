/* Copyright (c) dovecot-like authors. istream-crlf.c: LF -> CRLF conversion
   as a stream kind, so message bodies are converted while they are sent
   instead of being copied into memory first. */
#include "lib.h"
#include "istream-private.h"
#include "message-size.h"
#include "istream-crlf.h"

struct crlf_istream {
	struct istream *parent;
	bool last_cr;		/* previous byte handed out was CR */
	bool pending_lf;	/* emitted the CR of a bare LF, LF still owed */
};

uoff_t istream_crlf_count_size(const unsigned char *data, size_t len,
			       bool *last_cr)
{
	struct message_size size;

	memset(&size, 0, sizeof(size));
	(void)message_size_add_data(&size, data, len, last_cr);
	return size.virtual_size;
}

static ssize_t istream_crlf_read(struct istream_private *stream, void *data,
				 size_t size)
{
	struct crlf_istream *cstream = stream->context;
	unsigned char *dest = data;
	const unsigned char *src, *lf;
	size_t src_size, i, n, out = 0;
	ssize_t ret;

	if (size == 0)
		return 0;
	if (cstream->pending_lf) {
		dest[out++] = '\n';
		cstream->pending_lf = false;
		cstream->last_cr = false;
	}

	src = istream_get_data(cstream->parent, &src_size);
	if (src_size == 0 && out == 0) {
		ret = istream_read(cstream->parent);
		if (ret == -1) {
			errno = cstream->parent->stream_errno;
			return -1;
		}
		src = istream_get_data(cstream->parent, &src_size);
		if (src_size == 0)
			return 0;	/* parent would block */
	}

	i = 0;
	while (i < src_size && out < size) {
		if (src[i] != '\n') {
			/* a run without LF in one copy */
			n = MIN(src_size - i, size - out);
			lf = memchr(src + i, '\n', n);
			if (lf != NULL)
				n = (size_t)(lf - (src + i));
			memcpy(dest + out, src + i, n);
			out += n;
			i += n;
			cstream->last_cr = src[i - 1] == '\r';
			continue;
		}
		if (!cstream->last_cr) {
			dest[out++] = '\r';
			if (out == size) {
				/* no room for the LF: owe it to the next read */
				cstream->pending_lf = true;
				i++;
				break;
			}
		}
		dest[out++] = '\n';
		cstream->last_cr = false;
		i++;
	}
	istream_skip(cstream->parent, i);
	return (ssize_t)out;
}

static void istream_crlf_destroy(struct istream_private *stream)
{
	struct crlf_istream *cstream = stream->context;

	istream_unref(&cstream->parent);
	p_free(system_pool, cstream);
}

static const struct istream_vfuncs istream_crlf_vfuncs = {
	.read = istream_crlf_read,
	.destroy = istream_crlf_destroy,
};

struct istream *istream_create_crlf(struct istream *parent)
{
	struct crlf_istream *cstream;
	struct istream *input;

	cstream = pool_new(system_pool, struct crlf_istream, 1);
	cstream->parent = parent;
	istream_ref(parent);
	input = istream_create_private(&istream_crlf_vfuncs, cstream, -1,
				       istream_get_max_buffer_size(parent));
	input->blocking = parent->blocking;
	return input;
}
