/* Copyright (c) dovecot-like authors. Check suite for IMAP body sections
   (RFC 3501 6.4.5) resolved against real message shapes: every section
   form, partial ranges, nonexistent parts and malformed specs. */

#include "lib.h"
#include "buffer.h"
#include "istream.h"
#include "message-part.h"
#include "imap-msgpart.h"
#include "test-parser.h"

struct test_msg {
	const unsigned char *data;
	size_t size;
	unsigned int opens;
};

static int test_open_stream(void *context, struct istream **input_r)
{
	struct test_msg *msg = context;

	msg->opens++;
	*input_r = istream_create_from_data(msg->data, msg->size);
	return 0;
}

/* The section's bytes, or NULL if the spec doesn't parse. */
static const char *fetch_section(struct test_msg *msg, const char *section,
				 const char *const *fields, uoff_t poffset,
				 uoff_t psize, struct message_part **parts)
{
	struct pool *pool = pool_create("msgpart", 1024, POOL_FLAG_NONE);
	struct imap_msgpart_result result;
	struct imap_msgpart *mp;
	struct buf *out = buf_create(tmp_pool, 256);
	const unsigned char *data;
	const char *error;
	size_t size;

	if (imap_msgpart_parse(pool, section, fields, &mp, &error) < 0) {
		pool_unref(&pool);
		return NULL;
	}
	if (psize > 0) {
		mp->partial = true;
		mp->partial_offset = poffset;
		mp->partial_size = psize;
	}
	ck_assert_int_eq(imap_msgpart_open(mp, msg->size, test_open_stream, msg,
					   tmp_pool, parts, &result), 0);
	if (result.input == NULL) {
		(void)buf_append(out, result.data, (size_t)result.size);
	} else {
		while (out->used < result.size) {
			data = istream_get_data(result.input, &size);
			if (size == 0) {
				ck_assert_int_ne(istream_read(result.input), -1);
				continue;
			}
			size = MIN(size, (size_t)(result.size - out->used));
			(void)buf_append(out, data, size);
			istream_skip(result.input, size);
		}
		istream_unref(&result.input);
	}
	pool_unref(&pool);
	return tmp_strndup(out->data, out->used);
}

static const struct {
	const char *section;
	const char *fields[3];
	uoff_t poffset, psize;
	const char *result;	/* NULL = BAD */
} fwd_tests[] = {
	{ "1", { NULL }, 0, 0, "See below." },
	{ "1.MIME", { NULL }, 0, 0, "Content-Type: text/plain\r\n\r\n" },
	{ "1.HEADER", { NULL }, 0, 0, "" },	/* not message/rfc822 */
	{ "1.TEXT", { NULL }, 0, 0, "" },
	{ "2.MIME", { NULL }, 0, 0, "Content-Type: message/rfc822\r\n\r\n" },
	{ "2.HEADER", { NULL }, 0, 0, "From: a@example.com\r\nSubject: report\r\n"
	  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=orig\r\n\r\n" },
	{ "2.HEADER.FIELDS", { "subject", NULL }, 0, 0, "Subject: report\r\n\r\n" },
	{ "2.HEADER.FIELDS.NOT", { "subject", "MIME-Version" }, 0, 0,
	  "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=orig\r\n\r\n" },
	{ "2.1", { NULL }, 0, 0, "Original." },
	{ "2.1.MIME", { NULL }, 0, 0, "Content-Type: text/plain\r\n\r\n" },
	{ "2.2", { NULL }, 0, 0, "AAAA" },
	{ "2.2", { NULL }, 1, 2, "AA" },
	{ "2.2", { NULL }, 3, 10, "A" },
	{ "2.2", { NULL }, 4, 10, "" },
	{ "2.1", { NULL }, 0, 4, "Orig" },
	{ "2.3", { NULL }, 0, 0, "" },
	{ "3", { NULL }, 0, 0, "" },
	{ "3.MIME", { NULL }, 0, 0, "" },
	{ "HEADER.FIELDS", { "from", "SUBJECT" }, 0, 0,
	  "From: c@example.com\r\nSubject: Fwd: report\r\n\r\n" },
	{ "header.fields.not", { "from", "SUBJECT" }, 0, 0,
	  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=fwd\r\n\r\n" },
	{ "HEADER.FIELDS", { "from", NULL }, 6, 5, "c@exa" },
	{ "0", { NULL }, 0, 0, NULL },
	{ "01", { NULL }, 0, 0, NULL },
	{ "1.", { NULL }, 0, 0, NULL },
	{ "MIME", { NULL }, 0, 0, NULL },
	{ "1.FOO", { NULL }, 0, 0, NULL },
	{ "HEADER.FIELDS", { NULL }, 0, 0, NULL },
	{ "1234567890", { NULL }, 0, 0, NULL },
	{ "TEXT.", { NULL }, 0, 0, NULL },
};

START_TEST(test_msgpart_forwarded)
{
	struct test_msg msg;
	struct message_part *parts = NULL;
	const char *const *fields;
	const char *result;

	memset(&msg, 0, sizeof(msg));
	msg.data = test_corpus_read("forwarded.eml", &msg.size);
	fields = fwd_tests[_i].fields[0] == NULL &&
		strstr(fwd_tests[_i].section, "FIELDS") == NULL ? NULL :
		fwd_tests[_i].fields;
	result = fetch_section(&msg, fwd_tests[_i].section, fields,
			       fwd_tests[_i].poffset, fwd_tests[_i].psize, &parts);
	if (fwd_tests[_i].result == NULL)
		ck_assert_msg(result == NULL, "%s", fwd_tests[_i].section);
	else {
		ck_assert_msg(result != NULL, "%s", fwd_tests[_i].section);
		ck_assert_str_eq(result, fwd_tests[_i].result);
	}
}
END_TEST

START_TEST(test_msgpart_whole)
{
	struct test_msg msg;
	struct message_part *parts = NULL;
	const char *all, *hdr, *text;

	memset(&msg, 0, sizeof(msg));
	msg.data = test_corpus_read("mixed-alternative.eml", &msg.size);
	all = fetch_section(&msg, "", NULL, 0, 0, &parts);
	ck_assert_uint_eq(strlen(all), msg.size);
	ck_assert(memcmp(all, msg.data, msg.size) == 0);
	hdr = fetch_section(&msg, "HEADER", NULL, 0, 0, &parts);
	text = fetch_section(&msg, "TEXT", NULL, 0, 0, &parts);
	ck_assert_str_eq(tmp_strconcat(hdr, text, NULL), all);
	ck_assert_uint_eq(strlen(hdr), 137);
	ck_assert(parts == NULL);	/* no part number: no parse */
	ck_assert_str_eq(fetch_section(&msg, "1.2", NULL, 0, 0, &parts), "<p>HTML</p>");
	ck_assert(parts != NULL);
	msg.opens = 0;
	ck_assert_str_eq(fetch_section(&msg, "1.1.MIME", NULL, 0, 0, &parts),
			 "Content-Type: text/plain; charset=utf-8\r\n\r\n");
	/* the tree is reused: one stream for the data only */
	ck_assert_uint_eq(msg.opens, 1);
	ck_assert_str_eq(fetch_section(&msg, "3", NULL, 0, 0, &parts), "iVBORw0KGgo=");
	ck_assert_str_eq(fetch_section(&msg, "", NULL, 6, 3, &parts), "a@e");
	ck_assert_str_eq(fetch_section(&msg, "", NULL, 100000, 3, &parts), "");
	/* with the tree known, HEADER and TEXT take the header size from it:
	   the same result, one stream open (for TEXT's data) */
	msg.opens = 0;
	ck_assert_str_eq(fetch_section(&msg, "HEADER", NULL, 0, 0, &parts), hdr);
	ck_assert_uint_eq(msg.opens, 1);
	msg.opens = 0;
	ck_assert_str_eq(fetch_section(&msg, "TEXT", NULL, 0, 0, &parts), text);
	ck_assert_uint_eq(msg.opens, 1);

	/* a non-multipart message: part 1 is its body */
	memset(&msg, 0, sizeof(msg));
	parts = NULL;
	msg.data = test_corpus_read("plain.eml", &msg.size);
	ck_assert_str_eq(fetch_section(&msg, "1", NULL, 0, 0, &parts),
			 "Hi Bob,\r\n\r\nsee you.\r\n");
	ck_assert_str_eq(fetch_section(&msg, "2", NULL, 0, 0, &parts), "");
}
END_TEST

START_TEST(test_msgpart_cut_header)
{
	static const char data[] =
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		"--b\r\nContent-Type: message/rfc822\r\n\r\n"
		"Subject: inner\r\n--b\r\nX: 2\r\n\r\nbody\r\n--b--\r\n";
	static const char *const fields[] = { "SUBJECT", "X", NULL };
	struct message_part *parts = NULL;
	struct test_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.data = (const void *)data;
	msg.size = sizeof(data) - 1;
	/* the enclosed header ends at the boundary: X belongs to part 2 */
	ck_assert_str_eq(fetch_section(&msg, "1.HEADER.FIELDS", fields, 0, 0,
				       &parts), "Subject: inner\r\n\r\n");
	ck_assert_str_eq(fetch_section(&msg, "1.HEADER", NULL, 0, 0, &parts),
			 "Subject: inner\r\n");
	ck_assert_str_eq(fetch_section(&msg, "1.TEXT", NULL, 0, 0, &parts), "");
	ck_assert_str_eq(fetch_section(&msg, "2", NULL, 0, 0, &parts), "body");
	ck_assert_str_eq(fetch_section(&msg, "2.MIME", NULL, 0, 0, &parts),
			 "X: 2\r\n\r\n");
}
END_TEST

Suite *test_imap_msgpart_suite(void)
{
	Suite *s = suite_create("imap-msgpart");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_msgpart_forwarded, 0, N_ELEMENTS(fwd_tests));
	tcase_add_test(tc, test_msgpart_whole);
	tcase_add_test(tc, test_msgpart_cut_header);
	suite_add_tcase(s, tc);
	return s;
}
