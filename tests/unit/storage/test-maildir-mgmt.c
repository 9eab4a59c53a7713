/* Copyright (c) dovecot-like authors. test-maildir-mgmt.c: functional Check
   suite for creating, deleting and renaming Maildir++ and LAYOUT=fs
   mailboxes (maildir-mailbox-mgmt.c) and listing them with '/' names
   (maildir-list.c), on real temp directories. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"
#include "maildir-storage.h"

#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

static const char *list(struct mail_user *user)
{
	ARRAY_TYPE(string) names;
	struct str *str = t_str_new(128);
	const char *const *name, *error;

	ck_assert_int_eq(mail_user_list_mailboxes(user, tmp_pool, &names,
						  &error), 0);
	array_foreach(&names, name) {
		if (str_len(str) > 0)
			str_append_c(str, ' ');
		str_append(str, *name);
	}
	return str_c(str);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(tmp_strconcat(home, "/", path, NULL), &st) == 0;
}

static void create_ok(struct mail_user *user, const char *name)
{
	enum mail_storage_error error;
	const char *error_str = NULL;

	ck_assert_msg(mail_user_mailbox_create(user, name, false, &error,
					       &error_str) == 0,
		      "create %s: %s", name, error_str);
}

/* call (mostly the driver's own: the generic layer adds its checks
   before it) fails with exp / exp_str in error / error_str. */
#define EXPECT_ERROR(call, exp, exp_str) do { \
	ck_assert_int_eq((call), -1); \
	ck_assert_int_eq(error, exp); \
	ck_assert_str_eq(error_str, exp_str); \
} while (0)

static uint32_t count_messages(struct mail_user *user, const char *name,
			       uint32_t *validity_r)
{
	struct mailbox_status status;
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mailbox_open(user, name, 0, &box, &error,
				      &error_str), 0);
	mailbox_get_status(box, &status);
	if (validity_r != NULL)
		*validity_r = status.uidvalidity;
	mailbox_close(&box);
	return status.messages;
}

START_TEST(test_mgmt_create)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	enum mail_storage_error error;
	const char *error_str;
	uint32_t validity;

	create_ok(user, "Work/Projects");
	create_ok(user, "Sent");
	ck_assert(exists("Maildir/.Work.Projects/cur"));
	ck_assert(exists("Maildir/.Work.Projects/new"));
	ck_assert(exists("Maildir/.Work.Projects/tmp"));
	ck_assert_str_eq(read_path(tmp_strconcat(maildir,
		"/.Work.Projects/maildirfolder", NULL)), "");
	/* the uidlist fixes UIDVALIDITY at creation */
	ck_assert(exists("Maildir/.Work.Projects/dovecot-uidlist"));
	ck_assert(!exists("Maildir/.Work"));	/* as Dovecot: no parent */
	ck_assert_str_eq(list(user), "INBOX Sent Work/Projects");
	ck_assert_uint_eq(count_messages(user, "Work/Projects", &validity), 0);
	ck_assert_uint_ne(validity, 0);

	EXPECT_ERROR(maildir_mailbox_create(user, "Sent", false, &error,
					    &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");
	/* INBOX is the generic layer's check */
	EXPECT_ERROR(mail_user_mailbox_create(user, "inbox", false, &error,
					      &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");
	EXPECT_ERROR(maildir_mailbox_create(user, "a.b", false, &error,
					    &error_str),
		     MAIL_ERROR_PARAMS, "Invalid mailbox name");
	EXPECT_ERROR(maildir_mailbox_create(user, "a//b", false, &error,
					    &error_str),
		     MAIL_ERROR_PARAMS, "Invalid mailbox name");
	/* through the generic layer */
	ck_assert_int_eq(mail_user_mailbox_create(user, "Sent", false, &error,
						  &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_EXISTS);
	/* a directory left by a crash before cur/ is completed */
	mkdir(tmp_strconcat(maildir, "/.Half", NULL), 0700);
	ck_assert_str_eq(list(user), "INBOX Sent Work/Projects");
	create_ok(user, "Half");
	ck_assert_str_eq(list(user), "INBOX Half Sent Work/Projects");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_delete)
{
	struct mail_user *user = user_create(
		"maildir:~/Maildir:CONTROL=~/control:INDEX=~/index");
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "Trash");
	create_ok(user, "Work");
	create_ok(user, "Work/Sub");
	write_path(tmp_strconcat(maildir, "/.Trash/cur/1700000001.M1P1.h:2,S",
				 NULL), "Subject: x\n\nx\n");
	ck_assert_uint_eq(count_messages(user, "Trash", NULL), 1);
	ck_assert(exists("control/.Trash/dovecot-uidlist"));
	ck_assert(exists("index/.Trash"));

	ck_assert_int_eq(mail_user_mailbox_delete(user, "Trash", &error,
						  &error_str), 0);
	ck_assert(!exists("Maildir/.Trash"));
	ck_assert(!exists("control/.Trash"));
	ck_assert(!exists("index/.Trash"));
	/* no trash left behind */
	ck_assert_str_eq(list_dir(".."), "Maildir control index");
	ck_assert_str_eq(list(user), "INBOX Work Work/Sub");

	EXPECT_ERROR(mail_user_mailbox_delete(user, "INBOX", &error,
					      &error_str),
		     MAIL_ERROR_PARAMS, "INBOX can't be deleted.");
	EXPECT_ERROR(maildir_mailbox_delete(user, "Nope", &error, &error_str),
		     MAIL_ERROR_NOTFOUND, "Mailbox doesn't exist: Nope");
	EXPECT_ERROR(maildir_mailbox_delete(user, "Trash", &error, &error_str),
		     MAIL_ERROR_NOTFOUND, "Mailbox doesn't exist: Trash");
	/* what Dovecot does with Maildir++: the parent folder goes, the
	   child stays (the generic layer leaves children to the driver) */
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Work", &error,
						  &error_str), 0);
	ck_assert_str_eq(list(user), "INBOX Work/Sub");
	ck_assert(exists("Maildir/.Work.Sub/cur"));
	mail_user_unref(&user);
}
END_TEST

/* An entry a crash in the middle of a delete left: never listed. */
START_TEST(test_mgmt_trash_hidden)
{
	struct mail_user *user = user_create("maildir:~/Maildir");

	mkdirs(tmp_strconcat(maildir, "/" MAILDIR_TRASH_PREFIX "x", NULL));
	create_ok(user, "DL-TRASHED");
	ck_assert_str_eq(list(user), "INBOX DL-TRASHED");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_rename)
{
	struct mail_user *user = user_create("maildir:~/Maildir:CONTROL=~/control");
	enum mail_storage_error error;
	const char *error_str;
	uint32_t validity, validity2;

	create_ok(user, "Old");
	create_ok(user, "Old/Sub");
	create_ok(user, "Older");
	create_ok(user, "Other");
	write_path(tmp_strconcat(maildir, "/.Old.Sub/cur/1700000001.M1P1.h:2,S",
				 NULL), "Subject: x\n\nx\n");
	ck_assert_uint_eq(count_messages(user, "Old/Sub", &validity), 1);

	ck_assert_int_eq(mail_user_mailbox_rename(user, "Old", "New/Level",
						  &error, &error_str), 0);
	ck_assert_str_eq(list(user), "INBOX New/Level New/Level/Sub Older Other");
	ck_assert(exists("Maildir/.New.Level.Sub/maildirfolder"));
	ck_assert(exists("control/.New.Level.Sub/dovecot-uidlist"));
	ck_assert(!exists("control/.Old.Sub"));
	/* the uidlist moved along: same UIDVALIDITY, same message */
	ck_assert_uint_eq(count_messages(user, "New/Level/Sub", &validity2), 1);
	ck_assert_uint_eq(validity2, validity);

	EXPECT_ERROR(maildir_mailbox_rename(user, "Older", "Other", &error,
					    &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");
	EXPECT_ERROR(maildir_mailbox_rename(user, "Old", "Gone", &error,
					    &error_str),
		     MAIL_ERROR_NOTFOUND, "Mailbox doesn't exist: Old");
	/* below itself and to INBOX: the generic layer's checks */
	EXPECT_ERROR(mail_user_mailbox_rename(user, "Other", "Other/x", &error,
					      &error_str),
		     MAIL_ERROR_PARAMS, "Can't rename mailbox under its own child.");
	EXPECT_ERROR(maildir_mailbox_rename(user, "Other", "a.b", &error,
					    &error_str),
		     MAIL_ERROR_PARAMS, "Invalid mailbox name");
	EXPECT_ERROR(mail_user_mailbox_rename(user, "Other", "INBOX", &error,
					      &error_str),
		     MAIL_ERROR_EXISTS, "Target mailbox already exists");
	/* a child's target taken: nothing renamed */
	create_ok(user, "X/Sub");
	create_ok(user, "Y");
	create_ok(user, "Y/Sub");
	EXPECT_ERROR(maildir_mailbox_rename(user, "Y", "X", &error,
					    &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");
	ck_assert(exists("Maildir/.Y/cur"));
	ck_assert(exists("Maildir/.Y.Sub/cur"));
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_rename_inbox)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;
	struct istream *input;
	const unsigned char *data;
	size_t size;
	uint32_t validity, validity2;

	write_path(tmp_strconcat(maildir, "/cur/1700000009.M1P1.h:2,S", NULL),
		   "Subject: first\n\n1\n");
	/* UIDs: the cur/ file was seen first */
	ck_assert_uint_eq(count_messages(user, "INBOX", &validity), 1);
	write_path(tmp_strconcat(maildir, "/new/1700000001.M1P1.h", NULL),
		   "Subject: second\n\n2\n");
	ck_assert_uint_eq(count_messages(user, "INBOX", NULL), 2);

	ck_assert_int_eq(mail_user_mailbox_rename(user, "INBOX", "Old",
						  &error, &error_str), 0);
	ck_assert_str_eq(list(user), "INBOX Old");
	ck_assert_uint_eq(count_messages(user, "INBOX", &validity2), 0);
	ck_assert_uint_eq(validity2, validity);
	ck_assert_int_eq(mailbox_open(user, "Old", 0, &box, &error,
				      &error_str), 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 2);
	/* new UIDs in INBOX's order */
	ck_assert_str_eq(box_uids(box), "1,2");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN);
	ck_assert_int_eq(mail_get_stream(box, 1, &input), 0);
	ck_assert_int_gt(istream_read(input), 0);
	data = istream_get_data(input, &size);
	ck_assert_int_eq(size >= 15 && memcmp(data, "Subject: first\r\n", 16) == 0, 1);
	istream_unref(&input);
	mailbox_close(&box);
	/* the target must not exist */
	create_ok(user, "Taken");
	ck_assert_int_eq(mail_user_mailbox_rename(user, "INBOX", "Taken",
						  &error, &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_EXISTS);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_fs_layout)
{
	struct mail_user *user = user_create("maildir:~/Maildir:LAYOUT=fs");
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "a/b");
	create_ok(user, "a");
	create_ok(user, "c");
	ck_assert(exists("Maildir/a/b/cur"));
	ck_assert(exists("Maildir/a/cur"));
	ck_assert(!exists("Maildir/a/maildirfolder"));
	ck_assert_str_eq(list(user), "INBOX a a/b c");
	EXPECT_ERROR(maildir_mailbox_create(user, "a/b", false, &error,
					    &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");
	EXPECT_ERROR(maildir_mailbox_create(user, "x/cur", false, &error,
					    &error_str),
		     MAIL_ERROR_PARAMS, "Invalid mailbox name");
	/* names with '.' are fine here */
	create_ok(user, "d.e");
	ck_assert_str_eq(list(user), "INBOX a a/b c d.e");

	/* rename moves the children inside the directory */
	ck_assert_int_eq(mail_user_mailbox_rename(user, "a", "x/y", &error,
						  &error_str), 0);
	ck_assert_str_eq(list(user), "INBOX c d.e x/y x/y/b");
	EXPECT_ERROR(maildir_mailbox_rename(user, "c", "x/y", &error,
					    &error_str),
		     MAIL_ERROR_EXISTS, "Mailbox already exists");

	/* deleting a parent keeps the child's directory */
	ck_assert_int_eq(maildir_mailbox_delete(user, "x/y", &error,
						&error_str), 0);
	ck_assert_str_eq(list(user), "INBOX c d.e x/y/b");
	ck_assert(!exists("Maildir/x/y/cur"));
	ck_assert(exists("Maildir/x/y/b/cur"));
	ck_assert_int_eq(mail_user_mailbox_delete(user, "x/y/b", &error,
						  &error_str), 0);
	ck_assert_int_eq(mail_user_mailbox_delete(user, "c", &error,
						  &error_str), 0);
	ck_assert(!exists("Maildir/c"));
	ck_assert_str_eq(list(user), "INBOX d.e");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_fs_dirname)
{
	struct mail_user *user = user_create(
		"maildir:~/Maildir:LAYOUT=fs:DIRNAME=mbox");
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "a");
	create_ok(user, "a/b");
	ck_assert(exists("Maildir/a/mbox/cur"));
	ck_assert(exists("Maildir/a/b/mbox/cur"));
	ck_assert_str_eq(list(user), "INBOX a a/b");
	EXPECT_ERROR(maildir_mailbox_create(user, "x/mbox", false, &error,
					    &error_str),
		     MAIL_ERROR_PARAMS, "Invalid mailbox name");
	ck_assert_int_eq(mail_user_mailbox_rename(user, "a", "z", &error,
						  &error_str), 0);
	ck_assert_str_eq(list(user), "INBOX z z/b");
	ck_assert_int_eq(maildir_mailbox_delete(user, "z", &error,
						&error_str), 0);
	ck_assert_str_eq(list(user), "INBOX z/b");
	ck_assert(!exists("Maildir/z/mbox"));
	ck_assert(exists("Maildir/z/b/mbox/cur"));
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_mgmt_suite(void)
{
	Suite *s = suite_create("maildir_mgmt");
	TCase *tc = tcase_create("mgmt");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mgmt_create);
	tcase_add_test(tc, test_mgmt_delete);
	tcase_add_test(tc, test_mgmt_trash_hidden);
	tcase_add_test(tc, test_mgmt_rename);
	tcase_add_test(tc, test_mgmt_rename_inbox);
	tcase_add_test(tc, test_mgmt_fs_layout);
	tcase_add_test(tc, test_mgmt_fs_dirname);
	suite_add_tcase(s, tc);
	return s;
}
