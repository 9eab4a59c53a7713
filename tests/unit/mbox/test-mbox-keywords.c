/* Copyright (c) dovecot-like authors. Keywords in mbox as Dovecot keeps
   them: X-IMAPbase's keyword list (bit order), X-Keywords per message with
   padding; in-place and tail rewrites with exact bytes, other sessions,
   APPEND/COPY, malformed lists and a kill -9 during a keyword rewrite. */
#include "lib.h"
#include "str.h"
#include "mail-storage.h"
#include "mbox-headers.h"
#include "test-mbox.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAD30 "                              "

/* As Dovecot writes it: the list in X-IMAPbase; "Extra" only in a message's
   X-Keywords (as forged in incoming mail): not a keyword, as in Dovecot,
   but kept in the file. */
static const char dovecot_file[] =
	"From a@b  Thu Nov  9 22:33:52 2001\n"
	"Subject: one\n"
	"X-IMAPbase: 1795461175 0000000002 $Junk Important Work\n"
	"X-UID: 1\n"
	"Status: O\n"
	"X-Keywords: Important $Junk" PAD30 "\n"
	"Content-Length: 2\n"
	"\n"
	"a\n"
	"\n"
	"From a@b  Thu Nov  9 22:33:53 2001\n"
	"Subject: two\n"
	"X-UID: 2\n"
	"Status: RO\n"
	"X-Keywords: Work Extra" PAD30 "\n"
	"Content-Length: 2\n"
	"\n"
	"b\n"
	"\n";

static const char msg2_part[] =
	"From a@b  Thu Nov  9 22:33:53 2001\n"
	"Subject: two\n"
	"X-UID: 2\n"
	"Status: RO\n"
	"X-Keywords: Work Extra" PAD30 "\n"
	"Content-Length: 2\n"
	"\n"
	"b\n"
	"\n";

static const char *spaces(unsigned int n)
{
	char *s = p_malloc(tmp_pool, n + 1);

	memset(s, ' ', n);
	return s;
}

static void box_sync(struct mailbox *box)
{
	struct mailbox_sync_result result;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
}

/* The mailbox's keyword names, space separated. */
static const char *box_kws(struct mailbox *box)
{
	const char *const *names;
	unsigned int i, count;
	struct str *str = t_str_new(128);

	names = mailbox_get_keywords(box, &count);
	for (i = 0; i < count; i++)
		str_printfa(str, "%s%s", i > 0 ? " " : "", names[i]);
	return str_c(str);
}

/* The message's keyword names in box order, space separated. */
static const char *msg_kws(struct mailbox *box, uint32_t seq)
{
	const struct mail_keywords *kw = mail_get_keywords(box, seq);
	const char *const *names;
	unsigned int i, count;
	struct str *str = t_str_new(128);

	names = mailbox_get_keywords(box, &count);
	for (i = 0; i < count; i++) {
		if (mail_keywords_has(kw, i))
			str_printfa(str, "%s%s", str_len(str) > 0 ? " " : "",
				    names[i]);
	}
	return str_c(str);
}

/* Changes seq's keywords (names space separated), not its flags. */
static void store_kws(struct mailbox *box, uint32_t seq, enum modify_type type,
		      const char *names)
{
	const char *list[8];
	unsigned int count = 0;
	struct mail_keywords kw;
	char *copy = p_strdup(tmp_pool, names), *p;

	for (p = strtok(copy, " "); p != NULL && count < 8; p = strtok(NULL, " "))
		list[count++] = p;
	ck_assert_int_eq(mailbox_keywords_create(box, list, count,
						 type != MODIFY_REMOVE, &kw), 0);
	/* REPLACE replaces the system flags too: keep them */
	ck_assert_int_eq(mail_update_flags(box, seq, type,
		type != MODIFY_REPLACE ? 0 :
		mail_get_flags(box, seq) & MAIL_FLAGS_MASK, &kw), 0);
}

static const char *inbox(void)
{
	return mbox_read_file(mbox_inbox_path(), NULL);
}

START_TEST(test_kw_dovecot_file)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;

	mbox_write_file(mbox_inbox_path(), dovecot_file, strlen(dovecot_file));
	box = mbox_box_open(user, 0);
	/* X-IMAPbase's order; names it doesn't list don't count */
	ck_assert_str_eq(box_kws(box), "$Junk Important Work");
	ck_assert_str_eq(msg_kws(box, 1), "$Junk Important");
	ck_assert_str_eq(msg_kws(box, 2), "Work");
	ck_assert(mail_keywords_has(mail_get_keywords(box, 1), 0));
	ck_assert(!mail_keywords_has(mail_get_keywords(box, 1), 2));
	mailbox_close(&box);
	/* reading changes nothing */
	ck_assert_str_eq(inbox(), dovecot_file);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_kw_store_in_place)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;
	const char *want;

	mbox_write_file(mbox_inbox_path(), dovecot_file, strlen(dovecot_file));
	box = mbox_box_open(user, 0);
	store_kws(box, 1, MODIFY_ADD, "Work");
	ck_assert_str_eq(msg_kws(box, 1), "$Junk Important Work");
	/* lazy: the file changes at the next sync */
	ck_assert_int_eq(mailbox_changes_commit(box), 0);
	ck_assert_str_eq(inbox(), dovecot_file);
	box_sync(box);
	/* fits into the padding; X-IMAPbase already lists Work */
	want = tmp_strconcat(
		"From a@b  Thu Nov  9 22:33:52 2001\n"
		"Subject: one\n"
		"X-IMAPbase: 1795461175 0000000002 $Junk Important Work\n"
		"X-UID: 1\n"
		"Status: O\n"
		"X-Keywords: $Junk Important Work", spaces(30 - 5), "\n"
		"Content-Length: 2\n"
		"\n"
		"a\n"
		"\n", msg2_part, NULL);
	ck_assert_str_eq(inbox(), want);
	ck_assert_uint_eq(strlen(want), strlen(dovecot_file));

	/* remove and replace */
	store_kws(box, 1, MODIFY_REMOVE, "Important");
	store_kws(box, 2, MODIFY_REPLACE, "Important");
	box_sync(box);
	want = tmp_strconcat(
		"From a@b  Thu Nov  9 22:33:52 2001\n"
		"Subject: one\n"
		"X-IMAPbase: 1795461175 0000000002 $Junk Important Work\n"
		"X-UID: 1\n"
		"Status: O\n"
		"X-Keywords: $Junk Work", spaces(30 + 5), "\n"
		"Content-Length: 2\n"
		"\n"
		"a\n"
		"\n"
		"From a@b  Thu Nov  9 22:33:53 2001\n"
		"Subject: two\n"
		"X-UID: 2\n"
		"Status: RO\n"
		"X-Keywords: Important Extra", spaces(30 - 5), "\n"
		"Content-Length: 2\n"
		"\n"
		"b\n"
		"\n", NULL);
	ck_assert_str_eq(inbox(), want);
	mailbox_close(&box);
	ck_assert_str_eq(inbox(), want);

	box = mbox_box_open(user, 0);
	ck_assert_str_eq(box_kws(box), "$Junk Important Work");
	ck_assert_str_eq(msg_kws(box, 1), "$Junk Work");
	ck_assert_str_eq(msg_kws(box, 2), "Important");
	/* removing all of them keeps only the word that isn't a keyword */
	store_kws(box, 2, MODIFY_REPLACE, "");
	mailbox_close(&box);
	ck_assert_ptr_nonnull(strstr(inbox(), tmp_strconcat(
		"Status: RO\nX-Keywords: Extra", spaces(35), "\n", NULL)));
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_kw_store_rewrite)
{
	static const char nopad[] =
		"From a@b  Thu Nov  9 22:33:52 2001\n"
		"Subject: one\n"
		"X-IMAPbase: 1795461175 0000000002 Important Work\n"
		"X-UID: 1\n"
		"Status: O\n"
		"X-Keywords: Important\n"
		"Content-Length: 2\n"
		"\n"
		"a\n"
		"\n";
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;
	const char *want, *data = tmp_strconcat(nopad, msg2_part, NULL);

	mbox_write_file(mbox_inbox_path(), data, strlen(data));
	box = mbox_box_open(user, 0);
	store_kws(box, 1, MODIFY_ADD, "Work NewOne");
	mailbox_close(&box);
	/* no room: the header is rewritten with Dovecot's default padding
	   (90 - "Content-Length: 2\n"), the next message moves intact */
	want = tmp_strconcat(
		"From a@b  Thu Nov  9 22:33:52 2001\n"
		"Subject: one\n"
		"X-IMAPbase: 1795461175 0000000002 Important Work NewOne\n"
		"X-UID: 1\n"
		"Status: O\n"
		"X-Keywords: Important Work NewOne", spaces(72), "\n"
		"Content-Length: 2\n"
		"\n"
		"a\n"
		"\n", msg2_part, NULL);
	ck_assert_str_eq(inbox(), want);
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(box_kws(box), "Important Work NewOne");
	ck_assert_str_eq(msg_kws(box, 1), "Important Work NewOne");
	ck_assert_str_eq(msg_kws(box, 2), "Work");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_kw_other_session)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *a, *b;
	struct mailbox_sync_result result;

	mbox_write_file(mbox_inbox_path(), dovecot_file, strlen(dovecot_file));
	a = mbox_box_open(user, 0);
	b = mbox_box_open(user, 0);
	store_kws(a, 2, MODIFY_ADD, "Later");
	box_sync(a);
	ck_assert_int_eq(mailbox_sync(b, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 1);
	ck_assert_uint_eq(*array_idx(&result.flag_changed_seqs, 0), 2);
	ck_assert_str_eq(msg_kws(b, 2), "Work Later");
	ck_assert_str_eq(msg_kws(b, 1), "$Junk Important");
	/* and back, the other way round */
	store_kws(b, 2, MODIFY_REMOVE, "Work");
	box_sync(b);
	ck_assert_int_eq(mailbox_sync(a, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 1);
	ck_assert_str_eq(msg_kws(a, 2), "Later");
	mailbox_close(&a);
	mailbox_close(&b);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_kw_external_change)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box;
	struct mailbox_sync_result result;
	const char *changed;

	mbox_write_file(mbox_inbox_path(), dovecot_file, strlen(dovecot_file));
	box = mbox_box_open(user, 0);
	/* Dovecot sets Work on message 1 and adds a name to X-IMAPbase */
	changed = tmp_strconcat(
		"From a@b  Thu Nov  9 22:33:52 2001\n"
		"Subject: one\n"
		"X-IMAPbase: 1795461175 0000000002 $Junk Important Work Zed\n"
		"X-UID: 1\n"
		"Status: O\n"
		"X-Keywords: Work Important $Junk\n"
		"Content-Length: 2\n"
		"\n"
		"a\n"
		"\n", msg2_part, NULL);
	mbox_write_file(mbox_inbox_path(), changed, strlen(changed));
	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_uint_eq(array_count(&result.flag_changed_seqs), 1);
	ck_assert_uint_eq(*array_idx(&result.flag_changed_seqs, 0), 1);
	ck_assert_str_eq(box_kws(box), "$Junk Important Work Zed");
	ck_assert_str_eq(msg_kws(box, 1), "$Junk Important Work");
	ck_assert_str_eq(msg_kws(box, 2), "Work");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

static void save_kw(struct mailbox *box, const char *text,
		    const char *const *kws)
{
	struct mail_save_data data = { MAIL_SEEN, kws, 1600000000 };
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_save_context *ctx = mailbox_save_begin(t, &data);
	struct mail_transaction_commit_result result;

	ck_assert(ctx != NULL);
	ck_assert_int_eq(mailbox_save_write(ctx, text, strlen(text)), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
}

START_TEST(test_kw_append_copy)
{
	static const char *const kw1[] = { "Foo", "$Bar", NULL };
	static const char *const kw2[] = { "Baz", "Foo", NULL };
	struct mail_user *user = mbox_user_create();
	struct mailbox *box, *dest;
	enum mail_storage_error error;
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result result;
	const char *error_str, *f;

	box = mbox_box_open(user, 0);
	save_kw(box, "Subject: x\n\nbody\n", kw1);
	f = inbox();
	ck_assert_ptr_nonnull(strstr(f, " 0000000001 Foo $Bar\nX-UID: 1\n"
				     "Status: R\nX-Keywords: Foo $Bar"));
	ck_assert_ptr_nonnull(strstr(f, tmp_strconcat("X-Keywords: Foo $Bar",
		spaces(72), "\nContent-Length: 5\n\nbody\n\n", NULL)));
	/* a new name: in X-IMAPbase as soon as the message is there */
	save_kw(box, "Subject: y\n\nbody2\n", kw2);
	f = inbox();
	ck_assert_ptr_nonnull(strstr(f, " 0000000002 Foo $Bar Baz\n"));
	ck_assert_ptr_nonnull(strstr(f, "X-UID: 2\nStatus: R\n"
				     "X-Keywords: Foo Baz  "));
	box_sync(box);
	ck_assert_str_eq(msg_kws(box, 1), "Foo $Bar");
	ck_assert_str_eq(msg_kws(box, 2), "Foo Baz");

	ck_assert_int_eq(mail_user_mailbox_create(user, "dest", false, &error,
						  &error_str), 0);
	ck_assert_int_eq(mailbox_open(user, "dest", 0, &dest, &error,
				      &error_str), 0);
	t = mailbox_transaction_begin(dest);
	ck_assert_int_eq(mailbox_copy(t, box, 2), 0);
	ck_assert_int_eq(mailbox_copy(t, box, 1), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), 0);
	mailbox_close(&dest);
	mailbox_close(&box);

	/* a new session reads them from the files */
	box = mbox_box_open(user, 0);
	ck_assert_str_eq(msg_kws(box, 1), "Foo $Bar");
	ck_assert_str_eq(msg_kws(box, 2), "Foo Baz");
	mailbox_close(&box);
	ck_assert_int_eq(mailbox_open(user, "dest", 0, &dest, &error,
				      &error_str), 0);
	ck_assert_str_eq(box_kws(dest), "Foo Baz $Bar");
	ck_assert_str_eq(msg_kws(dest, 1), "Foo Baz");
	ck_assert_str_eq(msg_kws(dest, 2), "Foo $Bar");
	mailbox_close(&dest);
	mail_user_unref(&user);
}
END_TEST

/* before's file with "NewName" added to X-IMAPbase, paid for by 8 spaces
   of X-Keywords' padding (the file keeps its size). */
static const char *expect_imapbase_grown(const char *before)
{
	static const char old_base[] = " 0000000001 Foo\n";
	const char *base = strstr(before, old_base);
	const char *kw = strstr(before, "\nX-Keywords: Foo ");
	const char *kw_end, *p;
	struct str *s = t_str_new(512);

	ck_assert(base != NULL && kw != NULL && base < kw);
	kw_end = strchr(kw + 1, '\n');
	ck_assert(kw_end != NULL && kw_end - kw > 16 + 8);
	ck_assert(memcmp(kw_end - 8, "        ", 8) == 0);
	str_append_n(s, before, (size_t)(base - before));
	str_append(s, " 0000000001 Foo NewName\n");
	p = base + strlen(old_base);
	str_append_n(s, p, (size_t)(kw_end - 8 - p));
	str_append(s, kw_end);
	return str_c(s);
}

START_TEST(test_kw_append_imapbase_first)
{
	static const char *const kw1[] = { "Foo", NULL };
	static const char *const kw2[] = { "NewName", NULL };
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	struct mail_save_data data = { 0, kw2, 1600000000 };
	struct mailbox_transaction *t;
	struct mail_save_context *ctx;
	struct mail_transaction_commit_result result;
	const char *before;

	save_kw(box, "Subject: x\n\nbody\n", kw1);
	before = tmp_strdup(inbox());
	/* Dovecot drops X-Keywords names that X-IMAPbase lacks: the list is
	   written before the message (here the append itself fails) */
	setenv("DL_MBOX_TEST_APPEND_FAIL", "10:enospc", 1);
	t = mailbox_transaction_begin(box);
	ctx = mailbox_save_begin(t, &data);
	ck_assert(ctx != NULL);
	ck_assert_int_eq(mailbox_save_write(ctx, "Subject: y\n\nb\n", 14), 0);
	ck_assert_int_eq(mailbox_save_finish(&ctx), 0);
	ck_assert_int_eq(mailbox_transaction_commit(&t, tmp_pool, &result), -1);
	unsetenv("DL_MBOX_TEST_APPEND_FAIL");
	ck_assert_ptr_nonnull(strstr(inbox(), " 0000000001 Foo NewName\n"));
	ck_assert_uint_eq(strlen(inbox()), strlen(before));
	ck_assert_str_eq(inbox(), expect_imapbase_grown(before));
	ck_assert_ptr_null(strstr(inbox(), "Subject: y"));
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Words of an X-Keywords/X-IMAPbase value that must survive any rewrite. */
static bool is_word_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does file hold word as a whole word (k3 doesn't match inside k30)? */
static bool file_has_word(const char *file, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = strstr(file, word); p != NULL; p = strstr(p + 1, word)) {
		if ((p == file || is_word_sep(p[-1])) &&
		    (p[len] == '\0' || is_word_sep(p[len])))
			return true;
	}
	return false;
}

static void assert_words_kept(const char *file, const char *list)
{
	char *copy = p_strdup(tmp_pool, list), *p;

	for (p = strtok(copy, " "); p != NULL; p = strtok(NULL, " "))
		ck_assert_msg(file_has_word(file, p), "lost %s", p);
}

START_TEST(test_kw_malformed)
{
	struct mail_user *user = mbox_user_create();
	struct str *base = t_str_new(8192), *kws = t_str_new(8192);
	struct str *data = t_str_new(32768);
	struct mailbox *box;
	const char *f, *line;
	unsigned int i, count;

	/* the checker itself: whole words only */
	ck_assert(!file_has_word("X-Keywords: k30 k31\n", "k3"));
	ck_assert(file_has_word("X-Keywords: k30 k3\n", "k3"));
	ck_assert(file_has_word("k3", "k3"));

	/* 300 names (over the limit of 128), an overlong one, control
	   characters, specials; an empty X-Keywords on another message */
	for (i = 0; i < 300; i++)
		str_printfa(base, "%sk%u", i > 0 ? " " : "", i);
	str_append(base, " \x01" "ctl (paren) back\\slash ");
	for (i = 0; i < 300; i++)
		str_append_c(base, 'L');
	for (i = 0; i < 200; i += 3)
		str_printfa(kws, "k%u x%u ", i, i);
	str_append(kws, "\x02" "odd k299");
	str_printfa(data, "From a@b  Thu Nov  9 22:33:52 2001\n"
		    "X-IMAPbase: 1795461175 0000000003 %s\n"
		    "X-UID: 1\nStatus: O\nX-Keywords: %s\n\na\n\n"
		    "From a@b  Thu Nov  9 22:33:53 2001\n"
		    "X-UID: 2\nStatus: O\nX-Keywords:\n\nb\n\n"
		    "From a@b  Thu Nov  9 22:33:54 2001\n"
		    "X-UID: 3\nStatus: O\nX-Keywords: \t \n\tx\n\nc\n\n",
		    str_c(base), str_c(kws));
	mbox_write_file(mbox_inbox_path(), str_c(data), str_len(data));
	box = mbox_box_open(user, 0);
	(void)mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, MAILBOX_MAX_KEYWORDS);
	ck_assert_str_eq(msg_kws(box, 2), "");
	ck_assert_str_eq(msg_kws(box, 3), "");
	ck_assert(mail_keywords_has(mail_get_keywords(box, 1), 0));
	ck_assert(mail_keywords_has(mail_get_keywords(box, 1), 126));
	/* force rewrites of every message */
	for (i = 1; i <= 3; i++)
		ck_assert_int_eq(mail_update_flags(box, i, MODIFY_ADD,
			MAIL_SEEN | MAIL_FLAGGED | MAIL_ANSWERED, NULL), 0);
	store_kws(box, 1, MODIFY_REMOVE, "k3");
	mailbox_close(&box);
	f = inbox();
	assert_words_kept(f, str_c(base));
	ck_assert_ptr_nonnull(strstr(f, "X-UID: 1\nStatus: RO\n"
				     "X-Status: AF\nX-Keywords: k0 k6 "));
	line = strstr(f, "X-Keywords: k0 ");
	ck_assert_ptr_nonnull(line);
	/* with a space at the end, " k3 " also finds a last word */
	line = tmp_strconcat(tmp_strndup(line, (size_t)(strchr(line, '\n') -
							 line)), " ", NULL);
	ck_assert_ptr_null(strstr(line, " k3 "));
	ck_assert_ptr_nonnull(strstr(line, " k6 "));
	assert_words_kept(f, "x0 x3 k201 k297 k299 \x02odd");
	box = mbox_box_open(user, 0);
	ck_assert_uint_eq(mailbox_get_messages_count(box), 3);
	ck_assert_str_eq(mbox_msg_text(box, 3), "\r\nc\r\n");
	ck_assert_str_eq(mbox_msg_text(box, 1), "\r\na\r\n");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_kw_words)
{
	static const char hdr[] =
		"X-Keywords: a  b\n\tc \r\n"
		"Subject: s\n"
		"x-keywords: d\t\n\n";
	struct mbox_header_info info;
	const char *word;
	size_t pos = 0, len;
	struct str *str = t_str_new(64);

	/* several X-Keywords fields: all their words */
	mbox_headers_parse((const unsigned char *)hdr, strlen(hdr), false,
			   tmp_pool, &info);
	while (mbox_keywords_next(info.keywords, &pos, &word, &len))
		str_printfa(str, "[%.*s]", (int)len, word);
	ck_assert_str_eq(str_c(str), "[a][b][c][d]");
	pos = 0;
	ck_assert(!mbox_keywords_next(NULL, &pos, &word, &len));
	ck_assert(!mbox_keywords_next(" \t\r\n", &pos, &word, &len));

	ck_assert(mbox_keyword_name_ok("$Junk", 5));
	ck_assert(mbox_keyword_name_ok("a.b-c_d", 7));
	ck_assert(!mbox_keyword_name_ok("", 0));
	ck_assert(!mbox_keyword_name_ok("a(b", 3));
	ck_assert(!mbox_keyword_name_ok("\\Seen", 5));
	ck_assert(!mbox_keyword_name_ok("a\x01", 2));
	ck_assert(!mbox_keyword_name_ok("a\x80", 2));
	ck_assert(!mbox_keyword_name_ok("a]", 2));
	ck_assert(!mbox_keyword_name_ok("a\0b", 3));
	char *long_name = p_malloc(tmp_pool, MBOX_KEYWORD_MAX_LEN + 2);
	memset(long_name, 'x', MBOX_KEYWORD_MAX_LEN + 1);
	ck_assert(mbox_keyword_name_ok(long_name, MBOX_KEYWORD_MAX_LEN));
	ck_assert(!mbox_keyword_name_ok(long_name, MBOX_KEYWORD_MAX_LEN + 1));
}
END_TEST

/* --- kill -9 during a keyword rewrite (see test-mbox-crash.c) --- */

#define CRASH_MSGS 4

static void crash_child(int points)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mail_keywords kw;
	const char *names[] = { "Important", "AVeryLongKeywordName1",
				"AVeryLongKeywordName2" };

	setenv("DL_MBOX_TEST_CRASH_AFTER", tmp_printf("%d", points), 1);
	user = mbox_user_create();
	box = mbox_box_open(user, 0);
	/* no padding in the first message: a tail rewrite */
	if (mailbox_keywords_create(box, names, 3, true, &kw) < 0 ||
	    mail_update_flags(box, 1, MODIFY_ADD, 0, &kw) < 0)
		_exit(2);
	mailbox_close(&box);
	mail_user_unref(&user);
	_exit(0);
}

static bool crash_verify(void)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, 0);
	uint32_t seq;
	bool done;

	ck_assert_uint_eq(mailbox_get_messages_count(box), CRASH_MSGS);
	done = strcmp(msg_kws(box, 1), "Important AVeryLongKeywordName1 "
		      "AVeryLongKeywordName2") == 0;
	if (!done)
		ck_assert_str_eq(msg_kws(box, 1), "");
	for (seq = 1; seq <= CRASH_MSGS; seq++) {
		ck_assert_uint_eq(mailbox_seq_to_uid(box, seq), seq);
		ck_assert_str_eq(msg_kws(box, seq), seq == 1 && done ?
			"Important AVeryLongKeywordName1 AVeryLongKeywordName2" :
			"");
		struct str *want = t_str_new(16384);
		const char *p = tmp_printf("Subject: %u\n\n%s", seq,
					   mbox_crash_body(seq - 1));
		for (; *p != '\0'; p++) {
			if (*p == '\n')
				str_append_c(want, '\r');
			str_append_c(want, *p);
		}
		ck_assert_str_eq(mbox_msg_text(box, seq), str_c(want));
	}
	mailbox_close(&box);
	mail_user_unref(&user);
	return done;
}

START_TEST(test_kw_crash)
{
	struct str *str = t_str_new(65536);
	const char *orig;
	unsigned int i;
	int points, status;
	bool finished = false;
	pid_t pid;

	for (i = 0; i < CRASH_MSGS; i++) {
		str_printfa(str, "From a@b Thu Nov  9 22:33:5%u 2001\n"
			    "Subject: %u\n", i, i + 1);
		if (i == 0)
			str_append(str, "X-IMAPbase: 1795461175 0000000004\n");
		str_printfa(str, "X-UID: %u\nStatus: O\nX-Keywords:%s\n"
			    "\n%s\n", i + 1, i == 0 ? "" : PAD30,
			    mbox_crash_body(i));
	}
	orig = tmp_strdup(str_c(str));
	for (points = 0; points < 400 && !finished; points++) {
		mbox_write_file(mbox_inbox_path(), orig, strlen(orig));
		pid = fork();
		ck_assert(pid >= 0);
		if (pid == 0)
			crash_child(points);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 0 ||
			      WEXITSTATUS(status) == 99, "exit %d",
			      WEXITSTATUS(status));
		finished = WEXITSTATUS(status) == 0;
		ck_assert(crash_verify() || !finished);
	}
	ck_assert_msg(finished, "never finished within %d writes", points);
	ck_assert_int_gt(points, 3);
}
END_TEST

Suite *test_mbox_keywords_suite(void)
{
	Suite *s = suite_create("mbox-keywords");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, mbox_setup, mbox_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kw_dovecot_file);
	tcase_add_test(tc, test_kw_store_in_place);
	tcase_add_test(tc, test_kw_store_rewrite);
	tcase_add_test(tc, test_kw_other_session);
	tcase_add_test(tc, test_kw_external_change);
	tcase_add_test(tc, test_kw_append_copy);
	tcase_add_test(tc, test_kw_append_imapbase_first);
	tcase_add_test(tc, test_kw_malformed);
	tcase_add_test(tc, test_kw_words);
	tcase_add_test(tc, test_kw_crash);
	suite_add_tcase(s, tc);
	return s;
}
