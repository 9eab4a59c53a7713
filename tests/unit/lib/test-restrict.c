/* Copyright (c) dovecot-like authors. Tests for the privilege drop and the
   process title; each runs in a child so the test process keeps its ids. */
#include "test-lib.h"
#include "restrict-access.h"
#include "process-title.h"

#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Run fn in a child; returns its exit status (or 128+signal). */
static int run_child(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		log_set_fd(-1);
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void child_drop_to_nobody(void)
{
	char dir[] = "/tmp/test-restrict-XXXXXX";
	uid_t uid;
	gid_t gid;
	char cwd[64];

	if (restrict_lookup_user("nobody", &uid, &gid) < 0)
		_exit(10);
	if (mkdtemp(dir) == NULL)
		_exit(11);
	restrict_access(uid, gid, NULL, dir);
	if (getuid() != uid || geteuid() != uid || getgid() != gid)
		_exit(12);
	if (setuid(0) == 0 || seteuid(0) == 0)
		_exit(13);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		_exit(14);
	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		_exit(15);
	if (access("/etc/passwd", F_OK) == 0)
		_exit(16);	/* chroot did not happen */
}

static void child_same_ids(void)
{
	restrict_access(getuid(), getgid(), NULL, NULL);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		_exit(20);
}

static void child_other_ids_unprivileged(void)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() == 0) {
		/* become someone first so the call below must fail */
		if (restrict_lookup_user("nobody", &uid, &gid) < 0)
			_exit(10);
		restrict_access(uid, gid, NULL, NULL);
	}
	restrict_access(getuid() + 1, getgid(), NULL, NULL);
	_exit(0);	/* must not get here */
}

START_TEST(test_restrict_access)
{
	uid_t uid;
	gid_t gid;

	ck_assert_int_eq(restrict_lookup_user("root", &uid, &gid), 0);
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(restrict_lookup_user("no-such-user-here", &uid, &gid), -1);
	if (geteuid() == 0)
		ck_assert_int_eq(run_child(child_drop_to_nobody), 0);
	ck_assert_int_eq(run_child(child_same_ids), 0);
	ck_assert_int_eq(run_child(child_other_ids_unprivileged), FATAL_EXIT_CODE);
}
END_TEST

static void child_process_title(void)
{
	char area[] = "prog\0arg1";
	char *argv_arr[] = { area, area + 5, NULL }, **argv = argv_arr;
	char name[17];

	process_title_init(2, &argv);
	if (argv == argv_arr || strcmp(argv[0], "prog") != 0 ||
	    strcmp(argv[1], "arg1") != 0 || argv[2] != NULL)
		_exit(30);
	process_title_set("dovecot-like/imap [user 127.0.0.1]");
	/* argv area is 10 bytes: 9 chars of title and a NUL */
	if (memcmp(area, "dovecot-l", 9) != 0 || area[9] != '\0')
		_exit(31);
	if (strcmp(argv[1], "arg1") != 0)
		_exit(32);	/* the copies are untouched */
	memset(name, 0, sizeof(name));
	if (prctl(PR_GET_NAME, name, 0, 0, 0) < 0 ||
	    strcmp(name, "dovecot-like/im") != 0)
		_exit(33);
	if (getenv("PATH") == NULL && getenv("HOME") == NULL &&
	    environ != NULL && environ[0] != NULL)
		_exit(34);
	process_title_set("x");
	if (strcmp(area, "x") != 0)
		_exit(35);
}

START_TEST(test_process_title)
{
	ck_assert_int_eq(run_child(child_process_title), 0);
}
END_TEST

Suite *restrict_suite(void)
{
	Suite *s = suite_create("restrict");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_restrict_access);
	tcase_add_test(tc, test_process_title);
	suite_add_tcase(s, tc);
	return s;
}
