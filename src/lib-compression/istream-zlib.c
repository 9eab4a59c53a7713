/* Copyright (c) dovecot-like authors. Inflating input stream layer: raw
   deflate (windowBits -15) over a parent istream, RFC 4978. */
#include "lib.h"
#include "istream-private.h"
#include "istream-zlib.h"

#include <zlib.h>

struct istream_zlib {
	struct istream *parent;
	z_stream zs;
	bool ended;	/* Z_STREAM_END seen: the peer finished the stream */
	bool out_full;	/* the last inflate filled the output: may have more */
	bool at_boundary;	/* input so far ends between deflate blocks */
};

static const struct istream_vfuncs istream_zlib_vfuncs;

static ssize_t istream_zlib_fail(struct istream_private *stream,
				 const char *reason)
{
	p_free(system_pool, stream->error);
	stream->error = p_printf(system_pool, "COMPRESS: %s", reason);
	errno = EINVAL;
	return -1;
}

/* The parent hit EOF (or failed). An EOF between deflate blocks is the peer
   closing the connection; in the middle of a block the data was cut. */
static ssize_t istream_zlib_parent_eof(struct istream_private *stream,
				       struct istream_zlib *zstream)
{
	struct istream *parent = zstream->parent;

	if (parent->stream_errno != 0) {
		p_free(system_pool, stream->error);
		stream->error = p_strdup(system_pool, istream_get_error(parent));
		errno = parent->stream_errno;
		return -1;
	}
	if (!zstream->ended && zstream->zs.total_in > 0 &&
	    !zstream->at_boundary)
		return istream_zlib_fail(stream, "Truncated deflate stream");
	errno = 0;
	return -1;
}

/* Inflate as much buffered parent data as fits into data[0..size). */
static ssize_t istream_zlib_inflate(struct istream_private *stream,
				    struct istream_zlib *zstream,
				    unsigned char *data, size_t size)
{
	const unsigned char *in;
	size_t in_size, used;
	int ret;

	in = istream_get_data(zstream->parent, &in_size);
	zstream->zs.next_in = (unsigned char *)in;
	zstream->zs.avail_in = in_size > UINT_MAX ? UINT_MAX : (uInt)in_size;
	zstream->zs.next_out = data;
	zstream->zs.avail_out = size > UINT_MAX ? UINT_MAX : (uInt)size;
	/* Z_BLOCK stops at each block end, where zlib's data_type gets +128
	   and its low 3 bits count input bits read ahead (0 after a sync
	   flush's empty stored block): that tells a peer's clean close from
	   a cut stream */
	ret = inflate(&zstream->zs, Z_BLOCK);
	used = (size_t)(zstream->zs.next_in - in);
	if (used > 0 || zstream->zs.avail_out != size) {
		zstream->at_boundary = (zstream->zs.data_type & 128) != 0 &&
			(zstream->zs.data_type & 7) == 0;
	}
	istream_skip(zstream->parent, used);
	switch (ret) {
	case Z_OK:
	case Z_BUF_ERROR:	/* no progress possible: needs more input */
		break;
	case Z_STREAM_END:
		zstream->ended = true;
		break;
	case Z_MEM_ERROR:
		return istream_zlib_fail(stream, "Out of memory");
	default:
		return istream_zlib_fail(stream, tmp_printf(
			"Corrupt deflate data: %s", zstream->zs.msg != NULL ?
			zstream->zs.msg : "unknown error"));
	}
	zstream->out_full = zstream->zs.avail_out == 0;
	return (ssize_t)(size - zstream->zs.avail_out);
}

static ssize_t istream_zlib_read(struct istream_private *stream,
				 void *data, size_t size)
{
	struct istream_zlib *zstream = stream->context;
	size_t in_size;
	ssize_t ret;

	for (;;) {
		if (zstream->ended) {
			/* RFC 4978 has no orderly end: treat it as EOF */
			errno = 0;
			return -1;
		}
		(void)istream_get_data(zstream->parent, &in_size);
		if (in_size > 0 || zstream->out_full) {
			ret = istream_zlib_inflate(stream, zstream, data, size);
			if (ret != 0)
				return ret;
			if (zstream->ended)
				continue;
			/* all input went into zlib's state (e.g. a header) */
			(void)istream_get_data(zstream->parent, &in_size);
			if (in_size > 0)
				continue;
		}
		ret = istream_read(zstream->parent);
		if (ret == 0)
			return 0;
		if (ret == -1)
			return istream_zlib_parent_eof(stream, zstream);
		/* -2 can't happen: we just emptied it; >0: inflate more */
	}
}

static void istream_zlib_destroy(struct istream_private *stream)
{
	struct istream_zlib *zstream = stream->context;

	(void)inflateEnd(&zstream->zs);
	istream_unref(&zstream->parent);
	p_free(system_pool, zstream);
}

static const struct istream_vfuncs istream_zlib_vfuncs = {
	.read = istream_zlib_read,
	.destroy = istream_zlib_destroy,
};

struct istream *istream_create_zlib(struct istream *parent,
				    size_t max_buffer_size)
{
	struct istream_zlib *zstream = p_malloc(system_pool, sizeof(*zstream));
	struct istream *input;

	/* zalloc/zfree NULL: zlib allocates its own state (about 7 KiB plus
	   the 32 KiB window per stream) */
	if (inflateInit2(&zstream->zs, -15) != Z_OK)
		panic("inflateInit2() failed: %s", zstream->zs.msg != NULL ?
		      zstream->zs.msg : "out of memory");
	istream_ref(parent);
	zstream->parent = parent;
	input = istream_create_private(&istream_zlib_vfuncs, zstream,
				       istream_get_fd(parent), max_buffer_size);
	input->blocking = parent->blocking;
	return input;
}

bool istream_zlib_has_pending(struct istream *input)
{
	struct istream_zlib *zstream;
	size_t size;

	if (input->real->v != &istream_zlib_vfuncs || input->eof)
		return false;
	zstream = input->real->context;
	(void)istream_get_data(zstream->parent, &size);
	return size > 0 || zstream->out_full;
}
