/* Copyright (c) dovecot-like authors. Tests for mbox-parse.c: message
   boundaries (strict From_ lines, Content-Length, CRLF, truncation) and the
   UID trust rules. */
#include "lib.h"
#include "mbox-parse.h"
#include "test-mbox.h"

#define SP72 "                                                                        "

/* the reference's two-delivery example, byte-exact */
static const char dovecot_two[] =
	"From x@example.org  Mon Nov 23 19:12:55 2026\n"
	"From: x@example.org\nTo: alice@example.com\nSubject: lda test\n"
	"X-IMAPbase: 1795461175 0000000002\nX-UID: 1\nStatus: \n"
	"X-Keywords:" SP72 "\nContent-Length: 34\n\n"
	"line1\nFrom the start\n>From quoted\n\n"
	"From MAILER-DAEMON  Mon Nov 23 19:12:55 2026\n"
	"From: x@example.org\nTo: alice@example.com\nSubject: lda test\n"
	"X-UID: 2\nStatus: \n"
	"X-Keywords:" SP72 "\nContent-Length: 34\n\n"
	"line1\nFrom the start\n>From quoted\n\n";

static struct mbox_parsed parse(const char *data, size_t len, int ret)
{
	struct mbox_parsed parsed;
	const char *error = NULL;

	ck_assert_int_eq(mbox_parse_data((const unsigned char *)data, len,
					 tmp_pool, &parsed, &error), ret);
	return parsed;
}

static const char *body(const char *data, const struct mbox_rec *rec)
{
	return tmp_strndup(data + rec->body_offset,
			   (size_t)(rec->body_end - rec->body_offset));
}

START_TEST(test_parse_dovecot)
{
	struct mbox_parsed p = parse(dovecot_two, strlen(dovecot_two), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert(!p.dirty);
	ck_assert_uint_eq(p.uidvalidity, 1795461175);
	ck_assert_uint_eq(p.next_uid, 3);
	ck_assert_uint_eq(recs[0].uid, 1);
	ck_assert_uint_eq(recs[1].uid, 2);
	ck_assert_str_eq(body(dovecot_two, &recs[0]),
			 "line1\nFrom the start\n>From quoted\n");
	ck_assert_str_eq(body(dovecot_two, &recs[1]),
			 "line1\nFrom the start\n>From quoted\n");
	ck_assert(!recs[0].cl_missing && !recs[1].cl_missing);
	ck_assert_int_eq((long long)recs[0].received, 1795461175);
	ck_assert_uint_eq(recs[1].next_offset, strlen(dovecot_two));
}
END_TEST

START_TEST(test_parse_from_in_body)
{
	/* no Content-Length: only a From_ line with a date splits */
	static const char data[] =
		"From a@b Thu Nov  9 22:33:52 2001\nSubject: 1\n\n"
		"From here on\nFrom me\n\n"
		"From a@b Thu Nov  9 22:33:53 2001\nSubject: 2\n\nx\n";
	struct mbox_parsed p = parse(data, strlen(data), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(body(data, &recs[0]), "From here on\nFrom me\n");
	ck_assert_str_eq(body(data, &recs[1]), "x");	/* last LF: separator */
	ck_assert(p.dirty);	/* no X-IMAPbase / X-UID */
	ck_assert_uint_eq(recs[0].uid, 1);
	ck_assert_uint_eq(recs[1].uid, 2);
	ck_assert(recs[0].uid_new && recs[1].uid_new);
}
END_TEST

START_TEST(test_parse_content_length)
{
	/* a valid From_ line inside the body is protected by Content-Length */
	static const char data[] =
		"From a@b Thu Nov  9 22:33:52 2001\nContent-Length: 37\n\n"
		"a\n\nFrom x@y Thu Nov  9 22:33:52 2001\n\n"
		"From a@b Thu Nov  9 22:33:53 2001\n\nz\n";
	/* a wrong Content-Length falls back to scanning */
	static const char bad[] =
		"From a@b Thu Nov  9 22:33:52 2001\nContent-Length: 5\n\n"
		"abc\nFrom x@y Thu Nov  9 22:33:52 2001\n\nq\n";
	struct mbox_parsed p = parse(data, strlen(data), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(body(data, &recs[0]),
			 "a\n\nFrom x@y Thu Nov  9 22:33:52 2001\n");
	ck_assert_str_eq(body(data, &recs[1]), "z");

	p = parse(bad, strlen(bad), 0);
	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert(recs[0].cl_missing);
	ck_assert_str_eq(body(bad, &recs[0]), "abc");
	ck_assert_str_eq(body(bad, &recs[1]), "q");
}
END_TEST

START_TEST(test_parse_crlf)
{
	static const char data[] =
		"From a@b Thu Nov  9 22:33:52 2001\r\nSubject: 1\r\n\r\n"
		"body1\r\n\r\n"
		"From a@b Thu Nov  9 22:33:53 2001\r\nSubject: 2\r\n\r\n"
		"body2\r\n";
	struct mbox_parsed p = parse(data, strlen(data), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert(recs[0].crlf && recs[1].crlf);
	ck_assert_str_eq(body(data, &recs[0]), "body1\r\n");
	ck_assert_str_eq(body(data, &recs[1]), "body2");
	ck_assert_str_eq(tmp_strndup(data + recs[1].hdr_offset,
			 (size_t)(recs[1].hdr_end - recs[1].hdr_offset)),
			 "Subject: 2\r\n");
}
END_TEST

START_TEST(test_parse_empty_and_bad)
{
	struct mbox_parsed p = parse("", 0, 0);
	const struct mbox_rec *rec;

	ck_assert_uint_eq(array_count(&p.recs), 0);
	(void)parse("Subject: x\n\nbody\n", 17, -1);
	(void)parse("From here on\n", 13, -1);
	(void)parse("\nFrom a@b Thu Nov  9 22:33:52 2001\n", 35, -1);

	/* truncated last message: header without end, then nothing */
	p = parse("From a@b Thu Nov  9 22:33:52 2001\nSubject: x", 44, 0);
	ck_assert_uint_eq(array_count(&p.recs), 1);
	rec = array_idx(&p.recs, 0);
	ck_assert_uint_eq(rec->body_offset, 44);
	ck_assert_uint_eq(rec->body_end, 44);
	/* a From_ line alone */
	p = parse("From a@b Thu Nov  9 22:33:52 2001", 33, 0);
	ck_assert_uint_eq(array_count(&p.recs), 1);
	/* header interrupted by the next message */
	p = parse("From a@b Thu Nov  9 22:33:52 2001\nSubject: x\n"
		  "From a@b Thu Nov  9 22:33:52 2001\n\nb\n", 82, 0);
	ck_assert_uint_eq(array_count(&p.recs), 2);
}
END_TEST

START_TEST(test_parse_uid_rules)
{
	/* X-UIDs must increase and be below X-IMAPbase's next uid; a forged
	   big X-UID gets a new uid */
	static const char data[] =
		"From a@b Thu Nov  9 22:33:52 2001\n"
		"X-IMAPbase: 77 0000000010\nX-UID: 3\n\n\n"
		"From a@b Thu Nov  9 22:33:52 2001\nX-UID: 2\n\n\n"
		"From a@b Thu Nov  9 22:33:52 2001\nX-UID: 5\n\n\n"
		"From a@b Thu Nov  9 22:33:52 2001\nX-UID: 500\n\n\n"
		"From a@b Thu Nov  9 22:33:52 2001\nX-UID: 11\n\n";
	struct mbox_parsed p = parse(data, strlen(data), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 5);
	ck_assert_uint_eq(p.uidvalidity, 77);
	ck_assert_uint_eq(recs[0].uid, 3);
	ck_assert_uint_eq(recs[1].uid, 11);	/* 2 < 3: new */
	ck_assert(recs[1].uid_new);
	ck_assert_uint_eq(recs[2].uid, 12);	/* 5 < 11: new */
	ck_assert_uint_eq(recs[3].uid, 13);	/* forged 500 */
	ck_assert_uint_eq(recs[4].uid, 14);	/* 11 < 13 */
	ck_assert_uint_eq(p.next_uid, 15);
	ck_assert(p.dirty);
}
END_TEST

START_TEST(test_parse_pseudo)
{
	static const char data[] =
		"From MAILER_DAEMON  Mon Nov 23 19:13:12 2026\n"
		"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
		"X-IMAP: 1795461175 0000000003\nStatus: RO\n\ntext\n\n"
		"From a@b Thu Nov  9 22:33:52 2001\nX-UID: 3\n\nx\n";
	struct mbox_parsed p = parse(data, strlen(data), 0);
	const struct mbox_rec *recs;
	unsigned int count;

	recs = array_get(&p.recs, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert(recs[0].pseudo);
	ck_assert_uint_eq(p.uidvalidity, 1795461175);
	ck_assert_uint_eq(recs[1].uid, 3);
	ck_assert(!recs[1].uid_new);
	ck_assert_uint_eq(p.next_uid, 4);
}
END_TEST

Suite *test_mbox_parse_suite(void)
{
	Suite *s = suite_create("mbox-parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_dovecot);
	tcase_add_test(tc, test_parse_from_in_body);
	tcase_add_test(tc, test_parse_content_length);
	tcase_add_test(tc, test_parse_crlf);
	tcase_add_test(tc, test_parse_empty_and_bad);
	tcase_add_test(tc, test_parse_uid_rules);
	tcase_add_test(tc, test_parse_pseudo);
	suite_add_tcase(s, tc);
	return s;
}
