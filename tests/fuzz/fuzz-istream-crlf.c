/* Copyright (c) dovecot-like authors. Fuzzes the LF -> CRLF stream with
   parents of every buffer size, checking its output and its size count
   against a plain conversion, since it carries every message we send. */
#include "fuzz-common.h"
#include "buffer.h"
#include "istream-crlf.h"

static void reference_crlf(const uint8_t *data, size_t size, struct buf *dest)
{
	bool cr = false;
	size_t i;

	for (i = 0; i < size; i++) {
		if (data[i] == '\n' && !cr)
			(void)buf_append_c(dest, '\r');
		(void)buf_append_c(dest, data[i]);
		cr = data[i] == '\r';
	}
}

static void read_all(struct istream *input, struct buf *dest)
{
	const unsigned char *p;
	size_t n;
	ssize_t ret;

	for (;;) {
		ret = istream_read(input);
		if (ret == -1)
			break;
		/* the parent never blocks and we always empty the buffer */
		if (ret == 0 || ret == -2)
			abort();
		p = istream_get_data(input, &n);
		(void)buf_append(dest, p, n);
		istream_skip(input, n);
	}
	if (input->stream_errno != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 4096 };
	static const size_t bufsizes[] = { 1, 2, 5, 64, 65536 };
	struct fuzz_chunk_input ci;
	struct istream *parent, *crlf;
	struct buf *expected, *out;
	uoff_t counted;
	bool last_cr;
	size_t i, pos, n;

	fuzz_init();
	expected = buf_create(system_pool, size * 2 + 1);
	reference_crlf(data, size, expected);

	/* the size count, whole and in pieces */
	last_cr = false;
	if (istream_crlf_count_size(data, size, &last_cr) != expected->used)
		abort();
	last_cr = false;
	counted = 0;
	for (pos = 0; pos < size; pos += n) {
		n = MIN(size - pos, (size_t)data[pos] % 13 + 1);
		counted += istream_crlf_count_size(data + pos, n, &last_cr);
	}
	if (counted != expected->used)
		abort();

	for (i = 0; i < N_ELEMENTS(chunks); i++) {
		out = buf_create(system_pool, size * 2 + 1);
		parent = fuzz_istream_create_chunked(&ci, data, size, chunks[i],
						     bufsizes[i]);
		crlf = istream_create_crlf(parent);
		istream_unref(&parent);
		read_all(crlf, out);
		if (out->used != expected->used ||
		    memcmp(out->data, expected->data, out->used) != 0)
			abort();
		istream_unref(&crlf);
		buf_free(&out);
	}

	/* over a from-data parent (everything buffered at once) */
	out = buf_create(system_pool, size * 2 + 1);
	parent = istream_create_from_data(data, size);
	crlf = istream_create_crlf(parent);
	istream_unref(&parent);
	read_all(crlf, out);
	if (out->used != expected->used ||
	    memcmp(out->data, expected->data, out->used) != 0)
		abort();
	istream_unref(&crlf);
	buf_free(&out);
	buf_free(&expected);
	tmp_reset();
	return 0;
}
