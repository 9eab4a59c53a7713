/* Copyright (c) dovecot-like authors. Tests for the deflate stream layers of
   RFC 4978: round trips with small and large writes, every flush decodable
   on its own, corrupt and truncated input, a bounded inflate buffer and
   input that arrives in pieces. zlib itself is the independent reference. */
#include "lib.h"
#include "buffer.h"
#include "istream.h"
#include "ostream.h"
#include "istream-zlib.h"
#include "ostream-zlib.h"

#include <check.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <zlib.h>

/* Deterministic test data: text-like runs mixed with noise. */
static unsigned char *test_data(size_t size)
{
	unsigned char *data = p_malloc(system_pool, size);
	uint32_t x = 12345;
	size_t i;

	ck_assert_ptr_nonnull(data);
	for (i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (i / 512) % 2 == 0 ? (unsigned char)('a' + i % 26) :
			(unsigned char)(x >> 16);
	}
	return data;
}

/* Reference: raw deflate with a final Z_SYNC_FLUSH, into a p_malloc(system_pool, )ed
   buffer. */
static unsigned char *ref_deflate(const unsigned char *data, size_t size,
				  size_t *size_r)
{
	z_stream zs;
	size_t bound;
	unsigned char *out;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&zs, size) + 64;
	out = p_malloc(system_pool, bound);
	ck_assert_ptr_nonnull(out);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	ck_assert_int_eq(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
	ck_assert_uint_eq(zs.avail_in, 0);
	*size_r = bound - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

/* Reference inflate of all of data; returns what came out (p_malloc(system_pool, )ed). */
static unsigned char *ref_inflate(z_stream *zs, const unsigned char *data,
				  size_t size, size_t max, size_t *size_r)
{
	unsigned char *out = p_malloc(system_pool, max + 1);
	int ret;

	ck_assert_ptr_nonnull(out);
	zs->next_in = (unsigned char *)data;
	zs->avail_in = (uInt)size;
	zs->next_out = out;
	zs->avail_out = (uInt)max + 1;
	ret = inflate(zs, Z_SYNC_FLUSH);
	ck_assert(ret == Z_OK || ret == Z_BUF_ERROR);
	ck_assert_uint_eq(zs->avail_in, 0);
	*size_r = max + 1 - zs->avail_out;
	return out;
}

/* Read everything from input into a p_malloc(system_pool, )ed buffer; returns the last
   istream_read() result. */
static ssize_t read_all(struct istream *input, unsigned char **data_r,
			size_t *size_r, size_t max)
{
	const unsigned char *data;
	unsigned char *out = p_malloc(system_pool, max + 1);
	size_t size, used = 0;
	ssize_t ret;

	ck_assert_ptr_nonnull(out);
	while ((ret = istream_read(input)) > 0 || ret == -2) {
		data = istream_get_data(input, &size);
		ck_assert_uint_le(size, istream_get_max_buffer_size(input));
		ck_assert_uint_le(used + size, max);
		memcpy(out + used, data, size);
		used += size;
		istream_skip(input, size);
	}
	data = istream_get_data(input, &size);
	ck_assert_uint_le(used + size, max);
	memcpy(out + used, data, size);
	used += size;
	*data_r = out;
	*size_r = used;
	return ret;
}

/* Sizes of the pieces one round trip writes, cycled. */
static const size_t write_sizes[][4] = {
	{ 1, 2, 3, 5 },
	{ 100, 1, 4000, 7 },
	{ 65536, 3, 200000, 1 },
	{ 1048576 * 2, 1, 1, 1 },
};

START_TEST(test_roundtrip)
{
	const size_t total = 3 * 1048576 + 17;
	unsigned char *data = test_data(total), *out;
	struct buf *compressed = buf_create(system_pool, 1024);
	struct ostream *parent = ostream_create_buffer(compressed);
	struct ostream *output = ostream_create_zlib(parent, 6);
	struct istream *cinput, *input;
	size_t pos = 0, n, out_size;
	unsigned int i = 0;

	ostream_unref(&parent);
	while (pos < total) {
		n = write_sizes[_i][i++ % 4];
		if (n > total - pos)
			n = total - pos;
		if (i % 3 == 0)
			ostream_cork(output);
		ck_assert_int_eq(ostream_send(output, data + pos, n), (ssize_t)n);
		if (i % 3 == 0)
			ostream_uncork(output);
		pos += n;
	}
	ck_assert_int_eq(ostream_flush(output), 1);
	ck_assert_uint_eq(ostream_get_buffer_used(output), 0);
	ck_assert_uint_eq(output->offset, total);

	cinput = istream_create_from_data(compressed->data, compressed->used);
	input = istream_create_zlib(cinput, 8192);
	istream_unref(&cinput);
	ck_assert_int_eq(read_all(input, &out, &out_size, total), -1);
	ck_assert_int_eq(input->stream_errno, 0);
	ck_assert_uint_eq(out_size, total);
	ck_assert(memcmp(out, data, total) == 0);
	ck_assert_uint_eq(input->v_offset, total);
	istream_unref(&input);
	ostream_destroy(&output);
	buf_free(&compressed);
	p_free(system_pool, out);
	p_free(system_pool, data);
}
END_TEST

/* RFC 4978: each flush must be decodable without any later byte. */
START_TEST(test_flush_boundary)
{
	static const char *const replies[] = {
		"* OK first\r\n", "a OK done\r\n", "", "* 1 FETCH (BODY[] {3}\r\nabc)\r\n",
	};
	struct buf *compressed = buf_create(system_pool, 256);
	struct ostream *parent = ostream_create_buffer(compressed);
	struct ostream *output = ostream_create_zlib(parent, 6);
	z_stream zs;
	size_t consumed = 0, out_size;
	unsigned char *out;
	unsigned int i;

	ostream_unref(&parent);
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(inflateInit2(&zs, -15), Z_OK);
	for (i = 0; i < N_ELEMENTS(replies); i++) {
		size_t len = strlen(replies[i]);

		ostream_cork(output);
		ck_assert_int_eq(ostream_send_str(output, replies[i]), (ssize_t)len);
		/* corked: nothing reaches the parent yet */
		ck_assert_uint_eq(compressed->used, consumed);
		ostream_uncork(output);
		if (len == 0)
			continue;
		ck_assert_uint_gt(compressed->used, consumed);
		/* a sync flush ends with the empty stored block */
		ck_assert(memcmp(compressed->data + compressed->used - 4,
				 "\x00\x00\xff\xff", 4) == 0);
		out = ref_inflate(&zs, compressed->data + consumed,
				  compressed->used - consumed, 4096, &out_size);
		ck_assert_uint_eq(out_size, len);
		ck_assert(memcmp(out, replies[i], len) == 0);
		p_free(system_pool, out);
		consumed = compressed->used;
	}
	inflateEnd(&zs);
	ostream_destroy(&output);
	buf_free(&compressed);
}
END_TEST

static const struct {
	const char *data;
	size_t len;
	const char *error;	/* zlib's text after our prefix */
} corrupt_inputs[] = {
	{ "\xff\xff\xff\xff\xff\xff", 6,	/* block type 3 */
	  "COMPRESS: Corrupt deflate data: invalid block type" },
	{ "\x07", 1,				/* BFINAL + type 3 */
	  "COMPRESS: Corrupt deflate data: invalid block type" },
	{ "\x00\x05\x00\x00\x00", 5,		/* stored: LEN != ~NLEN */
	  "COMPRESS: Corrupt deflate data: invalid stored block lengths" },
	{ "\x04\x80\x49\x92\x24\x49\x92\x24\x49\x92\x24\x71\xff\xff\x93", 15,
	  "COMPRESS: Truncated deflate stream" },	/* ends mid-block */
};

START_TEST(test_corrupt)
{
	struct istream *cinput, *input;
	unsigned char *out;
	size_t out_size;

	cinput = istream_create_from_data(corrupt_inputs[_i].data,
					  corrupt_inputs[_i].len);
	input = istream_create_zlib(cinput, 1024);
	istream_unref(&cinput);
	ck_assert_int_eq(read_all(input, &out, &out_size, 1 << 20), -1);
	ck_assert_int_ne(input->stream_errno, 0);
	ck_assert(input->eof);
	ck_assert_str_eq(istream_get_error(input), corrupt_inputs[_i].error);
	/* stays failed */
	ck_assert_int_eq(istream_read(input), -1);
	istream_unref(&input);
	p_free(system_pool, out);
}
END_TEST

/* Cut a valid stream at every length: EOF must be clean only at a block
   boundary, and the data that came out is always a prefix. */
START_TEST(test_truncated)
{
	static const char text[] = "a1 SELECT INBOX\r\na2 FETCH 1:* (FLAGS)\r\n";
	unsigned char *compressed, *out;
	size_t csize, cut, out_size;
	struct istream *cinput, *input;
	unsigned int clean = 0;

	compressed = ref_deflate((const void *)text, sizeof(text) - 1, &csize);
	for (cut = 0; cut <= csize; cut++) {
		cinput = istream_create_from_data(compressed, cut);
		input = istream_create_zlib(cinput, 1024);
		istream_unref(&cinput);
		ck_assert_int_eq(read_all(input, &out, &out_size, 1024), -1);
		ck_assert_uint_le(out_size, sizeof(text) - 1);
		ck_assert(memcmp(out, text, out_size) == 0);
		if (input->stream_errno == 0) {
			clean++;
		} else {
			ck_assert_int_eq(input->stream_errno, EINVAL);
			ck_assert_str_eq(istream_get_error(input),
					 "COMPRESS: Truncated deflate stream");
		}
		if (cut == csize || cut == 0) {
			ck_assert_int_eq(input->stream_errno, 0);
			if (cut == csize)
				ck_assert_uint_eq(out_size, sizeof(text) - 1);
		}
		if (cut == csize - 4) {
			/* the data block is complete, the empty stored
			   block is missing: all data, but truncated */
			ck_assert_uint_eq(out_size, sizeof(text) - 1);
			ck_assert_int_eq(input->stream_errno, EINVAL);
		}
		istream_unref(&input);
		p_free(system_pool, out);
	}
	ck_assert_uint_eq(clean, 2);
	p_free(system_pool, compressed);
}
END_TEST

/* A deflate bomb must not grow the buffer past max_buffer_size. */
START_TEST(test_bounded_buffer)
{
	const size_t total = 16 * 1048576;
	unsigned char *zeros = p_malloc(system_pool, total), *compressed;
	const unsigned char *data;
	struct istream *cinput, *input;
	size_t csize, size, seen = 0;
	ssize_t ret;

	ck_assert_ptr_nonnull(zeros);
	compressed = ref_deflate(zeros, total, &csize);
	ck_assert_uint_lt(csize, total / 500);
	cinput = istream_create_from_data(compressed, csize);
	input = istream_create_zlib(cinput, 4096);
	istream_unref(&cinput);
	/* without skipping, reads stop at the limit */
	while ((ret = istream_read(input)) > 0)
		;
	ck_assert_int_eq(ret, -2);
	(void)istream_get_data(input, &size);
	ck_assert_uint_eq(size, 4096);
	ck_assert(istream_zlib_has_pending(input));
	/* skipping lets it go on */
	for (;;) {
		data = istream_get_data(input, &size);
		ck_assert_uint_le(size, 4096);
		ck_assert(size == 0 || (data[0] == 0 && data[size - 1] == 0));
		seen += size;
		istream_skip(input, size);
		ret = istream_read(input);
		if (ret == -1)
			break;
		ck_assert_int_gt(ret, 0);
	}
	ck_assert_int_eq(input->stream_errno, 0);
	ck_assert_uint_eq(seen, total);
	ck_assert(!istream_zlib_has_pending(input));
	istream_unref(&input);
	p_free(system_pool, compressed);
	p_free(system_pool, zeros);
}
END_TEST

/* Compressed input arriving a few bytes at a time over a non-blocking
   socket: reads return 0 (would block) in between, never fail. */
START_TEST(test_nonblocking_pieces)
{
	const size_t total = 200000;
	unsigned char *data = test_data(total), *compressed, *out;
	const unsigned char *buffered;
	struct istream *finput, *input;
	size_t csize, pos = 0, used = 0, n, size;
	ssize_t ret;
	int fds[2];

	compressed = ref_deflate(data, total, &csize);
	out = p_malloc(system_pool, total);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	finput = istream_create_fd(fds[0], 1024, true);
	input = istream_create_zlib(finput, 2048);
	istream_unref(&finput);
	ck_assert_int_eq(istream_read(input), 0);
	while (pos < csize) {
		n = MIN(csize - pos, 1 + pos % 700);
		ck_assert_int_eq(write(fds[1], compressed + pos, n), (ssize_t)n);
		pos += n;
		while ((ret = istream_read(input)) > 0 || ret == -2) {
			buffered = istream_get_data(input, &size);
			ck_assert_uint_le(used + size, total);
			memcpy(out + used, buffered, size);
			used += size;
			istream_skip(input, size);
		}
		ck_assert_int_eq(ret, 0);
		ck_assert(!istream_zlib_has_pending(input));
	}
	ck_assert_uint_eq(used, total);
	ck_assert(memcmp(out, data, total) == 0);
	close(fds[1]);
	ck_assert_int_eq(istream_read(input), -1);
	ck_assert_int_eq(input->stream_errno, 0);
	istream_unref(&input);
	p_free(system_pool, out);
	p_free(system_pool, compressed);
	p_free(system_pool, data);
}
END_TEST

static Suite *compression_suite(void)
{
	Suite *s = suite_create("compression");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_roundtrip, 0, N_ELEMENTS(write_sizes));
	tcase_add_test(tc, test_flush_boundary);
	tcase_add_loop_test(tc, test_corrupt, 0, N_ELEMENTS(corrupt_inputs));
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_bounded_buffer);
	tcase_add_test(tc, test_nonblocking_pieces);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(compression_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
