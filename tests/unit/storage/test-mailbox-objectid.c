/* Copyright (c) dovecot-like authors. test-mailbox-objectid.c: Check
   program for RFC 8474 object ids and RFC 8514 save dates of the storage
   (mailbox-objectid.c, mailbox-guid.c, maildir-objectid.c,
   mbox-objectid.c) on real temp Maildirs and mboxes: id syntax, the
   MAILBOXID file, ids across reopen / RENAME / index rebuild, save dates
   of delivered and saved messages. */

#include "lib.h"
#include "str.h"
#include "mail-storage.h"
#include "mailbox-objectid.h"
#include "istream.h"
#include "imap-parser.h"
#include "mail-search-build.h"
#include "test-maildir-common.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *box_id(struct mailbox *box)
{
	const char *id;

	ck_assert_int_eq(mailbox_get_mailbox_id(box, &id), 0);
	ck_assert(mailbox_objectid_is_valid(id, strlen(id)));
	ck_assert_uint_eq(strlen(id), 1 + MAILBOX_GUID_HEX_LEN);
	return tmp_strdup(id);
}

static struct mailbox *open_name(struct mail_user *user, const char *name)
{
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mailbox_open(user, name, 0, &box, &error,
				      &error_str), 0);
	return box;
}

static void create_box(struct mail_user *user, const char *name)
{
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mail_user_mailbox_create(user, name, false, &error,
						  &error_str), 0);
}

static void rename_box(struct mail_user *user, const char *from,
		       const char *to)
{
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mail_user_mailbox_rename(user, from, to, &error,
						  &error_str), 0);
}

/* Removes every "dovecot-like.index*" file of dir: the next open
   rebuilds the index. */
static void remove_index_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "dovecot-like.index", 18) == 0)
			ck_assert_int_eq(unlink(tmp_printf("%s/%s", dir,
							   de->d_name)), 0);
	}
	closedir(d);
}

static void save_one(struct mailbox *box, const char *data)
{
	struct mail_transaction_commit_result result;
	struct mail_save_data sdata = { 0, NULL, (time_t)-1 };
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_save_context *ctx = mailbox_save_begin(t, &sdata);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, data, strlen(data)), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
}

static void box_sync(struct mailbox *box)
{
	struct mailbox_sync_result res;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &res), 0);
}

static const struct imap_parser_limits search_limits = {
	.max_line_length = 65536, .max_literal_size = 65536,
	.max_list_depth = 100, .max_args = 1000,
};

/* "t SEARCH <keys>" built into *args_r (pool); the build's error text,
   "OK", or "parser". */
static const char *search_build(struct pool *pool, const char *keys,
				struct mail_search_arg **args_r)
{
	const char *line = tmp_strconcat("t SEARCH ", keys, "\r\n", NULL);
	struct istream *in = istream_create_from_data(line, strlen(line));
	struct imap_parser *parser = imap_parser_create(in, NULL,
							&search_limits);
	const struct imap_arg *args;
	const char *error = "parser";

	(void)istream_read(in);
	ck_assert_ptr_nonnull(imap_parser_read_word(parser));
	ck_assert_ptr_nonnull(imap_parser_read_word(parser));
	if (imap_parser_read_args(parser, &args) == 1) {
		if (mail_search_build(pool, args, NULL, args_r, &error) ==
		    MAIL_SEARCH_BUILD_OK)
			error = "OK";
		else
			error = tmp_strdup(error);
	}
	imap_parser_destroy(&parser);
	istream_unref(&in);
	return error;
}

/* The seqs matching keys in box, "1,3" */
static const char *search_run(struct mailbox *box, const char *keys)
{
	struct pool *pool = pool_create("objectid search", 1024, 0);
	struct mail_search_arg *args;
	struct str *str = t_str_new(32);
	ARRAY_TYPE(uint32) result;
	const uint32_t *seq;

	ck_assert_str_eq(search_build(pool, keys, &args), "OK");
	array_init(&result, pool, 8);
	ck_assert_int_eq(mail_search_run(box, args, false, &result), 0);
	array_foreach(&result, seq)
		str_printfa(str, "%s%u", str_len(str) > 0 ? "," : "", *seq);
	pool_unref(&pool);
	return str_c(str);
}

START_TEST(test_search_keys_build)
{
	static const char *const valid[] = {
		"SAVEDBEFORE 1-Feb-2020", "savedon 01-Feb-2020",
		"SAVEDSINCE 1-Feb-2020", "SAVEDATESUPPORTED", "EMAILID M1",
		"emailid a_-Z9", "THREADID T1", "NOT EMAILID x",
		"OR SAVEDATESUPPORTED THREADID y",
	};
	static const struct { const char *keys, *error; } invalid[] = {
		{ "EMAILID", "Missing parameter for EMAILID" },
		{ "THREADID", "Missing parameter for THREADID" },
		{ "EMAILID a.b", "Invalid EMAILID" },
		{ "THREADID \"a b\"", "Invalid THREADID" },
		{ "EMAILID \"\"", "Invalid EMAILID" },
		{ "EMAILID (a)", "Missing parameter for EMAILID" },
		{ "SAVEDON 32-Feb-2020", "Invalid date for SAVEDON" },
		{ "SAVEDSINCE", "Missing parameter for SAVEDSINCE" },
		{ "SAVEDATESUPPORTED 1-Feb-2020", "Invalid message sequence set" },
	};
	struct pool *pool = pool_create("objectid build", 1024, 0);
	struct mail_search_arg *args;
	char long_id[MAILBOX_OBJECTID_MAX_LEN + 2];
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(valid); i++)
		ck_assert_str_eq(search_build(pool, valid[i], &args), "OK");
	for (i = 0; i < N_ELEMENTS(invalid); i++) {
		ck_assert_str_eq(search_build(pool, invalid[i].keys, &args),
				 invalid[i].error);
	}
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	ck_assert_str_eq(search_build(pool, tmp_strconcat("EMAILID ",
		long_id, NULL), &args), "Invalid EMAILID");
	long_id[sizeof(long_id) - 2] = '\0';
	ck_assert_str_eq(search_build(pool, tmp_strconcat("EMAILID ",
		long_id, NULL), &args), "OK");
	pool_unref(&pool);
}
END_TEST

START_TEST(test_search_keys_run)
{
	struct mail_user *user;
	struct mailbox *box;
	const char *id;

	setenv("TZ", "UTC", 1);
	tzset();
	mkdirs(maildir);
	/* 14-Nov-2023 22:13:20 UTC, 15-Nov-2023 00:00:00 UTC */
	deliver("cur", "1700000000.M1P1.host:2,", "Subject: a\n\nx\n");
	deliver("new", "1700006400.M2P1.host", "Subject: b\n\ny\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 2);
	ck_assert_str_eq(search_run(box, "SAVEDATESUPPORTED"), "1,2");
	ck_assert_str_eq(search_run(box, "SAVEDON 14-Nov-2023"), "1");
	ck_assert_str_eq(search_run(box, "SAVEDON 15-Nov-2023"), "2");
	ck_assert_str_eq(search_run(box, "SAVEDBEFORE 15-Nov-2023"), "1");
	ck_assert_str_eq(search_run(box, "SAVEDSINCE 15-Nov-2023"), "2");
	ck_assert_str_eq(search_run(box, "SAVEDSINCE 14-Nov-2023"), "1,2");
	ck_assert_str_eq(search_run(box, "SAVEDBEFORE 14-Nov-2023"), "");
	ck_assert_str_eq(search_run(box, "NOT SAVEDON 14-Nov-2023"), "2");
	ck_assert_int_eq(mail_get_email_id(box, 2, &id), 0);
	ck_assert_str_eq(search_run(box, tmp_strconcat("EMAILID ", id, NULL)),
			 "2");
	ck_assert_str_eq(search_run(box, "EMAILID M0"), "");
	ck_assert_str_eq(search_run(box, "THREADID T1"), "");
	ck_assert_str_eq(search_run(box, "NOT THREADID T1"), "1,2");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_objectid_syntax)
{
	char long_id[MAILBOX_OBJECTID_MAX_LEN + 2];

	ck_assert(mailbox_objectid_is_valid("a", 1));
	ck_assert(mailbox_objectid_is_valid("AZaz09_-", 8));
	memset(long_id, 'x', sizeof(long_id));
	ck_assert(mailbox_objectid_is_valid(long_id, MAILBOX_OBJECTID_MAX_LEN));
	ck_assert(!mailbox_objectid_is_valid(long_id,
					     MAILBOX_OBJECTID_MAX_LEN + 1));
	ck_assert(!mailbox_objectid_is_valid("", 0));
	ck_assert(!mailbox_objectid_is_valid("a.b", 3));
	ck_assert(!mailbox_objectid_is_valid("a b", 3));
	ck_assert(!mailbox_objectid_is_valid("a\0b", 3));
	ck_assert(!mailbox_objectid_is_valid("\xc3\xa9", 2));
	ck_assert(!mailbox_objectid_is_valid("(a)", 3));
}
END_TEST

START_TEST(test_guid_file)
{
	char g1[MAILBOX_GUID_HEX_LEN + 1], g2[MAILBOX_GUID_HEX_LEN + 1];
	const char *dir = tmp_printf("%s/idir", home);
	const char *path = tmp_printf("%s/%s", dir, MAILBOX_GUID_FNAME);

	ck_assert_int_eq(mailbox_guid_get(dir, false, g1), 0);
	ck_assert_int_eq(mailbox_guid_get(dir, true, g1), 1);
	ck_assert_uint_eq(strlen(g1), MAILBOX_GUID_HEX_LEN);
	ck_assert_int_eq(mailbox_guid_get(dir, false, g2), 1);
	ck_assert_str_eq(g1, g2);
	ck_assert_str_eq(read_path(path), tmp_printf("%s\n", g1));
	/* a broken file never silently becomes a new id */
	write_path(path, "xyz\n");
	ck_assert_int_eq(mailbox_guid_get(dir, true, g2), -1);
	write_path(path, "0123456789abcdef0123456789abcdef0");
	ck_assert_int_eq(mailbox_guid_get(dir, true, g2), -1);
	/* a new directory gets another random id */
	ck_assert_int_eq(mailbox_guid_get(tmp_printf("%s/idir2", home), true,
					  g2), 1);
	ck_assert_str_ne(g1, g2);
}
END_TEST

START_TEST(test_maildir_mailboxid)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0), *foo;
	const char *inbox_id = box_id(box), *foo_id;

	mailbox_close(&box);
	create_box(user, "Foo");
	foo = open_name(user, "Foo");
	foo_id = box_id(foo);
	mailbox_close(&foo);
	ck_assert_str_ne(inbox_id, foo_id);
	/* reopen, index rebuild, RENAME keep it */
	box = box_open(user, MAILBOX_FLAG_READONLY);
	ck_assert_str_eq(box_id(box), inbox_id);
	mailbox_close(&box);
	remove_index_files(maildir);
	box = box_open(user, 0);
	ck_assert_str_eq(box_id(box), inbox_id);
	mailbox_close(&box);
	rename_box(user, "Foo", "Bar");
	foo = open_name(user, "Bar");
	ck_assert_str_eq(box_id(foo), foo_id);
	mailbox_close(&foo);
	/* read once per open (EMAILID asks for it per message): a changed
	   file shows only in the next open */
	box = box_open(user, 0);
	ck_assert_str_eq(box_id(box), inbox_id);
	write_path(tmp_printf("%s/%s", maildir, MAILBOX_GUID_FNAME),
		   "0123456789abcdef0123456789abcdef\n");
	ck_assert_str_eq(box_id(box), inbox_id);
	mailbox_close(&box);
	box = box_open(user, 0);
	ck_assert_str_eq(box_id(box), "F0123456789abcdef0123456789abcdef");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_maildir_savedate)
{
	struct mail_user *user;
	struct mailbox *box;
	time_t t, before, after;
	const char *id1, *id2, *id3;

	mkdirs(maildir);
	/* delivered: the name's time; a name without one: the ctime */
	deliver("new", "1700000000.M1P1.host", "Subject: a\n\nx\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert(mailbox_has_save_dates(box));
	ck_assert_uint_eq(mailbox_get_messages_count(box), 1);
	ck_assert_int_eq(mail_get_save_date(box, 1, &t), 1);
	ck_assert_int_eq((long)t, 1700000000L);
	deliver("cur", "nodate.host:2,", "Subject: b\n\ny\n");
	box_sync(box);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 2);
	before = time(NULL) - 60;
	ck_assert_int_eq(mail_get_save_date(box, 2, &t), 1);
	ck_assert(t >= before && t <= time(NULL));
	/* a flag change (rename) keeps it */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN,
					   NULL), 0);
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_int_eq(mail_get_save_date(box, 1, &t), 1);
	ck_assert_int_eq((long)t, 1700000000L);
	/* APPEND: the time of the save */
	before = time(NULL);
	save_one(box, "Subject: c\n\nz\n");
	after = time(NULL);
	box_sync(box);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 3);
	ck_assert_int_eq(mail_get_save_date(box, 3, &t), 1);
	ck_assert(t >= before && t <= after);
	ck_assert_int_eq(mail_get_email_id(box, 1, &id1), 0);
	id1 = tmp_strdup(id1);
	ck_assert_int_eq(mail_get_email_id(box, 2, &id2), 0);
	id2 = tmp_strdup(id2);
	ck_assert_int_eq(mail_get_email_id(box, 3, &id3), 0);
	id3 = tmp_strdup(id3);
	ck_assert(mailbox_objectid_is_valid(id1, strlen(id1)));
	ck_assert_uint_eq(strlen(id1), 25);
	ck_assert_int_eq(id1[0], 'M');
	ck_assert_str_ne(id1, id2);
	ck_assert_str_ne(id2, id3);
	ck_assert_str_ne(id1, id3);
	mailbox_close(&box);
	/* after reopen and an index rebuild: the same dates and ids */
	remove_index_files(maildir);
	box = box_open(user, 0);
	ck_assert_int_eq(mail_get_save_date(box, 1, &t), 1);
	ck_assert_int_eq((long)t, 1700000000L);
	ck_assert_int_eq(mail_get_save_date(box, 3, &t), 1);
	ck_assert(t >= before && t <= after);
	ck_assert_int_eq(mail_get_email_id(box, 1, &id2), 0);
	ck_assert_str_eq(id1, id2);
	ck_assert_int_eq(mail_get_email_id(box, 3, &id2), 0);
	ck_assert_str_eq(id3, id2);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_mbox_objectid)
{
	const char *mdir = tmp_printf("%s/mail", home);
	struct mail_user *user;
	struct mailbox *box, *foo;
	const char *inbox_id, *foo_id, *e1, *e2;
	time_t t;

	mkdirs(mdir);
	write_path(tmp_printf("%s/inbox", mdir), "");
	user = user_create("mbox:~/mail:INBOX=~/mail/inbox");
	box = box_open(user, 0);
	ck_assert(!mailbox_has_save_dates(box));
	save_one(box, "Subject: a\n\nx\n");
	save_one(box, "Subject: b\n\ny\n");
	box_sync(box);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 2);
	/* RFC 8514: NIL where the backend can't tell */
	ck_assert_int_eq(mail_get_save_date(box, 1, &t), 0);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e1), 0);
	e1 = tmp_strdup(e1);
	ck_assert_int_eq(mail_get_email_id(box, 2, &e2), 0);
	ck_assert_str_ne(e1, e2);
	inbox_id = box_id(box);
	mailbox_close(&box);
	create_box(user, "Foo");
	foo = open_name(user, "Foo");
	foo_id = box_id(foo);
	mailbox_close(&foo);
	ck_assert_str_ne(inbox_id, foo_id);
	box = box_open(user, 0);
	ck_assert_str_eq(box_id(box), inbox_id);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e2), 0);
	ck_assert_str_eq(e1, e2);
	mailbox_close(&box);
	rename_box(user, "Foo", "Bar");
	foo = open_name(user, "Bar");
	ck_assert_str_eq(box_id(foo), foo_id);
	mailbox_close(&foo);
	mail_user_unref(&user);
}
END_TEST

/* INDEX=MEMORY: the id file goes where the index would be by default
   (<CONTROL= or root>/.imap/<name>), so MAILBOXID and EMAILID outlive
   the session, follow a RENAME and are not reused after a DELETE. */
static void mbox_memory_ids(const char *location, const char *id_root)
{
	const char *mdir = tmp_printf("%s/mail", home);
	struct mail_user *user;
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str, *inbox_id, *foo_id, *e1, *e2;

	mkdirs(mdir);
	write_path(tmp_printf("%s/inbox", mdir), "");
	user = user_create(location);
	box = box_open(user, 0);
	save_one(box, "Subject: a\n\nx\n");
	box_sync(box);
	inbox_id = box_id(box);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e1), 0);
	e1 = tmp_strdup(e1);
	mailbox_close(&box);
	ck_assert_int_eq(access(tmp_printf("%s/.imap/INBOX/"
		MAILBOX_GUID_FNAME, id_root), F_OK), 0);
	ck_assert_int_eq(access(tmp_printf("%s/.imap/INBOX/"
		"dovecot-like.index", id_root), F_OK), -1);
	create_box(user, "Dir/Foo");
	box = open_name(user, "Dir/Foo");
	foo_id = box_id(box);
	save_one(box, "Subject: b\n\ny\n");
	box_sync(box);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e2), 0);
	e2 = tmp_strdup(e2);
	mailbox_close(&box);
	ck_assert_str_ne(inbox_id, foo_id);
	ck_assert_int_eq(access(tmp_printf("%s/.imap/Dir/Foo/"
		MAILBOX_GUID_FNAME, id_root), F_OK), 0);
	mail_user_unref(&user);

	/* a new session: the same ids */
	user = user_create(location);
	box = box_open(user, 0);
	ck_assert_str_eq(box_id(box), inbox_id);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e1), 0);
	mailbox_close(&box);
	rename_box(user, "Dir/Foo", "Bar");
	box = open_name(user, "Bar");
	ck_assert_str_eq(box_id(box), foo_id);
	ck_assert_int_eq(mail_get_email_id(box, 1, &e1), 0);
	ck_assert_str_eq(e1, e2);
	mailbox_close(&box);
	ck_assert_int_eq(access(tmp_printf("%s/.imap/Dir/Foo", id_root),
				F_OK), -1);
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Bar", &error,
						  &error_str), 0);
	ck_assert_int_eq(access(tmp_printf("%s/.imap/Bar", id_root), F_OK),
			 -1);
	create_box(user, "Bar");
	box = open_name(user, "Bar");
	ck_assert_str_ne(box_id(box), foo_id);
	mailbox_close(&box);
	mail_user_unref(&user);
}

START_TEST(test_mbox_objectid_memory)
{
	mbox_memory_ids("mbox:~/mail:INBOX=~/mail/inbox:INDEX=MEMORY",
			tmp_printf("%s/mail", home));
}
END_TEST

START_TEST(test_mbox_objectid_memory_control)
{
	mbox_memory_ids("mbox:~/mail:INBOX=~/mail/inbox:INDEX=MEMORY"
			":CONTROL=~/ctl", tmp_printf("%s/ctl", home));
	ck_assert_int_eq(access(tmp_printf("%s/mail/.imap", home), F_OK), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mailbox-objectid");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_objectid_syntax);
	tcase_add_test(tc, test_guid_file);
	tcase_add_test(tc, test_maildir_mailboxid);
	tcase_add_test(tc, test_maildir_savedate);
	tcase_add_test(tc, test_mbox_objectid);
	tcase_add_test(tc, test_mbox_objectid_memory);
	tcase_add_test(tc, test_mbox_objectid_memory_control);
	tcase_add_test(tc, test_search_keys_build);
	tcase_add_test(tc, test_search_keys_run);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
