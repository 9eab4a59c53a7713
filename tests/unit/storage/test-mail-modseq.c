/* Copyright (c) dovecot-like authors. test-mail-modseq.c: RFC 7162 modseqs
   through the lib-storage API on Maildir (kept in its index): this
   session's change raises the message's modseq and HIGHESTMODSEQ as soon
   as mailbox_changes_commit() returns, another instance sees the same
   values after mailbox_sync(), they persist across a reopen, a rebuilt
   index goes on above the old modseqs (the messages' too), and mbox has
   them too. Concurrency: STORE (UNCHANGEDSINCE) checks and sets under the
   index lock against every session's changes (committed, or only renamed
   in the Maildir), a session's modseqs move with its view (never newer
   than its flags), and a failed index commit is an error. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <sys/stat.h>
#include <unistd.h>

/* Every message has a modseq in 1..HIGHESTMODSEQ. */
static void assert_modseqs_valid(struct mailbox *box)
{
	uint64_t hms = mailbox_get_highest_modseq(box), modseq;
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
	hms0 = mailbox_get_highest_modseq(box);
	/* a new mailbox (no UIDs given out before) counts from 1 */
	ck_assert_uint_lt(hms0, 10);
	m1 = mail_get_modseq(box, 1);
	m3 = mail_get_modseq(box, 3);

	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	m2 = mail_get_modseq(box, 2);
	ck_assert_uint_gt(m2, hms0);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), m2);
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(mail_get_modseq(box, 3), m3);

	/* each further change goes higher; a no-op change doesn't */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 1), m2);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), mail_get_modseq(box, 1));
	m1 = mail_get_modseq(box, 1);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), m1);
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
	hms0 = mailbox_get_highest_modseq(b);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), hms0);

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
	ck_assert_uint_eq(mailbox_get_highest_modseq(b), m3);
	assert_modseqs_valid(b);
	mailbox_close(&a);
	mailbox_close(&b);

	/* persistent: a new instance reads them from the index */
	a = box_open(user, 0);
	ck_assert_uint_eq(mail_get_modseq(a, 3), m3);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), m3);
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
	hms = mailbox_get_highest_modseq(box);
	mailbox_close(&box);

	/* a corrupt snapshot is rebuilt from the log: nothing goes back */
	write_path(tmp_strconcat(maildir, "/dovecot-like.index", NULL),
		   "garbage garbage garbage garbage garbage garbage garbage");
	box = box_open(user, 0);
	ck_assert_uint_ge(mailbox_get_highest_modseq(box), hms);
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
	unsigned int i, j;
	uint64_t hms;

	deliver_three();
	box = box_open(user, 0);
	/* many changes: more modseqs than a new index's first records use */
	for (j = 0; j < 10; j++) {
		for (i = 1; i <= 3; i++) {
			ck_assert_int_eq(mail_update_flags(box, i, j % 2 == 0 ?
					MODIFY_ADD : MODIFY_REMOVE,
					MAIL_FLAGGED, NULL), 0);
			ck_assert_int_eq(mailbox_changes_commit(box), 0);
		}
	}
	hms = mailbox_get_highest_modseq(box);
	ck_assert_uint_ge(hms, 30);
	mailbox_close(&box);
	for (i = 0; i < N_ELEMENTS(suffixes); i++) {
		(void)unlink(tmp_strconcat(maildir, "/dovecot-like.index",
					   suffixes[i], NULL));
	}
	/* a new index for the same UIDVALIDITY: modseqs go on above the
	   lost ones (from the clock), never back: the messages' too */
	box = box_open(user, 0);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	assert_modseqs_valid(box);
	for (i = 1; i <= 3; i++)
		ck_assert_uint_gt(mail_get_modseq(box, i), hms);
	hms = mailbox_get_highest_modseq(box);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 1), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* RFC 7162 3.1.3: a's STORE (UNCHANGEDSINCE m), m from a's last sync,
   after b changed the message and committed: the check runs against the
   locked, refreshed index, not a's stale view. Not stored, b's change
   survives. */
START_TEST(test_modseq_unchangedsince_other_committed)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	uint64_t m1;

	deliver_three();
	a = box_open(user, 0);
	b = box_open(user, 0);
	m1 = mail_get_modseq(a, 1);
	ck_assert_int_eq(mail_update_flags(b, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);

	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 1, MODIFY_ADD,
					MAIL_SEEN, NULL, m1), 0);
	/* message 2 is unchanged: stored */
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_ADD,
					MAIL_SEEN, NULL, m1), 1);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK, 0);
	ck_assert_uint_eq(mail_get_flags(a, 2) & MAIL_FLAGS_MASK, MAIL_SEEN);
	ck_assert_uint_gt(mail_get_modseq(a, 2), m1);

	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	ck_assert_int_eq(mailbox_sync(b, pool, &result), 0);
	ck_assert_uint_eq(mail_get_flags(b, 1) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_flags(b, 2) & MAIL_FLAGS_MASK, MAIL_SEEN);
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,F "
			 "1700000002.M2P1.host:2,S 1700000003.M3P1.host:2,S");
	mailbox_close(&a);
	mailbox_close(&b);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

/* b renamed the file (its change not in the index yet): a Maildir file
   changed by another session counts as modified too. */
START_TEST(test_modseq_unchangedsince_other_renamed)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	uint64_t hms;

	deliver_three();
	a = box_open(user, 0);
	b = box_open(user, 0);
	hms = mailbox_get_highest_modseq(a);
	ck_assert_int_eq(mail_update_flags(b, 3, MODIFY_REMOVE, MAIL_SEEN,
					   NULL), 0);
	/* b's change is pending in b (no commit yet) */
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 3, MODIFY_ADD,
					MAIL_DRAFT, NULL, hms), 0);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), hms);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2, "
			 "1700000002.M2P1.host:2, 1700000003.M3P1.host:2,");
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* RFC 7162 3.1.3: UNCHANGEDSINCE below the message's modseq fails even
   for a store that would change nothing; at its modseq it passes, and a
   no-op gets no new modseq. */
START_TEST(test_modseq_unchangedsince_own)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	uint64_t m3, hms;

	deliver_three();
	box = box_open(user, 0);
	m3 = mail_get_modseq(box, 3);
	hms = mailbox_get_highest_modseq(box);
	ck_assert_int_eq(mailbox_store_lock(box), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(box, 3, MODIFY_ADD,
					MAIL_SEEN, NULL, m3 - 1), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(box, 3, MODIFY_ADD,
					MAIL_SEEN, NULL, m3), 1);
	ck_assert_int_eq(mailbox_store_unlock(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 3), m3);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), hms);
	ck_assert_int_eq(mailbox_store_lock(box), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(box, 3, MODIFY_REPLACE,
					MAIL_ANSWERED, NULL, m3), 1);
	ck_assert_int_eq(mailbox_store_unlock(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 3), hms);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), mail_get_modseq(box, 3));
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2, "
			 "1700000002.M2P1.host:2, 1700000003.M3P1.host:2,R");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Our own commit refreshes the index with b's change too, but a's view
   has not synced it: a's modseqs (and HIGHESTMODSEQ) move with its view,
   so a MODSEQ is never newer than the FLAGS it goes out with. */
START_TEST(test_modseq_view_consistent)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	uint64_t m1, mb, hms;

	deliver_three();
	a = box_open(user, 0);
	b = box_open(user, 0);
	m1 = mail_get_modseq(a, 1);
	hms = mailbox_get_highest_modseq(a);
	ck_assert_int_eq(mail_update_flags(b, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	mb = mail_get_modseq(b, 1);
	ck_assert_uint_gt(mb, hms);
	ck_assert_int_eq(mail_update_flags(a, 2, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	/* a's own change: its new modseq; b's: not before a's sync */
	ck_assert_uint_gt(mail_get_modseq(a, 2), mb);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK, 0);
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), mail_get_modseq(a, 2));
	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(a, 1), mb);
	mailbox_close(&a);
	mailbox_close(&b);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

/* A flag change the index can't take (its log replaced by something
   unreadable) is an error of mailbox_changes_commit(), not lost silently:
   the client gets a NO. */
/* b's keyword change is in the file name only (not committed yet): a's
   conditional store finds other keyword letters and counts it as
   modified, even with an UNCHANGEDSINCE above every modseq. */
START_TEST(test_modseq_unchangedsince_other_keyword)
{
	static const char *const names[] = { "$Work", NULL };
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	struct mail_keywords kw;
	uint64_t hms;

	deliver_three();
	b = box_open(user, 0);
	hms = mailbox_get_highest_modseq(b);
	ck_assert_int_eq(mailbox_keywords_create(b, names, 1, true, &kw), 0);
	ck_assert_int_eq(mail_update_flags(b, 2, MODIFY_ADD, 0, &kw), 0);
	/* a's view has the keyword; b removes it again, uncommitted */
	a = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(b, 2, MODIFY_REMOVE, 0, &kw), 0);
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_ADD,
					MAIL_FLAGGED, NULL, hms + 100), 0);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2, "
			 "1700000002.M2P1.host:2, 1700000003.M3P1.host:2,S");
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_commit_error)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	const char *log_path, *str;

	deliver_three();
	box = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	log_path = tmp_strconcat(maildir, "/dovecot-like.index.log", NULL);
	ck_assert_int_eq(unlink(log_path), 0);
	ck_assert_int_eq(mkdir(log_path, 0700), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &str), MAIL_ERROR_TEMP);
	ck_assert_int_eq(rmdir(log_path), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_modseq_mbox_index)
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
	/* mbox keeps modseqs in its index too (test-mbox-index.c) */
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 1), mailbox_get_highest_modseq(box));
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
	tcase_add_test(tc, test_modseq_unchangedsince_other_committed);
	tcase_add_test(tc, test_modseq_unchangedsince_other_renamed);
	tcase_add_test(tc, test_modseq_unchangedsince_own);
	tcase_add_test(tc, test_modseq_view_consistent);
	tcase_add_test(tc, test_modseq_unchangedsince_other_keyword);
	tcase_add_test(tc, test_modseq_commit_error);
	tcase_add_test(tc, test_modseq_mbox_index);
	suite_add_tcase(s, tc);
	return s;
}
