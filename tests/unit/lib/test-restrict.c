/* Copyright (c) dovecot-like authors. Tests for the privilege drop (with
   and without a kept privileged gid) and the process title; each runs in a
   child so the test process keeps its ids. */
#include "test-lib.h"
#include "restrict-access.h"
#include "process-title.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

/* A gid nobody has: the privileged group of the tests below. */
#define TEST_PRIV_GID ((gid_t)54321)

static bool gid_in_groups(gid_t wanted)
{
	gid_t groups[256];
	int i, count = getgroups(N_ELEMENTS(groups), groups);

	if (count < 0)
		_exit(90);
	for (i = 0; i < count; i++) {
		if (groups[i] == wanted)
			return true;
	}
	return false;
}

/* 0 if path could be created (and removes it), else errno. */
static int try_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd == -1)
		return errno;
	close(fd);
	if (unlink(path) < 0)
		_exit(91);
	return 0;
}

/* made by the parent: like /var/mail, only the privileged group may create
   files in it */
static char priv_dir[] = "/tmp/test-restrict-priv-XXXXXX";

static void child_keep_privileged_gid(void)
{
	const char *file = tmp_strconcat(priv_dir, "/inbox.lock", NULL);
	uid_t uid, ruid, euid, suid;
	gid_t gid, rgid, egid, sgid;

	if (restrict_lookup_user("nobody", &uid, &gid) < 0)
		_exit(10);

	restrict_access_keep_gid(uid, gid, NULL, NULL, TEST_PRIV_GID);
	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0)
		_exit(12);
	if (ruid != uid || euid != uid || suid != uid)
		_exit(13);
	if (rgid != gid || egid != gid || sgid != TEST_PRIV_GID)
		_exit(14);
	if (gid_in_groups(TEST_PRIV_GID) || !gid_in_groups(gid))
		_exit(15);
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 ||
	    setegid(0) == 0)
		_exit(16);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		_exit(17);
	/* without the group: refused */
	if (try_create(file) != EACCES)
		_exit(18);
	/* with it: allowed, and back */
	if (restrict_access_privileged_gid_begin(TEST_PRIV_GID) < 0 ||
	    getegid() != TEST_PRIV_GID)
		_exit(19);
	if (try_create(file) != 0)
		_exit(20);
	restrict_access_privileged_gid_end();
	if (getegid() != gid || try_create(file) != EACCES)
		_exit(21);
	/* no other group can be reached through it */
	errno = 0;
	if (restrict_access_privileged_gid_begin(0) == 0 || errno != EPERM ||
	    restrict_access_privileged_gid_begin(gid) == 0 ||
	    getegid() != gid)
		_exit(22);
	/* nor twice in a row (begin without end) */
	if (restrict_access_privileged_gid_begin(TEST_PRIV_GID) < 0 ||
	    restrict_access_privileged_gid_begin(TEST_PRIV_GID) == 0)
		_exit(23);
	restrict_access_privileged_gid_end();
}

/* A plain restrict_access() keeps nothing: the saved gid is gone. */
static void child_plain_drop_keeps_nothing(void)
{
	uid_t uid;
	gid_t gid, rgid, egid, sgid;

	if (restrict_lookup_user("nobody", &uid, &gid) < 0)
		_exit(10);
	if (setresgid(0, TEST_PRIV_GID, TEST_PRIV_GID) < 0)
		_exit(11);
	restrict_access(uid, gid, NULL, NULL);
	if (getresgid(&rgid, &egid, &sgid) < 0 || rgid != gid ||
	    egid != gid || sgid != gid)
		_exit(12);
	if (restrict_access_privileged_gid_begin(TEST_PRIV_GID) == 0 ||
	    setegid(TEST_PRIV_GID) == 0)
		_exit(13);
}

/* A user who is a member of the privileged group through /etc/group: the
   group is still not a supplementary one after the drop. Exit 77 when the
   system has no such membership to try. */
static void child_keep_gid_member_user(void)
{
	struct group *gr;
	uid_t uid = 0;
	gid_t gid = 0, priv_gid = 0;
	const char *member = NULL;

	setgrent();
	while (member == NULL && (gr = getgrent()) != NULL) {
		for (unsigned int i = 0; gr->gr_mem[i] != NULL; i++) {
			if (gr->gr_gid != 0 &&
			    restrict_lookup_user(gr->gr_mem[i], &uid, &gid) == 0 &&
			    uid != 0 && gid != gr->gr_gid) {
				member = tmp_strdup(gr->gr_mem[i]);
				priv_gid = gr->gr_gid;
				break;
			}
		}
	}
	endgrent();
	if (member == NULL)
		_exit(77);
	restrict_access_keep_gid(uid, gid, member, NULL, priv_gid);
	if (gid_in_groups(priv_gid) || getegid() != gid)
		_exit(30);
	if (restrict_access_privileged_gid_begin(priv_gid) < 0)
		_exit(31);
	restrict_access_privileged_gid_end();
}

static void child_keep_gid_refuses_root_group(void)
{
	restrict_access_keep_gid(65534, 65534, NULL, NULL, 0);
	_exit(0);	/* must not get here */
}

START_TEST(test_restrict_privileged_gid)
{
	gid_t gid;
	int ret;

	ck_assert_int_eq(restrict_lookup_group("root", &gid), 0);
	ck_assert_int_eq(gid, 0);
	ck_assert_int_eq(restrict_lookup_group("no-such-group-here", &gid), -1);
	if (geteuid() != 0) {
		/* only root can keep a gid */
		ck_assert_int_eq(run_child(child_keep_gid_refuses_root_group),
				 FATAL_EXIT_CODE);
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(priv_dir));
	ck_assert_int_eq(chown(priv_dir, 0, TEST_PRIV_GID), 0);
	ck_assert_int_eq(chmod(priv_dir, 01775), 0);
	ret = run_child(child_keep_privileged_gid);
	ck_assert_int_eq(rmdir(priv_dir), 0);	/* the child left nothing */
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(run_child(child_plain_drop_keeps_nothing), 0);
	ck_assert_int_eq(run_child(child_keep_gid_refuses_root_group),
			 FATAL_EXIT_CODE);
	ret = run_child(child_keep_gid_member_user);
	ck_assert_msg(ret == 0 || ret == 77, "member user child: %d", ret);
}
END_TEST

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
	tcase_add_test(tc, test_restrict_privileged_gid);
	tcase_add_test(tc, test_process_title);
	suite_add_tcase(s, tc);
	return s;
}
