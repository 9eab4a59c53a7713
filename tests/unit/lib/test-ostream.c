/* Copyright (c) dovecot-like authors. Tests for ostreams: direct writes,
   buffering when the peer is slow, corking, flush callbacks, errors. */
#include "test-lib.h"
#include "ostream.h"
#include "ioloop.h"
#include "buffer.h"
#include "net.h"

#include <unistd.h>
#include <sys/socket.h>

struct flush_ctx {
	struct ioloop *ioloop;
	struct ostream *output;
	int fd;
	size_t received;
	unsigned int flush_calls;
	struct io *io;
};

static void reader_input(void *context)
{
	struct flush_ctx *ctx = context;
	char buf[4096];
	ssize_t ret;

	ret = read(ctx->fd, buf, sizeof(buf));
	if (ret > 0)
		ctx->received += (size_t)ret;
}

static int flush_callback(void *context)
{
	struct flush_ctx *ctx = context;

	ctx->flush_calls++;
	ck_assert_uint_eq(ostream_get_buffer_used(ctx->output), 0);
	io_loop_stop(ctx->ioloop);
	return 1;
}

START_TEST(test_ostream_socketpair)
{
	struct flush_ctx ctx;
	struct ioloop *ioloop = io_loop_create();
	static char big[1024 * 1024];
	int fds[2], sndbuf = 4096;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	(void)setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	fd_set_nonblock(fds[0], true);
	fd_set_nonblock(fds[1], true);
	ctx.ioloop = ioloop;
	ctx.fd = fds[1];
	ctx.output = ostream_create_fd(fds[0], 0, true);
	ck_assert_int_eq(ostream_get_fd(ctx.output), fds[0]);
	ostream_set_flush_callback(ctx.output, flush_callback, &ctx);

	/* small: goes out directly */
	ck_assert_int_eq(ostream_send_str(ctx.output, "hello\r\n"), 7);
	ck_assert_uint_eq(ostream_get_buffer_used(ctx.output), 0);
	ck_assert_int_eq(ostream_flush(ctx.output), 1);

	/* big: the socket takes only part, the rest is buffered */
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(ostream_send(ctx.output, big, sizeof(big)),
			 (ssize_t)sizeof(big));
	ck_assert_uint_gt(ostream_get_buffer_used(ctx.output), 0);
	ck_assert_int_eq(ostream_flush(ctx.output), 0);
	ck_assert_int_eq(ostream_printf(ctx.output, "%d", 12345), 5);
	ck_assert(ctx.output->offset == 7 + sizeof(big) + 5);

	ctx.io = io_add(fds[1], IO_READ, reader_input, &ctx);
	io_loop_run(ioloop);
	ck_assert_uint_eq(ctx.flush_calls, 1);
	ck_assert_uint_eq(ostream_get_buffer_used(ctx.output), 0);
	/* drain the rest */
	while (ctx.received < 7 + sizeof(big) + 5)
		reader_input(&ctx);
	ck_assert_uint_eq(ctx.received, 7 + sizeof(big) + 5);

	/* cork gathers until uncork */
	ostream_cork(ctx.output);
	ck_assert_int_eq(ostream_send_str(ctx.output, "a"), 1);
	ck_assert_int_eq(ostream_send_str(ctx.output, "b"), 1);
	ck_assert_uint_eq(ostream_get_buffer_used(ctx.output), 2);
	ostream_uncork(ctx.output);
	ck_assert_uint_eq(ostream_get_buffer_used(ctx.output), 0);
	while (ctx.received < 7 + sizeof(big) + 5 + 2)
		reader_input(&ctx);

	/* peer gone: EPIPE, not SIGPIPE */
	io_remove(&ctx.io);
	close(fds[1]);
	ck_assert_int_eq(ostream_send_str(ctx.output, "x"), -1);
	ck_assert_int_eq(ctx.output->stream_errno, EPIPE);
	ck_assert_int_eq(ostream_flush(ctx.output), -1);
	ck_assert(strstr(ostream_get_error(ctx.output), "failed") != NULL);
	ostream_destroy(&ctx.output);
	ck_assert_ptr_null(ctx.output);
	io_loop_destroy(&ioloop);
}
END_TEST

START_TEST(test_ostream_buffer)
{
	struct buf *buf = buf_create(system_pool, 16);
	struct ostream *output = ostream_create_buffer(buf), *output2;

	ck_assert_int_eq(ostream_send_str(output, "abc"), 3);
	ostream_cork(output);
	ck_assert_int_eq(ostream_printf(output, "%s=%d", "x", 1), 3);
	ck_assert_uint_eq(buf->used, 3);
	ostream_uncork(output);
	ck_assert_uint_eq(buf->used, 6);
	ck_assert(memcmp(buf->data, "abcx=1", 6) == 0);
	ck_assert_int_eq(ostream_send(output, "", 0), 0);
	output2 = output;
	ostream_ref(output2);
	ostream_destroy(&output);
	ck_assert_ptr_null(output);
	/* closed by destroy: further sends fail */
	ck_assert_int_eq(ostream_send_str(output2, "z"), -1);
	ostream_unref(&output2);
	ostream_unref(&output2);	/* NULL-safe */
	buf_set_max_size(buf, 7);
	output = ostream_create_buffer(buf);
	ck_assert_int_eq(ostream_send_str(output, "12"), -1);
	ck_assert_int_eq(output->stream_errno, ENOBUFS);
	ostream_unref(&output);
	buf_free(&buf);
}
END_TEST

Suite *ostream_suite(void)
{
	Suite *s = suite_create("ostream");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ostream_socketpair);
	tcase_add_test(tc, test_ostream_buffer);
	suite_add_tcase(s, tc);
	return s;
}
