/* Copyright (c) dovecot-like authors. test-mbox-recent-targets.c: RFC 3501
   2.3.2 \Recent on mbox when the mailbox is opened only to save into it or
   to count it (MAILBOX_FLAG_NO_RECENT: APPEND, COPY/MOVE target, STATUS):
   such an open neither claims the index's first_recent_uid nor marks the
   file's messages old (Status: O) when it closes, so the session that has
   the mailbox selected, or the next SELECT, takes them. */
#include "lib.h"
#include "strfuncs.h"
#include "test-mbox.h"

#include <string.h>

#define FROM "From a@example.org Mon Nov 23 10:00:00 2026\n"
#define MSG "Subject: saved\r\n\r\nbody\r\n"

/* three messages as an MTA delivers them (no Status) */
static const char mta3[] =
	FROM "Subject: one\n\none\n\n"
	FROM "Subject: two\n\ntwo\n\n"
	FROM "Subject: three\n\nthree\n";

static struct mail_user *targets_setup(void)
{
	mbox_write_file(mbox_inbox_path(), mta3, strlen(mta3));
	return mbox_user_create();
}

static void save_one(struct mailbox *box, enum mail_flags flags,
		     const char *uid)
{
	struct mail_save_data sdata = { flags, NULL, 1577872800 };
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mail_save_context *ctx = mailbox_save_begin(t, &sdata);
	const uint32_t *uids;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, MSG, strlen(MSG)), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.uids), 1);
	uids = array_idx(&result.uids, 0);
	ck_assert_str_eq(tmp_printf("%u", *uids), uid);
}

/* APPEND by another session while one has INBOX selected: the saved
   messages are \Recent for the selecting session only, with and without
   flags. */
START_TEST(test_mbox_append_target_leaves_recent)
{
	struct mail_user *user = targets_setup();
	struct mailbox *sel = mbox_box_open(user, 0), *target, *later;

	box_sync_expect(sel, 3, 3);
	target = mbox_box_open(user, MAILBOX_FLAG_NO_RECENT);
	save_one(target, 0, "4");
	save_one(target, MAIL_SEEN, "5");
	/* neither taken (first_recent_uid stays) nor shown, as on Maildir */
	box_sync_expect(target, 5, 0);
	ck_assert_str_eq(box_recent_seqs(target), "");
	mailbox_close(&target);

	box_sync_expect(sel, 5, 5);
	ck_assert_str_eq(box_recent_seqs(sel), "1,2,3,4,5");
	ck_assert_int_eq(mail_get_flags(sel, 5), MAIL_SEEN | MAIL_RECENT);

	later = mbox_box_open(user, 0);
	box_sync_expect(later, 5, 0);
	mailbox_close(&later);
	mailbox_close(&sel);
	mail_user_unref(&user);
}
END_TEST

/* Target and STATUS opens before any SELECT: they take nothing and write
   no Status: O, so the first SELECT gets all of them, the next none. */
START_TEST(test_mbox_target_open_takes_nothing)
{
	struct mail_user *user = targets_setup();
	struct mailbox *box;

	box = mbox_box_open(user, MAILBOX_FLAG_NO_RECENT);
	save_one(box, 0, "4");
	mailbox_close(&box);
	ck_assert_ptr_null(strstr(mbox_read_file(mbox_inbox_path(), NULL),
				  "Status: O"));
	box = mbox_box_open(user, MAILBOX_FLAG_READONLY |
			    MAILBOX_FLAG_NO_RECENT);
	box_sync_expect(box, 4, 4);
	mailbox_close(&box);

	box = mbox_box_open(user, 0);
	box_sync_expect(box, 4, 4);
	ck_assert_str_eq(box_recent_seqs(box), "1,2,3,4");
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	box_sync_expect(box, 4, 0);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* APPEND into the mailbox the session itself has selected (through a
   target open, as imap does): \Recent for that session. */
START_TEST(test_mbox_append_into_selected)
{
	struct mail_user *user = targets_setup();
	struct mailbox *sel = mbox_box_open(user, 0), *other, *target;

	other = mbox_box_open(user, 0);
	box_sync_expect(sel, 3, 3);
	box_sync_expect(other, 3, 0);
	target = mbox_box_open(user, MAILBOX_FLAG_NO_RECENT);
	save_one(target, MAIL_FLAGGED, "4");
	mailbox_close(&target);
	box_sync_expect(sel, 4, 4);
	ck_assert_str_eq(box_recent_seqs(sel), "1,2,3,4");
	box_sync_expect(other, 4, 0);
	mailbox_close(&other);
	mailbox_close(&sel);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mbox_recent_targets_suite(void)
{
	Suite *s = suite_create("mbox-recent-targets");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, mbox_setup, mbox_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mbox_append_target_leaves_recent);
	tcase_add_test(tc, test_mbox_target_open_takes_nothing);
	tcase_add_test(tc, test_mbox_append_into_selected);
	suite_add_tcase(s, tc);
	return s;
}
