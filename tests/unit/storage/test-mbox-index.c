/* Copyright (c) dovecot-like authors. test-mbox-index.c: the mbox
   backend's index (mbox-index.c) through the lib-storage API: RFC 7162
   modseqs that grow per flag change, persist across a reopen and never go
   back when the index is deleted, corrupted or its UIDVALIDITY changes; a
   second session sees the change; and a flag change acknowledged by
   mailbox_changes_commit() survives a session that dies before writing it
   into the file (the next session shows it and writes it); ENVELOPE comes
   from the cache file in the next session. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage.h"
#include "mail-fetch-cache.h"
#include "mbox-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FROM "From a@example.org Mon Nov 23 10:00:00 2026\n"

static const char *inbox_path(void)
{
	return tmp_strconcat(home, "/mail/inbox", NULL);
}

static const char *index_path(const char *suffix)
{
	return tmp_strconcat(home, "/mail/.imap/INBOX/dovecot-like.index",
			     suffix, NULL);
}

/* Three messages with X-UIDs: UIDs given out before any index existed. */
static struct mail_user *mbox_setup_three(void)
{
	mkdirs(tmp_strconcat(home, "/mail", NULL));
	write_path(inbox_path(),
		   FROM "Subject: a\nX-IMAPbase: 1700000000 0000000004\n"
		   "X-UID: 1\nStatus: O\n\na\n\n"
		   FROM "Subject: b\nX-UID: 2\nStatus: O\n\nb\n\n"
		   FROM "Subject: c\nX-UID: 3\nStatus: RO\n\nc\n");
	return user_create("mbox:~/mail:INBOX=~/mail/inbox");
}

/* The value of header name (with ": ") of the message with this Subject
   in the file ("" if none). */
static const char *file_header(const char *subject, const char *name)
{
	const char *data = read_path(inbox_path());
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

static const char *file_x_status(const char *subject)
{
	return file_header(subject, "X-Status: ");
}

START_TEST(test_mbox_index_modseq_grows)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	uint64_t hms0, m1, m2, m3, hms;
	uint32_t seq;

	ck_assert(access(index_path(""), F_OK) == 0 ||
		  access(index_path(".log"), F_OK) == 0);
	hms0 = mailbox_get_highest_modseq(box);
	ck_assert_uint_gt(hms0, 0);
	for (seq = 1; seq <= 3; seq++) {
		ck_assert_uint_gt(mail_get_modseq(box, seq), 0);
		ck_assert_uint_le(mail_get_modseq(box, seq), hms0);
	}
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

	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_ANSWERED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_uint_gt(mail_get_modseq(box, 1), m2);
	hms = mailbox_get_highest_modseq(box);
	ck_assert_uint_eq(hms, mail_get_modseq(box, 1));
	m1 = mail_get_modseq(box, 1);
	m2 = mail_get_modseq(box, 2);
	mailbox_close(&box);
	/* the close wrote the lazy flags */
	ck_assert_str_eq(file_x_status("b"), "F");
	ck_assert_str_eq(file_x_status("a"), "A");

	/* persisted: the same modseqs after a reopen (writing the flags
	   into the file changed no flag) */
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), hms);
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(mail_get_modseq(box, 2), m2);
	ck_assert_uint_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_index_other_session)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *a = box_open(user, 0), *b = box_open(user, 0);
	struct mailbox_sync_result result;
	const char *kw_names[] = { "$Work", NULL };
	struct mail_keywords kw;
	uint64_t hms_a;

	ck_assert_uint_eq(mailbox_get_highest_modseq(a), mailbox_get_highest_modseq(b));
	ck_assert_int_eq(mailbox_keywords_create(a, kw_names, 1, true, &kw), 0);
	ck_assert_int_eq(mail_update_flags(a, 3, MODIFY_ADD, MAIL_DELETED,
					   &kw), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	hms_a = mailbox_get_highest_modseq(a);
	/* not in the file yet (lazy writes)... */
	ck_assert_str_eq(file_x_status("c"), "");
	/* ...but b sees it through the index */
	ck_assert_int_eq(mailbox_sync(b, tmp_pool, &result), 0);
	ck_assert_uint_eq(mailbox_get_highest_modseq(b), hms_a);
	ck_assert_uint_eq(mail_get_modseq(b, 3), mail_get_modseq(a, 3));
	ck_assert_uint_eq(mail_get_flags(b, 3) & MAIL_FLAGS_MASK,
			  MAIL_SEEN | MAIL_DELETED);
	ck_assert_str_eq(mailbox_keywords_get_names(b, tmp_pool,
		mail_get_keywords(b, 3))[0], "$Work");
	mailbox_close(&a);
	mailbox_close(&b);
	ck_assert_str_eq(file_x_status("c"), "D");
	/* the keyword, then the room the rewrite leaves for more keywords */
	ck_assert_str_eq(file_header("c", "X-Keywords: "),
			 tmp_printf("%-77s", "$Work"));
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_index_crash)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	uint64_t modseq;

	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD,
					   MAIL_ANSWERED | MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	modseq = mail_get_modseq(box, 2);
	mbox_sync_test_close_as_crash = true;
	mailbox_close(&box);
	mbox_sync_test_close_as_crash = false;
	ck_assert_str_eq(file_x_status("b"), "");

	/* the next session has it from the index, and writes it */
	box = box_open(user, 0);
	ck_assert_uint_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			  MAIL_ANSWERED | MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(box, 2), modseq);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), modseq);
	mailbox_close(&box);
	ck_assert_str_eq(file_x_status("b"), "AF");

	/* written: no longer dirty, nothing changes at the next open */
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), modseq);
	ck_assert_uint_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			  MAIL_ANSWERED | MAIL_FLAGGED);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_index_deleted)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	uint64_t hms;

	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	hms = mailbox_get_highest_modseq(box);
	mailbox_close(&box);
	ck_assert_int_eq(unlink(index_path(".log")), 0);
	(void)unlink(index_path(""));
	/* a new index for old UIDs starts at the clock (seconds << 20):
	   above the lost one's from the next second on */
	sleep(1);

	box = box_open(user, 0);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 3);
	ck_assert_str_eq(box_uids(box), "1,2,3");
	ck_assert_uint_eq(mail_get_flags(box, 1) & MAIL_FLAGS_MASK, MAIL_SEEN);
	/* every message above the lost index's modseqs too */
	ck_assert_uint_gt(mail_get_modseq(box, 1), hms);
	ck_assert_uint_gt(mail_get_modseq(box, 3), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_index_corrupt)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	uint64_t hms;

	ck_assert_int_eq(mail_update_flags(box, 3, MODIFY_ADD, MAIL_DRAFT,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	hms = mailbox_get_highest_modseq(box);
	mailbox_close(&box);
	write_path(index_path(""), "garbage garbage garbage garbage");
	write_path(index_path(".log"), "garbage garbage garbage garbage");
	sleep(1);	/* as test_mbox_index_deleted */

	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 3);
	ck_assert_uint_eq(mail_get_flags(box, 3) & MAIL_FLAGS_MASK,
			  MAIL_SEEN | MAIL_DRAFT);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_index_uidvalidity_change)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	struct mailbox_status status;
	uint64_t hms;

	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	hms = mailbox_get_highest_modseq(box);
	mailbox_close(&box);
	write_path(inbox_path(),
		   FROM "Subject: x\nX-IMAPbase: 1800000000 0000000002\n"
		   "X-UID: 1\nStatus: RO\n\nx\n");
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, 1800000000);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 1);
	/* the old uid 1's flagged state is not carried over */
	ck_assert_uint_eq(mail_get_flags(box, 1) & MAIL_FLAGS_MASK, MAIL_SEEN);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* An external change of the file (another MUA) raises the modseq of that
   message only. */
START_TEST(test_mbox_index_external_change)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	uint64_t hms, m1;

	hms = mailbox_get_highest_modseq(box);
	m1 = mail_get_modseq(box, 1);
	mailbox_close(&box);
	write_path(inbox_path(),
		   FROM "Subject: a\nX-IMAPbase: 1700000000 0000000004\n"
		   "X-UID: 1\nStatus: O\n\na\n\n"
		   FROM "Subject: b\nX-UID: 2\nStatus: RO\n\nb\n\n"
		   FROM "Subject: c\nX-UID: 3\nStatus: RO\n\nc\n");
	box = box_open(user, 0);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	ck_assert_uint_eq(mail_get_modseq(box, 2), mailbox_get_highest_modseq(box));
	ck_assert_uint_eq(mail_get_modseq(box, 1), m1);
	ck_assert_uint_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK, MAIL_SEEN);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* The second session answers ENVELOPE and BODYSTRUCTURE from the cache file: proved by
   changing the message in the file behind its back (same UID). */
START_TEST(test_mbox_index_cache_hit)
{
	struct mail_user *user = mbox_setup_three();
	struct mail_fetch_cache_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	/* BODYSTRUCTURE: result.parts tells whether the message was parsed */
	unsigned int want = MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE) |
		MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODYSTRUCTURE);
	struct mailbox *box = box_open(user, 0);
	const char *env_a =
		"(NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL)";
	uint64_t hms = mailbox_get_highest_modseq(box);

	ck_assert_int_eq(mail_get_fetch_fields(box, 1, want, pool,
					       &result), 0);
	ck_assert_ptr_nonnull(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE], env_a);
	mailbox_close(&box);

	write_path(inbox_path(),
		   FROM "Subject: z\nX-IMAPbase: 1700000000 0000000004\n"
		   "X-UID: 1\nStatus: O\n\na\n\n"
		   FROM "Subject: b\nX-UID: 2\nStatus: O\n\nb\n\n"
		   FROM "Subject: c\nX-UID: 3\nStatus: RO\n\nc\n");
	box = box_open(user, 0);
	ck_assert_int_eq(mail_get_fetch_fields(box, 1, want, pool,
					       &result), 0);
	ck_assert_ptr_null(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE], env_a);
	/* cache data is no flag change */
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), hms);
	/* not cached: parsed from the file */
	ck_assert_int_eq(mail_get_fetch_fields(box, 2, want, pool,
					       &result), 0);
	ck_assert_ptr_nonnull(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 "(NIL \"b\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	mailbox_close(&box);
	ck_assert(access(index_path(".cache"), F_OK) == 0);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

static struct mailbox *open_named(struct mail_user *user, const char *name)
{
	enum mail_storage_error error;
	const char *error_str;
	struct mailbox *box;

	ck_assert_int_eq(mailbox_open(user, name, 0, &box, &error,
				      &error_str), 0);
	return box;
}

/* The index directory moves with a renamed mailbox and goes with a
   deleted one. */
START_TEST(test_mbox_index_rename_delete)
{
	struct mail_user *user = mbox_setup_three();
	const char *old_dir = tmp_strconcat(home, "/mail/.imap/Old", NULL);
	const char *new_dir = tmp_strconcat(home, "/mail/.imap/New", NULL);
	enum mail_storage_error error;
	const char *error_str;
	struct mailbox *box;
	uint64_t hms;

	write_path(tmp_strconcat(home, "/mail/Old", NULL),
		   FROM "Subject: o\nX-IMAPbase: 1700000000 0000000002\n"
		   "X-UID: 1\nStatus: RO\n\no\n");
	box = open_named(user, "Old");
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	hms = mailbox_get_highest_modseq(box);
	mailbox_close(&box);
	ck_assert_int_eq(access(old_dir, F_OK), 0);

	ck_assert_int_eq(mail_user_mailbox_rename(user, "Old", "New", &error,
						  &error_str), 0);
	ck_assert_int_eq(access(old_dir, F_OK), -1);
	ck_assert_int_eq(access(tmp_strconcat(new_dir, "/dovecot-like.index.log",
					      NULL), F_OK), 0);
	box = open_named(user, "New");
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), hms);	/* the same index */
	mailbox_close(&box);

	ck_assert_int_eq(mail_user_mailbox_delete(user, "New", &error,
						  &error_str), 0);
	ck_assert_int_eq(access(new_dir, F_OK), -1);
	mail_user_unref(&user);
}
END_TEST

/* A mailbox file replaced by a new empty one (the index stays): the new
   messages get a new UIDVALIDITY, not the old one with reused UIDs. */
START_TEST(test_mbox_index_file_recreated)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *box = box_open(user, 0);
	struct mailbox_status status;
	uint64_t hms = mailbox_get_highest_modseq(box);

	mailbox_close(&box);
	write_path(inbox_path(), "");
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_gt(status.uidvalidity, 1700000000);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), hms);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* A modseq sent with flags is never newer than them: another session's
   change shows its modseq only once this view has the change. */
START_TEST(test_mbox_index_modseq_matches_view)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *a = box_open(user, 0), *b = box_open(user, 0);
	struct mailbox_sync_result result;
	uint64_t m1 = mail_get_modseq(a, 1), mb, m2;

	ck_assert_int_eq(mail_update_flags(b, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	mb = mail_get_modseq(b, 1);
	ck_assert_uint_gt(mb, m1);
	/* a's own commit reads b's change into a's index map... */
	ck_assert_int_eq(mail_update_flags(a, 2, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	m2 = mail_get_modseq(a, 2);
	ck_assert_uint_gt(m2, mb);
	/* ...but a's view doesn't have it yet */
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK, 0);
	ck_assert_uint_eq(mail_get_modseq(a, 1), m1);
	ck_assert_int_eq(mailbox_sync(a, tmp_pool, &result), 0);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK,
			  MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_modseq(a, 1), mb);
	ck_assert_uint_eq(mail_get_modseq(a, 2), m2);
	ck_assert_uint_eq(mailbox_get_highest_modseq(a), m2);
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

/* Two sessions change the same message without seeing each other's
   change: the file gets both (the index merges them), whichever session
   writes first. */
START_TEST(test_mbox_index_merge_writes)
{
	struct mail_user *user = mbox_setup_three();
	struct mailbox *a = box_open(user, 0), *b = box_open(user, 0);

	ck_assert_int_eq(mail_update_flags(a, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(a), 0);
	ck_assert_int_eq(mail_update_flags(b, 1, MODIFY_ADD, MAIL_FLAGGED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(b), 0);
	ck_assert_str_eq(file_header("a", "Status: "), "O");
	mailbox_close(&b);
	ck_assert_str_eq(file_header("a", "Status: "), "RO");
	ck_assert_str_eq(file_x_status("a"), "F");
	mailbox_close(&a);
	ck_assert_str_eq(file_header("a", "Status: "), "RO");
	ck_assert_str_eq(file_x_status("a"), "F");
	a = box_open(user, 0);
	ck_assert_uint_eq(mail_get_flags(a, 1) & MAIL_FLAGS_MASK,
			  MAIL_SEEN | MAIL_FLAGGED);
	mailbox_close(&a);
	mail_user_unref(&user);
}
END_TEST

/* INDEX=<dir> puts the index in <dir>/<name>; INDEX=MEMORY means none
   (NOMODSEQ, as without an index). */
START_TEST(test_mbox_index_location)
{
	struct mail_user *user;
	struct mailbox *box;

	user = mbox_setup_three();
	mail_user_unref(&user);
	user = user_create("mbox:~/mail:INBOX=~/mail/inbox:INDEX=~/idx");
	box = box_open(user, 0);
	ck_assert_uint_gt(mailbox_get_highest_modseq(box), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
	ck_assert_int_eq(access(tmp_strconcat(home, "/idx/INBOX/"
		"dovecot-like.index.log", NULL), F_OK), 0);
	ck_assert_int_eq(access(tmp_strconcat(home, "/mail/.imap", NULL),
				F_OK), -1);

	user = user_create("mbox:~/mail:INBOX=~/mail/inbox:INDEX=MEMORY");
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 3);
	ck_assert_uint_eq(mailbox_get_highest_modseq(box), 0);
	ck_assert_uint_eq(mail_get_modseq(box, 1), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
	ck_assert_int_eq(access(tmp_strconcat(home, "/mail/.imap", NULL),
				F_OK), -1);
}
END_TEST

Suite *test_mbox_index_suite(void)
{
	Suite *s = suite_create("mbox-index");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mbox_index_modseq_grows);
	tcase_add_test(tc, test_mbox_index_other_session);
	tcase_add_test(tc, test_mbox_index_modseq_matches_view);
	tcase_add_test(tc, test_mbox_index_merge_writes);
	tcase_add_test(tc, test_mbox_index_crash);
	tcase_add_test(tc, test_mbox_index_deleted);
	tcase_add_test(tc, test_mbox_index_corrupt);
	tcase_add_test(tc, test_mbox_index_uidvalidity_change);
	tcase_add_test(tc, test_mbox_index_external_change);
	tcase_add_test(tc, test_mbox_index_cache_hit);
	tcase_add_test(tc, test_mbox_index_rename_delete);
	tcase_add_test(tc, test_mbox_index_file_recreated);
	tcase_add_test(tc, test_mbox_index_location);
	suite_add_tcase(s, tc);
	return s;
}
