/* Copyright (c) dovecot-like authors. Fuzzes the inflating istream of IMAP
   COMPRESS=DEFLATE (RFC 4978): after COMPRESS every client byte goes
   through it. Arbitrary bytes, fed in chunks, with small output buffers:
   no crash or leak, the buffer stays bounded, a failure is a "COMPRESS: "
   error, and what came out equals zlib's own inflate of the same bytes. */
#include "fuzz-common.h"
#include "istream-zlib.h"

#include <zlib.h>

#define FUZZ_ZLIB_MAX_OUT (4 * 1024 * 1024)

/* zlib's inflate of all of data: returns the bytes out (stops at errors
   and at FUZZ_ZLIB_MAX_OUT, like our stream's consumer below). */
static size_t reference_inflate(const uint8_t *data, size_t size,
				unsigned char *out, bool *failed_r)
{
	z_stream zs;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK)
		abort();
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = out;
	zs.avail_out = FUZZ_ZLIB_MAX_OUT;
	ret = inflate(&zs, Z_SYNC_FLUSH);
	*failed_r = ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR;
	(void)inflateEnd(&zs);
	return FUZZ_ZLIB_MAX_OUT - zs.avail_out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char *ref, *got;
	struct fuzz_chunk_input ci;
	struct istream *parent, *input;
	const unsigned char *buffered;
	size_t ref_size, got_size = 0, n, max_buffer, chunk;
	bool ref_failed;
	ssize_t ret;

	fuzz_init();
	if (size < 2)
		return 0;
	/* the first two bytes choose the chunk and buffer sizes */
	chunk = 1 + data[0] % 64 * 37;
	max_buffer = 1 + (size_t)data[1] * 61;
	data += 2;
	size -= 2;
	if (ref == NULL) {
		ref = malloc(FUZZ_ZLIB_MAX_OUT);
		got = malloc(FUZZ_ZLIB_MAX_OUT);
		if (ref == NULL || got == NULL)
			abort();
	}
	ref_size = reference_inflate(data, size, ref, &ref_failed);

	parent = fuzz_istream_create_chunked(&ci, data, size, chunk, 512);
	input = istream_create_zlib(parent, max_buffer);
	istream_unref(&parent);
	for (;;) {
		ret = istream_read(input);
		buffered = istream_get_data(input, &n);
		if (n > max_buffer)
			abort();
		if (got_size + n > FUZZ_ZLIB_MAX_OUT)
			n = FUZZ_ZLIB_MAX_OUT - got_size;
		memcpy(got + got_size, buffered, n);
		got_size += n;
		istream_skip(input, n);
		if (ret == -1 || got_size == FUZZ_ZLIB_MAX_OUT)
			break;
		if (ret == 0)
			abort();	/* a memory parent never blocks */
	}
	if (input->stream_errno != 0 &&
	    strncmp(istream_get_error(input), "COMPRESS: ", 10) != 0)
		abort();
	if (ref_failed && ret == -1 && input->stream_errno == 0)
		abort();	/* corrupt data must be reported */
	if (got_size > ref_size || memcmp(got, ref, got_size) != 0)
		abort();
	if (!ref_failed && ret == -1 && got_size != ref_size)
		abort();
	istream_unref(&input);
	return 0;
}
