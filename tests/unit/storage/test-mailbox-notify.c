/* Copyright (c) dovecot-like authors. Check suite for mailbox change
   notification (mailbox-notify.c) on Maildir: a delivery into new/ and
   another session's flag change wake the watcher; after
   mailbox_notify_changes_stop() nothing does; mailbox_close() drops an
   active watch. */

#include "lib.h"
#include "ioloop.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <stdio.h>
#include <unistd.h>

struct notify_test {
	struct ioloop *ioloop;
	struct mailbox *other;	/* session B */
	unsigned int calls;
	bool timed_out;
	int change;		/* 0 = deliver, 1 = flag in B */
};

static void notified(void *context)
{
	struct notify_test *t = context;

	t->calls++;
	io_loop_stop(t->ioloop);
}

static void make_change(void *context)
{
	struct notify_test *t = context;

	static unsigned int n = 0;

	if (t->change == 0) {
		deliver("new", tmp_printf("17000001%02u.M%uP1.host", n, n),
			"Subject: n\n\nn\n");
		n++;
	} else {
		ck_assert_int_eq(mail_update_flags(t->other, 1, MODIFY_ADD,
						   MAIL_FLAGGED, NULL), 0);
		ck_assert_int_eq(mailbox_changes_commit(t->other), 0);
	}
}

static void give_up(void *context)
{
	struct notify_test *t = context;

	t->timed_out = true;
	io_loop_stop(t->ioloop);
}

/* Makes the change from the loop; waits at most msecs for a wakeup. */
static void run_change(struct notify_test *t, int change, unsigned int msecs)
{
	struct timeout *to_stop;

	t->change = change;
	t->calls = 0;
	t->timed_out = false;
	/* one-shot, runs (and frees itself) long before to_stop */
	(void)timeout_add_short_once(5, make_change, t);
	to_stop = timeout_add(msecs, give_up, t);
	io_loop_run(t->ioloop);
	timeout_remove(&to_stop);
}

START_TEST(test_mailbox_notify_maildir)
{
	struct notify_test t;
	struct mail_user *user;
	struct mailbox *a;

	memset(&t, 0, sizeof(t));
	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\na\n");
	t.ioloop = io_loop_create();
	user = user_create("maildir:~/Maildir");
	a = box_open(user, 0);
	t.other = box_open(user, 0);

	ck_assert_int_eq(mailbox_notify_changes(a, notified, &t), 0);
	run_change(&t, 0, 2000);
	ck_assert(!t.timed_out);
	ck_assert_uint_ge(t.calls, 1);

	/* another session's flag change (rename in cur/, index log) */
	run_change(&t, 1, 2000);
	ck_assert(!t.timed_out);
	ck_assert_uint_ge(t.calls, 1);

	/* stopped: a further delivery wakes nobody */
	mailbox_notify_changes_stop(a);
	mailbox_notify_changes_stop(a);	/* twice is fine */
	run_change(&t, 0, 200);
	ck_assert(t.timed_out);
	ck_assert_uint_eq(t.calls, 0);

	/* closing with an active watch drops it (no leak at loop destroy) */
	ck_assert_int_eq(mailbox_notify_changes(a, notified, &t), 0);
	mailbox_close(&a);
	mailbox_close(&t.other);
	mail_user_unref(&user);
	io_loop_destroy(&t.ioloop);
}
END_TEST

START_TEST(test_mailbox_notify_missing)
{
	struct notify_test t;
	struct mail_user *user;
	struct mailbox *a;
	char path[128];

	memset(&t, 0, sizeof(t));
	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\na\n");
	t.ioloop = io_loop_create();
	user = user_create("maildir:~/Maildir");
	a = box_open(user, 0);
	/* new/ gone: the mailbox can't be watched, the caller must poll */
	ck_assert(snprintf(path, sizeof(path), "%s/new", maildir) <
		  (int)sizeof(path));
	ck_assert_int_eq(rmdir(path), 0);
	errno = 0;
	ck_assert_int_eq(mailbox_notify_changes(a, notified, &t), -1);
	ck_assert_int_eq(errno, ENOENT);
	mailbox_notify_changes_stop(a);
	mailbox_close(&a);
	mail_user_unref(&user);
	io_loop_destroy(&t.ioloop);
}
END_TEST

Suite *test_mailbox_notify_suite(void)
{
	Suite *s = suite_create("mailbox-notify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mailbox_notify_maildir);
	tcase_add_test(tc, test_mailbox_notify_missing);
	suite_add_tcase(s, tc);
	return s;
}
