/* Copyright (c) dovecot-like authors. test-mail-cache-fields.c: ENVELOPE,
   BODY and BODYSTRUCTURE through mail_get_fetch_fields() (mail-fetch-cache.c)
   on Maildir: parsed the first time, from the cache file in the next
   session (proved by changing the message file's content behind its
   back: Maildir files never change), only the fields clients
   asked for are kept (and mail_never/always_cache_fields hold), BODY is
   derived from a cached BODYSTRUCTURE, header fields are answered from
   their cached lines in header order, a
   damaged cache file or record falls back to parsing; and the sanity check
   every cached value passes before it reaches a client. */

#include "lib.h"
#include "mempool.h"
#include "strfuncs.h"
#include "buffer.h"
#include "str.h"
#include "mail-fetch-cache.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#define MSG_FNAME "1700000001.M1P1.host:2,S"
#define MSG_TEXT \
	"From: Anna <anna@example.org>\n" \
	"Subject: cached hello\n" \
	"Content-Type: multipart/mixed; boundary=\"b\"\n\n" \
	"--b\nContent-Type: text/plain; charset=utf-8\n\nhi\n" \
	"--b\nContent-Type: application/pdf; name=\"x.pdf\"\n" \
	"Content-Transfer-Encoding: base64\n\nJVBERi0x\n--b--\n"
#define EXP_ENVELOPE \
	"(NIL \"cached hello\" ((\"Anna\" NIL \"anna\" \"example.org\")) " \
	"((\"Anna\" NIL \"anna\" \"example.org\")) " \
	"((\"Anna\" NIL \"anna\" \"example.org\")) NIL NIL NIL NIL NIL)"
#define EXP_BODY \
	"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0)" \
	"(\"application\" \"pdf\" (\"name\" \"x.pdf\") NIL NIL \"base64\" 8) " \
	"\"mixed\")"
#define EXP_BODYSTRUCTURE \
	"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0 " \
	"NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"x.pdf\") NIL " \
	"NIL \"base64\" 8 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") " \
	"NIL NIL NIL)"

#define ALL_FIELDS \
	(MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE) | \
	 MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY) | \
	 MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODYSTRUCTURE))

static struct pool *pool;

static void fields_setup(void)
{
	setup();
	pool = pool_create("test fetch cache", 1024, POOL_FLAG_NONE);
	mkdirs(maildir);
	deliver("cur", MSG_FNAME, MSG_TEXT);
}

static void fields_teardown(void)
{
	pool_unref(&pool);
	teardown();
}

static void get_fields(struct mailbox *box, unsigned int want,
		       struct mail_fetch_cache_result *result_r)
{
	ck_assert_int_eq(mail_get_fetch_fields(box, 1, want, pool, result_r), 0);
}

static void session_fetch(struct mail_user *user, unsigned int want,
			  bool expect_parse)
{
	struct mailbox *box = box_open(user, 0);
	struct mail_fetch_cache_result result;

	get_fields(box, want, &result);
	ck_assert(expect_parse ? result.parts != NULL : result.parts == NULL);
	mailbox_close(&box);
}

#define OTHER_TEXT "Subject: other\n\nx\n"
#define OTHER_ENVELOPE "(NIL \"other\" NIL NIL NIL NIL NIL NIL NIL NIL)"

/* Gives the message other content under the same name. */
static void replace_msg(void)
{
	write_path(tmp_strconcat(maildir, "/cur/" MSG_FNAME, NULL), OTHER_TEXT);
}

static const char *cache_path(void)
{
	return tmp_strconcat(maildir, "/dovecot-like.index.cache", NULL);
}

/* The cache file's bytes (binary, NUL-terminated for convenience) and
   size; "" if there is none. */
static const char *cache_file(size_t *size_r)
{
	struct stat st;
	char *data;
	int fd = open(cache_path(), O_RDONLY);

	*size_r = 0;
	if (fd < 0)
		return "";
	ck_assert_int_eq(fstat(fd, &st), 0);
	data = p_malloc(pool, (size_t)st.st_size + 1);
	ck_assert_int_eq(read(fd, data, (size_t)st.st_size), st.st_size);
	ck_assert_int_eq(close(fd), 0);
	*size_r = (size_t)st.st_size;
	return data;
}

static bool mem_has(const char *hay, size_t hay_len, const char *needle)
{
	return memmem(hay, hay_len, needle, strlen(needle)) != NULL;
}

START_TEST(test_fields_parsed_then_cached)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_fetch_cache_result result;
	struct mailbox *box;

	box = box_open(user, 0);
	get_fields(box, ALL_FIELDS, &result);
	ck_assert_ptr_nonnull(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 EXP_ENVELOPE);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODY], EXP_BODY);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODYSTRUCTURE],
			 EXP_BODYSTRUCTURE);
	mailbox_close(&box);

	/* the next session answers from the cache: the file isn't read */
	replace_msg();
	box = box_open(user, 0);
	get_fields(box, ALL_FIELDS, &result);
	ck_assert_ptr_null(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 EXP_ENVELOPE);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODY], EXP_BODY);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODYSTRUCTURE],
			 EXP_BODYSTRUCTURE);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_only_wanted_fields_kept)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_fetch_cache_result result;
	struct mailbox *box;
	const char *data;
	size_t size;

	session_fetch(user, MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODYSTRUCTURE),
		      true);
	data = cache_file(&size);
	ck_assert(mem_has(data, size, "\"boundary\" \"b\""));
	/* nobody asked for ENVELOPE: the subject isn't in the file */
	ck_assert(!mem_has(data, size, "cached hello"));

	/* BODY comes from the cached BODYSTRUCTURE, without the message */
	replace_msg();
	box = box_open(user, 0);
	get_fields(box, MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY), &result);
	ck_assert_ptr_null(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODY], EXP_BODY);
	ck_assert_ptr_null(result.values[MAIL_FETCH_CACHE_ENVELOPE]);
	ck_assert_ptr_null(result.values[MAIL_FETCH_CACHE_BODYSTRUCTURE]);
	/* ENVELOPE isn't cached: it comes from the (new) content */
	get_fields(box, MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE),
		   &result);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 OTHER_ENVELOPE);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_corrupt_cache_file_reparsed)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_fetch_cache_result result;
	struct mailbox *box;
	size_t size;
	int fd;

	session_fetch(user, ALL_FIELDS, true);
	(void)cache_file(&size);
	ck_assert_uint_gt(size, 0);
	/* garbage over the header: dropped, parsed again, written anew */
	fd = open(cache_path(), O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "garbage garbage garbage garbage", 31, 0),
			 31);
	ck_assert_int_eq(close(fd), 0);
	box = box_open(user, 0);
	get_fields(box, ALL_FIELDS, &result);
	ck_assert_ptr_nonnull(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 EXP_ENVELOPE);
	mailbox_close(&box);
	ck_assert(memcmp(cache_file(&size), "CMCH", 4) == 0);
	session_fetch(user, ALL_FIELDS, false);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_damaged_record_value_reparsed)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mail_fetch_cache_result result;
	struct mailbox *box;
	const char *data, *pos;
	size_t size;
	int fd;

	session_fetch(user, MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE),
		      false);
	/* a CR LF in the middle of the cached envelope (not after a
	   literal's {n}) would break the protocol stream: refused */
	data = cache_file(&size);
	pos = memmem(data, size, "cached hello", 12);
	ck_assert_ptr_nonnull(pos);
	fd = open(cache_path(), O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "\r\n", 2, pos - data + 6), 2);
	ck_assert_int_eq(close(fd), 0);
	box = box_open(user, 0);
	get_fields(box, MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE),
		   &result);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_ENVELOPE],
			 EXP_ENVELOPE);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* mail_never_cache_fields wins over a client's wish; a FORCED decision
   can't be changed by lookups. */
START_TEST(test_cache_field_settings)
{
	struct mail_user_settings set = {
		.username = "tester", .home = home,
		.mail_location = "maildir:~/Maildir",
		.uid = getuid(), .gid = getgid(),
		.never_cache_fields = "imap.body, IMAP.ENVELOPE",
		.always_cache_fields = "imap.bodystructure",
	};
	struct mail_user *user;
	const char *error, *data;
	size_t size;

	ck_assert_int_eq(mail_user_create(&set, &user, &error), 0);
	session_fetch(user, ALL_FIELDS, true);
	data = cache_file(&size);
	ck_assert(mem_has(data, size, "\"boundary\" \"b\""));
	/* the envelope's subject (quoted; the header line list
	   "Subject: cached hello" is another field) */
	ck_assert(!mem_has(data, size, "\"cached hello\""));
	ck_assert(!mem_has(data, size, "\"mixed\")"));	/* BODY's end */
	/* and they stay uncached in later sessions (BODY is derived from
	   the cached BODYSTRUCTURE: no parse) */
	session_fetch(user, ALL_FIELDS, false);
	data = cache_file(&size);
	ck_assert(!mem_has(data, size, "\"cached hello\""));
	mail_user_unref(&user);
}
END_TEST

#define HDR_MSG_FNAME "1700000002.M2P1.host:2,S"
#define HDR_MSG \
	"From: a@b\nSubject: one\nX-A: 1\n  cont\nTo: c@d\nSubject: two\n\nbody\n"
#define HDR_EXPECTED \
	"Subject: one\r\nX-A: 1\r\n  cont\r\nSubject: two\r\n\r\n"

static const char *header_fields(struct mailbox *box, const char *const *names,
				 size_t max_size)
{
	struct buf *buf;

	ck_assert_int_eq(mail_get_header_fields(box, 2, names, max_size, pool,
						&buf), 0);
	return p_strndup(pool, buf->data, buf->used);
}

static void hdr_session(struct mail_user *user, const char *const *names,
			const char *expected)
{
	struct mailbox *box = box_open(user, 0);

	ck_assert_str_eq(header_fields(box, names, 1024 * 1024), expected);
	mailbox_close(&box);
}

START_TEST(test_header_fields_cached)
{
	static const char *const names[] = { "subject", "X-A", "X-Missing",
					      "SUBJECT", NULL };
	static const char *const with_from[] = { "From", "Subject", NULL };
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;

	deliver("cur", HDR_MSG_FNAME, HDR_MSG);
	hdr_session(user, names, HDR_EXPECTED);
	/* changed behind the server's back: all three fields (X-Missing as
	   absent) come from the cache, in header order */
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\n\nx\n");
	hdr_session(user, names, HDR_EXPECTED);
	box = box_open(user, 0);
	/* cut at max_size the same way */
	ck_assert_str_eq(header_fields(box, names, 20), "Subject: one\r\nX-A: 1");
	/* From isn't cached: the whole answer is read from the message */
	ck_assert_str_eq(header_fields(box, with_from, 1024),
			 "Subject: new\r\n\r\n");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_header_fields_damaged)
{
	static const char *const names[] = { "Subject", NULL };
	struct mail_user *user = user_create("maildir:~/Maildir");
	const char *data, *pos;
	uint32_t huge = 0x7fffffff;
	size_t size;
	int fd;

	deliver("cur", HDR_MSG_FNAME, HDR_MSG);
	hdr_session(user, names, "Subject: one\r\nSubject: two\r\n\r\n");
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\n\nx\n");
	/* a line length pointing past the record: not trusted */
	data = cache_file(&size);
	pos = memmem(data, size, "Subject: two", 12);
	ck_assert_ptr_nonnull(pos);
	fd = open(cache_path(), O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, &huge, 4, pos - data - 4), 4);
	ck_assert_int_eq(close(fd), 0);
	hdr_session(user, names, "Subject: new\r\n\r\n");
	mail_user_unref(&user);
}
END_TEST

#define FIRST_MSG \
	"Subject : one\n  two\n\tthree\nX-A:\n  folded-empty\n" \
	"Subject: second\nX-B:  plain  \nX-C: a\nX-C: b\n" \
	"X-D: a\rb\nX-E: e\nX-F:\nFrom: x@y\n\nbody\n"

/* One session's mail_get_first_header_values() of message 2, each value
   as "<value>" or "(nil)". */
static void first_values_session(struct mail_user *user,
				 const char *const *names, unsigned int count,
				 const char *const *expected)
{
	struct mailbox *box = box_open(user, 0);
	const unsigned char *values[8];
	size_t lens[8];
	unsigned int i;

	ck_assert_uint_le(count, N_ELEMENTS(values));
	ck_assert_int_eq(mail_get_first_header_values(box, 2, names, count,
						      1024 * 1024, pool,
						      values, lens), 0);
	for (i = 0; i < count; i++) {
		if (expected[i] == NULL) {
			ck_assert_ptr_null(values[i]);
			ck_assert_uint_eq(lens[i], 0);
			continue;
		}
		ck_assert_ptr_nonnull(values[i]);
		ck_assert_uint_eq(lens[i], strlen(expected[i]));
		ck_assert(memcmp(values[i], expected[i], lens[i]) == 0);
	}
	mailbox_close(&box);
}

/* The first values are the same whether the header is parsed or they
   come from the cached line lists (folded, spaces before the colon,
   repeated, CR inside, empty, missing). */
START_TEST(test_first_values_cached)
{
	static const char *const names[] = {
		"subject", "X-A", "X-B", "X-C", "X-D", "X-Missing", "X-F",
		"x-e"
	};
	static const char *const expected[] = {
		"one  two\tthree", "  folded-empty", "plain  ", "a", "a\rb",
		NULL, "", "e"
	};
	struct mail_user *user = user_create("maildir:~/Maildir");

	deliver("cur", HDR_MSG_FNAME, FIRST_MSG);
	first_values_session(user, names, N_ELEMENTS(names), expected);
	/* the next sessions read the cache: the file's new content shows
	   only where a field isn't cached */
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\n\nx\n");
	first_values_session(user, names, N_ELEMENTS(names), expected);
	/* without the field with a CR (the parser's case) */
	first_values_session(user, names, 4, expected);
	first_values_session(user, names + 5, 3, expected + 5);
	mail_user_unref(&user);
}
END_TEST

#define ENV_MSG \
	"Date: Mon, 23 Nov 2026 10:00:00 +0100\nSubject: env one\n" \
	"X-Other: o\nReferences: <a@b>\n <c@d>\nSubject: env two\n" \
	"To: t@u\nMessage-ID: <m@n>\n\nbody\n"

static const char *const env_names[] = {
	"Subject", "References", "Date", "Message-ID", "In-Reply-To", NULL
};
#define ENV_FIELDS_EXPECTED \
	"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nSubject: env one\r\n" \
	"References: <a@b>\r\n <c@d>\r\nSubject: env two\r\n" \
	"Message-ID: <m@n>\r\n\r\n"

/* Delivers text as message 2 and fetches its ENVELOPE in a session. */
static void env_fetch_session(struct mail_user *user, const char *text)
{
	struct mail_fetch_cache_result result;
	struct mailbox *box;

	deliver("cur", HDR_MSG_FNAME, text);
	box = box_open(user, 0);
	ck_assert_int_eq(mail_get_fetch_fields(box, 2,
		MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE), pool,
		&result), 0);
	mailbox_close(&box);
}

/* An ENVELOPE parse offers the line lists of the envelope's fields and
   References: the next session's header fields and first values (SEARCH,
   SORT, THREAD) come from the cache, exactly as a header read gives
   them; a field the envelope doesn't read (X-Other) isn't cached. */
START_TEST(test_envelope_caches_header_lists)
{
	static const char *const first[] = {
		"Message-ID", "In-Reply-To", "References", "Subject", "Date"
	};
	static const char *const first_expected[] = {
		"<m@n>", NULL, "<a@b> <c@d>", "env one",
		"Mon, 23 Nov 2026 10:00:00 +0100"
	};
	static const char *const other[] = { "X-Other", NULL };
	struct mail_user *user = user_create("maildir:~/Maildir");
	const char *data;
	size_t size;

	env_fetch_session(user, ENV_MSG);
	data = cache_file(&size);
	ck_assert(mem_has(data, size, "References: <a@b>\r\n"));
	ck_assert(!mem_has(data, size, "X-Other"));
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\nX-Other: new\n\nx\n");
	hdr_session(user, env_names, ENV_FIELDS_EXPECTED);
	first_values_session(user, first, N_ELEMENTS(first), first_expected);
	/* not cached: from the message's new content */
	hdr_session(user, other, "X-Other: new\r\n\r\n");
	mail_user_unref(&user);
}
END_TEST

/* The same lists as mail_get_header_fields() keeps: a header read after
   a cached ENVELOPE gives the same bytes as one without any cache. */
START_TEST(test_envelope_header_lists_identical)
{
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct mailbox *box;
	const char *plain;

	deliver("cur", HDR_MSG_FNAME, FIRST_MSG);
	box = box_open(user, 0);
	plain = header_fields(box, env_names, 1024 * 1024);
	mailbox_close(&box);
	/* a fresh index: the lists come from the ENVELOPE parse */
	ck_assert_int_eq(unlink(cache_path()), 0);
	env_fetch_session(user, FIRST_MSG);
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\n\nx\n");
	hdr_session(user, env_names, plain);
	mail_user_unref(&user);
}
END_TEST

/* A header the ENVELOPE stops reading (fields starting 256 KiB in) isn't
   seen whole: no list is offered (a Subject after the limit would be
   missing from it). */
START_TEST(test_envelope_long_header_not_offered)
{
	static const char *const subject[] = { "Subject", NULL };
	struct mail_user *user = user_create("maildir:~/Maildir");
	struct str *text = str_new(pool, 300 * 1024);
	unsigned int i;

	str_append(text, "Subject: early\n");
	for (i = 0; i < 3000; i++)
		str_printfa(text, "X-Filler-%u: %0100u\n", i, i);
	str_append(text, "Subject: late\n\nbody\n");
	env_fetch_session(user, str_c(text));
	write_path(tmp_strconcat(maildir, "/cur/" HDR_MSG_FNAME, NULL),
		   "Subject: new\n\nx\n");
	hdr_session(user, subject, "Subject: new\r\n\r\n");
	mail_user_unref(&user);
}
END_TEST

/* The first session on an mbox parses the message (the mbox cache is
   proved in test-mbox-index.c). */
START_TEST(test_mbox_first_fetch_parses)
{
	struct mail_user *user;
	struct mail_fetch_cache_result result;
	struct mailbox *box;
	const char *dir = tmp_strconcat(home, "/mail", NULL);

	mkdirs(dir);
	write_path(tmp_strconcat(dir, "/inbox", NULL),
		   "From a@b Mon Nov 23 10:00:00 2026\n" MSG_TEXT "\n");
	user = user_create("mbox:~/mail:INBOX=~/mail/inbox");
	box = box_open(user, 0);
	get_fields(box, ALL_FIELDS, &result);
	ck_assert_ptr_nonnull(result.parts);
	ck_assert_str_eq(result.values[MAIL_FETCH_CACHE_BODYSTRUCTURE],
			 EXP_BODYSTRUCTURE);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

START_TEST(test_value_sanity)
{
	static const struct {
		const char *value;
		bool sane;
	} cases[] = {
		{ "(NIL)", true },
		{ "(NIL {3}\r\na\rb NIL)", true },	/* CR inside a literal */
		{ "({0}\r\n)", true },
		{ "", false },
		{ "(", false },
		{ "NIL", false },
		{ "(NIL\r\nNIL)", false },
		{ "(NIL \n)", false },
		{ "(NIL {5}\r\nab)", false },		/* literal past the end */
		{ "(NIL {}\r\nab)", false },
		{ "(NIL {99999999999}\r\nab)", false },
		{ "{1}\r\n)", false },			/* not a list */
		{ "(a}\r\nb)", false },
		{ "(\r\n)", false },
		{ "(NIL {3}\r\nab)", false },		/* swallows the ')' */
		{ "(NIL) FLAGS (\\Deleted)", false },	/* items after it */
		{ "(\"{0}\r\n\" {4}\r\nabcd)", false },	/* CR in a quote */
		{ "(\"a\\\"b\" \"c)\" NIL)", true },	/* escapes, ) quoted */
		{ "(\"a\\xb\")", false },		/* bad escape */
		{ "(\"open)", false },
		{ "((NIL)", false },
		{ "(NIL))", false },
		{ "(NIL {2}\r\n)\")", true },		/* a literal holds anything */
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(cases); i++) {
		ck_assert_msg(mail_fetch_cache_value_is_sane(
			(const unsigned char *)cases[i].value,
			strlen(cases[i].value)) == cases[i].sane,
			"case %u: %s", i, cases[i].value);
	}
	/* a NUL anywhere is refused */
	ck_assert(!mail_fetch_cache_value_is_sane(
		(const unsigned char *)"(a\0b)", 5));
}
END_TEST

Suite *test_mail_cache_fields_suite(void)
{
	Suite *s = suite_create("mail-cache-fields");
	TCase *tc = tcase_create("maildir");

	tcase_add_checked_fixture(tc, fields_setup, fields_teardown);
	tcase_add_test(tc, test_fields_parsed_then_cached);
	tcase_add_test(tc, test_only_wanted_fields_kept);
	tcase_add_test(tc, test_corrupt_cache_file_reparsed);
	tcase_add_test(tc, test_damaged_record_value_reparsed);
	tcase_add_test(tc, test_cache_field_settings);
	tcase_add_test(tc, test_header_fields_cached);
	tcase_add_test(tc, test_header_fields_damaged);
	tcase_add_test(tc, test_first_values_cached);
	tcase_add_test(tc, test_envelope_caches_header_lists);
	tcase_add_test(tc, test_envelope_header_lists_identical);
	tcase_add_test(tc, test_envelope_long_header_not_offered);
	tcase_add_test(tc, test_mbox_first_fetch_parses);
	suite_add_tcase(s, tc);
	tc = tcase_create("sanity");
	tcase_add_test(tc, test_value_sanity);
	suite_add_tcase(s, tc);
	return s;
}
