/* Copyright (c) dovecot-like authors. Functional Check suite for the maildir
   backend's index (maildir-index.c): a warm open builds the same view from
   dovecot-like.index* without scanning, a deleted or corrupt index is
   rebuilt with the same UIDs and flags, sessions learn each other's flag
   changes and expunges from the log, and other MUAs' renames are noticed. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"
#include "mail-index-transaction.h"
#include "mail-index-view.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

/* Directory mtimes this far in the past: old enough for the index to vouch
   for them (changes within a second of a scan are not trusted). */
#define OLD_SECS 100

static void set_mtime(const char *subdir, time_t when)
{
	struct timespec ts[2] = { { when, 0 }, { when, 0 } };
	const char *path = tmp_strconcat(maildir, "/", subdir, NULL);

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void backdate_dirs(void)
{
	set_mtime("cur", time(NULL) - OLD_SECS);
	set_mtime("new", time(NULL) - OLD_SECS);
}

/* "uid:flags uid:flags ..." of the view (flags as a number) */
static const char *box_flags(struct mailbox *box)
{
	struct str *str = t_str_new(128);
	uint32_t seq, count = mailbox_get_messages_count(box);

	for (seq = 1; seq <= count; seq++) {
		if (seq > 1)
			str_append_c(str, ' ');
		str_printfa(str, "%u:%u", mailbox_seq_to_uid(box, seq),
			    (unsigned int)mail_get_flags(box, seq));
	}
	return str_c(str);
}

static const char *msg_body(struct mailbox *box, uint32_t seq)
{
	struct istream *input;
	struct str *str = t_str_new(128);
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	ck_assert_int_eq(mail_get_stream(box, seq, &input), 0);
	while ((ret = istream_read(input)) > 0 || ret == -2) {
		data = istream_get_data(input, &size);
		str_append_n(str, data, size);
		istream_skip(input, size);
	}
	ck_assert_int_eq(input->stream_errno, 0);
	istream_unref(&input);
	return str_c(str);
}

static bool file_exists(const char *name)
{
	return access(tmp_strconcat(maildir, "/", name, NULL), F_OK) == 0;
}

static void deliver_four(void)
{
	deliver("cur", "1700000001.M1P1.host,S=12:2,S", "Subject: a\n\na\n");
	deliver("cur", "1700000002.M2P1.host:2,", "Subject: b\n\nb\n");
	deliver("cur", "1700000003.M3P1.host:2,FS", "Subject: c\n\nc\n");
	/* a keyword letter: the name can't be derived from the flags */
	deliver("cur", "1700000004.M4P1.host:2,Sa", "Subject: d\n\nd\n");
	backdate_dirs();
}

START_TEST(test_maildir_index_warm_open)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct stat st;
	const char *flags1, *src, *dest;
	uoff_t size;
	time_t date;

	deliver_four();
	box = box_open(user, 0);
	flags1 = tmp_strdup(box_flags(box));
	ck_assert_str_eq(flags1, "1:8 2:0 3:10 4:8");
	mailbox_close(&box);
	ck_assert(file_exists("dovecot-like.index.log"));
	ck_assert(file_exists("dovecot-like.index.maildir"));
	ck_assert(!file_exists("dovecot.index"));
	ck_assert(!file_exists("dovecot.index.log"));

	/* warm: the same view, and every message still reachable */
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), flags1);
	ck_assert_str_eq(msg_body(box, 4), "Subject: d\r\n\r\nd\r\n");
	ck_assert_str_eq(msg_body(box, 2), "Subject: b\r\n\r\nb\r\n");
	ck_assert_int_eq(mail_get_physical_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, 12);
	ck_assert_int_eq(mail_get_physical_size(box, 3, &size), 0);
	ck_assert_uint_eq(size, 14);
	ck_assert_int_eq(stat(tmp_strconcat(maildir,
		"/cur/1700000002.M2P1.host:2,", NULL), &st), 0);
	ck_assert_int_eq(mail_get_received_date(box, 2, &date), 0);
	ck_assert_int_eq(date, st.st_mtime);
	mailbox_close(&box);

	/* proof that the warm open did not read cur/: a rename whose mtime
	   change is hidden stays unseen ... */
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/cur", NULL), &st), 0);
	src = tmp_strconcat(maildir, "/cur/1700000002.M2P1.host:2,", NULL);
	dest = tmp_strconcat(maildir, "/cur/1700000002.M2P1.host:2,T", NULL);
	ck_assert_int_eq(rename(src, dest), 0);
	set_mtime("cur", st.st_mtime);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), flags1);
	/* ... the file is still found under its new name */
	ck_assert_str_eq(msg_body(box, 2), "Subject: b\r\n\r\nb\r\n");
	mailbox_close(&box);
	/* ... and an mtime change makes the next open rescan */
	set_mtime("cur", time(NULL) - OLD_SECS / 2);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:4 3:10 4:8");
	mailbox_close(&box);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:4 3:10 4:8");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

static void corrupt_file(const char *name)
{
	write_path(tmp_strconcat(maildir, "/", name, NULL),
		   "garbage garbage garbage garbage garbage garbage garbage");
}

START_TEST(test_maildir_index_rebuild)
{
	static const char *const names[] = {
		"dovecot-like.index", "dovecot-like.index.log",
		"dovecot-like.index.maildir",
	};
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	const char *flags1, *uidlist1;
	unsigned int i;

	deliver_four();
	deliver("new", "1700000005.M5P1.host", "Subject: e\n\ne\n");
	backdate_dirs();
	box = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_ANSWERED, NULL), 0);
	mailbox_close(&box);
	backdate_dirs();
	box = box_open(user, 0);
	flags1 = tmp_strdup(box_flags(box));
	ck_assert_str_eq(flags1, "1:8 2:1 3:10 4:8 5:0");
	mailbox_close(&box);
	uidlist1 = tmp_strdup(read_path(tmp_strconcat(maildir,
		"/dovecot-uidlist", NULL)));

	/* deleted */
	for (i = 0; i < N_ELEMENTS(names); i++)
		(void)unlink(tmp_strconcat(maildir, "/", names[i], NULL));
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), flags1);
	mailbox_close(&box);
	ck_assert(file_exists("dovecot-like.index.log"));

	/* each file corrupted, then all of them */
	for (i = 0; i <= N_ELEMENTS(names); i++) {
		if (i < N_ELEMENTS(names))
			corrupt_file(names[i]);
		else {
			corrupt_file(names[0]);
			corrupt_file(names[1]);
			corrupt_file(names[2]);
		}
		box = box_open(user, 0);
		ck_assert_msg(strcmp(box_flags(box), flags1) == 0,
			      "corrupt %u: %s", i, box_flags(box));
		mailbox_close(&box);
		/* and once more, warm from the rebuilt index */
		box = box_open(user, 0);
		ck_assert_str_eq(box_flags(box), flags1);
		mailbox_close(&box);
	}
	/* the uidlist (UIDs, UIDVALIDITY) never changed */
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/dovecot-uidlist",
						 NULL)), uidlist1);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_index_two_sessions)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *a, *b;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	ARRAY_TYPE(mailbox_expunged) expunged;
	struct stat st;

	deliver_four();
	a = box_open(user, 0);
	mailbox_close(&a);
	a = box_open(user, 0);
	b = box_open(user, 0);
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/cur", NULL), &st), 0);

	/* a flags 1, expunges 3 */
	ck_assert_int_eq(mail_update_flags(a, 1, MODIFY_ADD, MAIL_FLAGGED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(a, 3, MODIFY_ADD, MAIL_DELETED, NULL), 0);
	ck_assert_int_eq(mailbox_expunge_deleted(a, pool, NULL, &expunged), 0);
	ck_assert_uint_eq(array_count(&expunged), 1);
	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);	/* commits */
	ck_assert_str_eq(box_flags(a), "1:10 2:0 4:8");
	/* b learns it from the log alone: cur/'s mtime change is hidden */
	set_mtime("cur", st.st_mtime);
	ck_assert_int_eq(mailbox_sync(b, pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.expunged), 1);
	ck_assert_uint_eq(array_idx(&result.expunged, 0)->seq, 3);
	ck_assert_uint_eq(array_idx(&result.expunged, 0)->uid, 3);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 1);
	ck_assert_uint_eq(*array_idx(&result.flag_changed_seqs, 0), 1);
	ck_assert_str_eq(box_flags(b), "1:10 2:0 4:8");

	/* and the other way round */
	ck_assert_int_eq(mail_update_flags(b, 2, MODIFY_ADD, MAIL_SEEN, NULL), 0);
	ck_assert_int_eq(mailbox_sync(b, pool, &result), 0);
	set_mtime("cur", st.st_mtime);
	ck_assert_int_eq(mailbox_sync(a, pool, &result), 0);
	ck_assert_str_eq(box_flags(a), "1:10 2:8 4:8");
	/* b's body access after a's expunge: the right files */
	ck_assert_str_eq(msg_body(b, 3), "Subject: d\r\n\r\nd\r\n");
	mailbox_close(&a);
	mailbox_close(&b);

	/* a new session sees the same (from a rescan: the mtime moved) */
	a = box_open(user, 0);
	ck_assert_str_eq(box_flags(a), "1:10 2:8 4:8");
	mailbox_close(&a);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_index_external_mua)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct mailbox_sync_result result;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);

	deliver_four();
	box = box_open(user, 0);
	mailbox_close(&box);
	box = box_open(user, 0);	/* warm */
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 4:8");

	/* another MUA: a rename, an unlink and a delivery */
	ck_assert_int_eq(rename(tmp_strconcat(maildir,
		"/cur/1700000002.M2P1.host:2,", NULL), tmp_strconcat(maildir,
		"/cur/1700000002.M2P1.host:2,RS", NULL)), 0);
	ck_assert_int_eq(unlink(tmp_strconcat(maildir,
		"/cur/1700000001.M1P1.host,S=12:2,S", NULL)), 0);
	deliver("new", "1700000009.M9P1.host", "Subject: n\n\nn\n");
	ck_assert_int_eq(mailbox_sync(box, pool, &result), 0);
	ck_assert_str_eq(box_flags(box), "2:9 3:10 4:8 5:32");
	ck_assert_uint_eq(array_count(&result.expunged), 1);
	ck_assert_str_eq(msg_body(box, 4), "Subject: n\r\n\r\nn\r\n");
	mailbox_close(&box);

	/* the next session, warm or not, agrees */
	backdate_dirs();
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "2:9 3:10 4:8 5:0");
	mailbox_close(&box);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "2:9 3:10 4:8 5:0");
	mailbox_close(&box);
	pool_unref(&pool);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_index_pop3_new)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;

	/* POP3 leaves new/ alone; the index remembers the files are there */
	deliver("new", "1700000001.M1P1.host", "Subject: a\n\na\n");
	deliver("new", "1700000002.M2P1.host", "Subject: b\n\nb\n");
	backdate_dirs();
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	mailbox_close(&box);
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	ck_assert_str_eq(box_flags(box), "1:0 2:0");
	ck_assert_str_eq(msg_body(box, 2), "Subject: b\r\n\r\nb\r\n");
	mailbox_close(&box);
	/* IMAP then takes them as \Recent and moves them */
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:32 2:32");
	ck_assert_str_eq(list_dir("new"), "");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_index_dir)
{
	struct mail_user *user = user_create(
		"maildir:~/Maildir:INDEX=~/idx:CONTROL=~/ctl");
	struct mailbox *box;

	deliver_four();
	box = box_open(user, 0);
	mailbox_close(&box);
	ck_assert_int_eq(access(tmp_strconcat(home, "/idx/dovecot-like.index.log",
					      NULL), F_OK), 0);
	ck_assert_int_eq(access(tmp_strconcat(home, "/ctl/dovecot-uidlist",
					      NULL), F_OK), 0);
	ck_assert(!file_exists("dovecot-like.index.log"));
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 4:8");
	mailbox_close(&box);
	mail_user_unref(&user);

	/* INDEX=MEMORY: no index files at all, still the same view */
	user = user_create("maildir:~/Maildir:INDEX=MEMORY");
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 4:8");
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_SEEN, NULL), 0);
	mailbox_close(&box);
	ck_assert(!file_exists("dovecot-like.index.log"));
	ck_assert(!file_exists("MEMORY"));
	ck_assert_int_ne(access(tmp_strconcat(home, "/MEMORY", NULL), F_OK), 0);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:8 3:10 4:8");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_index_uidlist_items)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct mailbox_status status;
	struct stat st;
	uoff_t size;

	deliver_four();
	write_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL),
		   "3 V1700000000 N7 G0123456789abcdef0123456789abcdef\n"
		   "1 :1700000001.M1P1.host,S=12\n"
		   "2 W99 :1700000002.M2P1.host\n"
		   "3 :1700000003.M3P1.host\n"
		   "5 Pmy-uidl-4 W77 :1700000004.M4P1.host\n");
	box = box_open(user, 0);
	mailbox_close(&box);
	/* warm (a hidden rename proves no scan): UIDs, UIDVALIDITY, UIDNEXT
	   and the uidlist's items (read only now) as Dovecot left them, also
	   for the odd file name */
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/cur", NULL), &st), 0);
	ck_assert_int_eq(rename(tmp_strconcat(maildir,
		"/cur/1700000002.M2P1.host:2,", NULL), tmp_strconcat(maildir,
		"/cur/1700000002.M2P1.host:2,T", NULL)), 0);
	set_mtime("cur", st.st_mtime);
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, 1700000000);
	ck_assert_uint_eq(status.uidnext, 7);
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 5:8");
	ck_assert_str_eq(uidl(box, 4, "%f"), "my-uidl-4");
	ck_assert_int_eq(mail_get_virtual_size(box, 4, &size), 0);
	ck_assert_uint_eq(size, 77);
	ck_assert_int_eq(mail_get_virtual_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 99);
	ck_assert_str_eq(uidl(box, 2, "%f"), "1700000002.M2P1.host");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Sizes and INTERNALDATE recorded in the index by one session are what the
   next ones answer with, without a stat() or the uidlist. */
START_TEST(test_maildir_index_info)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct timespec times[2] = { { 1577872800, 0 }, { 1577872800, 0 } };
	struct istream *input;
	struct mailbox *box;
	struct stat st;
	const char *path, *error;
	uoff_t size;
	time_t date;

	deliver_four();
	path = tmp_strconcat(maildir, "/cur/1700000002.M2P1.host:2,", NULL);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	box = box_open(user, 0);
	ck_assert_int_eq(mail_get_received_date(box, 2, &date), 0);
	ck_assert_int_eq(date, 1577872800);
	ck_assert_int_eq(mail_get_physical_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 14);
	ck_assert_int_eq(mail_get_virtual_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 17);
	mailbox_close(&box);

	/* the file vanishes behind the index's back (cur/ mtime kept) */
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/cur", NULL), &st), 0);
	ck_assert_int_eq(unlink(path), 0);
	set_mtime("cur", st.st_mtime);
	box = box_open(user, 0);
	ck_assert_int_eq(mail_get_received_date(box, 2, &date), 0);
	ck_assert_int_eq(date, 1577872800);
	ck_assert_int_eq(mail_get_physical_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 14);
	ck_assert_int_eq(mail_get_virtual_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 17);
	/* once found missing it is expunged for every item */
	ck_assert_int_eq(mail_get_stream(box, 2, &input), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error),
			 MAIL_ERROR_EXPUNGED);
	ck_assert_int_eq(mail_get_received_date(box, 2, &date), -1);
	ck_assert_int_eq(mail_get_virtual_size(box, 2, &size), -1);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* The index lost a message that is still in the Maildir (an index from
   elsewhere, a bug): the scan notices and rebuilds it, UIDs unchanged. */
START_TEST(test_maildir_index_lost_message)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_index_settings set;
	struct mail_index *index;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	struct mailbox *box;
	const char *error;

	deliver_four();
	box = box_open(user, 0);
	mailbox_close(&box);
	mail_index_settings_init_defaults(&set);
	ck_assert_int_eq(mail_index_open(maildir, "dovecot-like.index", &set, 0,
					 &index, &error), 0);
	view = mail_index_view_open(index);
	t = mail_index_transaction_begin(view,
		MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_expunge(t, 2, 3);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	mail_index_view_close(&view);
	mail_index_close(&index);
	set_mtime("cur", time(NULL) - OLD_SECS / 2);

	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 4:8");
	mailbox_close(&box);
	box = box_open(user, 0);
	ck_assert_str_eq(box_flags(box), "1:8 2:0 3:10 4:8");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_index_suite(void)
{
	Suite *s = suite_create("maildir-index");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_maildir_index_warm_open);
	tcase_add_test(tc, test_maildir_index_rebuild);
	tcase_add_test(tc, test_maildir_index_two_sessions);
	tcase_add_test(tc, test_maildir_index_external_mua);
	tcase_add_test(tc, test_maildir_index_pop3_new);
	tcase_add_test(tc, test_maildir_index_dir);
	tcase_add_test(tc, test_maildir_index_uidlist_items);
	tcase_add_test(tc, test_maildir_index_lost_message);
	tcase_add_test(tc, test_maildir_index_info);
	suite_add_tcase(s, tc);
	return s;
}
