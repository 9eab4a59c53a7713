/* Copyright (c) dovecot-like authors. Check suite for the Maildir backend's
   RFC 7162 consistency between two sessions (two mailbox handles on one
   Maildir): another session's STORE landing between our scan and our index
   update must not get its modseq attached to our older flags nor be undone
   by our update; a conditional no-op STORE checks the index and the file;
   a conditional STORE takes the uidlist lock before the index log lock.
   The races are made deterministic with maildir_index_test_scan_hook. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"
#include "maildir-storage.h"
#include "mail-index-view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* session B of the race and what its change got */
static struct mailbox *race_b;
static uint64_t race_b_modseq;
static unsigned int race_calls;

static void set_mtime(const char *subdir, time_t when)
{
	struct timespec ts[2] = { { when, 0 }, { when, 0 } };
	const char *path = tmp_strconcat(maildir, "/", subdir, NULL);

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* deliver_three() with old directory mtimes (a warm open trusts them) */
static void deliver_three_old(void)
{
	deliver_three();
	set_mtime("cur", time(NULL) - 100);
	set_mtime("new", time(NULL) - 100);
}

/* The hook: B flags message 2 (rename + index commit) once. */
static void race_b_flags(struct maildir_mailbox *mbox ATTR_UNUSED)
{
	maildir_index_test_scan_hook = NULL;
	race_calls++;
	ck_assert_int_eq(mail_update_flags(race_b, 2, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(race_b), 0);
	race_b_modseq = mail_get_modseq(race_b, 2);
}

/* uid's flags in the index as committed now */
static unsigned int index_flags(struct mailbox *box, uint32_t uid)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct mail_index_view *view;
	const struct mail_index_message *imsg;
	uint32_t seq;
	unsigned int flags;

	ck_assert_int_eq(mail_index_refresh(mbox->index), 0);
	view = mail_index_view_open(mbox->index);
	ck_assert(mail_index_lookup_seq(view, uid, &seq));
	ck_assert(mail_index_lookup(view, seq, &imsg));
	flags = imsg->flags & MAIL_FLAGS_MASK;
	mail_index_view_close(&view);
	return flags;
}

static bool seq_changed(const struct mailbox_sync_result *result,
			uint32_t seq)
{
	const uint32_t *seqp;

	array_foreach(&result->flag_changed_seqs, seqp) {
		if (*seqp == seq)
			return true;
	}
	return false;
}

/* a's view after the race: the scan's flags, modseqs and HIGHESTMODSEQ
   below b's change; the next sync brings b's change at b's modseq */
static void assert_race_view(struct mailbox *a, struct pool *pool)
{
	struct mailbox_sync_result result;

	ck_assert_uint_eq(race_calls, 1);
	ck_assert_uint_gt(race_b_modseq, 0);
	ck_assert_uint_eq(mail_get_flags(a, 2) & MAIL_FLAGS_MASK, 0);
	ck_assert_uint_lt(mail_get_modseq(a, 2), race_b_modseq);
	ck_assert_uint_lt(mailbox_get_highest_modseq(a), race_b_modseq);
	ck_assert_uint_le(mail_get_modseq(a, 1), mailbox_get_highest_modseq(a));
	ck_assert_uint_le(mail_get_modseq(a, 3), mailbox_get_highest_modseq(a));

	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	ck_assert(seq_changed(&result, 2));
	ck_assert_uint_eq(mail_get_flags(a, 2) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(a, 2), race_b_modseq);
	ck_assert_uint_ge(mailbox_get_highest_modseq(a), race_b_modseq);
}

/* Finding 2: a's scan matched the index; b commits before a's modseq
   fill. b's modseq must not go out with a's older flags. */
START_TEST(test_condstore_scan_fill_race)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);

	deliver_three_old();
	a = box_open(user, 0);
	mailbox_close(&a);
	a = box_open(user, 0);
	race_b = box_open(user, 0);
	race_calls = 0;
	/* a rescans at its next sync (the directory "changed") */
	set_mtime("cur", time(NULL) - 50);
	maildir_index_test_scan_hook = race_b_flags;
	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	maildir_index_test_scan_hook = NULL;
	ck_assert_uint_eq(index_flags(a, 2), MAIL_FLAGGED);
	assert_race_view(a, pool);
	mailbox_close(&a);
	mailbox_close(&race_b);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

/* Finding 3: a's locked update (a new delivery needs the uidlist lock)
   runs after b renamed and committed: a must not write its pre-rename
   flags over b's. */
START_TEST(test_condstore_locked_diff_race)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *c;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);

	deliver_three_old();
	a = box_open(user, 0);
	mailbox_close(&a);
	a = box_open(user, 0);
	race_b = box_open(user, 0);
	race_calls = 0;
	deliver("new", "1700000004.M4P1.host", "Subject: d\n\nd\n");
	maildir_index_test_scan_hook = race_b_flags;
	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	maildir_index_test_scan_hook = NULL;
	ck_assert_uint_eq(mailbox_get_messages_count(a), 4);
	/* b's change survives in the index */
	ck_assert_uint_eq(index_flags(a, 2), MAIL_FLAGGED);
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2, "
			 "1700000002.M2P1.host:2,F 1700000003.M3P1.host:2,S "
			 "1700000004.M4P1.host:2,");
	assert_race_view(a, pool);
	/* and every session agrees */
	ck_assert_int_eq(mailbox_sync(race_b, pool, &result), 0);
	ck_assert_uint_eq(mail_get_flags(race_b, 2) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	c = box_open(user, 0);
	ck_assert_uint_eq(mail_get_flags(c, 2) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	mailbox_close(&c);
	mailbox_close(&a);
	mailbox_close(&race_b);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

/* Finding 4: a's view still shows \Seen, b removed it and committed at M;
   a's STORE (UNCHANGEDSINCE M) +FLAGS (\Seen) is a no-op in a's view but
   not on disk: reported modified, nothing claimed stored. */
START_TEST(test_condstore_noop_stale_index)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	uint64_t m;

	deliver_three_old();
	a = box_open(user, 0);
	b = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(b, 3, MODIFY_REMOVE, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	m = mail_get_modseq(b, 3);
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 3, MODIFY_ADD,
					MAIL_SEEN, NULL, m), 0);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2, "
			 "1700000002.M2P1.host:2, 1700000003.M3P1.host:2,");
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* Finding 4, the file: b renamed but has not committed yet. */
START_TEST(test_condstore_noop_stale_file)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	uint64_t hms;

	deliver_three_old();
	a = box_open(user, 0);
	b = box_open(user, 0);
	hms = mailbox_get_highest_modseq(a);
	ck_assert_int_eq(mail_update_flags(b, 3, MODIFY_REMOVE, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert_int_eq(mail_update_flags_unchanged(a, 3, MODIFY_ADD,
					MAIL_SEEN, NULL, hms), 0);
	/* an untouched message: a true no-op */
	ck_assert_int_eq(mail_update_flags_unchanged(a, 1, MODIFY_REMOVE,
					MAIL_SEEN, NULL, hms), 1);
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

static bool file_exists(const char *name)
{
	return access(tmp_strconcat(maildir, "/", name, NULL), F_OK) == 0;
}

/* Finding 6: a keyword the mailbox knows only from the index (its
   dovecot-keywords is gone) gets a letter under the uidlist lock; a
   conditional STORE must hold that lock before the index log lock. */
START_TEST(test_condstore_lock_order)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a;
	struct mail_keywords kw;
	const char *const names[] = { "foo" };

	deliver("cur", "1700000001.M1P1.host:2,a", "Subject: a\n\na\n");
	deliver("cur", "1700000002.M2P1.host:2,", "Subject: b\n\nb\n");
	write_path(tmp_strconcat(maildir, "/dovecot-keywords", NULL),
		   "0 foo\n");
	set_mtime("cur", time(NULL) - 100);
	set_mtime("new", time(NULL) - 100);
	a = box_open(user, 0);
	mailbox_close(&a);
	ck_assert_int_eq(unlink(tmp_strconcat(maildir, "/dovecot-keywords",
					      NULL)), 0);
	a = box_open(user, 0);	/* warm: "foo" from the index alone */
	ck_assert_int_eq(mailbox_keywords_create(a, names, 1, true, &kw), 0);

	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert(file_exists("dovecot-uidlist.lock"));
	ck_assert_int_eq(mail_update_flags_unchanged(a, 2, MODIFY_ADD, 0, &kw,
					mailbox_get_highest_modseq(a)), 1);
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	ck_assert(!file_exists("dovecot-uidlist.lock"));
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/dovecot-keywords",
						 NULL)), "0 foo\n");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,a "
			 "1700000002.M2P1.host:2,a");
	/* all keywords lettered now: no uidlist lock needed */
	ck_assert_int_eq(mailbox_store_lock(a), 0);
	ck_assert(!file_exists("dovecot-uidlist.lock"));
	ck_assert_int_eq(mailbox_store_unlock(a), 0);
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_condstore_suite(void)
{
	Suite *s = suite_create("maildir-condstore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_condstore_scan_fill_race);
	tcase_add_test(tc, test_condstore_locked_diff_race);
	tcase_add_test(tc, test_condstore_noop_stale_index);
	tcase_add_test(tc, test_condstore_noop_stale_file);
	tcase_add_test(tc, test_condstore_lock_order);
	suite_add_tcase(s, tc);
	return s;
}
