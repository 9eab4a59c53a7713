/* Copyright (c) dovecot-like authors. Tests for the anvil request parser:
   valid CONNECT/LIST lines and malformed, over-long and NUL-carrying ones. */
#include "test-anvil.h"
#include "str.h"
#include "anvil-request.h"

#include <string.h>

static const struct {
	const char *line;
	int ret;
	enum anvil_request_type type;
	unsigned int limit;
	const char *ident;
} request_tests[] = {
	{ "CONNECT\t10\timap/127.0.0.1/demo", 0, ANVIL_REQUEST_CONNECT, 10,
	  "imap/127.0.0.1/demo" },
	{ "CONNECT\t0\tpop3/::1/a@b", 0, ANVIL_REQUEST_CONNECT, 0, "pop3/::1/a@b" },
	{ "CONNECT\t4294967295\tx", 0, ANVIL_REQUEST_CONNECT, 4294967295U, "x" },
	/* tab and LF in a user name arrive escaped */
	{ "CONNECT\t2\timap/1.2.3.4/a\001tb\001nc", 0, ANVIL_REQUEST_CONNECT, 2,
	  "imap/1.2.3.4/a\tb\nc" },
	{ "LIST", 0, ANVIL_REQUEST_LIST, 0, NULL },
	{ "", -1, 0, 0, NULL },
	{ "connect\t1\tx", -1, 0, 0, NULL },
	{ "CONNECT", -1, 0, 0, NULL },
	{ "CONNECT\t1", -1, 0, 0, NULL },
	{ "CONNECT\t1\t", -1, 0, 0, NULL },		/* empty ident */
	{ "CONNECT\t\tx", -1, 0, 0, NULL },		/* empty limit */
	{ "CONNECT\t-1\tx", -1, 0, 0, NULL },
	{ "CONNECT\t1x\tx", -1, 0, 0, NULL },
	{ "CONNECT\t4294967296\tx", -1, 0, 0, NULL },
	{ "CONNECT\t1\tx\ty", -1, 0, 0, NULL },
	{ "LIST\tx", -1, 0, 0, NULL },
	{ "LIST\t", -1, 0, 0, NULL },
	{ "UNKNOWN", -1, 0, 0, NULL },
	{ "\t", -1, 0, 0, NULL },
};

START_TEST(test_request_parse)
{
	const char *line = request_tests[_i].line, *error = NULL;
	struct anvil_request req;
	int ret;

	ret = anvil_request_parse(line, strlen(line), &req, &error);
	ck_assert_msg(ret == request_tests[_i].ret, "%s: %d", line, ret);
	if (ret < 0) {
		ck_assert_ptr_nonnull(error);
		return;
	}
	ck_assert_int_eq(req.type, request_tests[_i].type);
	ck_assert_uint_eq(req.limit, request_tests[_i].limit);
	if (request_tests[_i].ident == NULL)
		ck_assert_ptr_null(req.ident);
	else
		ck_assert_str_eq(req.ident, request_tests[_i].ident);
}
END_TEST

START_TEST(test_request_nul)
{
	static const char line[] = "CONNECT\t1\timap/1.2.3.4/a\0b";
	struct anvil_request req;
	const char *error;

	ck_assert_int_eq(anvil_request_parse(line, sizeof(line) - 1, &req,
					     &error), -1);
	ck_assert_str_eq(error, "NUL in request");
	/* only data[0..len) counts: the same bytes cut before the NUL parse */
	ck_assert_int_eq(anvil_request_parse(line, sizeof(line) - 3, &req,
					     &error), 0);
	ck_assert_str_eq(req.ident, "imap/1.2.3.4/a");
}
END_TEST

/* A CONNECT line whose ident is ident_len bytes of 'a'. */
static const char *connect_line(size_t ident_len)
{
	struct str *line = t_str_new(ident_len + 16);

	str_append(line, "CONNECT\t1\t");
	for (size_t i = 0; i < ident_len; i++)
		str_append_c(line, 'a');
	return str_c(line);
}

START_TEST(test_request_lengths)
{
	struct anvil_request req;
	const char *line, *error;
	struct str *esc;

	line = connect_line(ANVIL_IDENT_MAX_LEN);
	ck_assert_int_eq(anvil_request_parse(line, strlen(line), &req, &error), 0);
	ck_assert_uint_eq(strlen(req.ident), ANVIL_IDENT_MAX_LEN);

	line = connect_line(ANVIL_IDENT_MAX_LEN + 1);
	ck_assert_int_eq(anvil_request_parse(line, strlen(line), &req, &error), -1);
	ck_assert_str_eq(error, "CONNECT: ident too long");

	/* the longest ident, every byte escaped, still fits a line */
	esc = t_str_new(ANVIL_LINE_MAX_LEN);
	str_append(esc, "CONNECT\t4294967295\t");
	for (size_t i = 0; i < ANVIL_IDENT_MAX_LEN; i++)
		str_append(esc, "\001t");
	ck_assert_uint_le(str_len(esc), ANVIL_LINE_MAX_LEN);
	ck_assert_int_eq(anvil_request_parse(str_c(esc), str_len(esc), &req,
					     &error), 0);
	ck_assert_uint_eq(strlen(req.ident), ANVIL_IDENT_MAX_LEN);

	line = connect_line(ANVIL_LINE_MAX_LEN);
	ck_assert_int_eq(anvil_request_parse(line, strlen(line), &req, &error), -1);
	ck_assert_str_eq(error, "line too long");
}
END_TEST

Suite *anvil_request_suite(void)
{
	Suite *s = suite_create("anvil-request");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_request_parse, 0, N_ELEMENTS(request_tests));
	tcase_add_test(tc, test_request_nul);
	tcase_add_test(tc, test_request_lengths);
	suite_add_tcase(s, tc);
	return s;
}
