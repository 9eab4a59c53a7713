/* Copyright (c) dovecot-like authors. Tests for mbox-lock.c: contention
   between two processes with a bounded timeout, stale dotlock overriding. */
#include "lib.h"
#include "mbox-lock.h"
#include "test-mbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static const char *path;
static int fd;

static void setup(void)
{
	mbox_setup();
	path = tmp_printf("%s/inbox", mbox_home);
	mbox_write_file(path, "", 0);
	fd = open(path, O_RDWR);
	ck_assert(fd != -1);
}

static void teardown(void)
{
	close(fd);
	mbox_teardown();
}

/* Child holds the write locks for hold_ms, then exits. */
static pid_t child_hold_lock(unsigned int hold_ms)
{
	int pfd[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		struct mbox_lock_settings set;
		struct mbox_lock lock;
		const char *error;
		int cfd = open(path, O_RDWR);
		struct timespec ts = { hold_ms / 1000,
				       (long)(hold_ms % 1000) * 1000000L };

		mbox_lock_settings_default(&set);
		mbox_lock_init(&lock, path, cfd, &set);
		if (mbox_lock(&lock, MBOX_LOCK_WRITE, &error) != 1)
			_exit(1);
		(void)!write(pfd[1], "x", 1);
		nanosleep(&ts, NULL);
		mbox_unlock(&lock);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

START_TEST(test_lock_contention)
{
	struct mbox_lock_settings set;
	struct mbox_lock lock;
	const char *error;
	struct stat st;
	time_t start;
	pid_t pid;
	int status;

	pid = child_hold_lock(2500);
	ck_assert_int_eq(stat(tmp_strconcat(path, ".lock", NULL), &st), 0);
	mbox_lock_settings_default(&set);
	set.lock_timeout_secs = 1;
	mbox_lock_init(&lock, path, fd, &set);
	start = time(NULL);
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_WRITE, &error), 0);
	ck_assert_int_le(time(NULL) - start, 2);
	ck_assert_ptr_nonnull(strstr(error, "Timeout"));
	/* read lock = fcntl only: also blocked by the writer's fcntl */
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_READ, &error), 0);
	ck_assert_int_eq(lock.type, MBOX_LOCK_UNLOCKED);

	/* a longer timeout waits for the child to let go */
	set.lock_timeout_secs = 10;
	mbox_lock_init(&lock, path, fd, &set);
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_WRITE, &error), 1);
	ck_assert_int_eq(lock.type, MBOX_LOCK_WRITE);
	ck_assert(lock.dotlocked && lock.fcntl_locked);
	mbox_unlock(&lock);
	ck_assert_int_eq(stat(tmp_strconcat(path, ".lock", NULL), &st), -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_lock_stale_dotlock)
{
	struct mbox_lock_settings set;
	struct mbox_lock lock;
	const char *error, *lock_path = tmp_strconcat(path, ".lock", NULL);
	char host[256];
	struct utimbuf ut;
	pid_t pid;

	mbox_lock_settings_default(&set);
	set.lock_timeout_secs = 2;
	set.dotlock_change_timeout_secs = 30;
	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);

	/* a dead pid on this host: overridden at once */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	mbox_write_file(lock_path, tmp_printf("%ld:%s", (long)pid, host), 0);
	mbox_write_file(lock_path, tmp_printf("%ld:%s", (long)pid, host),
			strlen(tmp_printf("%ld:%s", (long)pid, host)));
	mbox_lock_init(&lock, path, fd, &set);
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_WRITE, &error), 1);
	mbox_unlock(&lock);

	/* a live pid: respected while fresh... */
	mbox_write_file(lock_path, tmp_printf("%ld:%s", (long)getpid(), host),
			strlen(tmp_printf("%ld:%s", (long)getpid(), host)));
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_WRITE, &error), 0);
	/* ...but not when neither it nor the mbox changed for the timeout */
	ut.actime = ut.modtime = time(NULL) - 60;
	ck_assert_int_eq(utime(lock_path, &ut), 0);
	ck_assert_int_eq(utime(path, &ut), 0);
	ck_assert_int_eq(mbox_lock(&lock, MBOX_LOCK_WRITE, &error), 1);
	mbox_unlock(&lock);
}
END_TEST

START_TEST(test_lock_methods_parse)
{
	enum mbox_lock_method m[MBOX_LOCK_MAX_METHODS];
	unsigned int count;
	const char *error;

	ck_assert_int_eq(mbox_lock_methods_parse("dotlock fcntl", m, &count,
						 &error), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(m[0], MBOX_LOCK_DOTLOCK);
	ck_assert_int_eq(m[1], MBOX_LOCK_FCNTL);
	ck_assert_int_eq(mbox_lock_methods_parse("", m, &count, &error), 0);
	ck_assert_uint_eq(count, 0);
	ck_assert_int_eq(mbox_lock_methods_parse("fcntl lockf", m, &count,
						 &error), -1);
	ck_assert_int_eq(mbox_lock_methods_parse(
		"fcntl flock dotlock dotlock_try fcntl", m, &count, &error), -1);
}
END_TEST

Suite *test_mbox_lock_suite(void)
{
	Suite *s = suite_create("mbox-lock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lock_contention);
	tcase_add_test(tc, test_lock_stale_dotlock);
	tcase_add_test(tc, test_lock_methods_parse);
	suite_add_tcase(s, tc);
	return s;
}
