/* Copyright (c) dovecot-like authors. test-mbox-recent.c: RFC 3501 2.3.2
   \Recent on mbox with several sessions on one file: exactly one session
   (the first to sync, through the index's first_recent_uid) shows a
   message as \Recent, also mail delivered while both are open; EXAMINE
   shows \Recent without taking it; a first open (no index) trusts the
   file's Status 'O'. */
#include "lib.h"
#include "strfuncs.h"
#include "test-mbox.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FROM "From a@example.org Mon Nov 23 10:00:00 2026\n"

/* three messages as an MTA delivers them (no Status) */
static const char mta3[] =
	FROM "Subject: one\n\none\n\n"
	FROM "Subject: two\n\ntwo\n\n"
	FROM "Subject: three\n\nthree\n";

static struct mail_user *recent_setup(const char *data)
{
	mbox_write_file(mbox_inbox_path(), data, strlen(data));
	return mbox_user_create();
}

/* An MTA delivery: appended to the file, nothing else written. */
static void deliver(const char *subject)
{
	const char *msg = tmp_strconcat("\n" FROM "Subject: ", subject,
					"\n\nnew\n", NULL);
	int fd = open(mbox_inbox_path(), O_WRONLY | O_APPEND);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, msg, strlen(msg)), (ssize_t)strlen(msg));
	ck_assert_int_eq(close(fd), 0);
}

static uint32_t recent_count(struct mailbox *box)
{
	struct mailbox_status st;

	mailbox_get_status(box, &st);
	return st.recent;
}

/* The first SELECT takes all three; a second one open at the same time
   (before anything is written back) gets none. A delivery after both are
   open goes to the one that syncs first, whichever that is. */
START_TEST(test_mbox_recent_one_session)
{
	struct mail_user *user = recent_setup(mta3);
	struct mailbox *a = mbox_box_open(user, 0), *b = mbox_box_open(user, 0);

	ck_assert_uint_eq(recent_count(a), 3);
	ck_assert_str_eq(box_recent_seqs(a), "1,2,3");
	ck_assert_uint_eq(recent_count(b), 0);
	ck_assert_str_eq(box_recent_seqs(b), "");

	deliver("four");
	box_sync_expect(a, 4, 4);
	ck_assert_str_eq(box_recent_seqs(a), "1,2,3,4");
	box_sync_expect(b, 4, 0);
	ck_assert_str_eq(box_recent_seqs(b), "");

	/* now b syncs first */
	deliver("five");
	box_sync_expect(b, 5, 1);
	ck_assert_str_eq(box_recent_seqs(b), "5");
	box_sync_expect(a, 5, 4);
	ck_assert_str_eq(box_recent_seqs(a), "1,2,3,4");
	/* and it stays so */
	box_sync_expect(a, 5, 4);
	box_sync_expect(b, 5, 1);
	mailbox_close(&b);
	mailbox_close(&a);

	/* a later session: all taken */
	a = mbox_box_open(user, 0);
	ck_assert_uint_eq(recent_count(a), 0);
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

/* EXAMINE shows \Recent but takes none: the SELECT after it still gets
   them, the one after that doesn't. */
START_TEST(test_mbox_recent_examine_no_claim)
{
	struct mail_user *user = recent_setup(mta3);
	struct mailbox *e = mbox_box_open(user, MAILBOX_FLAG_READONLY);
	struct mailbox *a, *b;

	ck_assert_uint_eq(recent_count(e), 3);
	a = mbox_box_open(user, 0);
	ck_assert_uint_eq(recent_count(a), 3);
	b = mbox_box_open(user, 0);
	ck_assert_uint_eq(recent_count(b), 0);

	deliver("four");
	box_sync_expect(e, 4, 4);	/* seen, not taken */
	box_sync_expect(b, 4, 1);
	ck_assert_str_eq(box_recent_seqs(b), "4");
	box_sync_expect(a, 4, 3);
	mailbox_close(&e);
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* A first open (no index yet) decides from the file: Status 'O' is an old
   message; only the others are \Recent, and for one session. */
START_TEST(test_mbox_recent_first_open_status)
{
	static const char data[] =
		FROM "Subject: one\nStatus: O\n\none\n\n"
		FROM "Subject: two\n\ntwo\n\n"
		FROM "Subject: three\nStatus: RO\n\nthree\n";
	struct mail_user *user = recent_setup(data);
	struct mailbox *a = mbox_box_open(user, 0), *b = mbox_box_open(user, 0);

	ck_assert_str_eq(box_recent_seqs(a), "2");
	ck_assert_uint_eq(recent_count(a), 1);
	ck_assert_str_eq(box_recent_seqs(b), "");
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* An EXAMINE first (no index yet) leaves them to the next SELECT. */
START_TEST(test_mbox_recent_first_open_examine)
{
	static const char data[] =
		FROM "Subject: one\nStatus: O\n\none\n\n"
		FROM "Subject: two\n\ntwo\n\n";
	struct mail_user *user = recent_setup(data);
	struct mailbox *e = mbox_box_open(user, MAILBOX_FLAG_READONLY), *a;

	ck_assert_str_eq(box_recent_seqs(e), "2");
	mailbox_close(&e);
	a = mbox_box_open(user, 0);
	ck_assert_str_eq(box_recent_seqs(a), "2");
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mbox_recent_suite(void)
{
	Suite *s = suite_create("mbox-recent");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, mbox_setup, mbox_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mbox_recent_one_session);
	tcase_add_test(tc, test_mbox_recent_examine_no_claim);
	tcase_add_test(tc, test_mbox_recent_first_open_status);
	tcase_add_test(tc, test_mbox_recent_first_open_examine);
	suite_add_tcase(s, tc);
	return s;
}
