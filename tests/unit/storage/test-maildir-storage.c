/* Copyright (c) dovecot-like authors. Functional Check suite for the maildir
   backend on real temp Maildirs: UIDs, \Recent, flags, expunges, changes made
   by others, streams, sizes and locations. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"
#include "maildir-storage.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "strfuncs.h"

START_TEST(test_maildir_new_mail)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox_status status;
	struct mailbox *box;
	const char *content;
	uint32_t validity;

	ck_assert_str_eq(mail_user_get_name(user), "tester");
	ck_assert_str_eq(mail_user_get_mail_root(user), maildir);
	/* the Maildir was created */
	ck_assert_str_eq(list_dir("cur"), "");
	deliver("new", "1700000002.M5P1.host", "Subject: c\n\nc\n");
	deliver("new", "1700000001.M900P1.host,S=14", "Subject: b\n\nb\n");
	deliver("new", "1700000001.M20P1.host", "Subject: a\n\na\n");
	deliver("new", ".hidden", "x");

	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.messages, 3);
	ck_assert_uint_eq(status.recent, 3);
	ck_assert_uint_eq(status.uidnext, 4);
	ck_assert_uint_eq(status.unseen, 3);
	ck_assert_uint_eq(status.first_unseen_seq, 1);
	ck_assert(status.uidvalidity + 5 >= (uint32_t)time(NULL));
	ck_assert_str_eq(box_uids(box), "1,2,3");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_RECENT);
	/* moved to cur/ in the order of reference 2.1 */
	ck_assert_str_eq(list_dir("new"), "");	/* the dot file stays */
	ck_assert_int_eq(access(tmp_strconcat(maildir, "/new/.hidden", NULL),
				F_OK), 0);
	ck_assert_str_eq(list_dir("cur"),
			 "1700000001.M20P1.host:2, 1700000001.M900P1.host,S=14:2, "
			 "1700000002.M5P1.host:2,");
	content = read_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL));
	ck_assert_msg(strncmp(content, tmp_printf("3 V%u N4 G",
						  status.uidvalidity),
			      strlen(tmp_printf("3 V%u N4 G",
						status.uidvalidity))) == 0,
		      "header: %s", content);
	ck_assert_ptr_nonnull(strstr(content, "\n1 :1700000001.M20P1.host\n"
				     "2 :1700000001.M900P1.host,S=14\n"
				     "3 :1700000002.M5P1.host\n"));
	ck_assert_int_ne(access(tmp_strconcat(maildir, "/dovecot-uidlist.lock",
					      NULL), F_OK), 0);
	validity = status.uidvalidity;
	mailbox_close(&box);
	ck_assert_ptr_null(box);

	/* a second session: same UIDs, nothing recent any more */
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, validity);
	ck_assert_uint_eq(status.recent, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3");
	ck_assert_uint_eq(mailbox_uid_to_seq(box, 2), 2);
	ck_assert_uint_eq(mailbox_uid_to_seq(box, 9), 0);
	ck_assert_uint_eq(mailbox_uid_to_seq_floor(box, 9), 3);
	ck_assert_uint_eq(mailbox_uid_to_seq_floor(box, 0), 0);
	ck_assert_uint_eq(mailbox_seq_to_uid(box, 4), 0);
	mailbox_close(&box);
	mail_user_unref(&user);
	ck_assert_ptr_null(user);
}
END_TEST

START_TEST(test_maildir_flags)
{
	struct mail_user *user;
	struct mailbox *box, *ro;
	struct mailbox_sync_result result;
	const char *error;

	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.h,S=2:2,Sa", "x\n");
	deliver("cur", "1700000002.M1P1.h:2,", "y\n");
	deliver("new", "1700000003.M1P1.h", "z\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD,
					   MAIL_FLAGGED | MAIL_RECENT, NULL), 0);
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_REPLACE,
					   MAIL_DRAFT | MAIL_ANSWERED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 3, MODIFY_ADD, MAIL_DELETED, NULL), 0);
	ck_assert_int_eq(mail_get_flags(box, 3), MAIL_DELETED | MAIL_RECENT);
	ck_assert_str_eq(list_dir("cur"),
			 "1700000001.M1P1.h,S=2:2,FSa 1700000002.M1P1.h:2,DR "
			 "1700000003.M1P1.h:2,T");
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_REMOVE,
					   MAIL_SEEN | MAIL_FLAGGED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_REMOVE, MAIL_SEEN, NULL), 0);
	ck_assert_str_eq(list_dir("cur"),
			 "1700000001.M1P1.h,S=2:2,a 1700000002.M1P1.h:2,DR "
			 "1700000003.M1P1.h:2,T");
	ck_assert_int_eq(mail_update_flags(box, 9, MODIFY_ADD, MAIL_SEEN, NULL), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error), MAIL_ERROR_PARAMS);
	/* our own changes are not reported back as others' */
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 0);
	ck_assert_uint_eq(result.recent, 1);

	/* EXAMINE: no flag changes */
	ro = box_open(user, MAILBOX_FLAG_READONLY);
	ck_assert_int_eq(mail_get_flags(ro, 2), MAIL_DRAFT | MAIL_ANSWERED);
	ck_assert_int_eq(mail_update_flags(ro, 1, MODIFY_ADD, MAIL_SEEN, NULL), -1);
	ck_assert_int_eq(mailbox_get_last_error(ro, &error), MAIL_ERROR_PERM);
	mailbox_close(&ro);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_expunge)
{
	struct mail_user *user;
	struct mailbox *box;
	ARRAY_TYPE(uint32) only;
	ARRAY_TYPE(mailbox_expunged) seqs;
	uint32_t uid, pop3_seqs[] = { 2, 1, 2 };
	unsigned int i;

	mkdirs(maildir);
	for (i = 1; i <= 6; i++) {
		deliver("cur", tmp_printf("170000000%u.M1P1.h:2,%s", i,
					  i % 2 == 0 ? "T" : ""), "x\n");
	}
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3,4,5,6");

	/* UID EXPUNGE 4:6: only uids 4 and 6 */
	array_init(&only, tmp_pool, 4);
	for (uid = 4; uid <= 6; uid++)
		array_append(&only, &uid);
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, &only, &seqs), 0);
	ck_assert_uint_eq(array_count(&seqs), 2);
	ck_assert_uint_eq(array_idx(&seqs, 0)->seq, 6);	/* highest first */
	ck_assert_uint_eq(array_idx(&seqs, 0)->uid, 6);
	ck_assert_uint_eq(array_idx(&seqs, 1)->seq, 4);
	ck_assert_uint_eq(array_idx(&seqs, 1)->uid, 4);
	ck_assert_str_eq(box_uids(box), "1,2,3,5");
	/* someone else already removed uid 2's file: still fine */
	ck_assert_int_eq(unlink(tmp_strconcat(maildir,
		"/cur/1700000002.M1P1.h:2,T", NULL)), 0);
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, NULL, &seqs), 0);
	ck_assert_uint_eq(array_count(&seqs), 1);
	ck_assert_uint_eq(array_idx(&seqs, 0)->seq, 2);
	ck_assert_uint_eq(array_idx(&seqs, 0)->uid, 2);
	ck_assert_str_eq(box_uids(box), "1,3,5");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.h:2, "
			 "1700000003.M1P1.h:2, 1700000005.M1P1.h:2,");
	mailbox_close(&box);

	/* POP3 DELE 1 and 2 (listed twice) at QUIT */
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	ck_assert_int_eq(mailbox_expunge_seqs(box, pop3_seqs, 3), 0);
	ck_assert_str_eq(box_uids(box), "5");
	ck_assert_str_eq(list_dir("cur"), "1700000005.M1P1.h:2,");
	mailbox_close(&box);

	/* >= 25% of the records expunged: the uidlist gets rewritten */
	deliver("new", "1700000009.M1P1.h", "x\n");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "5,7");
	mailbox_close(&box);
	{
		const char *content = read_path(tmp_strconcat(maildir,
					"/dovecot-uidlist", NULL));
		ck_assert_ptr_nonnull(strstr(content, " N8 G"));
		ck_assert_ptr_nonnull(strstr(content, "\n5 :1700000005.M1P1.h\n"
					     "7 :1700000009.M1P1.h\n"));
		ck_assert_ptr_null(strstr(content, ":1700000001"));
	}
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_external_changes)
{
	struct mail_user *user;
	struct mailbox *box, *other;
	struct mailbox_sync_result result;
	uint32_t seq;
	unsigned int i;

	mkdirs(maildir);
	for (i = 1; i <= 5; i++)
		deliver("cur", tmp_printf("170000000%u.M1P1.h:2,", i), "x\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3,4,5");

	/* nothing happened */
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_uint_eq(result.messages, 5);
	ck_assert_uint_eq(array_count(&result.expunged), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 0);

	/* another MUA: flags of 2 changed, 4 deleted, a delivery */
	ck_assert_int_eq(rename(tmp_strconcat(maildir, "/cur/1700000002.M1P1.h:2,", NULL),
				tmp_strconcat(maildir, "/cur/1700000002.M1P1.h:2,S", NULL)), 0);
	ck_assert_int_eq(unlink(tmp_strconcat(maildir, "/cur/1700000004.M1P1.h:2,", NULL)), 0);
	deliver("new", "1700000009.M1P1.h", "x\n");
	/* and another session expunges 1 and flags 5 */
	other = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	ck_assert_str_eq(box_uids(other), "1,2,3,5,6");
	ck_assert_int_eq(mail_update_flags(other, 4, MODIFY_ADD, MAIL_FLAGGED, NULL), 0);
	seq = 1;
	ck_assert_int_eq(mailbox_expunge_seqs(other, &seq, 1), 0);
	mailbox_close(&other);

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.expunged), 2);
	ck_assert_uint_eq(array_idx(&result.expunged, 0)->seq, 4);
	ck_assert_uint_eq(array_idx(&result.expunged, 0)->uid, 4);
	ck_assert_uint_eq(array_idx(&result.expunged, 1)->seq, 1);
	ck_assert_uint_eq(array_idx(&result.expunged, 1)->uid, 1);
	ck_assert_uint_eq(result.messages, 4);
	ck_assert_uint_eq(result.recent, 1);
	ck_assert_str_eq(box_uids(box), "2,3,5,6");
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 2);
	ck_assert_uint_eq(*array_idx(&result.flag_changed_seqs, 0), 1);
	ck_assert_uint_eq(*array_idx(&result.flag_changed_seqs, 1), 3);
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN);
	ck_assert_int_eq(mail_get_flags(box, 3), MAIL_FLAGGED);
	ck_assert_int_eq(mail_get_flags(box, 4), MAIL_RECENT);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

static const char *stream_read_all(struct istream *input)
{
	struct str *str = t_str_new(256);
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	while ((ret = istream_read(input)) > 0 || ret == -2) {
		data = istream_get_data(input, &size);
		str_append_n(str, data, size);
		istream_skip(input, size);
	}
	ck_assert(input->eof);
	ck_assert_int_eq(input->stream_errno, 0);
	return str_c(str);
}

START_TEST(test_maildir_stream)
{
	static const char msg[] = "Subject: x\n\nline1\nline2\r\n\nend";
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_sync_result result;
	struct istream *input;
	struct timespec times[2] = { { 1577872800, 0 }, { 1577872800, 0 } };
	const char *path, *error;
	uoff_t size;
	time_t date;

	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.h:2,S", msg);
	path = tmp_strconcat(maildir, "/cur/1700000001.M1P1.h:2,S", NULL);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);

	ck_assert_int_eq(mail_get_stream(box, 1, &input), 0);
	ck_assert_str_eq(stream_read_all(input),
			 "Subject: x\r\n\r\nline1\r\nline2\r\n\r\nend");
	istream_unref(&input);
	ck_assert_int_eq(mail_get_virtual_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, sizeof(msg) - 1 + 4);
	ck_assert_int_eq(mail_get_physical_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, sizeof(msg) - 1);
	ck_assert_int_eq(mail_get_received_date(box, 1, &date), 0);
	ck_assert_int_eq(date, 1577872800);	/* 2020-01-01 10:00:00 UTC */

	/* the computed size is kept in the uidlist as W */
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_ptr_nonnull(strstr(read_path(tmp_strconcat(maildir,
		"/dovecot-uidlist", NULL)),
		tmp_printf("\n1 W%zu :1700000001.M1P1.h\n", sizeof(msg) - 1 + 4)));

	/* another session renamed it: still found */
	ck_assert_int_eq(rename(path, tmp_strconcat(maildir,
		"/cur/1700000001.M1P1.h:2,FS", NULL)), 0);
	ck_assert_int_eq(mail_get_stream(box, 1, &input), 0);
	istream_unref(&input);
	/* and expunged it */
	ck_assert_int_eq(unlink(tmp_strconcat(maildir,
		"/cur/1700000001.M1P1.h:2,FS", NULL)), 0);
	ck_assert_int_eq(mail_get_stream(box, 1, &input), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error),
			 MAIL_ERROR_EXPUNGED);
	ck_assert_int_eq(mail_get_received_date(box, 1, &date), -1);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_DELETED, NULL), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error),
			 MAIL_ERROR_EXPUNGED);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_vsize_at_close)
{
	struct mail_user *user;
	struct mailbox *box;
	uoff_t size;

	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.h:2,", "a\nb\n");
	deliver("cur", "1700000002.M1P1.h,S=4,W=6:2,", "a\nb\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, MAILBOX_FLAG_POP3_SESSION);
	ck_assert_int_eq(mail_get_virtual_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, 6);
	ck_assert_int_eq(mail_get_virtual_size(box, 2, &size), 0);
	ck_assert_uint_eq(size, 6);
	mailbox_close(&box);
	/* W only where the name lacks it (reference 4.1) */
	ck_assert_ptr_nonnull(strstr(read_path(tmp_strconcat(maildir,
		"/dovecot-uidlist", NULL)),
		"\n1 W6 :1700000001.M1P1.h\n2 :1700000002.M1P1.h,S=4,W=6\n"));
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_readonly)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_status status;
	ARRAY_TYPE(mailbox_expunged) seqs;

	user = user_create("");	/* autodetects ~/Maildir, creates it */
	deliver("new", "1700000001.M1P1.h", "x\n");
	box = box_open(user, MAILBOX_FLAG_READONLY);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.messages, 1);
	/* seen as \Recent (as Dovecot's EXAMINE/STATUS) but not claimed */
	ck_assert_uint_eq(status.recent, 1);
	ck_assert_str_eq(list_dir("new"), "1700000001.M1P1.h");
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, NULL, &seqs), -1);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_control_dir)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_status status;
	enum mail_storage_error error;
	const char *error_str;

	user = user_create("maildir:~/Maildir:CONTROL=~/control:INDEX=~/index");
	deliver("new", "1700000001.M1P1.h", "x\n");
	box = box_open(user, 0);
	mailbox_close(&box);
	ck_assert_int_ne(access(tmp_strconcat(maildir, "/dovecot-uidlist", NULL),
				F_OK), 0);
	ck_assert_ptr_nonnull(strstr(read_path(tmp_strconcat(home,
		"/control/dovecot-uidlist", NULL)), "\n1 :1700000001.M1P1.h\n"));

	/* a Maildir++ folder */
	mkdirs(tmp_strconcat(maildir, "/.Work.Projects", NULL));
	write_path(tmp_strconcat(maildir, "/.Work.Projects/cur/1700000005.M1P1.h:2,S",
				 NULL), "y\n");
	ck_assert_int_eq(mailbox_open(user, "Work/Projects", 0, &box, &error,
				      &error_str), 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.messages, 1);
	ck_assert_uint_eq(status.unseen, 0);
	ck_assert_uint_eq(status.first_unseen_seq, 0);
	mailbox_close(&box);
	ck_assert_int_eq(access(tmp_strconcat(home,
		"/control/.Work.Projects/dovecot-uidlist", NULL), F_OK), 0);
	ck_assert_int_eq(mailbox_open(user, "Nope", 0, &box, &error,
				      &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_NOTFOUND);
	ck_assert_int_eq(mailbox_open(user, "../x", 0, &box, &error,
				      &error_str), -1);
	ck_assert_int_eq(mailbox_open(user, "a.b", 0, &box, &error,
				      &error_str), -1);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_corrupt_uidlist)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_status status;

	mkdirs(maildir);
	deliver("cur", "1700000002.M1P1.h:2,", "x\n");
	deliver("cur", "1700000001.M1P1.h:2,", "x\n");
	write_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL),
		   "3 V-1 garbage\n7 :1700000001.M1P1.h\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.messages, 2);
	ck_assert_str_eq(box_uids(box), "1,2");
	ck_assert(status.uidvalidity + 5 >= (uint32_t)time(NULL));
	mailbox_close(&box);
	ck_assert_ptr_nonnull(strstr(read_path(tmp_strconcat(maildir,
		"/dovecot-uidlist", NULL)),
		"\n1 :1700000001.M1P1.h\n2 :1700000002.M1P1.h\n"));

	/* a broken record line: the rest keeps its UIDs */
	write_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL),
		   "3 V5 N20\n10 :1700000001.M1P1.h\nbroken\n"
		   "12 :1700000002.M1P1.h\n");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "10,12");
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidvalidity, 5);
	ck_assert_uint_eq(status.uidnext, 20);
	mailbox_close(&box);
	ck_assert_ptr_null(strstr(read_path(tmp_strconcat(maildir,
		"/dovecot-uidlist", NULL)), "broken"));
	mail_user_unref(&user);
}
END_TEST

/* Several sessions delivering and syncing at once: every file ends up with
   one UID, no UID is given twice, and all sessions agree. */
START_TEST(test_maildir_concurrent)
{
#define CONCURRENT_PROCS 4
#define CONCURRENT_MSGS 15
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_sync_result result;
	const char *content, *line, *const *lines;
	unsigned int i, j, count, files;
	pid_t pids[CONCURRENT_PROCS];
	int status;

	mkdirs(maildir);
	for (i = 0; i < CONCURRENT_PROCS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] != 0)
			continue;
		user = user_create("maildir:~/Maildir");
		for (j = 0; j < CONCURRENT_MSGS; j++) {
			deliver("new", tmp_printf("17000000%02u.M%uP%u.h", j, i,
						  (unsigned int)getpid()), "x\n");
			box = box_open(user, j % 3 == 0 ?
				       MAILBOX_FLAG_POP3_SESSION : 0);
			if (mailbox_sync(box, tmp_pool, &result) < 0)
				_exit(2);
			if (j % 4 == 0 && mailbox_get_messages_count(box) > 0)
				(void)mail_update_flags(box, 1, MODIFY_ADD,
							MAIL_SEEN, NULL);
			mailbox_close(&box);
			tmp_reset();
		}
		mail_user_unref(&user);
		_exit(0);
	}
	for (i = 0; i < CONCURRENT_PROCS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	files = CONCURRENT_PROCS * CONCURRENT_MSGS;
	ck_assert_uint_eq(mailbox_get_messages_count(box), files);
	ck_assert_str_eq(list_dir("new"), "");
	mailbox_close(&box);
	/* the uidlist: strictly increasing UIDs, each file once */
	content = read_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL));
	lines = (const char *const *)tmp_strsplit(content, "\n");
	count = 0;
	for (i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++) {
		line = strchr(lines[i], ':');
		ck_assert_ptr_nonnull(line);
		ck_assert_uint_gt(strtoul(lines[i], NULL, 10),
				  i == 1 ? 0 : strtoul(lines[i - 1], NULL, 10));
		for (j = 1; j < i; j++)
			ck_assert_str_ne(strchr(lines[j], ':'), line);
		count++;
	}
	ck_assert_uint_eq(count, files);
	mail_user_unref(&user);
}
END_TEST

/* Crashed deliveries' leftovers in tmp/ go once mtime, atime and ctime
   are all 36 hours old; a file still being written, dot files and
   directories stay. (ctime can't be set back, so the clock is moved.) */
START_TEST(test_maildir_tmp_cleanup)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct timeval old[2];
	const char *stale, *fresh, *dot, *subdir;
	time_t now = time(NULL);

	box = box_open(user, 0);
	mailbox_close(&box);
	stale = tmp_strconcat(maildir, "/tmp/1600000000.M1P1.host", NULL);
	fresh = tmp_strconcat(maildir, "/tmp/1700000000.M2P2.host", NULL);
	dot = tmp_strconcat(maildir, "/tmp/.keep", NULL);
	subdir = tmp_strconcat(maildir, "/tmp/olddir", NULL);
	write_path(stale, "half a message");
	write_path(fresh, "being written");
	write_path(dot, "");
	ck_assert_int_eq(mkdir(subdir, 0700), 0);
	old[0].tv_sec = old[1].tv_sec = now - 37 * 3600;
	old[0].tv_usec = old[1].tv_usec = 0;
	ck_assert_int_eq(utimes(stale, old), 0);
	/* opening cleans, but the stale file's ctime is recent: kept */
	box = box_open(user, 0);
	mailbox_close(&box);
	ck_assert_int_eq(access(stale, F_OK), 0);
	ck_assert_int_eq(access(fresh, F_OK), 0);
	/* 35 hours on: nothing is 36 hours old yet */
	ck_assert_uint_eq(maildir_tmp_cleanup_at(maildir, now + 35 * 3600), 0);
	ck_assert_int_eq(access(fresh, F_OK), 0);
	/* 37 hours on: both regular files go, the rest stays */
	ck_assert_uint_eq(maildir_tmp_cleanup_at(maildir, now + 37 * 3600), 2);
	ck_assert_int_eq(access(stale, F_OK), -1);
	ck_assert_int_eq(access(fresh, F_OK), -1);
	ck_assert_int_eq(access(dot, F_OK), 0);
	ck_assert_int_eq(access(subdir, F_OK), 0);
	/* a Maildir without tmp/ is no error */
	ck_assert_uint_eq(maildir_tmp_cleanup_at(home, now), 0);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_storage_suite(void)
{
	Suite *s = suite_create("maildir-storage");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_maildir_new_mail);
	tcase_add_test(tc, test_maildir_flags);
	tcase_add_test(tc, test_maildir_expunge);
	tcase_add_test(tc, test_maildir_external_changes);
	tcase_add_test(tc, test_maildir_stream);
	tcase_add_test(tc, test_maildir_vsize_at_close);
	tcase_add_test(tc, test_maildir_readonly);
	tcase_add_test(tc, test_maildir_control_dir);
	tcase_add_test(tc, test_maildir_corrupt_uidlist);
	tcase_add_test(tc, test_maildir_concurrent);
	tcase_add_test(tc, test_maildir_tmp_cleanup);
	suite_add_tcase(s, tc);
	return s;
}
