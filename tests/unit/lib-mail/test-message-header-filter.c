/* Copyright (c) dovecot-like authors. Check suite for header subsets
   (HEADER.FIELDS / HEADER.FIELDS.NOT): case, folding, CRLF output, broken
   lines and the size bound. */

#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "istream.h"
#include "message-header-filter.h"
#include "test-parser.h"

static const char *filter(const char *msg, const char *const *fields,
			  bool exclude, size_t max_size, size_t *offset_r)
{
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	struct buf *dest = buf_create(tmp_pool, 64);

	ck_assert_int_eq(message_header_filter(input, fields, exclude,
					       max_size, dest), 0);
	if (offset_r != NULL)
		*offset_r = (size_t)input->v_offset;
	istream_unref(&input);
	return tmp_strndup(dest->data, dest->used);
}

START_TEST(test_filter_basic)
{
	static const char *const from_to[] = { "from", "TO", NULL };
	static const char *const subject[] = { "Subject", NULL };
	const char *msg = "From: a\nSubject: x\n y\nTo: b\r\nbroken\nX-To: c\n\nFrom: body\n";
	size_t offset;

	ck_assert_str_eq(filter(msg, from_to, false, 1024, &offset),
			 "From: a\r\nTo: b\r\n\r\n");
	/* stops after the header */
	ck_assert_uint_eq(offset, strlen(msg) - strlen("From: body\n"));
	ck_assert_str_eq(filter(msg, subject, false, 1024, NULL),
			 "Subject: x\r\n y\r\n\r\n");
	ck_assert_str_eq(filter(msg, from_to, true, 1024, NULL),
			 "Subject: x\r\n y\r\nX-To: c\r\n\r\n");
	/* nothing matches: only the empty line */
	ck_assert_str_eq(filter(msg, (const char *const[]){ "Cc", NULL }, false,
				1024, NULL), "\r\n");
	/* header without end, name with spaces before the colon */
	ck_assert_str_eq(filter("To : x\r\n\tfold", from_to, false, 1024, NULL),
			 "To : x\r\n\tfold\r\n\r\n");
	ck_assert_str_eq(filter("", from_to, false, 1024, NULL), "\r\n");
}
END_TEST

START_TEST(test_filter_bounded)
{
	static const char *const to[] = { "To", NULL };
	struct str *msg = t_str_new(200000);
	const char *out;
	unsigned int i;

	str_append(msg, "To: ");
	for (i = 0; i < 10000; i++)
		str_append(msg, "abcdefghij");
	str_append(msg, "\n\n");
	out = filter(str_c(msg), to, false, 50, NULL);
	ck_assert_uint_eq(strlen(out), 50);
	ck_assert(strncmp(out, "To: abcdefghij", 14) == 0);
}
END_TEST

Suite *test_message_header_filter_suite(void)
{
	Suite *s = suite_create("message-header-filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filter_basic);
	tcase_add_test(tc, test_filter_bounded);
	suite_add_tcase(s, tc);
	return s;
}
