/* Copyright (c) dovecot-like authors. Tests for the event loop: timers,
   read+write ios on one fd, removal inside callbacks, signals, tmp reset. */
#include "test-lib.h"
#include "ioloop.h"

#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

struct loop_ctx {
	struct ioloop *ioloop;
	struct timeout *to, *to_once, *to_stop;
	struct io *io_read, *io_write;
	unsigned int repeat_count, once_count, read_count, write_count;
	unsigned int signal_count;
	int fd;
};

static void repeat_cb(void *context)
{
	struct loop_ctx *ctx = context;

	if (++ctx->repeat_count == 3)
		timeout_remove(&ctx->to);	/* remove itself */
}

static void once_cb(void *context)
{
	struct loop_ctx *ctx = context;

	ctx->once_count++;
	ctx->to_once = NULL;
}

static void stop_cb(void *context)
{
	struct loop_ctx *ctx = context;

	io_loop_stop(ctx->ioloop);
}

START_TEST(test_ioloop_timeouts)
{
	struct loop_ctx ctx;
	struct timeout *to_never;
	time_t start;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ioloop = io_loop_create();
	ck_assert_ptr_eq(current_ioloop, ctx.ioloop);
	start = ioloop_time;
	ck_assert(start > 0);
	ctx.to = timeout_add(10, repeat_cb, &ctx);
	ctx.to_once = timeout_add_short_once(5, once_cb, &ctx);
	to_never = timeout_add(100000, stop_cb, &ctx);
	ctx.to_stop = timeout_add(100, stop_cb, &ctx);
	timeout_reset(to_never);
	io_loop_run(ctx.ioloop);
	ck_assert_uint_eq(ctx.repeat_count, 3);
	ck_assert_uint_eq(ctx.once_count, 1);
	ck_assert_ptr_null(ctx.to);
	ck_assert_ptr_null(ctx.to_once);
	ck_assert(ioloop_timeval.tv_sec >= start);
	timeout_remove(&to_never);
	timeout_remove(&ctx.to_stop);
	timeout_remove(&ctx.to_stop);	/* NULL-safe */
	io_loop_destroy(&ctx.ioloop);
	ck_assert_ptr_null(ctx.ioloop);
}
END_TEST

static void zero_cb(void *context)
{
	struct loop_ctx *ctx = context;

	/* a 0 ms repeating timer must not starve the others */
	ctx->repeat_count++;
}

START_TEST(test_ioloop_zero_timer)
{
	struct loop_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ioloop = io_loop_create();
	ctx.to = timeout_add(0, zero_cb, &ctx);
	ctx.to_stop = timeout_add(20, stop_cb, &ctx);
	io_loop_run(ctx.ioloop);
	ck_assert_uint_gt(ctx.repeat_count, 1);
	timeout_remove(&ctx.to);
	timeout_remove(&ctx.to_stop);
	io_loop_destroy(&ctx.ioloop);
}
END_TEST

static void maybe_stop(struct loop_ctx *ctx)
{
	if (ctx->read_count >= 1 && ctx->write_count == 3)
		io_loop_stop(ctx->ioloop);
}

static void pipe_read_cb(void *context)
{
	struct loop_ctx *ctx = context;
	char buf[16];
	ssize_t n = read(ctx->fd, buf, sizeof(buf));

	if (n > 0)
		ctx->read_count++;
	if (n == 0) {
		/* EOF */
		io_remove(&ctx->io_read);
		io_loop_stop(ctx->ioloop);
		return;
	}
	maybe_stop(ctx);
}

static void write_cb(void *context)
{
	struct loop_ctx *ctx = context;

	ck_assert_int_eq(write(ctx->fd, "w", 1), 1);
	if (++ctx->write_count == 3)
		io_remove(&ctx->io_write);
	maybe_stop(ctx);
}

START_TEST(test_ioloop_io)
{
	struct loop_ctx ctx;
	int sv[2];
	char buf[8];

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ctx.ioloop = io_loop_create();
	ctx.fd = sv[0];
	/* read and write io on the same fd */
	ctx.io_write = io_add(sv[0], IO_WRITE, write_cb, &ctx);
	ctx.io_read = io_add(sv[0], IO_READ, pipe_read_cb, &ctx);
	ctx.to_stop = timeout_add(5000, stop_cb, &ctx);
	ck_assert_int_eq(write(sv[1], "abc", 3), 3);
	io_loop_run(ctx.ioloop);
	ck_assert_uint_ge(ctx.read_count, 1);
	ck_assert_uint_eq(ctx.write_count, 3);
	ck_assert_ptr_null(ctx.io_write);
	ck_assert_int_eq(read(sv[1], buf, sizeof(buf)), 3);
	ck_assert_ptr_nonnull(ctx.io_read);
	close(sv[1]);	/* EOF wakes the read io */
	sv[1] = -1;
	io_loop_run(ctx.ioloop);
	ck_assert_ptr_null(ctx.io_read);
	io_remove(&ctx.io_read);	/* NULL-safe */
	timeout_remove(&ctx.to_stop);
	io_loop_destroy(&ctx.ioloop);
	close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
}
END_TEST

static void signal_cb(int signo, void *context)
{
	struct loop_ctx *ctx = context;

	ck_assert_int_eq(signo, SIGUSR1);
	ctx->signal_count++;
	io_loop_stop(ctx->ioloop);
}

static void signal_cb2(int signo ATTR_UNUSED, void *context)
{
	struct loop_ctx *ctx = context;

	ctx->signal_count += 10;
	lib_signals_unset_handler(SIGUSR1, signal_cb2, ctx);
}

static void raise_cb(void *context ATTR_UNUSED)
{
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
}

START_TEST(test_ioloop_signals)
{
	struct loop_ctx ctx;
	struct timeout *to_raise;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ioloop = io_loop_create();
	lib_signals_set_handler(SIGUSR1, signal_cb, &ctx);
	lib_signals_set_handler(SIGUSR1, signal_cb2, &ctx);
	to_raise = timeout_add_short_once(1, raise_cb, &ctx);
	ctx.to_stop = timeout_add(5000, stop_cb, &ctx);
	io_loop_run(ctx.ioloop);
	ck_assert_uint_eq(ctx.signal_count, 11);
	/* second time only the first handler is left */
	to_raise = timeout_add_short_once(1, raise_cb, &ctx);
	io_loop_run(ctx.ioloop);
	ck_assert_uint_eq(ctx.signal_count, 12);
	(void)to_raise;
	lib_signals_unset_handler(SIGUSR1, signal_cb, &ctx);
	timeout_remove(&ctx.to_stop);
	io_loop_destroy(&ctx.ioloop);
}
END_TEST

Suite *ioloop_suite(void)
{
	Suite *s = suite_create("ioloop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ioloop_timeouts);
	tcase_add_test(tc, test_ioloop_zero_timer);
	tcase_add_test(tc, test_ioloop_io);
	tcase_add_test(tc, test_ioloop_signals);
	suite_add_tcase(s, tc);
	return s;
}
