/* Copyright (c) dovecot-like authors. Functional tests of the mbox backend
   through the public storage API: UID assignment and X-IMAPbase, reopen,
   flags written in place and by rewrite, expunges, From_ lines in bodies,
   CRLF files, empty and truncated files. */
#include "lib.h"
#include "str.h"
#include "mail-storage-private.h"
#include "test-mbox.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define FROM1 "From a@example.com Thu Nov  9 22:33:52 2001\n"
#define FROM2 "From b@example.com Thu Nov  9 22:33:53 2001\n"
#define FROM3 "From c@example.com Thu Nov  9 22:33:54 2001\n"

/* three messages as an MTA delivers them: no metadata headers, a From_
   line in the first body that doesn't parse as a separator */
static const char foreign3[] =
	FROM1 "Subject: one\n\nbody one\nFrom here on\n\n"
	FROM2 "Subject: two\n\nbody two\n\n"
	FROM3 "Subject: three\n\nbody three\n";

static struct mail_user *user;

static void setup(void)
{
	mbox_setup();
	user = mbox_user_create();
}

static void teardown(void)
{
	mail_user_unref(&user);
	mbox_teardown();
}

static struct mailbox *open_with(const char *data)
{
	mbox_write_file(mbox_inbox_path(), data, strlen(data));
	return mbox_box_open(user, 0);
}

static const char *file(void)
{
	return mbox_read_file(mbox_inbox_path(), NULL);
}

static void box_sync(struct mailbox *box)
{
	struct mailbox_sync_result result;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

START_TEST(test_sync_assigns_uids)
{
	struct mailbox *box = open_with(foreign3);
	struct mailbox_status st;
	uint32_t uidvalidity;
	const char *f;

	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.uidnext, 4);
	ck_assert_uint_eq(st.recent, 3);
	uidvalidity = st.uidvalidity;
	ck_assert_uint_ne(uidvalidity, 0);
	f = file();
	ck_assert_ptr_nonnull(strstr(f, tmp_printf(
		"Subject: one\nX-IMAPbase: %u 0000000003\nX-UID: 1\nStatus: \n"
		"X-Keywords: ", uidvalidity)));
	ck_assert_ptr_nonnull(strstr(f, "Subject: two\nX-UID: 2\nStatus: \n"));
	ck_assert_ptr_nonnull(strstr(f, "\nContent-Length: 22\n\nbody one\n"
				     "From here on\n\n" FROM2));
	mailbox_close(&box);

	/* reopen: same UIDs, same UIDVALIDITY; closing marked them old */
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.uidvalidity, uidvalidity);
	ck_assert_uint_eq(st.recent, 0);
	ck_assert_ptr_nonnull(strstr(file(), "X-UID: 3\nStatus: O\n"));
	mailbox_close(&box);
}
END_TEST

START_TEST(test_stream_hides_metadata)
{
	struct mailbox *box = open_with(foreign3);
	uoff_t size;
	time_t t;

	ck_assert_str_eq(mbox_msg_text(box, 1),
			 "Subject: one\r\n\r\nbody one\r\nFrom here on\r\n");
	/* the LF before EOF is the separator, as before a From_ line */
	ck_assert_str_eq(mbox_msg_text(box, 3),
			 "Subject: three\r\n\r\nbody three");
	ck_assert_int_eq(mail_get_virtual_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, strlen("Subject: one\r\n\r\nbody one\r\nFrom here on\r\n"));
	ck_assert_int_eq(mail_get_physical_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, strlen("Subject: one\n\nbody one\nFrom here on\n"));
	ck_assert_int_eq(mail_get_received_date(box, 2, &t), 0);
	ck_assert_int_eq((long long)t, 1005345233);
	mailbox_close(&box);
}
END_TEST

START_TEST(test_flags_in_place)
{
	struct mailbox *box = open_with(foreign3);
	size_t len1, len2;
	const char *f;

	f = tmp_strdup(mbox_read_file(mbox_inbox_path(), &len1));
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD,
					   MAIL_SEEN | MAIL_FLAGGED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 3, MODIFY_ADD, MAIL_SEEN, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 3, MODIFY_REMOVE, MAIL_SEEN, NULL), 0);
	/* written lazily, all at the next sync */
	ck_assert_str_eq(file(), f);
	ck_assert_int_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			 MAIL_SEEN | MAIL_FLAGGED);
	box_sync(box);
	ck_assert_int_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			 MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_int_eq(mail_get_flags(box, 3) & MAIL_FLAGS_MASK, 0);
	f = mbox_read_file(mbox_inbox_path(), &len2);
	ck_assert_uint_eq(len1, len2);	/* the padding took it */
	ck_assert_ptr_nonnull(strstr(f, "X-UID: 2\nStatus: R\nX-Status: F\n"
				     "X-Keywords: "));
	ck_assert_ptr_nonnull(strstr(f, "body two\n\n" FROM3));
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	ck_assert_int_eq(mail_get_flags(box, 2), MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_int_eq(mail_get_flags(box, 1) & MAIL_FLAGS_MASK, 0);
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: two\r\n\r\nbody two\r\n");
	mailbox_close(&box);
}
END_TEST

START_TEST(test_flags_rewrite)
{
	/* Dovecot-style headers without any padding: flags must grow the
	   header, moving the rest of the file */
	static const char data[] =
		FROM1 "Subject: one\nX-IMAPbase: 42 0000000002\nX-UID: 1\n"
		"Status: O\n\nbody one\n\n"
		FROM2 "Subject: two\nX-UID: 2\nStatus: O\nContent-Length: 9\n\n"
		"body two\n";
	struct mailbox *box = open_with(data);
	struct mailbox_status st;
	size_t len1, len2;
	const char *f;

	(void)mbox_read_file(mbox_inbox_path(), &len1);
	ck_assert_int_eq(len1, strlen(data));	/* nothing to write at sync */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD,
		MAIL_ANSWERED | MAIL_FLAGGED | MAIL_DRAFT | MAIL_DELETED, NULL), 0);
	box_sync(box);
	f = mbox_read_file(mbox_inbox_path(), &len2);
	ck_assert_uint_gt(len2, len1);
	ck_assert_ptr_nonnull(strstr(f, "Subject: one\nX-IMAPbase: 42 0000000002\n"
				     "X-UID: 1\nStatus: O\nX-Status: AFTD\n"
				     "X-Keywords: "));
	ck_assert_ptr_nonnull(strstr(f, "Content-Length: 9\n\nbody one\n\n" FROM2
		"Subject: two\nX-UID: 2\nStatus: O\nContent-Length: 9\n\nbody two\n"));
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.uidvalidity, 42);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_ANSWERED | MAIL_FLAGGED |
			 MAIL_DRAFT | MAIL_DELETED);
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\nbody one\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: two\r\n\r\nbody two\r\n");
	mailbox_close(&box);
}
END_TEST

static void expunge_seq(struct mailbox *box, uint32_t seq)
{
	ARRAY_TYPE(mailbox_expunged) expunged;

	ck_assert_int_eq(mail_update_flags(box, seq, MODIFY_ADD,
					   MAIL_DELETED, NULL), 0);
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, NULL,
						 &expunged), 0);
	ck_assert_uint_eq(array_count(&expunged), 1);
}

static const struct {
	uint32_t seq;
	const char *uids;
	const char *texts[2];
} expunge_tests[] = {
	{ 1, "2,3", { "Subject: two\r\n\r\nbody two\r\n",
		      "Subject: three\r\n\r\nbody three" } },
	{ 2, "1,3", { "Subject: one\r\n\r\nbody one\r\nFrom here on\r\n",
		      "Subject: three\r\n\r\nbody three" } },
	{ 3, "1,2", { "Subject: one\r\n\r\nbody one\r\nFrom here on\r\n",
		      "Subject: two\r\n\r\nbody two\r\n" } },
};

START_TEST(test_expunge)
{
	struct mailbox *box = open_with(foreign3);
	struct mailbox_status st;
	uint32_t uidvalidity;

	mailbox_get_status(box, &st);
	uidvalidity = st.uidvalidity;
	expunge_seq(box, expunge_tests[_i].seq);
	ck_assert_str_eq(mbox_box_uids(box), expunge_tests[_i].uids);
	mailbox_close(&box);

	box = mbox_box_open(user, 0);
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.uidvalidity, uidvalidity);
	ck_assert_uint_eq(st.uidnext, 4);
	ck_assert_str_eq(mbox_box_uids(box), expunge_tests[_i].uids);
	ck_assert_str_eq(mbox_msg_text(box, 1), expunge_tests[_i].texts[0]);
	ck_assert_str_eq(mbox_msg_text(box, 2), expunge_tests[_i].texts[1]);
	/* X-IMAPbase is in the (new) first message */
	ck_assert_ptr_nonnull(strstr(file(), tmp_printf("X-IMAPbase: %u 0000000003",
							uidvalidity)));
	mailbox_close(&box);
}
END_TEST

START_TEST(test_expunge_all_pseudo)
{
	struct mailbox *box = open_with(foreign3);
	struct mailbox_status st;
	uint32_t uidvalidity;
	const char *f;
	static const char more[] = FROM1 "Subject: new\n\nnew body\n";

	mailbox_get_status(box, &st);
	uidvalidity = st.uidvalidity;
	expunge_seq(box, 3);
	expunge_seq(box, 2);
	expunge_seq(box, 1);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_close(&box);
	f = file();
	ck_assert(strncmp(f, "From MAILER_DAEMON  ", 20) == 0);
	ck_assert_ptr_nonnull(strstr(f, tmp_printf("\nX-IMAP: %u 0000000003\n"
						   "Status: RO\n\n", uidvalidity)));

	/* a new delivery after the pseudo message continues the UIDs */
	{
		FILE *fp = fopen(mbox_inbox_path(), "a");
		ck_assert(fp != NULL);
		fputs(more, fp);
		fclose(fp);
	}
	box = mbox_box_open(user, 0);
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.uidvalidity, uidvalidity);
	ck_assert_str_eq(mbox_box_uids(box), "4");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: new\r\n\r\nnew body");
	mailbox_close(&box);
	ck_assert_ptr_nonnull(strstr(file(), "\nX-IMAP: "));
}
END_TEST

START_TEST(test_from_in_body_content_length)
{
	/* a body line that is a valid From_ line: after our sync it is
	   protected by the Content-Length we wrote */
	static const char data[] =
		FROM1 "Subject: one\nContent-Length: 42\n\n"
		"From x@y.org Thu Nov  9 22:33:52 2001\nabc\n\n"
		FROM2 "Subject: two\n\nbody two\n";
	struct mailbox *box = open_with(data);

	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\n"
			 "From x@y.org Thu Nov  9 22:33:52 2001\r\nabc\r\n");
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN, NULL), 0);
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN);
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\n"
			 "From x@y.org Thu Nov  9 22:33:52 2001\r\nabc\r\n");
	/* not quoted in the file either */
	ck_assert_ptr_nonnull(strstr(file(), "\n\nFrom x@y.org Thu Nov  9"));
	mailbox_close(&box);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char data[] =
		FROM1 "Subject: a\0b\n\nbody\0with nul\n\n"
		FROM2 "Subject: two\n\nbody two\n";
	static const char want[] = "Subject: a\0b\r\n\r\nbody\0with nul\r\n";
	struct mailbox *box;
	const char *text;
	size_t len;

	mbox_write_file(mbox_inbox_path(), data, sizeof(data) - 1);
	box = mbox_box_open(user, 0);
	text = mbox_msg_data(box, 1, &len);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert(memcmp(text, want, len) == 0);
	/* a header rewrite keeps them */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN |
					   MAIL_FLAGGED | MAIL_ANSWERED | MAIL_DRAFT, NULL), 0);
	expunge_seq(box, 2);
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1");
	text = mbox_msg_data(box, 1, &len);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert(memcmp(text, want, len) == 0);
	mailbox_close(&box);
}
END_TEST

START_TEST(test_crlf_file)
{
	static const char data[] =
		"From a@b Thu Nov  9 22:33:52 2001\r\nSubject: one\r\n\r\n"
		"body one\r\n\r\n"
		"From a@b Thu Nov  9 22:33:53 2001\r\nSubject: two\r\n\r\n"
		"body two\r\n";
	struct mailbox *box = open_with(data);

	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\nbody one\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: two\r\n\r\nbody two");
	ck_assert_ptr_nonnull(strstr(file(), "\r\nX-UID: 2\r\nStatus: \r\n"));
	expunge_seq(box, 1);
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: two\r\n\r\nbody two");
	mailbox_close(&box);
}
END_TEST

START_TEST(test_empty_and_missing)
{
	struct mailbox *box;
	struct stat st;

	/* missing INBOX: created empty */
	box = mbox_box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_close(&box);
	ck_assert_int_eq(stat(mbox_inbox_path(), &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	box = open_with("");
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	mailbox_close(&box);
	ck_assert_int_eq(stat(mbox_inbox_path(), &st), 0);
	ck_assert_int_eq(st.st_size, 0);
}
END_TEST

START_TEST(test_truncated_and_corrupt)
{
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	box = open_with(FROM1 "Subject: one\n\nbody\n\n" FROM2 "Subject: tr");
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\nbody\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: tr\r\n\r\n");
	mailbox_close(&box);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: one\r\n\r\nbody\r\n");
	mailbox_close(&box);

	mbox_write_file(mbox_inbox_path(), "garbage\n", 8);
	ck_assert_int_eq(mailbox_open(user, "INBOX", 0, &box, &error,
				      &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_TEMP);
	/* the file was left alone */
	ck_assert_str_eq(file(), "garbage\n");
}
END_TEST

START_TEST(test_readonly_and_list)
{
	struct mailbox *box;
	ARRAY_TYPE(string) names;
	const char *error, *const *n;
	struct str *str = t_str_new(64);

	mbox_write_file(mbox_inbox_path(), foreign3, strlen(foreign3));
	box = mbox_box_open(user, MAILBOX_FLAG_READONLY);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN, NULL), -1);
	mailbox_close(&box);
	ck_assert_str_eq(file(), foreign3);	/* EXAMINE writes nothing */

	ck_assert_int_eq(mkdir(tmp_printf("%s/work", mbox_root()), 0700), 0);
	mbox_write_file(tmp_printf("%s/work/projects", mbox_root()), "", 0);
	mbox_write_file(tmp_printf("%s/Sent", mbox_root()), "", 0);
	mbox_write_file(tmp_printf("%s/.subscriptions", mbox_root()), "", 0);
	ck_assert_int_eq(mail_user_list_mailboxes(user, tmp_pool, &names,
						  &error), 0);
	array_foreach(&names, n)
		str_printfa(str, "%s;", *n);
	ck_assert_str_eq(str_c(str), "INBOX;Sent;work/projects;");
}
END_TEST

START_TEST(test_pop3_uidl)
{
	struct mailbox *box = open_with(foreign3);
	struct mailbox_status st;
	const char *uidl, *md5a;

	mailbox_get_status(box, &st);
	ck_assert_int_eq(mail_get_pop3_uidl(box, 2, "%08Xv%08Xu", &uidl), 0);
	ck_assert_str_eq(uidl, tmp_printf("%08x%08x", st.uidvalidity, 2));
	ck_assert_int_eq(mail_get_pop3_uidl(box, 1, "%m", &uidl), 0);
	ck_assert_uint_eq(strlen(uidl), 32);
	md5a = tmp_strdup(uidl);
	ck_assert_int_eq(mail_get_pop3_uidl(box, 2, "%m", &uidl), 0);
	/* no Received/Date/Message-ID: same (empty) selection */
	ck_assert_str_eq(uidl, md5a);
	mailbox_close(&box);
}
END_TEST

START_TEST(test_location_parse)
{
	struct mail_storage_location loc;
	const char *error;

	ck_assert_int_eq(mail_storage_location_parse(tmp_pool, "/home/u",
		"mbox:~/mail:INBOX=/var/mail/u", &loc, &error), 0);
	ck_assert_str_eq(loc.driver, "mbox");
	ck_assert_str_eq(loc.root, "/home/u/mail");
	ck_assert_str_eq(loc.inbox_path, "/var/mail/u");
	ck_assert_int_eq(mail_storage_location_parse(tmp_pool, "/home/u",
		"mbox:~/mail:INBOX=~/inbox", &loc, &error), 0);
	ck_assert_str_eq(loc.inbox_path, "/home/u/inbox");
	ck_assert_int_eq(mail_storage_location_parse(tmp_pool, "/home/u",
		"mbox:~/mail", &loc, &error), 0);
	ck_assert_ptr_null(loc.inbox_path);
	ck_assert_int_eq(mail_storage_location_parse(tmp_pool, "/home/u",
		"mbox:", &loc, &error), -1);
	ck_assert_int_eq(mail_storage_location_parse(tmp_pool, NULL,
		"mbox:~/mail", &loc, &error), -1);
}
END_TEST

START_TEST(test_inbox_in_root)
{
	/* mbox:~/mail without INBOX=: INBOX is ~/mail/inbox */
	struct mail_user_settings set;
	struct mail_user *u;
	struct mailbox *box;
	const char *error;

	memset(&set, 0, sizeof(set));
	set.username = "testuser";
	set.home = mbox_home;
	set.mail_location = "mbox:~/mail";
	ck_assert_int_eq(mail_user_create(&set, &u, &error), 0);
	mbox_write_file(tmp_printf("%s/inbox", mbox_root()), foreign3,
			strlen(foreign3));
	box = mbox_box_open(u, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	mailbox_close(&box);
	mail_user_unref(&u);
}
END_TEST

Suite *test_mbox_storage_suite(void)
{
	Suite *s = suite_create("mbox-storage");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sync_assigns_uids);
	tcase_add_test(tc, test_stream_hides_metadata);
	tcase_add_test(tc, test_flags_in_place);
	tcase_add_test(tc, test_flags_rewrite);
	tcase_add_loop_test(tc, test_expunge, 0, N_ELEMENTS(expunge_tests));
	tcase_add_test(tc, test_expunge_all_pseudo);
	tcase_add_test(tc, test_from_in_body_content_length);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_crlf_file);
	tcase_add_test(tc, test_empty_and_missing);
	tcase_add_test(tc, test_truncated_and_corrupt);
	tcase_add_test(tc, test_readonly_and_list);
	tcase_add_test(tc, test_pop3_uidl);
	tcase_add_test(tc, test_location_parse);
	tcase_add_test(tc, test_inbox_in_root);
	suite_add_tcase(s, tc);
	return s;
}
