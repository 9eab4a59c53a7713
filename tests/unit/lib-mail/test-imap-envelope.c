/* Copyright (c) dovecot-like authors. Check suite for FETCH ENVELOPE:
   RFC 3501 7.4.2 field order, NIL vs "", groups, Sender/Reply-To
   defaulting, literals for 8-bit values, first field wins. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "message-address.h"
#include "imap-envelope.h"
#include "test-values.h"

static const char *envelope_of(const char *msg)
{
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	struct str *str = t_str_new(256);

	ck_assert_int_eq(imap_envelope_from_stream(tmp_pool, input, 0, str), 0);
	istream_unref(&input);
	return str_c(str);
}

static const struct {
	const char *msg, *env;
} envelope_tests[] = {
	{ "\r\nbody\r\n", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)" },
	/* Thunderbird shaped */
	{ "Message-ID: <abc@example.com>\r\n"
	  "Date: Mon, 23 Nov 2026 23:30:00 +0100\r\n"
	  "MIME-Version: 1.0\r\n"
	  "From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.com>\r\n"
	  "To: \"Doe, John\" <john@example.com>, undisclosed-recipients:;\r\n"
	  "Subject: Hello\r\n world\r\n"
	  "In-Reply-To: <prev@example.com>\r\n"
	  "\r\nbody\r\n",
	  "(\"Mon, 23 Nov 2026 23:30:00 +0100\" {11}\r\nHello world "
	  "((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"jorg\" \"example.com\")) "
	  "((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"jorg\" \"example.com\")) "
	  "((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"jorg\" \"example.com\")) "
	  "((\"Doe, John\" NIL \"john\" \"example.com\")"
	  "(NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
	  "NIL NIL \"<prev@example.com>\" \"<abc@example.com>\")" },
	/* mailing list: Sender and Reply-To differ from From; empty Cc is
	   NIL, empty Subject is "" */
	{ "From: Bob <bob@example.org>\n"
	  "Sender: dev-bounces@lists.example.org\n"
	  "Reply-To: dev@lists.example.org\n"
	  "Cc:\n"
	  "Subject:\n"
	  "Bcc: <@r1,@r2:x@y>\n\n",
	  "(NIL \"\" ((\"Bob\" NIL \"bob\" \"example.org\")) "
	  "((NIL NIL \"dev-bounces\" \"lists.example.org\")) "
	  "((NIL NIL \"dev\" \"lists.example.org\")) NIL NIL "
	  "((NIL \"@r1,@r2\" \"x\" \"y\")) NIL NIL)" },
	/* subjects and names "for humans" as Dovecot writes them:
	   whitespace runs collapsed, literal when changed or when holding
	   quotes/backslashes; other strings keep their whitespace */
	{ "Subject: plain text\r\nMessage-ID:  <x@y>  \r\n"
	  "From: \"n  m\" <a@b>, \"o p\" <c@d>\r\n\r\n",
	  "(NIL \"plain text\" (({3}\r\nn m NIL \"a\" \"b\")"
	  "(\"o p\" NIL \"c\" \"d\")) (({3}\r\nn m NIL \"a\" \"b\")"
	  "(\"o p\" NIL \"c\" \"d\")) (({3}\r\nn m NIL \"a\" \"b\")"
	  "(\"o p\" NIL \"c\" \"d\")) NIL NIL NIL NIL \"<x@y>  \")" },
	{ "Subject: x \r\n\r\n",
	  "(NIL {1}\r\nx NIL NIL NIL NIL NIL NIL NIL NIL)" },
	/* first occurrence wins, header names any case, quoting */
	{ "subject: first \"q\" \\ x\r\nSUBJECT: second\r\n"
	  "from: user\r\nreply-to:\r\n\r\n",
	  "(NIL {13}\r\nfirst \"q\" \\ x "
	  "((NIL NIL \"user\" \"MISSING_DOMAIN\")) "
	  "((NIL NIL \"user\" \"MISSING_DOMAIN\")) "
	  "((NIL NIL \"user\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL NIL)" },
	/* 8-bit subject goes as a literal */
	{ "Subject: J\xc3\xb6rg\r\n\r\n",
	  "(NIL {5}\r\nJ\xc3\xb6rg NIL NIL NIL NIL NIL NIL NIL NIL)" },
	/* header without a body separator */
	{ "Date: x", "(\"x\" NIL NIL NIL NIL NIL NIL NIL NIL NIL)" },
};

START_TEST(test_imap_envelope)
{
	ck_assert_str_eq(envelope_of(envelope_tests[_i].msg),
			 envelope_tests[_i].env);
}
END_TEST

START_TEST(test_imap_envelope_lines)
{
	struct imap_envelope *env = NULL;
	struct message_header_line hdr;
	struct str *str = t_str_new(128);

	/* hand-made lines: a folded To: delivered line by line */
	memset(&hdr, 0, sizeof(hdr));
	hdr.name = "To";
	hdr.value = (const unsigned char *)"a@b,";
	hdr.value_len = 4;
	hdr.continues = true;
	imap_envelope_parse_header(tmp_pool, &env, &hdr);
	ck_assert(hdr.use_full_value);
	memset(&hdr, 0, sizeof(hdr));
	hdr.name = "To";
	hdr.continued = true;
	hdr.value = (const unsigned char *)" c@d";
	hdr.value_len = 4;
	hdr.full_value = (const unsigned char *)"a@b, c@d";
	hdr.full_value_len = 8;
	imap_envelope_parse_header(tmp_pool, &env, &hdr);
	imap_envelope_write(env, str);
	ck_assert_str_eq(str_c(str), "(NIL NIL NIL NIL NIL "
			 "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) NIL NIL NIL NIL)");
	ck_assert(imap_envelope_want_header("message-id"));
	ck_assert(!imap_envelope_want_header("Received"));

	str_reset(str);
	imap_envelope_write(NULL, str);
	ck_assert_str_eq(str_c(str), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}
END_TEST

START_TEST(test_imap_envelope_nul)
{
	static const char msg[] = "Subject: a\0b\r\nFrom: \"x\0y\" <a@b>\r\n\r\n";
	struct istream *input = istream_create_from_data(msg, sizeof(msg) - 1);
	struct str *str = t_str_new(256);

	ck_assert_int_eq(imap_envelope_from_stream(tmp_pool, input, 0, str), 0);
	istream_unref(&input);
	/* no NUL can reach the client, not even in a literal */
	ck_assert_uint_eq(strlen(str_c(str)), str_len(str));
	ck_assert_str_eq(str_c(str), "(NIL {3}\r\na\x80" "b "
			 "(({3}\r\nx\x80y NIL \"a\" \"b\")) "
			 "(({3}\r\nx\x80y NIL \"a\" \"b\")) "
			 "(({3}\r\nx\x80y NIL \"a\" \"b\")) NIL NIL NIL NIL NIL)");
}
END_TEST

START_TEST(test_imap_envelope_hostile)
{
	struct str *msg = t_str_new(300000);
	const char *env;
	unsigned int i;

	/* a huge To: with NULs, and a CR/LF-free value */
	str_append(msg, "To: ");
	for (i = 0; i < 20000; i++)
		str_append(msg, "a@b, ");
	str_append(msg, "\r\nSubject: a\r\n\tb\r\n\r\n");
	env = envelope_of(str_c(msg));
	/* a folded subject goes as a literal, whitespace collapsed */
	ck_assert(strstr(env, "{3}\r\na b NIL") != NULL);
	ck_assert_uint_eq(strlen(env), strlen("(NIL {3}\r\na b NIL NIL NIL ") +
			  /* capped at MESSAGE_ADDRESS_DEFAULT_MAX */
			  MESSAGE_ADDRESS_DEFAULT_MAX * strlen("(NIL NIL \"a\" \"b\")") + 2 +
			  strlen(" NIL NIL NIL NIL)"));
}
END_TEST

/* The header ends at the blank line (nothing after it is read as a
   field, the stream is left right after it), and fields starting at or
   past max_header_size are ignored. */
START_TEST(test_imap_envelope_stream_bounds)
{
	static const char msg[] = "Subject: a\r\n\r\nFrom: x@y\r\nbody";
	struct pool *pool = pool_create("envelope test", 256, POOL_FLAG_NONE);
	struct istream *input;
	struct str *str = t_str_new(256);

	input = istream_create_from_data(msg, sizeof(msg) - 1);
	ck_assert_int_eq(imap_envelope_from_stream(pool, input, 0, str), 0);
	ck_assert_str_eq(str_c(str),
			 "(NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	ck_assert_uint_eq(input->v_offset, 14);
	istream_unref(&input);

	str_reset(str);
	input = istream_create_from_data(msg, sizeof(msg) - 1);
	ck_assert_int_eq(imap_envelope_from_stream(pool, input, 10, str), 0);
	ck_assert_str_eq(str_c(str),
			 "(NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	istream_unref(&input);

	str_reset(str);
	input = istream_create_from_data(msg, sizeof(msg) - 1);
	ck_assert_int_eq(imap_envelope_from_stream(pool, input, 1, str), 0);
	ck_assert_str_eq(str_c(str),
			 "(NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	istream_unref(&input);

	/* "From" starts at byte 12: a limit of 12 drops it */
	static const char msg2[] = "Subject: a\r\nFrom: x@y\r\n\r\n";
	str_reset(str);
	input = istream_create_from_data(msg2, sizeof(msg2) - 1);
	ck_assert_int_eq(imap_envelope_from_stream(pool, input, 12, str), 0);
	ck_assert_str_eq(str_c(str),
			 "(NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	istream_unref(&input);
	str_reset(str);
	input = istream_create_from_data(msg2, sizeof(msg2) - 1);
	ck_assert_int_eq(imap_envelope_from_stream(pool, input, 13, str), 0);
	ck_assert_str_eq(str_c(str), "(NIL \"a\" ((NIL NIL \"x\" \"y\")) "
			 "((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) "
			 "NIL NIL NIL NIL NIL)");
	istream_unref(&input);
	pool_unref(&pool);
}
END_TEST

Suite *test_imap_envelope_suite(void)
{
	Suite *s = suite_create("imap-envelope");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_envelope, 0,
			    N_ELEMENTS(envelope_tests));
	tcase_add_test(tc, test_imap_envelope_lines);
	tcase_add_test(tc, test_imap_envelope_nul);
	tcase_add_test(tc, test_imap_envelope_hostile);
	tcase_add_test(tc, test_imap_envelope_stream_bounds);
	suite_add_tcase(s, tc);
	return s;
}
