/* Copyright (c) dovecot-like authors. Functional Check suite for taking over
   a Maildir that Dovecot 2.3 wrote (maildir-format.md sections 4, 8, 9): the
   same UIDs, flags, sizes and POP3 UIDLs. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

/* Reference section 9 / 4.1: the Maildir Dovecot 2.3 left behind. */
static void build_dovecot_maildir(const char *pop3_exts[4])
{
	mkdirs(maildir);
	deliver("cur", "1795461150.M399264P11591.vm,S=93,W=100:2,Sa",
		"Message-ID: <1@x>\n\nbody1\n");
	deliver("cur", "1795461150.M902548P11591.vm,S=43,W=47:2,FRbc",
		"Message-ID: <2@x>\n\nbody2\n");
	deliver("new", "1795461175.M618039P16282.vm,S=117,W=126",
		"Message-ID: <4@x>\n\nbody4\n");
	deliver("cur", "1700000000.12345_0.otherhost:2,",
		"Message-ID: <5@x>\n\nline\nline\n");
	write_path(tmp_strconcat(maildir, "/dovecot-keywords", NULL),
		   "0 $Junk\n1 NonJunk\n2 $Label1\n");
	write_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL), tmp_printf(
		"3 V1795461150 N6 G011de7171e90046b472d000083ecc375\n"
		"1 %s:1795461150.M399264P11591.vm,S=93,W=100\n"
		"2 %s:1795461150.M902548P11591.vm,S=43,W=47\n"
		"4 %s:1795461175.M618039P16282.vm,S=117,W=126\n"
		"5 W37 %s:1700000000.12345_0.otherhost\n",
		pop3_exts[0], pop3_exts[1], pop3_exts[2], pop3_exts[3]));
}

START_TEST(test_maildir_dovecot_uidlist)
{
	const char *no_exts[4] = { "", "", "", "" };
	struct mail_user *user;
	struct mailbox_status status;
	struct mailbox *box;
	uoff_t size;

	build_dovecot_maildir(no_exts);
	user = user_create("maildir:~/Maildir");
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, 1795461150);
	ck_assert_uint_eq(status.uidnext, 6);
	ck_assert_uint_eq(status.recent, 0);
	ck_assert_str_eq(box_uids(box), "1,2,4,5");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN);
	ck_assert_int_eq(mail_get_flags(box, 2), MAIL_FLAGGED | MAIL_ANSWERED);
	ck_assert_int_eq(mail_get_flags(box, 3), 0);
	/* POP3 doesn't move new/ -> cur/ here */
	ck_assert_str_eq(list_dir("new"), "1795461175.M618039P16282.vm,S=117,W=126");

	ck_assert_str_eq(uidl(box, 1, "%08Xu%08Xv"), "000000016b04901e");
	ck_assert_str_eq(uidl(box, 2, "%08Xu%08Xv"), "000000026b04901e");
	ck_assert_str_eq(uidl(box, 3, "%08Xu%08Xv"), "000000046b04901e");
	ck_assert_str_eq(uidl(box, 4, "%08Xu%08Xv"), "000000056b04901e");
	ck_assert_str_eq(uidl(box, 1, "%f"),
			 "1795461150.M399264P11591.vm,S=93,W=100");
	ck_assert_str_eq(uidl(box, 4, "%f"), "1700000000.12345_0.otherhost");
	ck_assert_str_eq(uidl(box, 2, "%v.%u"), "1795461150.2");
	ck_assert_str_eq(uidl(box, 2, "%{uid}-%g"),
			 "2-1795461150.M902548P11591.vm");
	ck_assert_str_eq(uidl(box, 3, "%m"), md5_hex("<4@x>"));
	ck_assert_str_eq(uidl(box, 3, "%{md5}"), md5_hex("<4@x>"));

	ck_assert_int_eq(mail_get_virtual_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, 100);
	ck_assert_int_eq(mail_get_virtual_size(box, 4, &size), 0);
	ck_assert_uint_eq(size, 37);	/* W37 from the uidlist */
	ck_assert_int_eq(mail_get_physical_size(box, 3, &size), 0);
	ck_assert_uint_eq(size, 117);
	ck_assert_int_eq(mail_get_physical_size(box, 4, &size), 0);
	ck_assert_uint_eq(size, strlen("Message-ID: <5@x>\n\nline\nline\n"));

	/* a new delivery continues at N */
	deliver("new", "1795461200.M1P1.vm", "x\n");
	{
		struct mailbox_sync_result result;

		ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
		ck_assert_uint_eq(result.messages, 5);
		ck_assert_uint_eq(array_count(&result.expunged), 0);
	}
	ck_assert_str_eq(box_uids(box), "1,2,4,5,6");
	mailbox_close(&box);

	/* the records written by Dovecot are untouched, ours appended */
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL)),
		"3 V1795461150 N6 G011de7171e90046b472d000083ecc375\n"
		"1 :1795461150.M399264P11591.vm,S=93,W=100\n"
		"2 :1795461150.M902548P11591.vm,S=43,W=47\n"
		"4 :1795461175.M618039P16282.vm,S=117,W=126\n"
		"5 W37 :1700000000.12345_0.otherhost\n"
		"6 :1795461200.M1P1.vm\n");

	/* an IMAP session takes \Recent for what is still in new/ */
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.recent, 2);
	ck_assert_int_eq(mail_get_flags(box, 3), MAIL_RECENT);
	ck_assert_str_eq(list_dir("new"), "");
	ck_assert_str_eq(box_uids(box), "1,2,4,5,6");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_saved_pop3_uidl)
{
	const char *exts[4] = { "P000000016b04901e ", "P ", "", "Pmigrated-5 " };
	struct mail_user *user;
	struct mailbox *box;

	build_dovecot_maildir(exts);
	user = user_create("maildir:~/Maildir");
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	ck_assert_str_eq(uidl(box, 1, "%f"), "000000016b04901e");
	/* empty P = base file name */
	ck_assert_str_eq(uidl(box, 2, "%08Xu%08Xv"),
			 "1795461150.M902548P11591.vm,S=43,W=47");
	ck_assert_str_eq(uidl(box, 3, "%08Xu%08Xv"), "000000046b04901e");
	ck_assert_str_eq(uidl(box, 4, "%08Xu%08Xv"), "migrated-5");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_dovecot_suite(void)
{
	Suite *s = suite_create("maildir-dovecot");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_maildir_dovecot_uidlist);
	tcase_add_test(tc, test_maildir_saved_pop3_uidl);
	suite_add_tcase(s, tc);
	return s;
}
