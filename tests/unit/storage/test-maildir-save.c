/* Copyright (c) dovecot-like authors. test-maildir-save.c: functional Check
   suite for saving and copying into a Maildir (maildir-save.c) on real temp
   Maildirs: UIDs, visibility at commit only, names and uidlist records as
   Dovecot writes them, rollback and cancel, other sessions, hard-link copy,
   and kill -9 at every step of a commit. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"
#include "maildir-storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *const msgs[] = {
	"From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n",
	"Subject: two\r\n\r\nline\r\nline two\r\n",
	"Subject: three\r\n\r\n\r\nlast line without newline",
};

/* data with CRLF -> LF, as stored */
static const char *lf(const char *data)
{
	struct str *str = t_str_new(256);

	for (; *data != '\0'; data++) {
		if (data[0] != '\r' || data[1] != '\n')
			str_append_c(str, *data);
	}
	return str_c(str);
}

/* Saves data in two writes split inside a CRLF (the generic layer holds
   the CR back). */
static void save(struct mailbox_transaction *t, const char *data,
		 enum mail_flags flags, time_t date)
{
	struct mail_save_data sdata = { flags, NULL, date };
	struct mail_save_context *ctx = mailbox_save_begin(t, &sdata);
	const char *cr = strchr(data, '\r');
	size_t split = cr == NULL ? strlen(data) / 2 : (size_t)(cr - data) + 1;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, data, split), 0);
	ck_assert_int_eq(mailbox_save_write(ctx, data + split,
					    strlen(data) - split), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_ptr_null(ctx);
}

static const char *commit(struct mailbox_transaction **t, uint32_t *validity_r)
{
	struct mail_transaction_commit_result result;
	struct str *str = t_str_new(32);
	const uint32_t *uid;

	ck_assert_int_eq(mailbox_transaction_commit(t, tmp_pool, &result), 0);
	ck_assert_ptr_null(*t);
	array_foreach(&result.uids, uid) {
		if (str_len(str) > 0)
			str_append_c(str, ',');
		str_printfa(str, "%u", *uid);
	}
	if (validity_r != NULL)
		*validity_r = result.uidvalidity;
	return str_c(str);
}

static void box_sync(struct mailbox *box)
{
	struct mailbox_sync_result result;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

static const char *body(struct mailbox *box, uint32_t seq)
{
	struct str *str = t_str_new(256);
	struct istream *input;
	const unsigned char *data;
	size_t size;

	ck_assert_int_eq(mail_get_stream(box, seq, &input), 0);
	while (istream_read(input) > 0) {
		data = istream_get_data(input, &size);
		str_append_n(str, (const char *)data, size);
		istream_skip(input, size);
	}
	ck_assert_int_eq(input->stream_errno, 0);
	istream_unref(&input);
	return str_c(str);
}

static uoff_t vsize(struct mailbox *box, uint32_t seq)
{
	uoff_t size;

	ck_assert_int_eq(mail_get_virtual_size(box, seq, &size), 0);
	return size;
}

static uoff_t psize(struct mailbox *box, uint32_t seq)
{
	uoff_t size;

	ck_assert_int_eq(mail_get_physical_size(box, seq, &size), 0);
	return size;
}

static time_t rdate(struct mailbox *box, uint32_t seq)
{
	time_t date;

	ck_assert_int_eq(mail_get_received_date(box, seq, &date), 0);
	return date;
}

/* The only entry of maildir/<subdir> */
static const char *only_file(const char *subdir)
{
	const char *list = list_dir(subdir);

	ck_assert_msg(list[0] != '\0' && strchr(list, ' ') == NULL,
		      "%s: %s", subdir, list);
	return list;
}

/* The only entry of maildir/<subdir> with (info) or without a ":2," info
   part among the others */
static const char *only_file_info(const char *subdir, bool info)
{
	const char *list = list_dir(subdir), *p, *end, *name, *found = NULL;

	for (p = list; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		name = tmp_strndup(p, (size_t)(end - p));
		if ((strstr(name, ":2,") != NULL) != info)
			continue;
		ck_assert_msg(found == NULL, "%s: %s", subdir, list);
		found = name;
	}
	ck_assert_msg(found != NULL, "%s: %s", subdir, list);
	return found;
}

START_TEST(test_save_three)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mailbox_transaction *t;
	struct mailbox_status status;
	const char *fname, *uidlist;
	uint32_t validity, seq;
	size_t len;

	t = mailbox_transaction_begin(box);
	save(t, msgs[0], MAIL_SEEN | MAIL_FLAGGED | MAIL_RECENT, 1577872800);
	save(t, msgs[1], 0, 1000000000);
	save(t, msgs[2], MAIL_DRAFT, 1500000000);
	ck_assert_uint_eq(mailbox_transaction_get_count(t), 3);
	/* nothing visible before the commit */
	ck_assert_str_eq(list_dir("new"), "");
	ck_assert_str_eq(list_dir("cur"), "");
	ck_assert_str_eq(commit(&t, &validity), "1,2,3");
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(validity, status.uidvalidity);
	ck_assert_str_eq(list_dir("tmp"), "");

	/* on disk: all in new/ for the selecting session to take, with
	   flags as ":2," sorted; ,S= physical (LF) and ,W= virtual (CRLF)
	   size */
	ck_assert_str_eq(list_dir("cur"), "");
	ck_assert_msg(strstr(list_dir("new"), ",W=47:2,FS") != NULL &&
		      strstr(list_dir("new"), ",W=45:2,D") != NULL, "%s",
		      list_dir("new"));
	fname = only_file_info("new", false);
	len = strlen(fname);
	ck_assert_ptr_nonnull(strstr(fname, tmp_printf(",S=%zu,W=%zu",
		strlen(lf(msgs[1])), strlen(msgs[1]))));
	ck_assert_str_eq(fname + len - strlen(tmp_printf(",S=%zu,W=%zu",
		strlen(lf(msgs[1])), strlen(msgs[1]))),
		tmp_printf(",S=%zu,W=%zu", strlen(lf(msgs[1])), strlen(msgs[1])));
	ck_assert_msg(strstr(fname, ".M") != NULL &&
		      strstr(fname, tmp_printf("P%ldQ", (long)getpid())) != NULL,
		      "%s", fname);
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/new/", fname, NULL)),
			 lf(msgs[1]));
	uidlist = read_path(tmp_strconcat(maildir, "/dovecot-uidlist", NULL));
	ck_assert_msg(strstr(uidlist, tmp_printf("\n2 :%s\n", fname)) != NULL,
		      "%s", uidlist);
	ck_assert_int_ne(access(tmp_strconcat(maildir, "/dovecot-uidlist.lock",
					      NULL), F_OK), 0);

	/* visible at the next sync, with everything right */
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	box_sync(box);
	ck_assert_str_eq(box_uids(box), "1,2,3");
	ck_assert_int_eq(mail_get_flags(box, 1),
			 MAIL_SEEN | MAIL_FLAGGED | MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(box, 2), MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(box, 3), MAIL_DRAFT | MAIL_RECENT);
	ck_assert_int_eq(rdate(box, 1), 1577872800);
	ck_assert_int_eq(rdate(box, 2), 1000000000);
	ck_assert_int_eq(rdate(box, 3), 1500000000);
	for (seq = 1; seq <= 3; seq++) {
		ck_assert_uint_eq(vsize(box, seq), strlen(msgs[seq - 1]));
		ck_assert_uint_eq(psize(box, seq), strlen(lf(msgs[seq - 1])));
		ck_assert_str_eq(body(box, seq), msgs[seq - 1]);
	}
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidnext, 4);
	ck_assert_uint_eq(status.recent, 3);
	ck_assert_str_eq(list_dir("new"), "");	/* taken by this session */
	mailbox_close(&box);

	/* a new session: same view, from the index or a scan */
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3");
	ck_assert_int_eq(mail_get_flags(box, 1), MAIL_SEEN | MAIL_FLAGGED);
	ck_assert_int_eq(mail_get_flags(box, 2), 0);
	ck_assert_uint_eq(vsize(box, 3), strlen(msgs[2]));
	ck_assert_int_eq(rdate(box, 3), 1500000000);
	/* a second commit continues the UIDs */
	t = mailbox_transaction_begin(box);
	save(t, msgs[0], 0, (time_t)-1);
	ck_assert_str_eq(commit(&t, NULL), "4");
	box_sync(box);
	ck_assert_str_eq(box_uids(box), "1,2,3,4");
	ck_assert(rdate(box, 4) + 5 >= time(NULL));
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* One write much larger than the generic layer's conversion buffer (64k):
   CRLF -> LF across its refills, a lone CR kept, and a CR ending the
   write dropped when the next write starts with LF. */
START_TEST(test_save_big_write)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mail_save_data sdata = { 0, NULL, 1500000000 };
	struct mailbox_transaction *t;
	struct mail_save_context *ctx;
	struct str *data = t_str_new(256 * 1024);
	const char *fname;
	unsigned int i;

	str_append(data, "Subject: big\r\n\r\n");
	for (i = 0; str_len(data) < 200 * 1024; i++)
		str_printfa(data, "line %u with a lone \r in it\r\n", i);
	str_append(data, "end\r");
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &sdata);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, str_c(data), str_len(data)),
			 0);
	ck_assert_int_eq(mailbox_save_write(ctx, "\nlast\r\n", 7), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_str_eq(commit(&t, NULL), "1");
	str_append(data, "\nlast\r\n");
	fname = only_file("new");
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/new/", fname, NULL)),
			 lf(str_c(data)));
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_rollback)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mailbox_transaction *t;
	struct mailbox_status status;

	t = mailbox_transaction_begin(box);
	save(t, msgs[0], 0, (time_t)-1);
	save(t, msgs[1], MAIL_SEEN, (time_t)-1);
	ck_assert_uint_eq(strlen(list_dir("tmp")) > 0, 1);
	mailbox_transaction_rollback(&t);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(list_dir("tmp"), "");
	ck_assert_str_eq(list_dir("new"), "");
	ck_assert_str_eq(list_dir("cur"), "");
	box_sync(box);
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.messages, 0);
	ck_assert_uint_eq(status.uidnext, 1);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_cancel_one)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mail_save_data sdata = { 0, NULL, (time_t)-1 };
	const char *const keywords[] = { "$Junk", NULL };
	struct mail_save_context *ctx;
	struct mailbox_transaction *t;

	t = mailbox_transaction_begin(box);
	save(t, msgs[0], 0, (time_t)-1);
	ctx = mailbox_save_begin(t, &sdata);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, "Subject: x\r\n", 12), 0);
	mailbox_save_cancel(&ctx);
	ck_assert_ptr_null(ctx);
	/* keywords are ignored for now, but accepted */
	sdata.keywords = keywords;
	sdata.flags = MAIL_ANSWERED;
	ctx = mailbox_save_begin(t, &sdata);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(mailbox_save_write(ctx, msgs[2], strlen(msgs[2])), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_uint_eq(mailbox_transaction_get_count(t), 2);
	ck_assert_str_eq(commit(&t, NULL), "1,2");
	ck_assert_str_eq(list_dir("tmp"), "");
	box_sync(box);
	ck_assert_str_eq(box_uids(box), "1,2");
	ck_assert_str_eq(body(box, 1), msgs[0]);
	ck_assert_str_eq(body(box, 2), msgs[2]);
	ck_assert_int_eq(mail_get_flags(box, 2), MAIL_ANSWERED | MAIL_RECENT);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_other_session)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box1 = box_open(user, 0), *box2 = box_open(user, 0);
	struct mailbox *ro = box_open(user, MAILBOX_FLAG_READONLY);
	struct mailbox_sync_result result;
	struct mailbox_transaction *t;

	t = mailbox_transaction_begin(box1);
	save(t, msgs[0], MAIL_SEEN, 1600000000);
	save(t, msgs[1], 0, 1600000001);
	ck_assert_str_eq(commit(&t, NULL), "1,2");

	ck_assert_int_eq(mailbox_sync(box2, tmp_pool, &result), 0);
	ck_assert_uint_eq(result.messages, 2);
	ck_assert_str_eq(box_uids(box2), "1,2");
	/* every save goes to new/ (the flagged one with its info): box2
	   synced first, so it takes both as \Recent */
	ck_assert_int_eq(mail_get_flags(box2, 1), MAIL_SEEN | MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(box2, 2), MAIL_RECENT);
	ck_assert_str_eq(body(box2, 2), msgs[1]);
	ck_assert_int_eq(rdate(box2, 1), 1600000000);
	ck_assert_uint_eq(vsize(box2, 1), strlen(msgs[0]));

	box_sync(box1);
	ck_assert_str_eq(box_uids(box1), "1,2");
	ck_assert_int_eq(mail_get_flags(box1, 1), MAIL_SEEN);
	ck_assert_int_eq(mail_get_flags(box1, 2), 0);

	box_sync(ro);
	ck_assert_str_eq(box_uids(ro), "1,2");
	ck_assert_int_eq(mail_get_flags(ro, 2), 0);
	mailbox_close(&ro);
	mailbox_close(&box1);
	mailbox_close(&box2);
	mail_user_unref(&user);
}
END_TEST

static struct mailbox *open_name(struct mail_user *user, const char *name)
{
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mailbox_open(user, name, 0, &box, &error,
				      &error_str), 0);
	return box;
}

static void create(struct mail_user *user, const char *name)
{
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mail_user_mailbox_create(user, name, false, &error,
						  &error_str), 0);
}

START_TEST(test_copy_hardlink)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *src, *dest;
	struct mailbox_transaction *t;
	const char *src_path, *dest_fname;
	struct stat st1, st2;
	struct timespec times[2] = { { 1400000000, 0 }, { 1400000000, 0 } };

	deliver("cur", "1700000001.M1P1.host:2,FS", lf(msgs[0]));
	src_path = tmp_strconcat(maildir, "/cur/1700000001.M1P1.host:2,FS",
				 NULL);
	ck_assert_int_eq(utimensat(AT_FDCWD, src_path, times, 0), 0);
	deliver("cur", "1700000002.M1P1.host:2,", lf(msgs[1]));
	src = box_open(user, 0);
	create(user, "Dest");
	dest = open_name(user, "Dest");

	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, src, 2), 0);
	ck_assert_int_eq(mailbox_copy(t, src, 1), 0);
	ck_assert_str_eq(commit(&t, NULL), "1,2");

	/* the same inode: a hard link, not a copy */
	ck_assert_str_eq(list_dir(".Dest/cur"), "");
	dest_fname = only_file_info(".Dest/new", true);
	ck_assert_msg(strstr(dest_fname, ":2,FS") != NULL, "%s", dest_fname);
	ck_assert_int_eq(stat(src_path, &st1), 0);
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/.Dest/new/", dest_fname,
					    NULL), &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	ck_assert_uint_eq(st1.st_nlink, 2);
	dest_fname = only_file_info(".Dest/new", false);
	ck_assert_int_eq(stat(tmp_strconcat(maildir, "/.Dest/new/", dest_fname,
					    NULL), &st2), 0);
	ck_assert_int_eq(stat(tmp_strconcat(maildir,
		"/cur/1700000002.M1P1.host:2,", NULL), &st1), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);

	box_sync(dest);
	ck_assert_str_eq(box_uids(dest), "1,2");
	ck_assert_int_eq(mail_get_flags(dest, 1), MAIL_RECENT);
	ck_assert_int_eq(mail_get_flags(dest, 2),
			 MAIL_FLAGGED | MAIL_SEEN | MAIL_RECENT);
	ck_assert_str_eq(body(dest, 2), msgs[0]);
	ck_assert_uint_eq(vsize(dest, 2), strlen(msgs[0]));
	ck_assert_uint_eq(psize(dest, 2), strlen(lf(msgs[0])));
	ck_assert_int_eq(rdate(dest, 2), 1400000000);
	/* the source is untouched */
	ck_assert_str_eq(box_uids(src), "1,2");
	mailbox_close(&src);
	mailbox_close(&dest);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_copy_expunged)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *src, *dest;
	struct mailbox_transaction *t;
	const char *error_str;

	deliver("cur", "1700000001.M1P1.host:2,S", lf(msgs[0]));
	src = box_open(user, 0);
	create(user, "Dest");
	dest = open_name(user, "Dest");
	/* another session expunged it behind our back */
	ck_assert_int_eq(unlink(tmp_strconcat(maildir,
		"/cur/1700000001.M1P1.host:2,S", NULL)), 0);
	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, src, 1), -1);
	ck_assert_int_eq(mailbox_get_last_error(dest, &error_str),
			 MAIL_ERROR_EXPUNGED);
	mailbox_transaction_rollback(&t);
	ck_assert_str_eq(list_dir(".Dest/tmp"), "");
	ck_assert_str_eq(list_dir(".Dest/cur"), "");
	mailbox_close(&src);
	mailbox_close(&dest);
	mail_user_unref(&user);
}
END_TEST

/* The same, from a file renamed by another session (flag change): the
   copy finds it under its new name. */
START_TEST(test_copy_renamed)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *src, *dest;
	struct mailbox_transaction *t;

	deliver("cur", "1700000001.M1P1.host:2,S", lf(msgs[0]));
	src = box_open(user, 0);
	create(user, "Dest");
	dest = open_name(user, "Dest");
	ck_assert_int_eq(rename(
		tmp_strconcat(maildir, "/cur/1700000001.M1P1.host:2,S", NULL),
		tmp_strconcat(maildir, "/cur/1700000001.M1P1.host:2,RS", NULL)), 0);
	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, src, 1), 0);
	ck_assert_str_eq(commit(&t, NULL), "1");
	box_sync(dest);
	ck_assert_str_eq(body(dest, 1), msgs[0]);
	mailbox_close(&src);
	mailbox_close(&dest);
	mail_user_unref(&user);
}
END_TEST

/* --- ENOSPC: a 32 KiB tmpfs over tmp/, in a private mount namespace ---
   (a user namespace when not root); where the kernel allows neither the
   test says so and checks nothing. */

static int write_proc(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (f == NULL)
		return -1;
	ret = fputs(data, f) < 0 ? -1 : 0;
	return fclose(f) < 0 ? -1 : ret;
}

static int enter_mount_ns(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (uid != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
		    write_proc("/proc/self/setgroups", "deny") < 0 ||
		    write_proc("/proc/self/gid_map",
			       tmp_printf("%u %u 1", (unsigned int)gid,
					  (unsigned int)gid)) < 0 ||
		    write_proc("/proc/self/uid_map",
			       tmp_printf("%u %u 1", (unsigned int)uid,
					  (unsigned int)uid)) < 0)
			return -1;
	} else if (unshare(CLONE_NEWNS) < 0) {
		return -1;
	}
	/* nothing we mount may show up outside */
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* Exit codes: 0 ok, 77 no namespace, else the failed step. */
static int enospc_child(void)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mail_save_data sdata = { 0, NULL, (time_t)-1 };
	struct mailbox_transaction *t;
	struct mail_save_context *ctx;
	const char *error_str;
	char block[4096];
	unsigned int i;
	int ret = 0;

	if (enter_mount_ns() < 0 ||
	    mount("none", tmp_strconcat(maildir, "/tmp", NULL), "tmpfs", 0,
		  "size=32k") < 0)
		return 77;
	memset(block, 'x', sizeof(block));
	block[sizeof(block) - 1] = '\n';
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &sdata);
	if (ctx == NULL)
		return 2;
	for (i = 0; i < 64 && ret == 0; i++)
		ret = mailbox_save_write(ctx, block, sizeof(block));
	if (ret == 0)
		ret = mailbox_save_finish(&ctx);
	else
		mailbox_save_cancel(&ctx);
	if (ret == 0)
		return 3;
	if (mailbox_get_last_error(box, &error_str) != MAIL_ERROR_NOQUOTA ||
	    strcmp(error_str, "Not enough disk space") != 0)
		return 4;
	mailbox_transaction_rollback(&t);
	if (strcmp(list_dir("tmp"), "") != 0)
		return 5;
	mailbox_close(&box);
	mail_user_unref(&user);
	return 0;
}

START_TEST(test_save_enospc)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	int status;
	pid_t pid;

	mail_user_unref(&user);	/* it made the Maildir */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(enospc_child());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		fprintf(stderr, "test_save_enospc: no mount namespace here, "
			"ENOSPC not tested\n");
		return;
	}
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* --- kill -9 at each point of a save and commit --- */

static enum maildir_save_point crash_point;
static unsigned int crash_hits;

static void crash_hook(enum maildir_save_point point)
{
	if (point == crash_point && ++crash_hits == 1)
		(void)raise(SIGKILL);
}

static void crash_child(void)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box = box_open(user, 0);
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result result;

	maildir_save_test_hook = crash_hook;
	t = mailbox_transaction_begin(box);
	save(t, msgs[0], 0, (time_t)-1);
	save(t, msgs[1], MAIL_SEEN, (time_t)-1);
	(void)mailbox_transaction_commit(&t, tmp_pool, &result);
	_exit(1);	/* not reached: the hook killed us */
}

/* The uidlist's record UIDs strictly increase, none repeated. */
static void check_uidlist_uids(void)
{
	const char *content = read_path(tmp_strconcat(maildir,
						      "/dovecot-uidlist", NULL));
	const char *line = strchr(content, '\n');
	unsigned long uid, prev = 0;

	ck_assert_ptr_nonnull(line);
	for (line++; *line != '\0'; line = strchr(line, '\n') + 1) {
		uid = strtoul(line, NULL, 10);
		ck_assert_msg(uid > prev, "uidlist: %s", content);
		prev = uid;
		if (strchr(line, '\n') == NULL)
			break;
	}
}

static const struct {
	enum maildir_save_point point;
	unsigned int messages;	/* visible after the crash */
} crash_tests[] = {
	{ MAILDIR_SAVE_POINT_TMP_WRITTEN, 0 },
	{ MAILDIR_SAVE_POINT_FIRST_RENAMED, 1 },
	{ MAILDIR_SAVE_POINT_ALL_RENAMED, 2 },
	{ MAILDIR_SAVE_POINT_UIDLIST_WRITTEN, 2 },
};

START_TEST(test_save_crash)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_transaction *t;
	const char *b1, *b2;
	int status;
	pid_t pid;

	/* an existing message first, so the crash has UIDs to collide with */
	user = user_create("maildir:~/Maildir");
	deliver("new", "1700000001.M1P1.host", "Subject: old\n\nold\n");
	box = box_open(user, 0);
	mailbox_close(&box);

	crash_point = crash_tests[_i].point;
	crash_hits = 0;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		crash_child();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* reopen: the dead holder's lock is broken, each message is whole
	   or absent, UIDs unique and after the existing one */
	box = box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box),
			  1 + crash_tests[_i].messages);
	ck_assert_uint_eq(mailbox_seq_to_uid(box, 1), 1);
	if (crash_tests[_i].messages >= 1) {
		b1 = body(box, 2);
		ck_assert_str_eq(b1, msgs[0]);
		ck_assert_uint_eq(mailbox_seq_to_uid(box, 2), 2);
	}
	if (crash_tests[_i].messages >= 2) {
		b2 = body(box, 3);
		ck_assert_str_eq(b2, msgs[1]);
		ck_assert_uint_eq(mailbox_seq_to_uid(box, 3), 3);
		ck_assert_int_eq(mail_get_flags(box, 3) & MAIL_SEEN, MAIL_SEEN);
	}
	check_uidlist_uids();
	/* and saving goes on after the highest UID ever given */
	t = mailbox_transaction_begin(box);
	save(t, msgs[2], 0, (time_t)-1);
	ck_assert_str_eq(commit(&t, NULL),
			 tmp_printf("%u", 2 + crash_tests[_i].messages));
	box_sync(box);
	ck_assert_uint_eq(mailbox_get_messages_count(box),
			  2 + crash_tests[_i].messages);
	check_uidlist_uids();
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_maildir_save_suite(void)
{
	Suite *s = suite_create("maildir_save");
	TCase *tc = tcase_create("save");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_three);
	tcase_add_test(tc, test_save_big_write);
	tcase_add_test(tc, test_save_rollback);
	tcase_add_test(tc, test_save_cancel_one);
	tcase_add_test(tc, test_save_other_session);
	tcase_add_test(tc, test_save_enospc);
	tcase_add_test(tc, test_copy_hardlink);
	tcase_add_test(tc, test_copy_expunged);
	tcase_add_test(tc, test_copy_renamed);
	tcase_add_loop_test(tc, test_save_crash, 0, N_ELEMENTS(crash_tests));
	suite_add_tcase(s, tc);
	return s;
}
