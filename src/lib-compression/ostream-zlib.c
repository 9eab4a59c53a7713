/* Copyright (c) dovecot-like authors. Deflating output stream layer: raw
   deflate (windowBits -15) into a parent ostream, RFC 4978. */
#include "lib.h"
#include "ostream-private.h"
#include "ostream-zlib.h"

#include <zlib.h>

#define OSTREAM_ZLIB_OUT_CHUNK 16384

struct ostream_zlib {
	struct ostream *parent;
	z_stream zs;
};

/* Deflate data[0..size) and sync-flush it into the parent. */
static int ostream_zlib_deflate(struct ostream_zlib *zstream,
				const void *data, size_t size)
{
	unsigned char out[OSTREAM_ZLIB_OUT_CHUNK];
	size_t produced;
	int ret;

	zstream->zs.next_in = (unsigned char *)data;
	zstream->zs.avail_in = (uInt)size;
	do {
		zstream->zs.next_out = out;
		zstream->zs.avail_out = sizeof(out);
		ret = deflate(&zstream->zs, Z_SYNC_FLUSH);
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			errno = EIO;
			return -1;
		}
		produced = sizeof(out) - zstream->zs.avail_out;
		if (produced > 0 &&
		    ostream_send(zstream->parent, out, produced) < 0) {
			errno = zstream->parent->stream_errno != 0 ?
				zstream->parent->stream_errno : EPIPE;
			return -1;
		}
		/* output filled the chunk: deflate may hold more */
	} while (zstream->zs.avail_out == 0);
	ASSERT(zstream->zs.avail_in == 0);
	return 0;
}

static ssize_t ostream_zlib_write(struct ostream_private *stream,
				  const void *data, size_t size)
{
	struct ostream_zlib *zstream = stream->context;
	struct ostream *parent = zstream->parent;

	/* push out what the parent holds; keep its buffer bounded */
	if (ostream_flush(parent) < 0) {
		errno = parent->stream_errno != 0 ? parent->stream_errno : EPIPE;
		return -1;
	}
	if (ostream_get_buffer_used(parent) >= parent->real->max_buffer_size)
		return 0;	/* would block: the fd io calls us again */
	if (size > UINT_MAX / 2)
		size = UINT_MAX / 2;
	if (ostream_zlib_deflate(zstream, data, size) < 0)
		return -1;
	return (ssize_t)size;
}

/* The parent drained its buffer (from its fd io): move our buffered data
   on, and once it is all gone tell our own flush callback, which is how the
   caller learns that output may continue. We have no fd of our own, so two
   write ios never wait on the same fd. */
static int ostream_zlib_parent_flushed(void *context)
{
	struct ostream_private *stream = context;
	struct ostream_zlib *zstream = stream->context;
	struct ostream *parent = zstream->parent;
	int ret;

	if (parent->stream_errno != 0 && stream->ostream.stream_errno == 0) {
		stream->ostream.stream_errno = parent->stream_errno;
		p_free(system_pool, stream->error);
		stream->error = p_strdup(system_pool, ostream_get_error(parent));
	}
	ret = stream->ostream.stream_errno != 0 ? 1 :
		ostream_flush(&stream->ostream);
	if (ret == 0)
		return 1;	/* the parent is busy again: it calls us back */
	if (stream->flush_callback == NULL)
		return 1;
	/* may destroy us: touch nothing afterwards */
	return stream->flush_callback(stream->flush_context);
}

static void ostream_zlib_destroy(struct ostream_private *stream)
{
	struct ostream_zlib *zstream = stream->context;

	(void)deflateEnd(&zstream->zs);
	ostream_set_flush_callback(zstream->parent, NULL, NULL);
	(void)ostream_flush(zstream->parent);
	ostream_unref(&zstream->parent);
	p_free(system_pool, zstream);
}

static const struct ostream_vfuncs ostream_zlib_vfuncs = {
	.write = ostream_zlib_write,
	.destroy = ostream_zlib_destroy,
};

struct ostream *ostream_create_zlib(struct ostream *parent, int level)
{
	struct ostream_zlib *zstream = p_malloc(system_pool, sizeof(*zstream));
	struct ostream *output;

	/* memLevel 8 + window 15: about 256 KiB of zlib state per stream */
	if (deflateInit2(&zstream->zs, level, Z_DEFLATED, -15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		panic("deflateInit2() failed: %s", zstream->zs.msg != NULL ?
		      zstream->zs.msg : "out of memory");
	ostream_ref(parent);
	zstream->parent = parent;
	output = ostream_create_private(&ostream_zlib_vfuncs, zstream, -1,
					parent->real->max_buffer_size);
	ostream_set_flush_callback(parent, ostream_zlib_parent_flushed,
				   output->real);
	return output;
}
