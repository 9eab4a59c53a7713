/* Copyright (c) dovecot-like authors. Tests for the ioloop's file-change
   watches (ioloop-notify.c): directory and file events, several watches,
   removal (also from inside a callback) and unwatchable paths. */
#include "test-lib.h"
#include "ioloop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

struct notify_ctx {
	struct ioloop *ioloop;
	char dir[64];
	struct io *io[3];
	unsigned int count[3];
	bool timed_out;
	bool remove_other;	/* watch 0's callback removes watch 1 */
	void (*change)(struct notify_ctx *ctx);
};

struct notify_watch_ref {
	struct notify_ctx *ctx;
	unsigned int idx;
};

static struct notify_watch_ref refs[3];

static const char *ctx_path(struct notify_ctx *ctx, const char *name)
{
	static char path[128];

	ck_assert(snprintf(path, sizeof(path), "%s/%s", ctx->dir, name) <
		  (int)sizeof(path));
	return path;
}

static void write_file(const char *path, int flags, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (int)strlen(data));
	ck_assert_int_eq(close(fd), 0);
}

static void watch_cb(void *context)
{
	struct notify_watch_ref *ref = context;
	struct notify_ctx *ctx = ref->ctx;

	ctx->count[ref->idx]++;
	if (ref->idx == 0 && ctx->remove_other)
		io_remove(&ctx->io[1]);
}

static void change_cb(void *context)
{
	struct notify_ctx *ctx = context;

	ctx->change(ctx);
}

static void stop_cb(void *context)
{
	struct notify_ctx *ctx = context;

	io_loop_stop(ctx->ioloop);
}

static void setup(struct notify_ctx *ctx)
{
	unsigned int i;

	memset(ctx, 0, sizeof(*ctx));
	strcpy(ctx->dir, "/tmp/test-ionotify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(ctx->dir));
	ctx->ioloop = io_loop_create();
	for (i = 0; i < 3; i++) {
		refs[i].ctx = ctx;
		refs[i].idx = i;
	}
}

static struct io *add_watch(struct notify_ctx *ctx, unsigned int idx,
			    const char *path)
{
	ctx->io[idx] = io_add_notify(path, watch_cb, &refs[idx]);
	ck_assert_ptr_nonnull(ctx->io[idx]);
	return ctx->io[idx];
}

/* Runs change() from the loop, then lets events arrive for msecs. */
static void run_change(struct notify_ctx *ctx,
		       void (*change)(struct notify_ctx *ctx),
		       unsigned int msecs)
{
	struct timeout *to_change, *to_stop;

	ctx->change = change;
	to_change = timeout_add(5, change_cb, ctx);
	to_stop = timeout_add(msecs, stop_cb, ctx);
	io_loop_run(ctx->ioloop);
	timeout_remove(&to_change);
	timeout_remove(&to_stop);
}

static void teardown(struct notify_ctx *ctx)
{
	unsigned int i;
	char cmd[128];

	for (i = 0; i < 3; i++)
		io_remove(&ctx->io[i]);
	io_loop_destroy(&ctx->ioloop);
	ck_assert(snprintf(cmd, sizeof(cmd), "rm -rf %s", ctx->dir) <
		  (int)sizeof(cmd));
	ck_assert_int_eq(system(cmd), 0);
}

static bool change_done;

static void create_file(struct notify_ctx *ctx)
{
	if (change_done)
		return;
	change_done = true;
	write_file(ctx_path(ctx, "new-file"), O_EXCL, "hello\n");
}

static void append_file(struct notify_ctx *ctx)
{
	if (change_done)
		return;
	change_done = true;
	write_file(ctx_path(ctx, "log"), O_APPEND, "more\n");
}

static void rename_in(struct notify_ctx *ctx)
{
	char from[128];

	if (change_done)
		return;
	change_done = true;
	ck_assert(snprintf(from, sizeof(from), "%s", ctx_path(ctx, "tmp-x")) <
		  (int)sizeof(from));
	ck_assert_int_eq(rename(from, ctx_path(ctx, "sub/x")), 0);
}

START_TEST(test_notify_dir_create)
{
	struct notify_ctx ctx;

	setup(&ctx);
	change_done = false;
	add_watch(&ctx, 0, ctx.dir);
	run_change(&ctx, create_file, 200);
	ck_assert(change_done);
	/* create + modify + close_write come as one batch or a few */
	ck_assert_uint_ge(ctx.count[0], 1);
	ck_assert_uint_le(ctx.count[0], 3);
	/* nothing changes any more: no more wakeups */
	ctx.count[0] = 0;
	run_change(&ctx, create_file, 50);
	ck_assert_uint_eq(ctx.count[0], 0);
	teardown(&ctx);
}
END_TEST

START_TEST(test_notify_dir_rename_in)
{
	struct notify_ctx ctx;
	char sub[128];

	setup(&ctx);
	change_done = false;
	ck_assert(snprintf(sub, sizeof(sub), "%s", ctx_path(&ctx, "sub")) <
		  (int)sizeof(sub));
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	write_file(ctx_path(&ctx, "tmp-x"), O_EXCL, "mail\n");
	add_watch(&ctx, 0, sub);
	run_change(&ctx, rename_in, 200);
	ck_assert_uint_eq(ctx.count[0], 1);
	teardown(&ctx);
}
END_TEST

START_TEST(test_notify_file_append)
{
	struct notify_ctx ctx;

	setup(&ctx);
	change_done = false;
	write_file(ctx_path(&ctx, "log"), O_EXCL, "first\n");
	add_watch(&ctx, 0, ctx_path(&ctx, "log"));
	run_change(&ctx, append_file, 200);
	ck_assert_uint_ge(ctx.count[0], 1);
	teardown(&ctx);
}
END_TEST

START_TEST(test_notify_two_watches)
{
	struct notify_ctx ctx;
	char other[] = "/tmp/test-ionotify-o.XXXXXX";

	setup(&ctx);
	change_done = false;
	ck_assert_ptr_nonnull(mkdtemp(other));
	add_watch(&ctx, 0, ctx.dir);
	add_watch(&ctx, 1, ctx.dir);	/* same path: same kernel watch */
	add_watch(&ctx, 2, other);	/* unrelated: must stay quiet */
	run_change(&ctx, create_file, 200);
	ck_assert_uint_ge(ctx.count[0], 1);
	ck_assert_uint_eq(ctx.count[0], ctx.count[1]);
	ck_assert_uint_eq(ctx.count[2], 0);
	io_remove(&ctx.io[2]);
	ck_assert_int_eq(rmdir(other), 0);
	teardown(&ctx);
}
END_TEST

START_TEST(test_notify_remove)
{
	struct notify_ctx ctx;

	setup(&ctx);
	change_done = false;
	add_watch(&ctx, 0, ctx.dir);
	add_watch(&ctx, 1, ctx.dir);
	io_remove(&ctx.io[0]);
	ck_assert_ptr_null(ctx.io[0]);
	/* the remaining watch on the shared path still works */
	run_change(&ctx, create_file, 200);
	ck_assert_uint_eq(ctx.count[0], 0);
	ck_assert_uint_ge(ctx.count[1], 1);

	/* the last watch gone: the kernel watch is dropped, nothing fires */
	io_remove(&ctx.io[1]);
	ctx.count[1] = 0;
	change_done = false;
	unlink(ctx_path(&ctx, "new-file"));
	run_change(&ctx, create_file, 100);
	ck_assert(change_done);
	ck_assert_uint_eq(ctx.count[0] + ctx.count[1], 0);

	/* a callback removing another woken watch: that one never runs */
	add_watch(&ctx, 1, ctx.dir);
	add_watch(&ctx, 0, ctx.dir);	/* list head: runs first */
	ctx.remove_other = true;
	change_done = false;
	unlink(ctx_path(&ctx, "new-file"));
	run_change(&ctx, create_file, 200);
	ck_assert_uint_ge(ctx.count[0], 1);
	ck_assert_uint_eq(ctx.count[1], 0);
	ck_assert_ptr_null(ctx.io[1]);
	teardown(&ctx);
}
END_TEST

START_TEST(test_notify_unwatchable)
{
	struct notify_ctx ctx;

	setup(&ctx);
	errno = 0;
	ck_assert_ptr_null(io_add_notify("/nonexistent-dir/x", watch_cb,
					 &refs[0]));
	ck_assert_int_eq(errno, ENOENT);
	/* a failed add leaves a working loop behind */
	change_done = false;
	add_watch(&ctx, 0, ctx.dir);
	run_change(&ctx, create_file, 200);
	ck_assert_uint_ge(ctx.count[0], 1);
	teardown(&ctx);
}
END_TEST

Suite *ioloop_notify_suite(void)
{
	Suite *s = suite_create("ioloop-notify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_notify_dir_create);
	tcase_add_test(tc, test_notify_dir_rename_in);
	tcase_add_test(tc, test_notify_file_append);
	tcase_add_test(tc, test_notify_two_watches);
	tcase_add_test(tc, test_notify_remove);
	tcase_add_test(tc, test_notify_unwatchable);
	suite_add_tcase(s, tc);
	return s;
}
