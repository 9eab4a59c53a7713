/* Copyright (c) dovecot-like authors. test-mbox-condstore.c: RFC 7162
   STORE (UNCHANGEDSINCE) on mbox through the lib-storage API (the store
   lock, the check-and-set against the index under its log lock) with two
   sessions on one file; per-message modseqs that never go back when the
   index doesn't show the view's flags; and a failed index commit of a
   flag change that fails the commit unless the file got the flags. */
#include "lib.h"
#include "strfuncs.h"
#include "mbox-storage.h"
#include "test-mbox.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FROM "From a@example.org Mon Nov 23 10:00:00 2026\n"

/* Two messages with UIDs 1, 2, no flags, not \Recent; a lock wait
   gives up after a second. */
static struct mail_user *condstore_setup(void)
{
	static const char data[] =
		FROM "Subject: a\nX-IMAPbase: 1700000000 0000000003\n"
		"X-UID: 1\nStatus: O\n\na\n\n"
		FROM "Subject: b\nX-UID: 2\nStatus: O\n\nb\n";
	struct mail_user_settings set;
	struct mail_user_mbox_settings mset;
	struct mail_user *user;
	const char *error;

	mbox_write_file(mbox_inbox_path(), data, sizeof(data) - 1);
	mail_user_mbox_settings_default(&mset);
	mset.lock_timeout_secs = 1;
	memset(&set, 0, sizeof(set));
	set.username = "testuser";
	set.home = mbox_home;
	set.mail_location = tmp_printf("mbox:~/mail:INBOX=%s/inbox", mbox_home);
	set.mbox = &mset;
	ck_assert_msg(mail_user_create(&set, &user, &error) == 0, "%s", error);
	return user;
}

/* The Status/X-Status values of message subject in the file ("" none). */
static const char *file_header(const char *subject, const char *name)
{
	const char *data = mbox_read_file(mbox_inbox_path(), NULL);
	const char *msg = strstr(data, tmp_strconcat("Subject: ", subject,
						     "\n", NULL));
	const char *end, *xs;

	ck_assert(msg != NULL);
	end = strstr(msg, "\n\n");
	ck_assert(end != NULL);
	xs = strstr(msg, tmp_strconcat("\n", name, NULL));
	if (xs == NULL || xs > end)
		return "";
	xs += strlen(name) + 1;
	return tmp_strndup(xs, (size_t)(strchr(xs, '\n') - xs));
}

static enum mail_flags flags_of(struct mailbox *box, uint32_t seq)
{
	return mail_get_flags(box, seq) & MAIL_FLAGS_MASK;
}

static void sync_box(struct mailbox *box)
{
	struct mailbox_sync_result result;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

/* The reviewer's scenario: b's committed (not yet written) change after
   a's last sync makes a's conditional store fail, whatever the view of a
   says, and nothing of a's is written. */
START_TEST(test_mbox_condstore_other_session_modified)
{
	struct mail_user *user = condstore_setup();
	struct mailbox *a = mbox_box_open(user, 0), *b = mbox_box_open(user, 0);
	uint64_t m1 = mail_get_modseq(a, 1), mb, hms_b;

	ck_assert_uint_gt(m1, 0);
	ck_assert_int_eq(mail_update_flags(b, 1, MODIFY_ADD, MAIL_DELETED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	mb = mail_get_modseq(b, 1);
	ck_assert_uint_gt(mb, m1);
	hms_b = mailbox_get_highest_modseq(b);

	/* a has not synced: its view still has message 1 at m1 */
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 1, MODIFY_REPLACE,
						     MAIL_SEEN, NULL, m1), 0);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	/* not applied to a's view either */
	ck_assert_uint_eq(flags_of(a, 1), 0);
	/* nothing committed: the index stays at b's change */
	sync_box(a);
	ck_assert_uint_eq(flags_of(a, 1), MAIL_DELETED);
	ck_assert_uint_eq(mail_get_modseq(a, 1), mb);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), hms_b);
	mailbox_close(&a);
	mailbox_close(&b);
	ck_assert_str_eq(file_header("a", "Status: "), "O");
	ck_assert_str_eq(file_header("a", "X-Status: "), "D");
	mail_user_unref(&user);
}
END_TEST

/* The dirty flags count even when the client's modseq is above the
   record's: the check is against the flags our view based the change on. */
START_TEST(test_mbox_condstore_flags_changed_high_modseq)
{
	struct mail_user *user = condstore_setup();
	struct mailbox *a = mbox_box_open(user, 0), *b = mbox_box_open(user, 0);

	ck_assert_int_eq(mail_update_flags(b, 2, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_ADD,
						     MAIL_ANSWERED, NULL,
						     mail_get_modseq(b, 2) + 100),
			 0);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	sync_box(a);
	ck_assert_uint_eq(flags_of(a, 2), MAIL_FLAGGED);
	mailbox_close(&a);
	mailbox_close(&b);
	ck_assert_str_eq(file_header("b", "X-Status: "), "F");
	mail_user_unref(&user);
}
END_TEST

/* Unchanged since: stored under the lock with a new modseq, seen by the
   other session, written into the file at close. */
START_TEST(test_mbox_condstore_success)
{
	struct mail_user *user = condstore_setup();
	struct mailbox *a = mbox_box_open(user, 0), *b = mbox_box_open(user, 0);
	uint64_t m1 = mail_get_modseq(a, 1), m2 = mail_get_modseq(a, 2);
	uint64_t hms = mailbox_get_highest_modseq(a), n1;

	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 1, MODIFY_ADD,
						     MAIL_SEEN | MAIL_FLAGGED,
						     NULL, m1), 1);
	/* no change: passes without a new modseq */
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_REMOVE,
						     MAIL_DELETED, NULL, m2), 1);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	n1 = mail_get_modseq(a, 1);
	ck_assert_uint_gt(n1, hms);
	ck_assert_uint_eq(mail_get_modseq(a, 2), m2);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), n1);
	ck_assert_uint_eq(flags_of(a, 1), MAIL_SEEN | MAIL_FLAGGED);
	/* lazy: only in the index yet, where b sees it */
	ck_assert_str_eq(file_header("a", "X-Status: "), "");
	sync_box(b);
	ck_assert_uint_eq(flags_of(b, 1), MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(b, 1), n1);
	/* a second conditional store with the old modseq fails now */
	ck_assert_int_eq(mailbox_store_lock(b), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(b, 1, MODIFY_REPLACE,
						     0, NULL, m1), 0);
	ck_assert_int_eq(mailbox_store_unlock(b), 0);
	ck_assert_uint_eq(flags_of(b, 1), MAIL_SEEN | MAIL_FLAGGED);
	mailbox_close(&a);
	ck_assert_str_eq(file_header("a", "X-Status: "), "F");
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* A record that doesn't show the view's flags at a sync (the reconcile
   commit fails) keeps the modseq the message had, never 1 or anything
   lower, and HIGHESTMODSEQ stays where it was. */
START_TEST(test_mbox_condstore_modseq_never_back)
{
	struct mail_user *user = condstore_setup();
	struct mailbox *a = mbox_box_open(user, 0);
	const char *data;
	uint64_t m1, m2;

	ck_assert_int_eq(mail_update_flags(a, 1, MODIFY_ADD, MAIL_ANSWERED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	m1 = mail_get_modseq(a, 1);
	m2 = mail_get_modseq(a, 2);
	ck_assert_uint_gt(m1, 1);
	ck_assert_uint_gt(m1, m2);
	sync_box(a);		/* writes the flags into the file */
	ck_assert_str_eq(file_header("a", "X-Status: "), "A");
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);

	/* another program changes message 1's flags in the file (same
	   size) while the index can't take the change */
	data = mbox_read_file(mbox_inbox_path(), NULL);
	ck_assert(strstr(data, "X-Status: A\n") != NULL);
	((char *)strstr(data, "X-Status: A\n"))[10] = 'F';
	mbox_write_file(mbox_inbox_path(), data, strlen(data));
	mbox_index_test_commit_error = "write(x) failed: Input/output error";
	sync_box(a);
	mbox_index_test_commit_error = NULL;
	ck_assert_uint_eq(flags_of(a, 1), MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);
	ck_assert_uint_eq(mail_get_modseq(a, 2), m2);
	/* HIGHESTMODSEQ never goes below the m1 it had already shown
	   (RFC 7162 3.1.2.1), though the record's change is not in yet */
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), m1);
	/* unlocked: the next sync brings the change in with a new modseq */
	sync_box(a);
	ck_assert_uint_gt(mail_get_modseq(a, 1), m1);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), mail_get_modseq(a, 1));
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

/* Finding 5: a failed index commit fails the commit unless the flags got
   into the file, with the error the index had (ENOSPC: NOQUOTA). */
START_TEST(test_mbox_condstore_commit_failure)
{
	struct mail_user *user = condstore_setup();
	struct mailbox *a = mbox_box_open(user, 0);
	const char *lockdir = tmp_strconcat(mbox_inbox_path(), ".lock", NULL);
	const char *error;
	uint64_t m1 = mail_get_modseq(a, 1);

	/* the index fails, the file write works: written at once, OK */
	mbox_index_test_commit_error = "write(x) failed: No space left on device";
	ck_assert_int_eq(mail_update_flags(a, 1, MODIFY_ADD, MAIL_SEEN, NULL),
			 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	ck_assert_str_eq(file_header("a", "X-Status: "), "");
	ck_assert_str_eq(file_header("a", "Status: "), "RO");
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);

	/* both fail (the mbox dotlock is held): the commit fails with the
	   index's NOQUOTA, no modseq given */
	ck_assert_int_eq(mkdir(lockdir, 0700), 0);
	ck_assert_int_eq(mail_update_flags(a, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), -1);
	ck_assert_int_eq(mailbox_get_last_error(a, &error), MAIL_ERROR_NOQUOTA);
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);
	/* the conditional form too; any other index error is TEMP */
	mbox_index_test_commit_error = "write(x) failed: Input/output error";
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_ADD,
						     MAIL_ANSWERED, NULL,
						     mail_get_modseq(a, 2)), 1);
	ck_assert_int_eq(mailbox_store_unlock(a), -1);
	ck_assert_int_eq(mailbox_get_last_error(a, &error), MAIL_ERROR_TEMP);

	/* the lock is free again: the next sync writes the pending flags */
	ck_assert_int_eq(rmdir(lockdir), 0);
	mbox_index_test_commit_error = NULL;
	sync_box(a);
	ck_assert_str_eq(file_header("a", "X-Status: "), "F");
	ck_assert_str_eq(file_header("b", "X-Status: "), "A");
	ck_assert_uint_eq(flags_of(a, 1), MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_uint_gt(mail_get_modseq(a, 1), m1);
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

static void condstore_teardown(void)
{
	mbox_index_test_commit_error = NULL;
	mbox_teardown();
}

Suite *test_mbox_condstore_suite(void)
{
	Suite *s = suite_create("mbox-condstore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, mbox_setup, condstore_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mbox_condstore_other_session_modified);
	tcase_add_test(tc, test_mbox_condstore_flags_changed_high_modseq);
	tcase_add_test(tc, test_mbox_condstore_success);
	tcase_add_test(tc, test_mbox_condstore_modseq_never_back);
	tcase_add_test(tc, test_mbox_condstore_commit_failure);
	suite_add_tcase(s, tc);
	return s;
}
