/* Copyright (c) dovecot-like authors. Saving into mbox (APPEND/COPY
   target): the exact bytes Dovecot writes, UIDs and X-IMAPbase, what the
   parser and other sessions see, rollback, ENOSPC, and a kill -9 at many
   points of the append leaving all or nothing. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "mail-storage.h"
#include "test-mbox.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* 2020-09-13 12:26:40 UTC (TZ=UTC in main) */
#define T0 ((time_t)1600000000)

struct save_msg {
	const char *text;	/* as the client sends it */
	enum mail_flags flags;
	time_t date;
};

static void setup(void)
{
	mbox_setup();
}

static void teardown(void)
{
	unsetenv("DL_MBOX_TEST_APPEND_FAIL");
	mbox_teardown();
}

/* Writes text in 3 pieces, so the header scan crosses write() calls. */
static void save_one(struct mailbox_transaction *t, const struct save_msg *m)
{
	struct mail_save_data data = { m->flags, NULL, m->date };
	struct mail_save_context *ctx = mailbox_save_begin(t, &data);
	size_t len = strlen(m->text), a = len / 3, b = 2 * len / 3;

	ck_assert(ctx != NULL);
	ck_assert_int_eq(mailbox_save_write(ctx, m->text, a), 0);
	ck_assert_int_eq(mailbox_save_write(ctx, m->text + a, b - a), 0);
	ck_assert_int_eq(mailbox_save_write(ctx, m->text + b, len - b), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
}

/* Saves and commits; returns "uid,uid,...". */
static const char *save_msgs(struct mailbox *box, const struct save_msg *msgs,
			     unsigned int count, uint32_t *uidvalidity_r)
{
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct str *str = t_str_new(64);
	const uint32_t *uid;
	unsigned int i;

	for (i = 0; i < count; i++)
		save_one(t, &msgs[i]);
	ck_assert_uint_eq(mailbox_transaction_get_count(t), count);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert(t == NULL);
	array_foreach(&result.uids, uid)
		str_printfa(str, "%s%u", str_len(str) > 0 ? "," : "", *uid);
	if (uidvalidity_r != NULL)
		*uidvalidity_r = result.uidvalidity;
	return str_c(str);
}

static const char *from_line(time_t t)
{
	char host[256];
	struct tm tm;
	char date[64];

	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	ck_assert(gmtime_r(&t, &tm) != NULL);
	ck_assert(strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Y", &tm) > 0);
	return tmp_printf("From testuser@%s  %s\n", host, date);
}

static const char *spaces(unsigned int n)
{
	char *s = p_malloc(tmp_pool, n + 1);

	memset(s, ' ', n);
	return s;
}

/* X-Keywords with Dovecot's padding, then Content-Length (reference 3.4) */
static const char *kw_cl(unsigned int cl)
{
	const char *cl_line = tmp_printf("Content-Length: %u\n", cl);

	return tmp_strconcat("X-Keywords: ", spaces(90 - strlen(cl_line)),
			     "\n", cl_line, NULL);
}

/* open fds of this process: a transaction must not leak its temp file */
static unsigned int fd_count(void)
{
	unsigned int count = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			count++;
	}
	return count;
}

static void sync_box(struct mailbox *box)
{
	struct mailbox_sync_result result;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

static const struct save_msg three[] = {
	{ "From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n",
	  MAIL_SEEN, T0 },
	{ "Subject: two\r\nX-UID: 999\r\nStatus: RO\r\n\r\nline\r\n\r\nend\r\n",
	  MAIL_ANSWERED | MAIL_FLAGGED, T0 + 100 },
	{ "Subject: three\r\n\r\n", 0, T0 + 200 },
};

START_TEST(test_save_three_exact)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_status status;
	const char *file, *expected;
	uint32_t uidvalidity;
	uoff_t size;
	time_t date;

	ck_assert_str_eq(save_msgs(box, three, 3, &uidvalidity), "1,2,3");
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(uidvalidity, status.uidvalidity);

	/* reference mbox-format.md 3: Dovecot's exact layout */
	expected = tmp_strconcat(
		from_line(T0),
		"From: a@example.com\nSubject: one\n",
		tmp_printf("X-IMAPbase: %u 0000000003\n", uidvalidity),
		"X-UID: 1\nStatus: R\n", kw_cl(9), "\nbody one\n\n",
		from_line(T0 + 100),
		"Subject: two\nX-UID: 2\nStatus: \nX-Status: AF\n", kw_cl(10),
		"\nline\n\nend\n\n",
		from_line(T0 + 200),
		"Subject: three\nX-UID: 3\nStatus: \n", kw_cl(0), "\n\n",
		NULL);
	file = mbox_read_file(mbox_inbox_path(), NULL);
	ck_assert_str_eq(file, expected);

	/* visible at the next sync, as sent */
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	ck_assert_str_eq(mbox_msg_text(box, 1), three[0].text);
	ck_assert_str_eq(mbox_msg_text(box, 2),
			 "Subject: two\r\n\r\nline\r\n\r\nend\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 3), three[2].text);
	ck_assert_uint_eq(mail_get_flags(box, 1) & MAIL_FLAGS_MASK, MAIL_SEEN);
	ck_assert_uint_eq(mail_get_flags(box, 2) & MAIL_FLAGS_MASK,
			  MAIL_ANSWERED | MAIL_FLAGGED);
	ck_assert_uint_eq(mail_get_flags(box, 3) & MAIL_FLAGS_MASK, 0);
	ck_assert(mail_get_flags(box, 3) & MAIL_RECENT);
	ck_assert_int_eq(mail_get_received_date(box, 2, &date), 0);
	ck_assert_int_eq(date, T0 + 100);
	ck_assert_int_eq(mail_get_virtual_size(box, 1, &size), 0);
	ck_assert_uint_eq(size, strlen(three[0].text));
	mailbox_get_status(box, &status);
	ck_assert_uint_eq(status.uidnext, 4);
	ck_assert_uint_eq(status.uidvalidity, uidvalidity);

	/* nothing left to rewrite: the file is unchanged by the sync */
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), expected);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_nonempty_updates_imapbase)
{
	static const char old[] =
		"From x@example.org  Mon Nov 23 19:12:55 2026\n"
		"Subject: old\n"
		"X-IMAPbase: 1795461175 0000000005\n"
		"X-UID: 5\n"
		"Status: RO\n"
		"X-Keywords:                                                  \n"
		"Content-Length: 4\n\nold\n\n";
	struct mail_user *user;
	struct mailbox *box, *box2;
	const char *file, *fixed;
	uint32_t uidvalidity;
	size_t len;

	mbox_write_file(mbox_inbox_path(), old, strlen(old));
	user = mbox_user_create();
	box = mbox_box_open(user, 0);
	box2 = mbox_box_open(user, 0);
	ck_assert_str_eq(save_msgs(box, three, 2, &uidvalidity), "6,7");
	ck_assert_uint_eq(uidvalidity, 1795461175);

	/* the old message is untouched except X-IMAPbase's last UID, which
	   was rewritten in place */
	file = mbox_read_file(mbox_inbox_path(), &len);
	fixed = tmp_strconcat("From x@example.org  Mon Nov 23 19:12:55 2026\n"
			      "Subject: old\n"
			      "X-IMAPbase: 1795461175 0000000007\n", NULL);
	ck_assert_int_eq(strncmp(file, fixed, strlen(fixed)), 0);
	ck_assert(strstr(file, "\nX-UID: 6\n") != NULL);
	ck_assert(strstr(file, "\nX-UID: 7\n") != NULL);
	ck_assert(strstr(file, "X-IMAPbase: 1795461175 0000000005") == NULL);
	ck_assert(strstr(file, "X-UID: 999") == NULL);

	/* another session sees them at its next sync */
	ck_assert_str_eq(mbox_box_uids(box2), "5");
	sync_box(box2);
	ck_assert_str_eq(mbox_box_uids(box2), "5,6,7");
	ck_assert_str_eq(mbox_msg_text(box2, 1), "Subject: old\r\n\r\nold\r\n");
	ck_assert_str_eq(mbox_msg_text(box2, 2), three[0].text);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "5,6,7");
	mailbox_close(&box2);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Mail from elsewhere without our headers gets its UIDs written first,
   so ours don't collide with them. */
START_TEST(test_save_after_foreign_mail)
{
	static const char old[] =
		"From a@b Thu Nov  9 22:33:52 2001\nSubject: f1\n\nx\n\n"
		"From a@b Thu Nov  9 22:33:53 2001\nSubject: f2\n\ny";
	struct mail_user *user;
	struct mailbox *box;

	user = mbox_user_create();
	box = mbox_box_open(user, 0);
	/* delivered by someone else while we have the mailbox open */
	mbox_write_file(mbox_inbox_path(), old, strlen(old));
	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "3");
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	/* an LF was added before our From_ line, as the separator */
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: f2\r\n\r\ny");
	ck_assert_str_eq(mbox_msg_text(box, 3), three[0].text);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* After everything was expunged only the pseudo message holds the UID
   state: a save continues from it and updates its X-IMAP. */
START_TEST(test_save_after_pseudo)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	ARRAY_TYPE(mailbox_expunged) expunged;
	uint32_t uidvalidity;
	const char *file;

	ck_assert_str_eq(save_msgs(box, three, 2, &uidvalidity), "1,2");
	sync_box(box);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_DELETED, NULL), 0);
	ck_assert_int_eq(mail_update_flags(box, 2, MODIFY_ADD, MAIL_DELETED, NULL), 0);
	ck_assert_int_eq(mailbox_expunge_deleted(box, tmp_pool, NULL,
						 &expunged), 0);
	sync_box(box);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 0);
	file = mbox_read_file(mbox_inbox_path(), NULL);
	ck_assert(strstr(file, tmp_printf("X-IMAP: %u 0000000002\n",
					  uidvalidity)) != NULL);

	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "3");
	file = mbox_read_file(mbox_inbox_path(), NULL);
	ck_assert(strstr(file, tmp_printf("X-IMAP: %u 0000000003\n",
					  uidvalidity)) != NULL);
	ck_assert(strstr(file, "X-IMAPbase") == NULL);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "3");
	ck_assert_str_eq(mbox_msg_text(box, 1), three[0].text);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_from_lines_in_body)
{
	static const struct save_msg m[] = {
		{ "Subject: f\r\n\r\nFrom someone Mon Jan  1 00:00:00 2001\r\n"
		  "From here on\r\n>From quoted\r\nFrom a@b Thu Nov  9 "
		  "22:33:52 2001\r\n", 0, T0 },
		{ "Subject: g\r\n\r\nnext\r\n", 0, T0 },
	};
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	const char *file;

	ck_assert_str_eq(save_msgs(box, m, 2, NULL), "1,2");
	file = mbox_read_file(mbox_inbox_path(), NULL);
	/* no >From quoting: Content-Length protects the body */
	ck_assert(strstr(file, "\nFrom someone Mon Jan  1 00:00:00 2001\n") != NULL);
	ck_assert(strstr(file, "\n>From quoted\n") != NULL);
	ck_assert(strstr(file, ">From someone") == NULL);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 1), m[0].text);
	ck_assert_str_eq(mbox_msg_text(box, 2), m[1].text);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* reference 3.5: the body is made to end with LF, counted in
   Content-Length; a header-only message gets the empty line. Header
   lines that would look like a From_ line or are ours are dropped. */
START_TEST(test_save_no_final_newline)
{
	static const struct save_msg m[] = {
		{ "Subject: x\r\n\r\nbody", 0, T0 },
		{ "Subject: y", 0, T0 },
		{ "From evil  Mon Jan  1 00:00:00 2001\r\nSubject: z\r\n"
		  "X-Delivery-ID: abc\r\nX-IMAPbase: 1 0000000099\r\n\r\nz", 0, T0 },
		{ "", 0, T0 },
		/* LF data "Subject: q\n\r\nbody\n": a CR LF empty line ends
		   the header for the parser too */
		{ "Subject: q\r\n\r\r\nbody\r\n", 0, T0 },
		/* a lone CR as the last line, no empty line */
		{ "Subject: cr\r\n\r", 0, T0 },
	};
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	const char *file;

	ck_assert_str_eq(save_msgs(box, m, 6, NULL), "1,2,3,4,5,6");
	file = mbox_read_file(mbox_inbox_path(), NULL);
	ck_assert(strstr(file, "Content-Length: 5\n\nbody\n\nFrom ") != NULL);
	ck_assert(strstr(file, "evil") == NULL);
	ck_assert(strstr(file, "0000000099") == NULL);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3,4,5,6");
	ck_assert_str_eq(mbox_msg_text(box, 1), "Subject: x\r\n\r\nbody\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 2), "Subject: y\r\n\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 3), "Subject: z\r\n\r\nz\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 4), "\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 5), "Subject: q\r\n\r\nbody\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 6), "Subject: cr\r\n\r\n");
	/* our headers were all found: the sync had nothing to rewrite */
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), file);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_rollback_and_cancel)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result result;
	struct mail_save_data data = { 0, NULL, T0 };
	struct mail_save_context *ctx;
	const char *before;
	size_t before_len, len;
	unsigned int fds;

	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "1");
	before = mbox_read_file(mbox_inbox_path(), &before_len);

	fds = fd_count();
	t = mailbox_transaction_begin(box);
	save_one(t, &three[1]);
	save_one(t, &three[2]);
	mailbox_transaction_rollback(&t);
	ck_assert(t == NULL);
	ck_assert_uint_eq(fd_count(), fds);
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), &len), before);
	ck_assert_uint_eq(len, before_len);

	/* a cancelled message is dropped; the rest of the transaction goes */
	t = mailbox_transaction_begin(box);
	save_one(t, &three[1]);
	ctx = mailbox_save_begin(t, &data);
	ck_assert(ctx != NULL);
	ck_assert_int_eq(mailbox_save_write(ctx, "Subject: gone\r\n", 15), 0);
	mailbox_save_cancel(&ctx);
	save_one(t, &three[2]);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.uids), 2);
	ck_assert_uint_eq(fd_count(), fds);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	ck_assert_str_eq(mbox_msg_text(box, 3), three[2].text);
	ck_assert(strstr(mbox_read_file(mbox_inbox_path(), NULL), "gone") == NULL);

	/* a transaction with only a cancelled save commits nothing */
	before = mbox_read_file(mbox_inbox_path(), &before_len);
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &data);
	ck_assert(ctx != NULL);
	mailbox_save_cancel(&ctx);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.uids), 0);
	ck_assert_uint_eq(fd_count(), fds);
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), before);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_enospc)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result result;
	const char *before, *error;
	size_t before_len, len;
	struct stat st;

	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "1");
	before = mbox_read_file(mbox_inbox_path(), &before_len);
	setenv("DL_MBOX_TEST_APPEND_FAIL", "100:enospc", 1);
	t = mailbox_transaction_begin(box);
	save_one(t, &three[0]);
	save_one(t, &three[1]);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), -1);
	unsetenv("DL_MBOX_TEST_APPEND_FAIL");
	ck_assert_int_eq(mailbox_get_last_error(box, &error), MAIL_ERROR_NOQUOTA);
	ck_assert_str_eq(error, "Not enough disk space");
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), &len), before);
	ck_assert_uint_eq(len, before_len);
	ck_assert_int_eq(stat(tmp_printf("%s/.dlmbox-journal.INBOX",
					 mbox_root()), &st), -1);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1");
	/* and the next save works, with the next UID */
	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "2");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_header_too_large)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mail_save_data data = { 0, NULL, T0 };
	struct mail_save_context *ctx = mailbox_save_begin(t, &data);
	char *line = p_malloc(tmp_pool, 1000);
	struct buf *big;
	const char *error, *file;
	unsigned int i;
	int ret = 0;

	memset(line, 'a', 998);
	line[0] = 'X';
	line[1] = ':';
	line[998] = '\n';
	for (i = 0; i < 2000 && ret == 0; i++)
		ret = mailbox_save_write(ctx, line, 999);
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error), MAIL_ERROR_PARAMS);
	ck_assert_str_eq(error, "Message header too large");
	ck_assert_int_eq(mailbox_save_finish(&ctx), -1);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), -1);
	ck_assert_uint_eq(mbox_read_file(mbox_inbox_path(), NULL)[0], '\0');

	/* the same when the end of the header comes in the same write */
	big = buf_create(tmp_pool, 2100 * 1000);
	for (i = 0; i < 2000; i++)
		buf_append(big, line, 999);
	buf_append(big, "\nbody\n", 6);
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &data);
	ck_assert_int_eq(mailbox_save_write(ctx, big->data, big->used), -1);
	mailbox_save_cancel(&ctx);
	mailbox_transaction_rollback(&t);

	/* a header just below the limit is fine */
	buf_reset(big);
	for (i = 0; i < 1000; i++)
		buf_append(big, line, 999);
	buf_append(big, "\nbody\n", 6);
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &data);
	ck_assert_int_eq(mailbox_save_write(ctx, big->data, big->used), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	file = mbox_read_file(mbox_inbox_path(), NULL);
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1");
	/* the parser found our headers: nothing was rewritten */
	ck_assert_str_eq(mbox_read_file(mbox_inbox_path(), NULL), file);
	ck_assert(strstr(file, "\nX-UID: 1\n") != NULL);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_save_keywords_ignored)
{
	static const char *const kw[] = { "$Junk", "Important", NULL };
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mail_save_data data = { MAIL_DRAFT, kw, T0 };
	struct mail_save_context *ctx = mailbox_save_begin(t, &data);

	ck_assert_int_eq(mailbox_save_write(ctx, "Subject: k\n\nk\n", 14), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	sync_box(box);
	ck_assert_uint_eq(mail_get_flags(box, 1) & MAIL_FLAGS_MASK, MAIL_DRAFT);
	ck_assert(strstr(mbox_read_file(mbox_inbox_path(), NULL),
			 "X-Status: T\n") != NULL);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* COPY into mbox goes through the generic stream copy. */
START_TEST(test_save_copy)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0), *dest;
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result result;
	enum mail_storage_error error;
	const char *error_str;
	time_t date;

	ck_assert_str_eq(save_msgs(box, three, 3, NULL), "1,2,3");
	sync_box(box);
	ck_assert_int_eq(mail_user_mailbox_create(user, "dest", false, &error,
						  &error_str), 0);
	ck_assert_int_eq(mailbox_open(user, "dest", 0, &dest, &error,
				      &error_str), 0);
	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, box, 2), 0);
	ck_assert_int_eq(mailbox_copy(t, box, 1), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.uids), 2);
	sync_box(dest);
	ck_assert_str_eq(mbox_box_uids(dest), "1,2");
	ck_assert_str_eq(mbox_msg_text(dest, 1), mbox_msg_text(box, 2));
	ck_assert_str_eq(mbox_msg_text(dest, 2), three[0].text);
	ck_assert_uint_eq(mail_get_flags(dest, 1) & MAIL_FLAGS_MASK,
			  MAIL_ANSWERED | MAIL_FLAGGED);
	ck_assert_int_eq(mail_get_received_date(dest, 1, &date), 0);
	ck_assert_int_eq(date, T0 + 100);
	mailbox_close(&dest);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* --- kill -9 in the middle of the append --- */

static const char *big_msg(unsigned int n)
{
	struct str *str = t_str_new(8192);
	unsigned int j;

	str_printfa(str, "Subject: big %u\r\n\r\n", n);
	for (j = 0; j < 300; j++)
		str_printfa(str, "message %u line %u\r\n", n, j);
	return str_c(str);
}

static void crash_child(long long kill_after)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct save_msg m = { NULL, MAIL_SEEN, T0 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		m.text = big_msg(i);
		save_one(t, &m);
	}
	setenv("DL_MBOX_TEST_APPEND_FAIL", tmp_printf("%lld", kill_after), 1);
	(void)mailbox_transaction_commit(&t, tmp_pool, &result);
	_exit(0);	/* the hook didn't fire: the whole append was done */
}

static const long long crash_points[] = { 0, 1, 60, 300, 2000, 5000, 9000 };

START_TEST(test_save_crash)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	const char *before, *after;
	size_t before_len, after_len;
	int status;
	pid_t pid;

	ck_assert_str_eq(save_msgs(box, three, 2, NULL), "1,2");
	mailbox_close(&box);
	before = mbox_read_file(mbox_inbox_path(), &before_len);

	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
		crash_child(crash_points[_i]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status)) {
		/* every point must be inside the append */
		ck_abort_msg("child wasn't killed at %lld", crash_points[_i]);
	}
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
	/* the partial append is in the file until the next lock */
	after = mbox_read_file(mbox_inbox_path(), &after_len);
	ck_assert_uint_eq(after_len, before_len + (size_t)crash_points[_i]);
	ck_assert_int_eq(memcmp(after, before, before_len), 0);

	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	after = mbox_read_file(mbox_inbox_path(), &after_len);
	ck_assert_uint_eq(after_len, before_len);
	ck_assert_int_eq(memcmp(after, before, before_len), 0);
	/* and the next append gets the next UIDs */
	ck_assert_str_eq(save_msgs(box, three, 1, NULL), "3");
	sync_box(box);
	ck_assert_str_eq(mbox_box_uids(box), "1,2,3");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* A child that completes the append: both messages, no journal left. */
START_TEST(test_save_child_completes)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;
	struct stat st;
	int status;
	pid_t pid;

	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
		crash_child(1000000);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(stat(tmp_printf("%s/.dlmbox-journal.INBOX",
					 mbox_root()), &st), -1);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(mbox_box_uids(box), "1,2");
	ck_assert_str_eq(mbox_msg_text(box, 2), big_msg(1));
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mbox_save_suite(void)
{
	Suite *s = suite_create("mbox-save");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_save_three_exact);
	tcase_add_test(tc, test_save_nonempty_updates_imapbase);
	tcase_add_test(tc, test_save_after_foreign_mail);
	tcase_add_test(tc, test_save_after_pseudo);
	tcase_add_test(tc, test_save_from_lines_in_body);
	tcase_add_test(tc, test_save_no_final_newline);
	tcase_add_test(tc, test_save_rollback_and_cancel);
	tcase_add_test(tc, test_save_enospc);
	tcase_add_test(tc, test_save_header_too_large);
	tcase_add_test(tc, test_save_keywords_ignored);
	tcase_add_test(tc, test_save_copy);
	tcase_add_loop_test(tc, test_save_crash, 0, N_ELEMENTS(crash_points));
	tcase_add_test(tc, test_save_child_completes);
	suite_add_tcase(s, tc);
	return s;
}
