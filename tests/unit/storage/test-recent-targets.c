/* Copyright (c) dovecot-like authors. test-recent-targets.c: RFC 3501 2.3.2
   \Recent on a Maildir opened only to save into it or to count it
   (MAILBOX_FLAG_NO_RECENT: APPEND, COPY/MOVE target, STATUS): such an open
   moves nothing from new/ to cur/, its saves (with flags too) land in new/,
   and the session that has the mailbox selected takes them as \Recent at
   its next sync. */

#include "lib.h"
#include "strfuncs.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <string.h>

#define MSG "Subject: saved\r\n\r\nbody\r\n"

static void save(struct mailbox_transaction *t, enum mail_flags flags)
{
	struct mail_save_data sdata = { flags, NULL, 1577872800 };
	struct mail_save_context *ctx = mailbox_save_begin(t, &sdata);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, MSG, strlen(MSG)), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
}

static void commit(struct mailbox_transaction **t, const char *uids)
{
	struct mail_transaction_commit_result result;
	const char *got = "";
	const uint32_t *uid;

	ck_assert_int_eq(mailbox_transaction_commit(t, tmp_pool, &result), 0);
	array_foreach(&result.uids, uid)
		got = tmp_printf("%s%s%u", got, *got == '\0' ? "" : ",", *uid);
	ck_assert_str_eq(got, uids);
}

/* The number of entries of maildir/<subdir> ending in suffix */
static unsigned int count_suffix(const char *subdir, const char *suffix)
{
	const char *list = list_dir(subdir), *p, *end;
	unsigned int n = 0;
	size_t len;

	for (p = list; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len >= strlen(suffix) &&
		    strncmp(end - strlen(suffix), suffix, strlen(suffix)) == 0)
			n++;
	}
	return n;
}

/* APPEND by another session into a selected mailbox: neither the target
   open nor its save takes \Recent; the flagged message goes to new/ with
   its info; the selecting session gets both, flags intact. */
START_TEST(test_append_target_leaves_recent)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *sel = box_open(user, 0), *target, *later;
	struct mailbox_transaction *t;

	box_sync_expect(sel, 0, 0);
	target = box_open(user, MAILBOX_FLAG_NO_RECENT);
	t = mailbox_transaction_begin(target);
	save(t, 0);
	save(t, MAIL_SEEN | MAIL_FLAGGED);
	commit(&t, "1,2");
	/* the target's own sync after the save moves nothing */
	box_sync_expect(target, 2, 0);
	mailbox_close(&target);
	ck_assert_uint_eq(count_suffix("new", ""), 2);
	ck_assert_uint_eq(count_suffix("new", ":2,FS"), 1);
	ck_assert_str_eq(list_dir("cur"), "");

	box_sync_expect(sel, 2, 2);
	ck_assert_str_eq(box_recent_seqs(sel), "1,2");
	ck_assert_int_eq(mail_get_flags(sel, 1), MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(sel, 2),
			 MAIL_SEEN | MAIL_FLAGGED | MAIL_RECENT);
	ck_assert_str_eq(list_dir("new"), "");
	ck_assert_uint_eq(count_suffix("cur", ":2,FS"), 1);
	ck_assert_uint_eq(count_suffix("cur", ":2,"), 1);

	/* taken: a later EXAMINE sees none, a later SELECT gets none */
	later = box_open(user, MAILBOX_FLAG_READONLY);
	box_sync_expect(later, 2, 0);
	ck_assert_str_eq(box_recent_seqs(later), "");
	mailbox_close(&later);
	later = box_open(user, 0);
	box_sync_expect(later, 2, 0);
	mailbox_close(&later);
	mailbox_close(&sel);
	mail_user_unref(&user);
}
END_TEST

/* A save-only or STATUS open of a mailbox with mail in new/ moves nothing
   (STATUS still counts it); the next SELECT takes all of it. */
START_TEST(test_target_open_moves_nothing)
{
	struct mail_user *user;
	struct mailbox *box;

	mkdirs(maildir);
	deliver("new", "1700000001.M1P1.host", "Subject: a\n\na\n");
	deliver("new", "1700000002.M2P1.host", "Subject: b\n\nb\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, MAILBOX_FLAG_NO_RECENT);
	box_sync_expect(box, 2, 0);
	mailbox_close(&box);
	ck_assert_str_eq(list_dir("new"),
			 "1700000001.M1P1.host 1700000002.M2P1.host");
	box = box_open(user, MAILBOX_FLAG_READONLY | MAILBOX_FLAG_NO_RECENT);
	box_sync_expect(box, 2, 2);
	mailbox_close(&box);
	ck_assert_str_eq(list_dir("cur"), "");

	box = box_open(user, 0);
	box_sync_expect(box, 2, 2);
	ck_assert_str_eq(box_recent_seqs(box), "1,2");
	ck_assert_str_eq(list_dir("new"), "");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* COPY into the mailbox the session has selected (through a target open
   of its own, as imap does): the copies are \Recent for that session,
   the originals stay as they were. */
START_TEST(test_copy_into_selected)
{
	struct mail_user *user;
	struct mailbox *sel, *target;
	struct mailbox_transaction *t;

	mkdirs(maildir);
	deliver_three();
	user = user_create("maildir:~/Maildir");
	sel = box_open(user, 0);
	box_sync_expect(sel, 3, 0);
	target = box_open(user, MAILBOX_FLAG_NO_RECENT);
	t = mailbox_transaction_begin(target);
	ck_assert_int_eq(mailbox_copy(t, sel, 3), 0);
	ck_assert_int_eq(mailbox_copy(t, sel, 1), 0);
	commit(&t, "4,5");
	mailbox_close(&target);
	ck_assert_uint_eq(count_suffix("new", ""), 2);
	ck_assert_uint_eq(count_suffix("new", ":2,S"), 1);

	box_sync_expect(sel, 5, 2);
	ck_assert_str_eq(box_recent_seqs(sel), "4,5");
	ck_assert_int_eq(mail_get_flags(sel, 4), MAIL_SEEN | MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(sel, 5), MAIL_RECENT);
	mailbox_close(&sel);
	mail_user_unref(&user);
}
END_TEST

Suite *test_recent_targets_suite(void)
{
	Suite *s = suite_create("recent_targets");
	TCase *tc = tcase_create("maildir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_append_target_leaves_recent);
	tcase_add_test(tc, test_target_open_moves_nothing);
	tcase_add_test(tc, test_copy_into_selected);
	suite_add_tcase(s, tc);
	return s;
}
