/* Copyright (c) dovecot-like authors. test-mailbox-vanished.c: the UIDs
   QRESYNC reports as vanished (mailbox_get_vanished()) on Maildir: exactly
   those expunged after the modseq while the index log has the history,
   limited to the known UIDs and below UIDNEXT; every missing UID (from
   min_uid) once the history is gone with a lost index. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "imap-seqset.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <unistd.h>

/* mailbox_get_vanished() written as a sequence set; known is a set
   string or NULL. */
static const char *vanished(struct mailbox *box, uint64_t since,
			    const char *known, uint32_t min_uid)
{
	struct seq_range_array known_arr = SEQ_RANGE_ARRAY_INIT;
	struct seq_range_array out = SEQ_RANGE_ARRAY_INIT;
	struct str *str = t_str_new(64);
	const char *error;

	known_arr.pool = out.pool = tmp_pool;
	if (known != NULL) {
		ck_assert_int_eq(imap_seqset_parse(known, strlen(known), 0,
						   &known_arr, &error), 0);
	}
	ck_assert_int_eq(mailbox_get_vanished(box, since, known == NULL ?
					      NULL : &known_arr, min_uid,
					      &out), 0);
	imap_write_seq_ranges(str, &out);
	return str_c(str);
}

/* Expunges seq and syncs (the index has the expunge after the sync). */
static void expunge_seq(struct mailbox *box, uint32_t seq)
{
	ARRAY_TYPE(mailbox_expunged) expunged;
	struct mailbox_sync_result result;

	ck_assert_int_eq(mail_update_flags(box, seq, MODIFY_ADD, MAIL_DELETED,
					   NULL), 0);
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, NULL,
						 &expunged), 0);
	ck_assert_uint_eq(array_count(&expunged), 1);
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

START_TEST(test_vanished_history_and_fallback)
{
	static const char *const suffixes[] = {
		"", ".log", ".log.2", ".cache", ".maildir",
	};
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	uint64_t m0, m1;
	unsigned int i;

	for (i = 1; i <= 6; i++) {
		deliver("cur", tmp_printf("170000000%u.M%uP1.host:2,", i, i),
			tmp_printf("Subject: %u\n\n%u\n", i, i));
	}
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3,4,5,6");
	m0 = mailbox_get_highest_modseq(box);
	ck_assert_str_eq(vanished(box, m0, NULL, 0), "");
	expunge_seq(box, 2);			/* uid 2 */
	m1 = mailbox_get_highest_modseq(box);
	ck_assert_uint_gt(m1, m0);
	expunge_seq(box, 3);			/* uid 4 */
	expunge_seq(box, 4);			/* uid 6: the last one */
	ck_assert_str_eq(box_uids(box), "1,3,5");

	/* the log's history: exactly what went after each modseq */
	ck_assert_str_eq(vanished(box, m0, NULL, 0), "2,4,6");
	ck_assert_str_eq(vanished(box, m1, NULL, 0), "4,6");
	ck_assert_str_eq(vanished(box, mailbox_get_highest_modseq(box), NULL, 0), "");
	ck_assert_str_eq(vanished(box, m0, "1:3", 0), "2");
	ck_assert_str_eq(vanished(box, m0, "4:100", 0), "4,6");
	ck_assert_str_eq(vanished(box, m0, "7:100", 0), "");
	/* min_uid only narrows the fallback */
	ck_assert_str_eq(vanished(box, m0, NULL, 5), "2,4,6");
	mailbox_close(&box);

	/* a lost index: no history for the old modseqs, every missing UID
	   below UIDNEXT (7), from min_uid on */
	for (i = 0; i < N_ELEMENTS(suffixes); i++) {
		(void)unlink(tmp_strconcat(maildir, "/dovecot-like.index",
					   suffixes[i], NULL));
	}
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,3,5");
	ck_assert_str_eq(vanished(box, m1, NULL, 0), "2,4,6");
	ck_assert_str_eq(vanished(box, m1, NULL, 3), "4,6");
	ck_assert_str_eq(vanished(box, m1, NULL, 7), "");
	ck_assert_str_eq(vanished(box, m1, "1:3,6", 0), "2,6");
	ck_assert_str_eq(vanished(box, m1, "3", 0), "");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mailbox_vanished_suite(void)
{
	Suite *s = suite_create("mailbox-vanished");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vanished_history_and_fallback);
	suite_add_tcase(s, tc);
	return s;
}
