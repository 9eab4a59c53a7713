/* Copyright (c) dovecot-like authors. Check suite for the subscriptions file
   (Dovecot's v1 and v2 formats, malformed files, the dotlock, two writer
   processes, readers never seeing a half file) and for the generic checks of
   mailbox CREATE/DELETE/RENAME (mailbox-mgmt.c), run against a fake driver so
   they don't depend on a backend. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage-private.h"
#include "mailbox-mgmt.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

/* names joined with ',' */
static const char *names_join(const ARRAY_TYPE(string) *names)
{
	struct str *str = t_str_new(128);
	const char *const *np;

	array_foreach(names, np) {
		if (str_len(str) > 0)
			str_append_c(str, ',');
		str_append(str, *np);
	}
	return str_c(str);
}

static const struct {
	const char *data;
	size_t size;	/* 0 = strlen(data) */
	char v1_sep;
	const char *names;
} parse_tests[] = {
	/* v2: TAB between levels, TAB-escaped levels */
	{ "V\t2\n\nINBOX\na\tb\nc\n", 0, '.', "INBOX,a/b,c" },
	{ "V\t2\n\na\001tb\tc\001nd\n", 0, '.', "a\tb/c\nd" },
	{ "V\t2\n\ninbox\nInBox\tSub\n", 0, '.', "INBOX,INBOX/Sub" },
	/* no LF at the end, CRLF, cut after the header line */
	{ "V\t2\n\na\r\nb", 0, '.', "a,b" },
	{ "V\t2\n", 0, '.', "" },
	{ "V\t2", 0, '.', "" },
	/* v1: the list's separator; Maildir++ '.', mbox '/' */
	{ "INBOX\nWork.Projects\n", 0, '.', "INBOX,Work/Projects" },
	{ "INBOX\nWork/Projects\n", 0, '/', "INBOX,Work/Projects" },
	/* v1 Maildir++ name with a '/' can't be a storage name */
	{ "a/b\nc\n", 0, '.', "c" },
	{ "V\t1\n\nx\n", 0, '.', "V\t1,x" },
	/* malformed lines are skipped, the rest kept */
	{ "V\t2\n\n\n\n\na\t\tb\n\tx\ny\t\nok\n", 0, '.', "ok" },
	/* a '/' in a level: Dovecot's subscriptions = no form */
	{ "V\t2\n\na/b\tc\nok\n", 0, '.', "a/b/c,ok" },
	{ "V\t2\n\nbad\0010\nok\n", 0, '.', "ok" },	/* escaped NUL */
	{ "V\t2\n\nb\0ad\nok\n", 13, '.', "ok" },	/* raw NUL */
	{ "V\t2\n\n.\n..\ta\n~x\nok\n", 0, '.', "ok" },
	{ "a..b\n.a\nb.\nok\n", 0, '.', "ok" },
	{ "", 0, '.', "" },
	{ "\n\n\n", 0, '.', "" },
};

START_TEST(test_subscriptions_parse)	/* loop test */
{
	size_t size = parse_tests[_i].size != 0 ? parse_tests[_i].size :
		strlen(parse_tests[_i].data);
	ARRAY_TYPE(string) names;

	mailbox_subscriptions_parse(parse_tests[_i].data, size,
				    parse_tests[_i].v1_sep, tmp_pool, &names);
	ck_assert_str_eq(names_join(&names), parse_tests[_i].names);
	tmp_reset();
}
END_TEST

START_TEST(test_subscriptions_parse_long_lines)
{
	struct str *data = t_str_new(20000), *level = t_str_new(300);
	ARRAY_TYPE(string) names;
	unsigned int i;

	/* a name over MAILBOX_NAME_MAX_LEN (17 levels of 255), then a level
	   over MAILBOX_NAME_MAX_LEVEL_LEN, then one at the limit */
	for (i = 0; i < 255; i++)
		str_append_c(level, 'x');
	str_append(data, "V\t2\n\n");
	for (i = 0; i < 17; i++) {
		if (i > 0)
			str_append_c(data, '\t');
		str_append_str(data, level);
	}
	str_append(data, "\ny");
	str_append_str(data, level);
	str_append(data, "\n");
	str_append_str(data, level);
	str_append(data, "\nok\n");
	mailbox_subscriptions_parse(str_data(data), str_len(data), '.',
				    tmp_pool, &names);
	ck_assert_uint_eq(array_count(&names), 2);
	ck_assert_str_eq(array_idx(&names, 0)[0], str_c(level));
	ck_assert_str_eq(array_idx(&names, 1)[0], "ok");
	tmp_reset();
}
END_TEST

START_TEST(test_subscriptions_append_v2)
{
	struct str *str = t_str_new(64);
	ARRAY_TYPE(string) names;

	mailbox_subscriptions_append_v2(str, "INBOX");
	mailbox_subscriptions_append_v2(str, "a/b c/d");
	mailbox_subscriptions_append_v2(str, "t\tab/\001/n\nl\r");
	ck_assert_str_eq(str_c(str), "INBOX\na\tb c\td\n"
			 "t\001tab\t\0011\tn\001nl\001r\n");
	/* and back */
	mailbox_subscriptions_parse(tmp_strconcat("V\t2\n\n", str_c(str), NULL),
				    5 + str_len(str), '.', tmp_pool, &names);
	ck_assert_str_eq(names_join(&names),
			 "INBOX,a/b c/d,t\tab/\001/n\nl\r");
	tmp_reset();
}
END_TEST

static const char *subs_path(void)
{
	return tmp_strconcat(home, "/subscriptions", NULL);
}

static const char *subs_read_joined(void)
{
	ARRAY_TYPE(string) names;
	const char *error;

	ck_assert_int_eq(mailbox_subscriptions_read(subs_path(), '.', tmp_pool,
						    &names, &error), 0);
	return names_join(&names);
}

static void subs_set(const char *name, bool set)
{
	const char *error = NULL;

	ck_assert_msg(mailbox_subscriptions_set(subs_path(), '.', name, set,
						&error) == 0, "%s", error);
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

START_TEST(test_subscriptions_write)
{
	struct stat st1, st2;

	/* no file: nothing subscribed; unsubscribing writes nothing */
	ck_assert_str_eq(subs_read_joined(), "");
	subs_set("nothing", false);
	ck_assert(!path_exists(subs_path()));

	subs_set("inbox", true);
	subs_set("Work/Projects", true);
	subs_set("a\tb", true);
	ck_assert_str_eq(read_path(subs_path()),
			 "V\t2\n\nINBOX\nWork\tProjects\na\001tb\n");
	ck_assert(!path_exists(tmp_strconcat(subs_path(), ".lock", NULL)));
	/* read back sorted */
	ck_assert_str_eq(subs_read_joined(), "INBOX,Work/Projects,a\tb");

	/* no change, no rewrite */
	ck_assert_int_eq(stat(subs_path(), &st1), 0);
	subs_set("Work/Projects", true);
	subs_set("Work", false);
	ck_assert_int_eq(stat(subs_path(), &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);

	subs_set("Work/Projects", false);
	ck_assert_str_eq(read_path(subs_path()), "V\t2\n\nINBOX\na\001tb\n");
	ck_assert_int_eq(stat(subs_path(), &st2), 0);
	ck_assert_uint_ne(st1.st_ino, st2.st_ino);	/* replaced by rename */
	ck_assert_uint_eq(st2.st_mode & 07777, 0600);
	ck_assert(!path_exists(tmp_strconcat(subs_path(), ".lock", NULL)));
}
END_TEST

START_TEST(test_subscriptions_v1_converted)
{
	/* Dovecot's old format for Maildir++; duplicates of the changed
	   name go, others stay */
	write_path(subs_path(), "INBOX\nWork.Projects\nx\nx\nWork.Projects\n");
	ck_assert_str_eq(subs_read_joined(), "INBOX,Work/Projects,x");
	subs_set("x", true);	/* already there: file kept as it is */
	ck_assert_str_eq(read_path(subs_path()),
			 "INBOX\nWork.Projects\nx\nx\nWork.Projects\n");
	subs_set("Work/Projects", false);
	ck_assert_str_eq(read_path(subs_path()), "V\t2\n\nINBOX\nx\nx\n");
	subs_set("new", true);
	ck_assert_str_eq(read_path(subs_path()), "V\t2\n\nINBOX\nx\nx\nnew\n");
}
END_TEST

START_TEST(test_subscriptions_too_large)
{
	const char *error = NULL;
	ARRAY_TYPE(string) names;
	int fd;

	fd = open(subs_path(), O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, MAILBOX_SUBSCRIPTIONS_MAX_SIZE + 1), 0);
	close(fd);
	ck_assert_int_eq(mailbox_subscriptions_read(subs_path(), '.', tmp_pool,
						    &names, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "is larger than"));
	/* the writer refuses too instead of dropping what it can't read */
	ck_assert_int_eq(mailbox_subscriptions_set(subs_path(), '.', "a", true,
						   &error), -1);
	ck_assert(!path_exists(tmp_strconcat(subs_path(), ".lock", NULL)));
}
END_TEST

START_TEST(test_subscriptions_unreadable)
{
	const char *error = NULL;
	ARRAY_TYPE(string) names;

	/* a directory where the file should be */
	ck_assert_int_eq(mkdir(subs_path(), 0700), 0);
	ck_assert_int_eq(mailbox_subscriptions_read(subs_path(), '.', tmp_pool,
						    &names, &error), -1);
	ck_assert_int_eq(mailbox_subscriptions_set(subs_path(), '.', "a", true,
						   &error), -1);
	ck_assert(!path_exists(tmp_strconcat(subs_path(), ".lock", NULL)));
}
END_TEST

START_TEST(test_subscriptions_stale_lock)
{
	const char *lock = tmp_strconcat(subs_path(), ".lock", NULL);
	struct timeval tv[2];

	/* a crashed writer's lock, untouched for a minute: taken over */
	write_path(lock, "half writ");
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= MAILBOX_SUBSCRIPTIONS_LOCK_STALE_SECS + 30;
	tv[1] = tv[0];
	ck_assert_int_eq(utimes(lock, tv), 0);
	subs_set("a", true);
	ck_assert_str_eq(read_path(subs_path()), "V\t2\n\na\n");
	ck_assert(!path_exists(lock));
}
END_TEST

START_TEST(test_subscriptions_lock_waits)
{
	const char *lock = tmp_strconcat(subs_path(), ".lock", NULL);
	pid_t pid;
	int status;

	write_path(subs_path(), "V\t2\n\nold\n");
	write_path(lock, "");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* another writer: holds the lock 300 ms, then finishes */
		usleep(300 * 1000);
		write_path(lock, "V\t2\n\nold\nother\n");
		_exit(rename(lock, subs_path()) == 0 ? 0 : 1);
	}
	subs_set("mine", true);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* waited for it (the lock was there when we started), and kept its
	   change: read after the other writer's rename */
	ck_assert_str_eq(read_path(subs_path()), "V\t2\n\nold\nother\nmine\n");
	ck_assert(!path_exists(lock));
}
END_TEST

#define CONCURRENT_NAMES 40

static void subs_writer(const char *prefix)
{
	const char *error;

	for (unsigned int i = 0; i < CONCURRENT_NAMES; i++) {
		if (mailbox_subscriptions_set(subs_path(), '.',
					      tmp_printf("%s%u", prefix, i),
					      true, &error) < 0) {
			fprintf(stderr, "%s\n", error);
			_exit(1);
		}
		tmp_reset();
	}
	_exit(0);
}

START_TEST(test_subscriptions_concurrent_writers)
{
	ARRAY_TYPE(string) names;
	const char *error;
	pid_t pids[2];
	int status;

	pids[0] = fork();
	ck_assert_int_ge(pids[0], 0);
	if (pids[0] == 0)
		subs_writer("a");
	pids[1] = fork();
	ck_assert_int_ge(pids[1], 0);
	if (pids[1] == 0)
		subs_writer("b");
	for (unsigned int i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* nobody lost the other's change */
	ck_assert_int_eq(mailbox_subscriptions_read(subs_path(), '.', tmp_pool,
						    &names, &error), 0);
	ck_assert_uint_eq(array_count(&names), 2 * CONCURRENT_NAMES);
	for (unsigned int i = 0; i < CONCURRENT_NAMES; i++) {
		ck_assert_ptr_nonnull(strstr(read_path(subs_path()),
					     tmp_printf("\na%u\n", i)));
		ck_assert_ptr_nonnull(strstr(read_path(subs_path()),
					     tmp_printf("\nb%u\n", i)));
	}
}
END_TEST

START_TEST(test_subscriptions_readers_see_whole_files)
{
	unsigned int seen = 0, reads = 0;
	struct str *expect;
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		subs_writer("n");
	/* every read is some complete earlier file: the header, then
	   n0..nk in order, nothing cut */
	do {
		const char *data;

		if (waitpid(pid, &status, WNOHANG) == pid)
			pid = 0;
		if (!path_exists(subs_path()))
			continue;
		data = read_path(subs_path());
		expect = t_str_new(512);
		str_append(expect, "V\t2\n\n");
		for (unsigned int i = 0; str_len(expect) < strlen(data); i++)
			str_printfa(expect, "n%u\n", i);
		ck_assert_str_eq(data, str_c(expect));
		ck_assert_uint_ge(strlen(data), seen);
		seen = strlen(data);
		reads++;
		tmp_reset();
	} while (pid != 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_gt(reads, 0);
	ck_assert_str_eq(subs_read_joined(), "n0,n1,n10,n11,n12,n13,n14,n15,"
			 "n16,n17,n18,n19,n2,n20,n21,n22,n23,n24,n25,n26,n27,"
			 "n28,n29,n3,n30,n31,n32,n33,n34,n35,n36,n37,n38,n39,"
			 "n4,n5,n6,n7,n8,n9");
}
END_TEST

/* --- mail_user_set_subscribed / mail_user_list_subscriptions --- */

START_TEST(test_user_subscriptions)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	ARRAY_TYPE(string) names;
	const char *error;

	ck_assert_int_eq(mail_user_set_subscribed(user, "Work/Projects", true,
						  &error), 0);
	ck_assert_int_eq(mail_user_set_subscribed(user, "inbox", true,
						  &error), 0);
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/subscriptions",
						 NULL)),
			 "V\t2\n\nWork\tProjects\nINBOX\n");
	ck_assert_int_eq(mail_user_list_subscriptions(user, tmp_pool, &names,
						      &error), 0);
	ck_assert_str_eq(names_join(&names), "INBOX,Work/Projects");
	/* invalid names never reach the file */
	ck_assert_int_eq(mail_user_set_subscribed(user, "a//b", true, &error), -1);
	ck_assert_int_eq(mail_user_set_subscribed(user, "", true, &error), -1);
	ck_assert_int_eq(mail_user_set_subscribed(user, "../x", true, &error), -1);
	/* a v1 file of a Maildir++ Dovecot */
	write_path(tmp_strconcat(maildir, "/subscriptions", NULL),
		   "INBOX\nA.B\n");
	ck_assert_int_eq(mail_user_list_subscriptions(user, tmp_pool, &names,
						      &error), 0);
	ck_assert_str_eq(names_join(&names), "A/B,INBOX");
	mail_user_unref(&user);
}
END_TEST

/* --- mailbox-mgmt.c's checks, against a fake driver --- */

static const char *fake_calls;
static const char *const fake_names[] = {
	"INBOX", "Parent", "Parent/Child", "Other", "Ghost/Child", NULL
};

static int fake_list(struct mail_user *user ATTR_UNUSED, struct pool *pool,
		     ARRAY_TYPE(string) *names_r, const char **error_r ATTR_UNUSED)
{
	array_init(names_r, pool, 8);
	for (unsigned int i = 0; fake_names[i] != NULL; i++)
		array_append(names_r, &fake_names[i]);
	return 0;
}

static int fake_create(struct mail_user *user ATTR_UNUSED, const char *name,
		       bool directory, enum mail_storage_error *error_r ATTR_UNUSED,
		       const char **error_str_r ATTR_UNUSED)
{
	fake_calls = tmp_printf("create %s%s", name, directory ? " dir" : "");
	return 0;
}

static int fake_delete(struct mail_user *user ATTR_UNUSED, const char *name,
		       enum mail_storage_error *error_r ATTR_UNUSED,
		       const char **error_str_r ATTR_UNUSED)
{
	fake_calls = tmp_printf("delete %s", name);
	return 0;
}

static int fake_rename(struct mail_user *user ATTR_UNUSED, const char *oldname,
		       const char *newname,
		       enum mail_storage_error *error_r ATTR_UNUSED,
		       const char **error_str_r ATTR_UNUSED)
{
	fake_calls = tmp_printf("rename %s %s", oldname, newname);
	return 0;
}

static struct mail_storage_driver fake_driver;

static struct mail_user *fake_user_create(bool with_mgmt)
{
	struct mail_user *user = user_create("maildir:~/Maildir");

	fake_driver = *user->driver;
	fake_driver.list_mailboxes = fake_list;
	fake_driver.mailbox_create = with_mgmt ? fake_create : NULL;
	fake_driver.mailbox_delete = with_mgmt ? fake_delete : NULL;
	fake_driver.mailbox_rename = with_mgmt ? fake_rename : NULL;
	user->driver = &fake_driver;
	fake_calls = "";
	return user;
}

enum mgmt_op { OP_CREATE, OP_CREATE_DIR, OP_DELETE, OP_RENAME };

static const struct {
	enum mgmt_op op;
	const char *name, *newname;
	/* "ok <driver call>" or "<error number> <text>" */
	const char *result;
} mgmt_tests[] = {
	{ OP_CREATE, "New/Sub", NULL, "ok create New/Sub" },
	{ OP_CREATE_DIR, "New", NULL, "ok create New dir" },
	{ OP_CREATE, "inbox/Sub", NULL, "ok create INBOX/Sub" },
	{ OP_CREATE, "INBOX", NULL, "6 Mailbox already exists" },
	{ OP_CREATE, "iNbOx", NULL, "6 Mailbox already exists" },
	{ OP_CREATE, "", NULL, "5 Invalid mailbox name: Name is empty" },
	{ OP_CREATE, "a//b", NULL,
	  "5 Invalid mailbox name: Has adjacent hierarchy separators" },
	{ OP_CREATE, "/a", NULL,
	  "5 Invalid mailbox name: Begins with hierarchy separator" },
	{ OP_CREATE, "a/", NULL,
	  "5 Invalid mailbox name: Ends with hierarchy separator" },
	{ OP_CREATE, "a/../b", NULL, "5 Invalid mailbox name" },
	{ OP_CREATE, "..", NULL, "5 Invalid mailbox name" },
	{ OP_CREATE, "~root", NULL, "5 Invalid mailbox name" },
	{ OP_CREATE, "a\tb", NULL,
	  "5 Control characters not allowed in new mailbox names" },
	{ OP_DELETE, "INBOX", NULL, "5 INBOX can't be deleted." },
	{ OP_DELETE, "Inbox", NULL, "5 INBOX can't be deleted." },
	/* a mailbox with children: the driver decides (as Dovecot) */
	{ OP_DELETE, "Parent", NULL, "ok delete Parent" },
	/* a parent that isn't a mailbox: the driver decides too */
	{ OP_DELETE, "Ghost", NULL, "ok delete Ghost" },
	{ OP_DELETE, "Ghost/Child", NULL, "ok delete Ghost/Child" },
	{ OP_DELETE, "Parent/Child", NULL, "ok delete Parent/Child" },
	{ OP_DELETE, "Other", NULL, "ok delete Other" },
	{ OP_DELETE, "Par", NULL, "ok delete Par" },	/* not Parent's */
	{ OP_DELETE, "a\tb", NULL, "ok delete a\tb" },	/* old names */
	{ OP_RENAME, "Parent", "Parent", "6 Can't rename mailbox to itself." },
	{ OP_RENAME, "inbox", "INBOX", "6 Can't rename mailbox to itself." },
	{ OP_RENAME, "Parent", "Parent/New",
	  "5 Can't rename mailbox under its own child." },
	{ OP_RENAME, "Parent", "Parents", "ok rename Parent Parents" },
	{ OP_RENAME, "Other", "inbox",
	  "6 Target mailbox already exists" },
	{ OP_RENAME, "inbox", "Old", "ok rename INBOX Old" },
	{ OP_RENAME, "Other", "a\001",
	  "5 Control characters not allowed in new mailbox names" },
	{ OP_RENAME, "a//b", "x",
	  "5 Invalid mailbox name: Has adjacent hierarchy separators" },
};

static int mgmt_run(struct mail_user *user, unsigned int i,
		    enum mail_storage_error *error_r, const char **error_str_r)
{
	switch (mgmt_tests[i].op) {
	case OP_CREATE:
	case OP_CREATE_DIR:
		return mail_user_mailbox_create(user, mgmt_tests[i].name,
						mgmt_tests[i].op == OP_CREATE_DIR,
						error_r, error_str_r);
	case OP_DELETE:
		return mail_user_mailbox_delete(user, mgmt_tests[i].name,
						error_r, error_str_r);
	case OP_RENAME:
		return mail_user_mailbox_rename(user, mgmt_tests[i].name,
						mgmt_tests[i].newname,
						error_r, error_str_r);
	}
	return -2;
}

START_TEST(test_mailbox_mgmt_checks)	/* loop test */
{
	struct mail_user *user = fake_user_create(true);
	enum mail_storage_error error = MAIL_ERROR_NONE;
	const char *error_str = NULL, *result;

	if (mgmt_run(user, (unsigned int)_i, &error, &error_str) == 0)
		result = tmp_strconcat("ok ", fake_calls, NULL);
	else
		result = tmp_printf("%d %s", (int)error, error_str);
	ck_assert_str_eq(result, mgmt_tests[_i].result);
	if (strncmp(mgmt_tests[_i].result, "ok", 2) != 0)
		ck_assert_str_eq(fake_calls, "");	/* driver not asked */
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mailbox_mgmt_long_names)
{
	struct mail_user *user = fake_user_create(true);
	struct str *name = t_str_new(5000), *level = t_str_new(300);
	enum mail_storage_error error;
	const char *error_str;

	for (unsigned int i = 0; i < 256; i++)
		str_append_c(level, 'x');
	/* a level over 255 */
	ck_assert_int_eq(mail_user_mailbox_create(user, str_c(level), false,
						  &error, &error_str), -1);
	ck_assert_str_eq(error_str, "Mailbox name too long");
	str_truncate(level, 255);
	ck_assert_int_eq(mail_user_mailbox_create(user, str_c(level), false,
						  &error, &error_str), 0);
	/* a name over 4096 of valid levels */
	for (unsigned int i = 0; i < 17; i++) {
		if (i > 0)
			str_append_c(name, '/');
		str_append_str(name, level);
	}
	ck_assert_int_eq(mail_user_mailbox_create(user, str_c(name), false,
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error_str, "Mailbox name too long");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mailbox_mgmt_rename_children_too_long)
{
	struct mail_user *user = fake_user_create(true);
	struct str *name = t_str_new(5000);
	enum mail_storage_error error;
	const char *error_str;

	/* 4091 bytes of 'a' with '/' every 200: Parent/Child -> <name>/Child
	   is 4097 bytes */
	for (unsigned int i = 0; str_len(name) < 4091; i++)
		str_append_c(name, i % 200 == 199 ? '/' : 'a');
	ck_assert_int_eq(mail_user_mailbox_rename(user, "Parent", str_c(name),
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error_str, "Mailbox or child name too long");
	ck_assert_str_eq(fake_calls, "");
	/* one byte less fits */
	str_truncate(name, 4090);
	ck_assert_int_eq(mail_user_mailbox_rename(user, "Parent", str_c(name),
						  &error, &error_str), 0);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mailbox_mgmt_not_supported)
{
	struct mail_user *user = fake_user_create(false);
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mail_user_mailbox_create(user, "x", false,
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error_str, "Not supported by this storage");
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Other",
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error_str, "Not supported by this storage");
	ck_assert_int_eq(mail_user_mailbox_rename(user, "Other", "x",
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error_str, "Not supported by this storage");
	/* the generic answers still come first */
	ck_assert_int_eq(mail_user_mailbox_create(user, "INBOX", false,
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_EXISTS);
	mail_user_unref(&user);
}
END_TEST

static const struct {
	const char *name;
	const char *fixed;
} inbox_tests[] = {
	{ "inbox", "INBOX" }, { "Inbox/a", "INBOX/a" }, { "INBOX", "INBOX" },
	{ "inboxes", "inboxes" }, { "inbo", "inbo" }, { "a/inbox", "a/inbox" },
	{ "", "" },
};

START_TEST(test_mailbox_name_fix_inbox)	/* loop test */
{
	ck_assert_str_eq(mailbox_name_fix_inbox(inbox_tests[_i].name),
			 inbox_tests[_i].fixed);
	ck_assert(mailbox_name_is_child("a", "a/b"));
	ck_assert(!mailbox_name_is_child("a", "ab"));
	ck_assert(!mailbox_name_is_child("a", "a"));
	ck_assert(mailbox_name_is_child("a/b", "a/b/c/d"));
}
END_TEST

Suite *test_mailbox_subscriptions_suite(void)
{
	Suite *s = suite_create("mailbox_subscriptions");
	TCase *tc = tcase_create("subscriptions");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_subscriptions_parse, 0,
			    N_ELEMENTS(parse_tests));
	tcase_add_test(tc, test_subscriptions_parse_long_lines);
	tcase_add_test(tc, test_subscriptions_append_v2);
	tcase_add_test(tc, test_subscriptions_write);
	tcase_add_test(tc, test_subscriptions_v1_converted);
	tcase_add_test(tc, test_subscriptions_too_large);
	tcase_add_test(tc, test_subscriptions_unreadable);
	tcase_add_test(tc, test_subscriptions_stale_lock);
	tcase_add_test(tc, test_subscriptions_lock_waits);
	tcase_add_test(tc, test_subscriptions_concurrent_writers);
	tcase_add_test(tc, test_subscriptions_readers_see_whole_files);
	tcase_add_test(tc, test_user_subscriptions);
	suite_add_tcase(s, tc);

	tc = tcase_create("mailbox_mgmt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_mailbox_mgmt_checks, 0,
			    N_ELEMENTS(mgmt_tests));
	tcase_add_test(tc, test_mailbox_mgmt_long_names);
	tcase_add_test(tc, test_mailbox_mgmt_rename_children_too_long);
	tcase_add_test(tc, test_mailbox_mgmt_not_supported);
	tcase_add_loop_test(tc, test_mailbox_name_fix_inbox, 0,
			    N_ELEMENTS(inbox_tests));
	suite_add_tcase(s, tc);
	return s;
}
