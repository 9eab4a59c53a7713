/* Copyright (c) dovecot-like authors. test-mail-modseq.c: RFC 7162 modseqs
   through the lib-storage API on Maildir (kept in its index): this
   session's change raises the message's modseq and HIGHESTMODSEQ as soon
   as mailbox_changes_commit() returns, another instance sees the same
   values after mailbox_sync(), they persist across a reopen, a rebuilt
   index goes on above the old modseqs, and without an index (mbox) the
   mailbox is NOMODSEQ (0). */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <unistd.h>

static void deliver_three(void)
{
	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\na\n");
	deliver("cur", "1700000002.M2P1.host:2,", "Subject: b\n\nb\n");
	deliver("cur", "1700000003.M3P1.host:2,S", "Subject: c\n\nc\n");
}

static uint64_t highest(struct mailbox *box)
{
	struct mailbox_status status;

	mailbox_get_status(box, &status);
	return status.highest_modseq;
}

/* Every message has a modseq in 1..HIGHESTMODSEQ. */
static void assert_modseqs_valid(struct mailbox *box)
{
	uint64_t hms = highest(box), modseq;
	uint32_t seq;

	ck_assert_uint_gt(hms, 0);
	for (seq = 1; seq <= mailbox_get_messages_count(box); seq++) {
		modseq = mail_get_modseq(box, seq);
		ck_assert_uint_gt(modseq, 0);
		ck_assert_uint_le(modseq, hms);
	}
	/* invalid seqs have none */
	ck_assert_uint_eq(mail_get_modseq(box, 0), 0);
	ck_assert_uint_eq(mail_get_modseq(box, seq), 0);
}

START_TEST(test_modseq_own_change)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	uint64_t hms0, m1, m2, m3;

	deliver_three();
	box = box_open(user, 0);
	assert_modseqs_valid(box);
	hms0 = highest(box);
	/* a new mailbox (no UIDs given out before) counts from 1 */
	ck_assert_uint_lt(hms0, 10);
	m1 = mail_get_modseq(box, 1);
	m3 = mail_get_modseq(box, 3);

	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	m2 = mail_get_modseq(box, 2);
	ck_assert_uint_gt(m2, hms0);
	ck_assert_uint_eq(highest(box), m2);
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(mail_get_modseq(box, 3), m3);

	/* each further change goes higher; a no-op change doesn't */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 1), m2);
	ck_assert_uint_eq(highest(box), mail_get_modseq(box, 1));
	m1 = mail_get_modseq(box, 1);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(highest(box), m1);
	assert_modseqs_valid(box);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_other_session)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	uint64_t hms0, m3;

	deliver_three();
	a = box_open(user, 0);
	b = box_open(user, 0);
	hms0 = highest(b);
	ck_assert_uint_eq(highest(a), hms0);

	ck_assert_int_eq(mail_update_flags(a, 3, MODIFY_REMOVE, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	m3 = mail_get_modseq(a, 3);
	ck_assert_uint_gt(m3, hms0);
	/* b: unchanged until its sync, then the same values */
	ck_assert_uint_lt(mail_get_modseq(b, 3), m3);
	ck_assert_int_eq(mailbox_sync(b, pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 1);
	ck_assert_uint_eq(mail_get_modseq(b, 3), m3);
	ck_assert_uint_eq(highest(b), m3);
	assert_modseqs_valid(b);
	mailbox_close(&a);
	mailbox_close(&b);

	/* persistent: a new instance reads them from the index */
	a = box_open(user, 0);
	ck_assert_uint_eq(mail_get_modseq(a, 3), m3);
	ck_assert_uint_eq(highest(a), m3);
	mailbox_close(&a);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_corrupt_index)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	uint64_t hms;

	deliver_three();
	box = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	hms = highest(box);
	mailbox_close(&box);

	/* a corrupt snapshot is rebuilt from the log: nothing goes back */
	write_path(tmp_strconcat(maildir, "/dovecot-like.index", NULL),
		   "garbage garbage garbage garbage garbage garbage garbage");
	box = box_open(user, 0);
	ck_assert_uint_ge(highest(box), hms);
	assert_modseqs_valid(box);
	ck_assert_int_eq(mail_update_flags(box, 3, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 3), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_index_deleted)
{
	static const char *const suffixes[] = {
		"", ".log", ".log.2", ".cache", ".maildir",
	};
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	unsigned int i;
	uint64_t hms;

	deliver_three();
	box = box_open(user, 0);
	for (i = 1; i <= 3; i++) {
		ck_assert_int_eq(mail_update_flags(box, i, MODIFY_ADD,
						   MAIL_FLAGGED, NULL), 0);
		ck_assert_int_eq(mailbox_changes_commit(box), 0);
	}
	hms = highest(box);
	mailbox_close(&box);
	for (i = 0; i < N_ELEMENTS(suffixes); i++) {
		(void)unlink(tmp_strconcat(maildir, "/dovecot-like.index",
					   suffixes[i], NULL));
	}
	/* a new index for the same UIDVALIDITY: modseqs go on above the
	   lost ones (from the clock), never back */
	box = box_open(user, 0);
	ck_assert_uint_gt(highest(box), hms);
	assert_modseqs_valid(box);
	hms = highest(box);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 1), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_mbox_nomodseq)
{
	struct mail_user *user;
	struct mailbox *box;

	mkdirs(tmp_strconcat(home, "/mail", NULL));
	write_path(tmp_strconcat(home, "/mail/inbox", NULL),
		   "From a@example.org Mon Nov 23 10:00:00 2026\n"
		   "Subject: a\n\na\n");
	user = user_create("mbox:~/mail:INBOX=~/mail/inbox");
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 1);
	ck_assert_uint_eq(highest(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 1), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mail_modseq_suite(void)
{
	Suite *s = suite_create("mail-modseq");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_modseq_own_change);
	tcase_add_test(tc, test_modseq_other_session);
	tcase_add_test(tc, test_modseq_corrupt_index);
	tcase_add_test(tc, test_modseq_index_deleted);
	tcase_add_test(tc, test_modseq_mbox_nomodseq);
	suite_add_tcase(s, tc);
	return s;
}
