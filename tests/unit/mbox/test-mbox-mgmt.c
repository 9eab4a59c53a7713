/* Copyright (c) dovecot-like authors. CREATE, DELETE and RENAME on mbox:
   files, directories of children, INBOX (RFC 3501 6.3.5), and the error
   codes and texts clients see. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "mail-storage-private.h"
#include "mbox-storage.h"
#include "test-mbox.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void setup(void)
{
	mbox_setup();
}

static void teardown(void)
{
	mbox_teardown();
}

static const char *root_path(const char *rel)
{
	return tmp_printf("%s/%s", mbox_root(), rel);
}

/* the file type and permission bits at path, 0 if missing */
static mode_t path_mode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		ck_assert_int_eq(errno, ENOENT);
		return 0;
	}
	return st.st_mode & (S_IFMT | 0777);
}

static const char *list_names(struct mail_user *user)
{
	ARRAY_TYPE(string) names;
	const char *const *np, *error;
	struct str *str = t_str_new(128);

	ck_assert_int_eq(mail_user_list_mailboxes(user, tmp_pool, &names,
						  &error), 0);
	array_foreach(&names, np)
		str_printfa(str, "%s%s", str_len(str) > 0 ? "," : "", *np);
	return str_c(str);
}

static void create_ok(struct mail_user *user, const char *name, bool dir)
{
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_msg(mail_user_mailbox_create(user, name, dir, &error,
					       &error_str) == 0, "%s: %s",
		      name, error_str);
}

/* Calls the driver directly (not the generic checks) and expects
   error/text. */
enum mgmt_op { OP_CREATE, OP_CREATE_DIR, OP_DELETE, OP_RENAME };
static void driver_fails(struct mail_user *user, enum mgmt_op op,
			 const char *name, const char *name2,
			 enum mail_storage_error expected, const char *text)
{
	enum mail_storage_error error = MAIL_ERROR_NONE;
	const char *error_str = NULL;
	int ret = 0;

	switch (op) {
	case OP_CREATE:
	case OP_CREATE_DIR:
		ret = mbox_storage_driver.mailbox_create(user, name,
			op == OP_CREATE_DIR, &error, &error_str);
		break;
	case OP_DELETE:
		ret = mbox_storage_driver.mailbox_delete(user, name, &error,
							 &error_str);
		break;
	case OP_RENAME:
		ret = mbox_storage_driver.mailbox_rename(user, name, name2,
							 &error, &error_str);
		break;
	}
	ck_assert_msg(ret == -1, "%s: succeeded", name);
	ck_assert_int_eq(error, expected);
	ck_assert_str_eq(error_str, text);
}

/* The same through mail_user_mailbox_*(): the checks every driver
   shares (INBOX, renaming to itself or below itself). */
static void generic_fails(struct mail_user *user, enum mgmt_op op,
			  const char *name, const char *name2,
			  enum mail_storage_error expected, const char *text)
{
	enum mail_storage_error error = MAIL_ERROR_NONE;
	const char *error_str = NULL;
	int ret = 0;

	switch (op) {
	case OP_CREATE:
	case OP_CREATE_DIR:
		ret = mail_user_mailbox_create(user, name, op == OP_CREATE_DIR,
					       &error, &error_str);
		break;
	case OP_DELETE:
		ret = mail_user_mailbox_delete(user, name, &error, &error_str);
		break;
	case OP_RENAME:
		ret = mail_user_mailbox_rename(user, name, name2, &error,
					       &error_str);
		break;
	}
	ck_assert_msg(ret == -1, "%s: succeeded", name);
	ck_assert_int_eq(error, expected);
	ck_assert_str_eq(error_str, text);
}

START_TEST(test_mgmt_create)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "foo", false);
	ck_assert_uint_eq(path_mode(root_path("foo")), S_IFREG | 0600);
	ck_assert_uint_eq(mbox_read_file(root_path("foo"), NULL)[0], '\0');
	create_ok(user, "a/b/c", false);
	ck_assert_uint_eq(path_mode(root_path("a")), S_IFDIR | 0700);
	ck_assert_uint_eq(path_mode(root_path("a/b")), S_IFDIR | 0700);
	ck_assert_uint_eq(path_mode(root_path("a/b/c")), S_IFREG | 0600);
	create_ok(user, "d", true);
	ck_assert_uint_eq(path_mode(root_path("d")), S_IFDIR | 0700);
	ck_assert_str_eq(list_names(user), "INBOX,a/b/c,foo");

	/* a new mailbox opens empty */
	ck_assert_int_eq(mailbox_open(user, "a/b/c", 0, &box, &error,
				      &error_str), 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_close(&box);

	driver_fails(user, OP_CREATE, "foo", NULL, MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	driver_fails(user, OP_CREATE, "d", NULL, MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	driver_fails(user, OP_CREATE_DIR, "foo", NULL, MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	generic_fails(user, OP_CREATE, "INBOX", NULL, MAIL_ERROR_EXISTS,
		      "Mailbox already exists");
	generic_fails(user, OP_CREATE, "inbox", NULL, MAIL_ERROR_EXISTS,
		      "Mailbox already exists");
	driver_fails(user, OP_CREATE, "foo/bar", NULL, MAIL_ERROR_PARAMS,
		     "Mailbox doesn't allow inferior mailboxes");
	driver_fails(user, OP_CREATE, "INBOX/x", NULL, MAIL_ERROR_PARAMS,
		     "Mailbox doesn't allow inferior mailboxes");
	driver_fails(user, OP_CREATE, "../evil", NULL, MAIL_ERROR_PARAMS,
		     "Invalid mailbox name");
	driver_fails(user, OP_CREATE, "x/../../evil", NULL, MAIL_ERROR_PARAMS,
		     "Invalid mailbox name");
	driver_fails(user, OP_CREATE, ".hidden", NULL, MAIL_ERROR_PARAMS,
		     "Invalid mailbox name");
	driver_fails(user, OP_CREATE, "foo.lock", NULL, MAIL_ERROR_PARAMS,
		     "Invalid mailbox name");
	ck_assert_uint_eq(path_mode(tmp_printf("%s/evil", mbox_home)), 0);
	ck_assert_uint_eq(path_mode(root_path("INBOX")), 0);

	/* through the generic layer too */
	ck_assert_int_eq(mail_user_mailbox_create(user, "foo", false, &error,
						  &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_EXISTS);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_delete)
{
	struct mail_user *user = mbox_user_create();
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "foo", false);
	create_ok(user, "a/b", false);
	create_ok(user, "empty", true);
	mbox_write_file(root_path(".dlmbox-journal.foo"), "x", 1);

	generic_fails(user, OP_DELETE, "INBOX", NULL, MAIL_ERROR_PARAMS,
		      "INBOX can't be deleted.");
	driver_fails(user, OP_DELETE, "nope", NULL, MAIL_ERROR_NOTFOUND,
		     "Mailbox doesn't exist: nope");
	driver_fails(user, OP_DELETE, "foo/x", NULL, MAIL_ERROR_NOTFOUND,
		     "Mailbox doesn't exist: foo/x");
	driver_fails(user, OP_DELETE, "a", NULL, MAIL_ERROR_EXISTS,
		     "Mailbox has children, delete them first");
	ck_assert_int_eq(mail_user_mailbox_delete(user, "a", &error,
						  &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_EXISTS);
	ck_assert_str_eq(error_str, "Mailbox has children, delete them first");
	ck_assert_uint_eq(path_mode(root_path("a/b")), S_IFREG | 0600);

	ck_assert_int_eq(mail_user_mailbox_delete(user, "foo", &error,
						  &error_str), 0);
	ck_assert_uint_eq(path_mode(root_path("foo")), 0);
	ck_assert_uint_eq(path_mode(root_path(".dlmbox-journal.foo")), 0);
	ck_assert_int_eq(mail_user_mailbox_delete(user, "a/b", &error,
						  &error_str), 0);
	/* now "a" is an empty directory: that may go */
	ck_assert_int_eq(mail_user_mailbox_delete(user, "a", &error,
						  &error_str), 0);
	ck_assert_uint_eq(path_mode(root_path("a")), 0);
	ck_assert_int_eq(mail_user_mailbox_delete(user, "empty", &error,
						  &error_str), 0);
	ck_assert_uint_eq(path_mode(root_path("empty")), 0);
	ck_assert_str_eq(list_names(user), "INBOX");
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mgmt_rename)
{
	static const char msg[] =
		"From a@b Thu Nov  9 22:33:52 2001\nSubject: r\n\nbody\n";
	struct mail_user *user = mbox_user_create();
	enum mail_storage_error error;
	const char *error_str;

	create_ok(user, "foo", false);
	mbox_write_file(root_path("foo"), msg, strlen(msg));
	create_ok(user, "a/b", false);
	create_ok(user, "a/c/d", false);
	create_ok(user, "other", false);

	ck_assert_int_eq(mail_user_mailbox_rename(user, "foo", "bar", &error,
						  &error_str), 0);
	ck_assert_uint_eq(path_mode(root_path("foo")), 0);
	ck_assert_str_eq(mbox_read_file(root_path("bar"), NULL), msg);
	/* with children, into new parents */
	ck_assert_int_eq(mail_user_mailbox_rename(user, "a", "x/y/z", &error,
						  &error_str), 0);
	ck_assert_str_eq(list_names(user),
			 "INBOX,bar,other,x/y/z/b,x/y/z/c/d");
	ck_assert_uint_eq(path_mode(root_path("x/y")), S_IFDIR | 0700);

	driver_fails(user, OP_RENAME, "bar", "other", MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	driver_fails(user, OP_RENAME, "bar", "x", MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	driver_fails(user, OP_RENAME, "nope", "new", MAIL_ERROR_NOTFOUND,
		     "Mailbox doesn't exist: nope");
	generic_fails(user, OP_RENAME, "bar", "INBOX", MAIL_ERROR_EXISTS,
		      "Target mailbox already exists");
	generic_fails(user, OP_RENAME, "x", "x/new", MAIL_ERROR_PARAMS,
		      "Can't rename mailbox under its own child.");
	driver_fails(user, OP_RENAME, "bar", "other/sub", MAIL_ERROR_PARAMS,
		     "Mailbox doesn't allow inferior mailboxes");
	driver_fails(user, OP_RENAME, "bar", "../out", MAIL_ERROR_PARAMS,
		     "Invalid mailbox name");
	ck_assert_uint_eq(path_mode(root_path("new")), 0);
	ck_assert_str_eq(mbox_read_file(root_path("bar"), NULL), msg);
	mail_user_unref(&user);
}
END_TEST

/* RFC 3501 6.3.5: the messages move, INBOX stays, empty, and keeps its
   UID state (the next message gets the next UID). */
START_TEST(test_mgmt_rename_inbox)
{
	static const char msgs[] =
		"From a@b Thu Nov  9 22:33:52 2001\nSubject: 1\n\none\n\n"
		"From a@b Thu Nov  9 22:33:53 2001\nSubject: 2\n\ntwo\n";
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_status status;
	enum mail_storage_error error;
	const char *error_str;
	uint32_t uidvalidity;

	mbox_write_file(mbox_inbox_path(), msgs, strlen(msgs));
	user = mbox_user_create();
	box = mbox_box_open(user, 0);
	mailbox_get_status(box, &status);
	uidvalidity = status.uidvalidity;
	mailbox_close(&box);

	ck_assert_int_eq(mail_user_mailbox_rename(user, "INBOX", "old/inbox",
						  &error, &error_str), 0);
	ck_assert_int_eq(mailbox_open(user, "old/inbox", 0, &box, &error,
				      &error_str), 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: 1\r\n\r\none\r\n");
	/* the last LF of the file was the separator */
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: 2\r\n\r\ntwo");
	mailbox_close(&box);

	box = mbox_box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, uidvalidity);
	ck_assert_uint_eq(status.uidnext, 3);
	mailbox_close(&box);
	ck_assert(path_mode(mbox_inbox_path()) == (S_IFREG | 0600));

	/* again: the target exists now */
	driver_fails(user, OP_RENAME, "INBOX", "old/inbox", MAIL_ERROR_EXISTS,
		     "Mailbox already exists");
	/* an empty INBOX renames to an empty mailbox */
	ck_assert_int_eq(mail_user_mailbox_rename(user, "INBOX", "empty",
						  &error, &error_str), 0);
	ck_assert_int_eq(mailbox_open(user, "empty", 0, &box, &error,
				      &error_str), 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mbox_mgmt_suite(void)
{
	Suite *s = suite_create("mbox-mgmt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mgmt_create);
	tcase_add_test(tc, test_mgmt_delete);
	tcase_add_test(tc, test_mgmt_rename);
	tcase_add_test(tc, test_mgmt_rename_inbox);
	suite_add_tcase(s, tc);
	return s;
}
