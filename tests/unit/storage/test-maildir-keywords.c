/* Copyright (c) dovecot-like authors. Functional Check suite for Maildir
   keywords (maildir-keywords.c and the letters a..z in file names): a
   Dovecot Maildir opens with its keywords, changes rename the files and
   extend dovecot-keywords as Dovecot does, the 27th keyword is refused,
   sessions see each other's changes (also through the index), saves and
   copies keep keywords, and bad dovecot-keywords files are survived. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "istream.h"
#include "mail-storage-private.h"
#include "maildir-keywords.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define KW_FILE "dovecot-keywords"

static void backdate_dirs(void)
{
	time_t when = time(NULL) - 100;
	struct timespec ts[2] = { { when, 0 }, { when, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, tmp_strconcat(maildir, "/cur",
							   NULL), ts, 0), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, tmp_strconcat(maildir, "/new",
							   NULL), ts, 0), 0);
}

static void set_cur_mtime(time_t when)
{
	struct timespec ts[2] = { { when, 0 }, { when, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, tmp_strconcat(maildir, "/cur",
							   NULL), ts, 0), 0);
}

/* the message's keyword names, space-separated */
static const char *kw_str(struct mailbox *box, uint32_t seq)
{
	const char *const *names =
		mailbox_keywords_get_names(box, tmp_pool,
					   mail_get_keywords(box, seq));

	return tmp_strarray_join(names, " ");
}

static const char *kw_file(void)
{
	return read_path(tmp_strconcat(maildir, "/" KW_FILE, NULL));
}

static void write_kw_file(const char *data)
{
	write_path(tmp_strconcat(maildir, "/" KW_FILE, NULL), data);
}

static struct mail_keywords kw_make(struct mailbox *box, const char *names,
				    bool create)
{
	const char *const *arr = names[0] == '\0' ? NULL :
		(const char *const *)tmp_strsplit(names, " ");
	struct mail_keywords kw;
	unsigned int count = arr == NULL ? 0 : str_array_length(arr);

	ck_assert_int_eq(mailbox_keywords_create(box, arr, count, create,
						 &kw), 0);
	return kw;
}

static void kw_update(struct mailbox *box, uint32_t seq, enum modify_type type,
		      enum mail_flags flags, const char *names)
{
	struct mail_keywords kw = kw_make(box, names, type != MODIFY_REMOVE);

	ck_assert_int_eq(mail_update_flags(box, seq, type, flags, &kw), 0);
	mailbox_changes_commit(box);
}

static void box_sync(struct mailbox *box, struct mailbox_sync_result *r)
{
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, r), 0);
}

static void deliver_dovecot(void)
{
	write_kw_file("0 $Junk\n1 NonJunk\n2 $Label1\n");
	deliver("cur", "1700000001.M1P1.host,S=9:2,Sa", "Subject: a\n\n");
	deliver("cur", "1700000002.M2P1.host:2,FRbc", "Subject: b\n\n");
	/* 'x' has no entry: kept, not reported */
	deliver("cur", "1700000003.M3P1.host:2,Sx", "Subject: c\n\n");
	deliver("new", "1700000004.M4P1.host", "Subject: d\n\n");
}

START_TEST(test_keywords_parse)
{
	const char *names[MAILDIR_MAX_KEYWORDS];
	const char *data;
	struct str *huge;
	unsigned int i;

	data = "0 $Junk\n26 Bad\n-1 Neg\n3\n4 \n2 Ok\n2 Dup\n"
		"999999999999999999999 Big\n1 has space\n5 Last";
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, data, strlen(data),
						 names), 7);
	ck_assert_str_eq(names[0], "$Junk");
	ck_assert_ptr_null(names[1]);
	ck_assert_str_eq(names[2], "Ok");
	ck_assert_ptr_null(names[3]);
	ck_assert_ptr_null(names[4]);
	ck_assert_str_eq(names[5], "Last");	/* no LF at the end */
	for (i = 6; i < MAILDIR_MAX_KEYWORDS; i++)
		ck_assert_ptr_null(names[i]);

	/* overlong name (index limit 200), NUL and control chars */
	huge = t_str_new(512);
	str_append(huge, "7 ");
	for (i = 0; i < 201; i++)
		str_append_c(huge, 'k');
	str_append(huge, "\n8 a\tb\n9 ok9\n");
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, str_c(huge),
						 str_len(huge), names), 2);
	ck_assert_ptr_null(names[7]);
	ck_assert_ptr_null(names[8]);
	ck_assert_str_eq(names[9], "ok9");
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, "1 a\0b\n", 6,
						 names), 1);
	ck_assert_ptr_null(names[1]);
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, "", 0, names), 0);

	/* names that aren't IMAP atoms would reach FLAGS/FETCH raw: bad */
	data = "0 a(b\n1 x]y\n2 caf\xc3\xa9\n3 \x80\n4 q\"t\n5 b\\s\n"
		"6 c{1}\n7 p%\n8 s*\n9 a)b\n10 $Fine\n";
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, data, strlen(data),
						 names), 10);
	for (i = 0; i < 10; i++)
		ck_assert_ptr_null(names[i]);
	ck_assert_str_eq(names[10], "$Fine");
	for (i = 11; i < MAILDIR_MAX_KEYWORDS; i++)
		ck_assert_ptr_null(names[i]);
}
END_TEST

START_TEST(test_keywords_open_dovecot)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	unsigned int count;
	const char *const *names;

	deliver_dovecot();
	box = box_open(user, 0);
	names = mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 3);
	ck_assert_str_eq(names[0], "$Junk");
	ck_assert_str_eq(names[2], "$Label1");
	ck_assert_str_eq(kw_str(box, 1), "$Junk");
	ck_assert_str_eq(kw_str(box, 2), "NonJunk $Label1");
	ck_assert_str_eq(kw_str(box, 3), "");
	ck_assert_str_eq(kw_str(box, 4), "");
	ck_assert(mailbox_can_create_keywords(box));

	/* a flag change keeps the unknown letter */
	kw_update(box, 3, MODIFY_ADD, MAIL_FLAGGED, "");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sa 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,FSx 1700000004.M4P1.host:2,");
	/* adding a known keyword: sorted in, the unknown one stays */
	kw_update(box, 3, MODIFY_ADD, 0, "NonJunk");
	ck_assert_str_eq(kw_str(box, 3), "NonJunk");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sa 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,FSbx 1700000004.M4P1.host:2,");
	/* REPLACE keeps the unknown letter too */
	kw_update(box, 3, MODIFY_REPLACE, MAIL_SEEN, "$Junk");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sa 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,Sax 1700000004.M4P1.host:2,");
	ck_assert_str_eq(kw_file(), "0 $Junk\n1 NonJunk\n2 $Label1\n");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_keywords_add_remove)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;

	deliver_dovecot();
	box = box_open(user, 0);
	kw_update(box, 1, MODIFY_ADD, 0, "Foo $label1");
	ck_assert_str_eq(kw_file(), "0 $Junk\n1 NonJunk\n2 $Label1\n3 Foo\n");
	ck_assert_str_eq(kw_str(box, 1), "$Junk $Label1 Foo");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sacd 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,Sx 1700000004.M4P1.host:2,");
	kw_update(box, 1, MODIFY_REMOVE, 0, "$JUNK Unknown");
	ck_assert_str_eq(kw_str(box, 1), "$Label1 Foo");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Scd 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,Sx 1700000004.M4P1.host:2,");
	/* a message in new/ moves to cur/ with its letter */
	kw_update(box, 4, MODIFY_ADD, 0, "Foo");
	ck_assert_str_eq(list_dir("new"), "");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Scd 1700000002.M2P1.host:2,FRbc "
		"1700000003.M3P1.host:2,Sx 1700000004.M4P1.host:2,d");
	/* no keyword file: a new one starts at 'a' */
	mailbox_close(&box);
	ck_assert_int_eq(access(tmp_strconcat(maildir, "/dovecot-keywords.lock",
					      NULL), F_OK), -1);

	box = box_open(user, 0);
	ck_assert_str_eq(kw_str(box, 1), "$Label1 Foo");
	ck_assert_str_eq(kw_str(box, 4), "Foo");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_keywords_limit)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct mail_keywords kw;
	const char *name, *error;
	struct str *expect = t_str_new(512);
	unsigned int i;

	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\n");
	box = box_open(user, 0);
	for (i = 0; i < 26; i++) {
		name = tmp_printf("kw%u", i);
		ck_assert(mailbox_can_create_keywords(box));
		kw = kw_make(box, name, true);
		str_printfa(expect, "%u %s\n", i, name);
	}
	ck_assert(!mailbox_can_create_keywords(box));
	ck_assert_str_eq(kw_file(), str_c(expect));
	name = "kw26";
	ck_assert_int_eq(mailbox_keywords_create(box, &name, 1, true, &kw), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error), MAIL_ERROR_LIMIT);
	ck_assert_str_eq(kw_file(), str_c(expect));
	/* existing ones still work; all 26 letters in the name */
	kw_update(box, 1, MODIFY_ADD, 0, "kw0 kw25 kw13");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,anz");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_keywords_two_sessions)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_user *cold = user_create("maildir:~/Maildir:INDEX=MEMORY");
	struct mailbox *box1, *box2, *box3;
	struct mailbox_sync_result r;

	deliver_dovecot();
	box1 = box_open(user, 0);
	box2 = box_open(user, 0);
	kw_update(box1, 2, MODIFY_ADD, 0, "New1");
	kw_update(box1, 1, MODIFY_REMOVE, 0, "$Junk");
	box_sync(box2, &r);
	ck_assert_uint_eq(array_count(&r.flag_changed_seqs), 2);
	ck_assert_str_eq(kw_str(box2, 1), "");
	ck_assert_str_eq(kw_str(box2, 2), "NonJunk $Label1 New1");
	/* and back */
	kw_update(box2, 1, MODIFY_ADD, 0, "Other");
	box_sync(box1, &r);
	ck_assert_uint_eq(array_count(&r.flag_changed_seqs), 1);
	ck_assert_str_eq(kw_str(box1, 1), "Other");
	mailbox_close(&box1);
	mailbox_close(&box2);

	/* warm open (index) after a restart = cold scan */
	backdate_dirs();
	box1 = box_open(user, 0);	/* scans, records the state */
	mailbox_close(&box1);
	box1 = box_open(user, 0);	/* from the index alone */
	box3 = box_open(cold, 0);
	for (uint32_t seq = 1; seq <= 4; seq++)
		ck_assert_str_eq(kw_str(box1, seq), kw_str(box3, seq));
	ck_assert_str_eq(kw_str(box1, 2), "NonJunk $Label1 New1");
	/* a change through the warm view: reachable and renamed right */
	kw_update(box1, 2, MODIFY_REMOVE, 0, "NonJunk");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Se 1700000002.M2P1.host:2,FRcd "
		"1700000003.M3P1.host:2,Sx 1700000004.M4P1.host:2,");
	box_sync(box3, &r);
	ck_assert_str_eq(kw_str(box3, 2), "$Label1 New1");
	mailbox_close(&box1);
	mailbox_close(&box3);
	mail_user_unref(&user);
	mail_user_unref(&cold);
}
END_TEST

/* session 2 learns a change from the index log while the directories look
   unchanged to it (no rescan) */
START_TEST(test_keywords_index_log)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box1, *box2;
	struct mailbox_sync_result r;

	struct istream *input;
	struct stat st;

	deliver_dovecot();
	box1 = box_open(user, 0);	/* moves new/ to cur/ */
	mailbox_close(&box1);
	backdate_dirs();	/* old enough to be trusted */
	box1 = box_open(user, 0);
	mailbox_close(&box1);
	box1 = box_open(user, 0);
	box2 = box_open(user, 0);
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/cur", NULL), &st), 0);
	kw_update(box1, 3, MODIFY_ADD, 0, "$Label1");
	kw_update(box1, 2, MODIFY_REMOVE, 0, "NonJunk");
	box_sync(box1, &r);	/* commits to the log */
	/* hide cur/'s mtime change: box2 learns it from the log alone */
	set_cur_mtime(st.st_mtime);
	box_sync(box2, &r);
	ck_assert_uint_eq(array_count(&r.flag_changed_seqs), 2);
	ck_assert_str_eq(kw_str(box2, 3), "$Label1");
	ck_assert_str_eq(kw_str(box2, 2), "$Label1");
	/* and its files are still found (3 keeps its unknown letter) */
	ck_assert_int_eq(mail_get_stream(box2, 3, &input), 0);
	istream_unref(&input);
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sa 1700000002.M2P1.host:2,FRc "
		"1700000003.M3P1.host:2,Scx 1700000004.M4P1.host:2,");
	kw_update(box2, 2, MODIFY_ADD, 0, "$Junk");
	ck_assert_str_eq(list_dir("cur"),
		"1700000001.M1P1.host,S=9:2,Sa 1700000002.M2P1.host:2,FRac "
		"1700000003.M3P1.host:2,Scx 1700000004.M4P1.host:2,");
	mailbox_close(&box1);
	mailbox_close(&box2);
	mail_user_unref(&user);
}
END_TEST

static void save_one(struct mailbox_transaction *t, const char *const *kw,
		     enum mail_flags flags)
{
	struct mail_save_data sdata = { flags, kw, (time_t)-1 };
	struct mail_save_context *ctx = mailbox_save_begin(t, &sdata);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, "Subject: s\r\n\r\n", 14), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
}

START_TEST(test_keywords_save_copy)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	static const char *const kws[] = { "NonJunk", "Brand", NULL };
	struct mail_transaction_commit_result result;
	struct mailbox *box, *dest;
	struct mailbox_transaction *t;
	enum mail_storage_error error;
	const char *error_str, *list;

	deliver_dovecot();
	box = box_open(user, 0);
	t = mailbox_transaction_begin(box);
	save_one(t, kws, 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert_str_eq(kw_file(), "0 $Junk\n1 NonJunk\n2 $Label1\n3 Brand\n");
	/* saves go to new/ (with their info) for SELECT to take */
	list = list_dir("new");
	ck_assert_msg(strstr(list, ",W=14:2,bd") != NULL, "%s", list);
	ck_assert_msg(strstr(list_dir("cur"), ",W=14") == NULL, "%s",
		      list_dir("cur"));
	box_sync(box, &(struct mailbox_sync_result){ 0 });
	ck_assert_str_eq(kw_str(box, 5), "NonJunk Brand");

	ck_assert_int_eq(mail_user_mailbox_create(user, "Dest", false, &error,
					&error_str), 0);
	ck_assert_int_eq(mailbox_open(user, "Dest", 0, &dest, &error,
				      &error_str), 0);
	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, box, 5), 0);
	ck_assert_int_eq(mailbox_copy(t, box, 2), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	/* the target's own letters: first use order */
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/.Dest/" KW_FILE,
						 NULL)),
			 "0 NonJunk\n1 Brand\n2 $Label1\n");
	ck_assert_str_eq(list_dir(".Dest/cur"), "");
	list = list_dir(".Dest/new");
	ck_assert_msg(strstr(list, ":2,ab") != NULL, "%s", list);
	ck_assert_msg(strstr(list, ":2,FRac") != NULL, "%s", list);
	box_sync(dest, &(struct mailbox_sync_result){ 0 });
	ck_assert_str_eq(kw_str(dest, 1), "NonJunk Brand");
	ck_assert_str_eq(kw_str(dest, 2), "NonJunk $Label1");
	mailbox_close(&dest);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_keywords_bad_files)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	struct str *huge = t_str_new(70000);
	unsigned int count;

	deliver("cur", "1700000001.M1P1.host:2,Sab", "Subject: a\n\n");
	write_kw_file("26 Bad\n-1 Neg\n1\n0 Good\n0 Dup\n1 Last");
	box = box_open(user, 0);
	ck_assert_str_eq(kw_str(box, 1), "Good Last");
	(void)mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 2);
	/* a new name takes the lowest free letter; the file is rewritten
	   clean */
	kw_update(box, 1, MODIFY_ADD, 0, "Third");
	ck_assert_str_eq(kw_file(), "0 Good\n1 Last\n2 Third\n");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,Sabc");
	mailbox_close(&box);

	/* far too big: ignored, letters kept in the names */
	while (str_len(huge) < 65 * 1024)
		str_append(huge, "0 x\n");
	write_kw_file(str_c(huge));
	box = box_open(user, 0);
	ck_assert_str_eq(kw_str(box, 1), "");
	kw_update(box, 1, MODIFY_ADD, MAIL_FLAGGED, "");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,FSabc");
	mailbox_close(&box);

	/* the file goes bad while a session uses its names: a keyword the
	   session still has gets a letter again when it is stored */
	write_kw_file("0 Good\n1 Last\n2 Third\n");
	box = box_open(user, 0);
	ck_assert_str_eq(kw_str(box, 1), "Good Last Third");
	write_kw_file(str_c(huge));
	box_sync(box, &(struct mailbox_sync_result){ 0 });
	ck_assert_str_eq(kw_str(box, 1), "");	/* letters unknown now */
	kw_update(box, 1, MODIFY_ADD, 0, "Third");
	ck_assert_msg(strcmp(kw_file(), "0 Third\n") == 0, "%.40s", kw_file());
	ck_assert_str_eq(kw_str(box, 1), "Third");
	ck_assert_str_eq(list_dir("cur"), "1700000001.M1P1.host:2,FSabc");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Two processes create 10 keywords each at the same time: all 20 names end
   up in dovecot-keywords, each with its own letter. */
START_TEST(test_keywords_concurrent)
{
	struct mail_user *user;
	struct mailbox *box;
	const char *data, *names[MAILDIR_MAX_KEYWORDS];
	pid_t pids[2];
	unsigned int p, i, found;
	int status;

	mkdirs(maildir);
	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\n");
	for (p = 0; p < 2; p++) {
		pids[p] = fork();
		ck_assert_int_ge(pids[p], 0);
		if (pids[p] != 0)
			continue;
		user = user_create("maildir:~/Maildir");
		box = box_open(user, 0);
		for (i = 0; i < 10; i++) {
			kw_update(box, 1, MODIFY_ADD, 0,
				  tmp_printf("p%u_%u", p, i));
		}
		mailbox_close(&box);
		mail_user_unref(&user);
		_exit(0);
	}
	for (p = 0; p < 2; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	data = kw_file();
	ck_assert_uint_eq(maildir_keywords_parse(tmp_pool, data, strlen(data),
						 names), 0);
	for (p = 0; p < 2; p++) {
		for (i = 0; i < 10; i++) {
			const char *want = tmp_printf("p%u_%u", p, i);

			found = 0;
			for (unsigned int l = 0; l < MAILDIR_MAX_KEYWORDS; l++) {
				if (names[l] != NULL && strcmp(names[l], want) == 0)
					found++;
			}
			ck_assert_msg(found == 1, "%s: %u", want, found);
		}
	}
	for (i = 20; i < MAILDIR_MAX_KEYWORDS; i++)
		ck_assert_ptr_null(names[i]);
	/* and no rename lost the other's letters */
	ck_assert_str_eq(list_dir("cur"),
			 "1700000001.M1P1.host:2,abcdefghijklmnopqrst");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_uint_eq(str_array_length(mailbox_keywords_get_names(box,
		tmp_pool, mail_get_keywords(box, 1))), 20);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_keywords_suite(void)
{
	Suite *s = suite_create("test_maildir_keywords");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_keywords_parse);
	tcase_add_test(tc, test_keywords_open_dovecot);
	tcase_add_test(tc, test_keywords_add_remove);
	tcase_add_test(tc, test_keywords_limit);
	tcase_add_test(tc, test_keywords_two_sessions);
	tcase_add_test(tc, test_keywords_index_log);
	tcase_add_test(tc, test_keywords_save_copy);
	tcase_add_test(tc, test_keywords_bad_files);
	tcase_add_test(tc, test_keywords_concurrent);
	suite_add_tcase(s, tc);
	return s;
}
