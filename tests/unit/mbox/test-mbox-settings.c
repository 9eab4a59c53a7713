/* Copyright (c) dovecot-like authors. Tests that the mbox settings of the
   mail user (lock methods, lock timeout, lazy writes, mail_privileged_group)
   reach the backend: each one changes what a mailbox does. */
#include "lib.h"
#include "mail-storage-private.h"
#include "mbox-lock.h"
#include "restrict-access.h"
#include "test-mbox.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FROM1 "From a@example.com Thu Nov  9 22:33:52 2001\n"
#define FROM2 "From b@example.com Thu Nov  9 22:33:53 2001\n"

/* as an MTA delivers them: the first sync must write X-UIDs */
static const char foreign2[] =
	FROM1 "Subject: one\n\nbody one\n\n"
	FROM2 "Subject: two\n\nbody two\n";

/* A gid nobody has, standing in for "mail". */
#define TEST_PRIV_GID ((gid_t)54321)

static void setup(void)
{
	mbox_setup();
}

static void teardown(void)
{
	mbox_teardown();
}

static int user_create_with(const struct mail_user_mbox_settings *set,
			    struct mail_user **user_r)
{
	struct mail_user_settings uset;
	const char *error;

	memset(&uset, 0, sizeof(uset));
	uset.username = "testuser";
	uset.home = mbox_home;
	uset.mail_location = tmp_printf("mbox:~/mail:INBOX=%s",
					mbox_inbox_path());
	uset.mbox = set;
	return mail_user_create(&uset, user_r, &error);
}

/* A dotlock held by a live process of this host (us): never stale. */
static void dotlock_hold(const char *mbox_path)
{
	char host[256];
	const char *content;

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	content = tmp_printf("%ld:%s", (long)getpid(), host);
	mbox_write_file(tmp_strconcat(mbox_path, ".lock", NULL), content,
			strlen(content));
}

START_TEST(test_settings_defaults)
{
	struct mail_user *user = mbox_user_create();

	ck_assert_str_eq(user->mbox_set.read_locks, "fcntl");
	ck_assert_str_eq(user->mbox_set.write_locks, "dotlock fcntl");
	ck_assert_uint_eq(user->mbox_set.lock_timeout_secs, 300);
	ck_assert_uint_eq(user->mbox_set.dotlock_change_timeout_secs, 120);
	ck_assert(user->mbox_set.privileged_gid == (gid_t)-1);
	ck_assert(user->mbox_set.lazy_writes);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_settings_invalid_methods)
{
	struct mail_user_mbox_settings set;
	struct mail_user *user = NULL;

	mail_user_mbox_settings_default(&set);
	set.read_locks = "fcntl lockf";
	ck_assert_int_eq(user_create_with(&set, &user), -1);
	ck_assert_ptr_null(user);
	mail_user_mbox_settings_default(&set);
	set.write_locks = "dotlock,bogus";
	ck_assert_int_eq(user_create_with(&set, &user), -1);
	mail_user_mbox_settings_default(&set);
	set.write_locks = "flock dotlock_try";
	ck_assert_int_eq(user_create_with(&set, &user), 0);
	ck_assert_str_eq(user->mbox_set.write_locks, "flock dotlock_try");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_settings_lock_timeout_and_methods)
{
	struct mail_user_mbox_settings set;
	struct mail_user *user;
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;
	time_t start;

	mbox_write_file(mbox_inbox_path(), foreign2, strlen(foreign2));
	dotlock_hold(mbox_inbox_path());

	/* the held dotlock blocks writing X-UIDs: fails after 1 s, not the
	   default 5 minutes */
	mail_user_mbox_settings_default(&set);
	set.lock_timeout_secs = 1;
	ck_assert_int_eq(user_create_with(&set, &user), 0);
	start = time(NULL);
	ck_assert_int_eq(mailbox_open(user, "INBOX", 0, &box, &error,
				      &error_str), -1);
	ck_assert_int_le(time(NULL) - start, 3);
	ck_assert_int_eq(error, MAIL_ERROR_TEMP);
	ck_assert_ptr_nonnull(strstr(error_str, "Timeout"));
	mail_user_unref(&user);
	ck_assert_ptr_null(strstr(mbox_read_file(mbox_inbox_path(), NULL),
				  "X-UID"));

	/* write locks without dotlock: the dotlock doesn't matter */
	set.write_locks = "fcntl";
	ck_assert_int_eq(user_create_with(&set, &user), 0);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	mailbox_close(&box);
	mail_user_unref(&user);
	ck_assert_ptr_nonnull(strstr(mbox_read_file(mbox_inbox_path(), NULL),
				     "X-UID: 2\n"));
	/* the foreign dotlock is still there: we never touched it */
	ck_assert_int_eq(access(tmp_strconcat(mbox_inbox_path(), ".lock", NULL),
				F_OK), 0);
}
END_TEST

START_TEST(test_settings_lazy_writes)
{
	struct mail_user_mbox_settings set;
	struct mail_user *user;
	struct mailbox *box;
	const char *before;

	mbox_write_file(mbox_inbox_path(), foreign2, strlen(foreign2));
	mail_user_mbox_settings_default(&set);
	set.lazy_writes = false;
	ck_assert_int_eq(user_create_with(&set, &user), 0);
	box = mbox_box_open(user, 0);
	before = tmp_strdup(mbox_read_file(mbox_inbox_path(), NULL));
	ck_assert_ptr_null(strstr(before, "X-Status: F"));
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_FLAGGED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN, NULL), 0);
	/* a batch (one STORE) is written together at its end */
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), before);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	/* in the file at the end of the command, without a sync */
	ck_assert_ptr_nonnull(strstr(mbox_read_file(mbox_inbox_path(), NULL),
				     "X-Status: F"));
	ck_assert_int_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			 MAIL_FLAGGED);
	mailbox_close(&box);
	mail_user_unref(&user);

	/* lazy (the default): only at the next sync */
	set.lazy_writes = true;
	ck_assert_int_eq(user_create_with(&set, &user), 0);
	box = mbox_box_open(user, 0);
	before = tmp_strdup(mbox_read_file(mbox_inbox_path(), NULL));
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_FLAGGED, NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), before);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* The privileged test's layout: spool/ is root:TEST_PRIV_GID 01775 like
   /var/mail, with nobody's inbox in it; user/ is nobody's home. */
static const char *spool_inbox(void)
{
	return tmp_printf("%s/spool/inbox", mbox_home);
}

static uid_t nobody_uid;
static gid_t nobody_gid;
static int log_fd = -1;

/* In the child: become nobody, keeping TEST_PRIV_GID only if keep. */
static void child_become_nobody(bool keep)
{
	char path[] = "/tmp/test-mbox-log.XXXXXX";

	log_fd = mkstemp(path);
	if (log_fd == -1 || unlink(path) < 0)
		_exit(2);
	log_set_fd(log_fd);
	if (keep) {
		restrict_access_keep_gid(nobody_uid, nobody_gid, NULL, NULL,
					 TEST_PRIV_GID);
	} else {
		restrict_access(nobody_uid, nobody_gid, NULL, NULL);
	}
}

static bool child_log_has(const char *needle)
{
	char buf[4096];
	ssize_t ret = pread(log_fd, buf, sizeof(buf) - 1, 0);

	if (ret < 0)
		_exit(3);
	buf[ret] = '\0';
	return strstr(buf, needle) != NULL;
}

/* mbox_lock() directly: the dotlock is created with the privileged gid as
   the effective gid only for the create, and removed the same way. */
static void child_lock_privileged(void)
{
	struct mbox_lock_settings set;
	struct mbox_lock lock;
	const char *error, *lock_path;
	struct stat st;
	int fd;

	child_become_nobody(true);
	lock_path = tmp_strconcat(spool_inbox(), ".lock", NULL);
	fd = open(spool_inbox(), O_RDWR);
	if (fd == -1)
		_exit(10);
	mbox_lock_settings_default(&set);
	set.lock_timeout_secs = 5;
	set.privileged_gid = TEST_PRIV_GID;
	mbox_lock_init(&lock, spool_inbox(), fd, &set);
	if (mbox_lock(&lock, MBOX_LOCK_WRITE, &error) != 1 || !lock.dotlocked)
		_exit(11);
	if (stat(lock_path, &st) < 0 || st.st_uid != nobody_uid ||
	    st.st_gid != TEST_PRIV_GID)
		_exit(12);
	if (getegid() != nobody_gid)
		_exit(13);	/* the group was given back */
	mbox_unlock(&lock);
	if (access(lock_path, F_OK) == 0 || errno != ENOENT)
		_exit(14);	/* the unlink needed the group too */
	if (getegid() != nobody_gid || child_log_has("unlink"))
		_exit(15);
}

/* Through the storage: a user with privileged_gid writes its X-UIDs under
   a dotlock, so it waits for a dotlock the parent holds. */
static void child_storage_privileged(bool keep)
{
	struct mail_user_mbox_settings set;
	struct mail_user_settings uset;
	struct mail_user *user;
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	child_become_nobody(keep);
	mail_user_mbox_settings_default(&set);
	set.lock_timeout_secs = 10;
	set.privileged_gid = keep ? TEST_PRIV_GID : (gid_t)-1;
	memset(&uset, 0, sizeof(uset));
	uset.username = "nobody";
	uset.home = tmp_printf("%s/user", mbox_home);
	uset.mail_location = tmp_printf("mbox:~/mail:INBOX=%s", spool_inbox());
	uset.mbox = &set;
	if (mail_user_create(&uset, &user, &error_str) < 0)
		_exit(20);
	if (mailbox_open(user, "INBOX", 0, &box, &error, &error_str) < 0)
		_exit(21);
	/* a flag this child hasn't set yet: there is something to write */
	if (mail_update_flags(box, 1, MODIFY_ADD,
			      keep ? MAIL_SEEN : MAIL_FLAGGED, NULL) < 0)
		_exit(22);
	mailbox_close(&box);
	mail_user_unref(&user);
	/* without the group the dotlock can't be made: said so, went on */
	if (child_log_has("can't create dotlock") == keep)
		_exit(23);
	if (getegid() != nobody_gid)
		_exit(24);
}

static void child_storage_keep(void)
{
	child_storage_privileged(true);
}

static void child_storage_nokeep(void)
{
	child_storage_privileged(false);
}

/* A missing INBOX in the spool is created through the group, as ours. */
static void child_inbox_create(void)
{
	struct mail_user_mbox_settings set;
	struct mail_user_settings uset;
	struct mail_user *user;
	struct mailbox *box;
	struct stat st;
	const char *error_str;

	child_become_nobody(true);
	mail_user_mbox_settings_default(&set);
	set.privileged_gid = TEST_PRIV_GID;
	memset(&uset, 0, sizeof(uset));
	uset.username = "nobody";
	uset.home = tmp_printf("%s/user", mbox_home);
	uset.mail_location = tmp_printf("mbox:~/mail:INBOX=%s", spool_inbox());
	uset.mbox = &set;
	if (mail_user_create(&uset, &user, &error_str) < 0)
		_exit(30);
	box = mbox_box_open(user, 0);
	if (mailbox_get_messages_count(box) != 0)
		_exit(31);
	mailbox_close(&box);
	mail_user_unref(&user);
	if (stat(spool_inbox(), &st) < 0 || st.st_uid != nobody_uid ||
	    (st.st_mode & 07777) != 0600 || getegid() != nobody_gid)
		_exit(32);
}

static int run_child(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void privileged_layout(void)
{
	const char *spool = tmp_printf("%s/spool", mbox_home);
	const char *home = tmp_printf("%s/user", mbox_home);

	ck_assert_int_eq(restrict_lookup_user("nobody", &nobody_uid,
					      &nobody_gid), 0);
	ck_assert_int_eq(chmod(mbox_home, 0755), 0);
	ck_assert_int_eq(mkdir(spool, 0755), 0);
	ck_assert_int_eq(chown(spool, 0, TEST_PRIV_GID), 0);
	ck_assert_int_eq(chmod(spool, 01775), 0);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	ck_assert_int_eq(chown(home, nobody_uid, nobody_gid), 0);
	mbox_write_file(spool_inbox(), foreign2, strlen(foreign2));
	ck_assert_int_eq(chown(spool_inbox(), nobody_uid, nobody_gid), 0);
}

START_TEST(test_settings_privileged_dotlock)
{
	const char *lock_path;
	struct timespec ts = { 1, 500 * 1000 * 1000L };
	int status;
	time_t start;
	pid_t pid;

	if (geteuid() != 0)
		return;	/* needs root to set up the groups */
	privileged_layout();
	lock_path = tmp_strconcat(spool_inbox(), ".lock", NULL);
	ck_assert_int_eq(run_child(child_lock_privileged), 0);

	/* an MTA (us) holds the dotlock: the user's first sync waits for it */
	dotlock_hold(spool_inbox());
	start = time(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_storage_keep();
		_exit(0);
	}
	nanosleep(&ts, NULL);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);	/* waiting */
	ck_assert_int_eq(unlink(lock_path), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %d", status);
	ck_assert_int_ge(time(NULL) - start, 1);
	ck_assert_ptr_nonnull(strstr(mbox_read_file(spool_inbox(), NULL),
				     "X-UID: 2\n"));
	ck_assert_ptr_nonnull(strstr(mbox_read_file(spool_inbox(), NULL),
				     "Status: RO\n"));
	ck_assert_int_eq(access(lock_path, F_OK), -1);

	/* without the kept group: no dotlock, a warning, still works */
	ck_assert_int_eq(run_child(child_storage_nokeep), 0);
	ck_assert_int_eq(access(lock_path, F_OK), -1);

	/* no INBOX yet: the group creates it */
	ck_assert_int_eq(unlink(spool_inbox()), 0);
	ck_assert_int_eq(run_child(child_inbox_create), 0);
	ck_assert_int_eq(access(spool_inbox(), F_OK), 0);
}
END_TEST

Suite *test_mbox_settings_suite(void)
{
	Suite *s = suite_create("mbox-settings");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_settings_defaults);
	tcase_add_test(tc, test_settings_invalid_methods);
	tcase_add_test(tc, test_settings_lock_timeout_and_methods);
	tcase_add_test(tc, test_settings_lazy_writes);
	tcase_add_test(tc, test_settings_privileged_dotlock);
	suite_add_tcase(s, tc);
	return s;
}
