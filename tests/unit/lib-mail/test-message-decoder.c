/* Copyright (c) dovecot-like authors. Check suite for message-decoder:
   base64/quoted-printable/charset decoding of body blocks split at every
   position, malformed encodings, unknown and absurd charsets, and whole
   messages through the MIME parser (nested multipart, message/rfc822,
   non-text attachments skipped). */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "message-parser.h"
#include "message-decoder.h"
#include "test-decode.h"

#include <string.h>

#define FFFD "\xef\xbf\xbd"

/* Decodes body (with the given Content-Type / -Transfer-Encoding values,
   NULL = none) given to the decoder as blocks cut at split1 and split2;
   returns the text. */
static const char *
decode_body_split(const char *ctype, const char *cte, bool text,
		  const char *body, size_t body_len, size_t split1,
		  size_t split2, bool finish)
{
	struct message_decoder_context *ctx = message_decoder_init();
	struct message_part part;
	struct message_header_line hdr;
	struct message_block in, out;
	struct str *result = t_str_new(64);
	size_t cuts[] = { 0, split1, split2, body_len };
	unsigned int i;

	memset(&part, 0, sizeof(part));
	part.flags = text ? MESSAGE_PART_FLAG_TEXT : 0;
	memset(&in, 0, sizeof(in));
	in.part = &part;
	in.hdr = &hdr;
	for (i = 0; i < 2; i++) {
		const char *name = i == 0 ? "Content-Type" :
			"Content-Transfer-Encoding";
		const char *value = i == 0 ? ctype : cte;

		if (value == NULL)
			continue;
		memset(&hdr, 0, sizeof(hdr));
		hdr.name = name;
		hdr.name_len = strlen(name);
		hdr.value = hdr.full_value = (const unsigned char *)value;
		hdr.value_len = hdr.full_value_len = strlen(value);
		ck_assert(message_decoder_decode_next_block(ctx, &in, &out));
		ck_assert_ptr_eq(out.hdr, &hdr);
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.eoh = true;
	(void)message_decoder_decode_next_block(ctx, &in, &out);
	in.hdr = NULL;
	in.size = 0;
	ck_assert(message_decoder_decode_next_block(ctx, &in, &out));
	for (i = 0; i < 3; i++) {
		if (cuts[i + 1] <= cuts[i])
			continue;
		in.data = (const unsigned char *)body + cuts[i];
		in.size = cuts[i + 1] - cuts[i];
		if (message_decoder_decode_next_block(ctx, &in, &out)) {
			ck_assert_ptr_null(out.hdr);
			ck_assert_uint_gt(out.size, 0);
			str_append_n(result, out.data, out.size);
		}
	}
	if (finish && message_decoder_finish(ctx, &out))
		str_append_n(result, out.data, out.size);
	message_decoder_deinit(&ctx);
	return str_c(result);
}

static const struct {
	const char *ctype, *cte;
	bool text;
	const char *body;
	size_t body_len;
	const char *out;
} body_tests[] = {
	/* base64 */
	{ NULL, "base64", true, "SGVsbG8gV29ybGQ=", 16, "Hello World" },
	{ NULL, " BASE64 ", true, "SGVs\r\nbG8=\r\n", 12, "Hello" },
	{ NULL, "base64", true, "SGVsbG8gV29ybG", 14, "Hello Worl" }, /* truncated */
	{ NULL, "base64", true, "SGk=x=A", 7, "Hi" },		/* bad padding */
	{ NULL, "base64", true, "SG!!Vs*bG8", 10, "Hello" },	/* junk skipped */
	{ NULL, "base64", true, "SGk=SGk=", 8, "HiHi" },	/* concatenated */
	{ NULL, "base64", true, "====", 4, "" },
	{ NULL, "base64", true, "AA==", 4, FFFD },		/* NUL byte */
	{ NULL, "base64", true, "eHh4eHh4U0VDUkVUV09SRHl5eXk=", 28,
	  "xxxxxxSECRETWORDyyyy" },
	/* quoted-printable */
	{ NULL, "quoted-printable", true, "na=C3=AFve=\r\nly", 15,
	  "na\xc3\xafvely" },
	{ NULL, "quoted-printable", true, "abc=", 4, "abc=" },	/* '=' at end */
	{ NULL, "quoted-printable", true, "a=ZZb", 5, "a=ZZb" },
	{ NULL, "quoted-printable", true, "a=4Zb", 5, "a=4Zb" },
	{ NULL, "quoted-printable", true, "a=4", 3, "a=4" },
	{ NULL, "quoted-printable", true, "a= \t\r\nb", 7, "ab" }, /* soft break + ws */
	{ NULL, "quoted-printable", true, "a=\nb", 4, "ab" },
	{ NULL, "quoted-printable", true, "==41=3d", 7, "=A=" },
	{ NULL, "quoted-printable", true, "x=00y", 5, "x" FFFD "y" },
	/* charsets */
	{ "text/plain; charset=iso-8859-1", "quoted-printable", true,
	  "=C5NGSTR=D6M", 12, "\xc3\x85NGSTR\xc3\x96M" },
	{ "text/plain; charset=\"ISO-8859-1\"", NULL, true, "caf\xe9", 4,
	  "caf\xc3\xa9" },
	{ "text/plain; charset=UTF-16LE", NULL, true, "A\0\xe4\0", 4,
	  "A\xc3\xa4" },
	{ "text/plain; charset=UTF-16LE", NULL, true, "A\0\xe4", 3,
	  "A" FFFD },					/* truncated */
	{ "text/plain; charset=utf-8", NULL, true, "\xc3\xa4\xe2\x82\xac", 5,
	  "\xc3\xa4\xe2\x82\xac" },
	{ "text/plain; charset=utf-8", NULL, true, "a\x80z", 3, "a" FFFD "z" },
	{ "text/plain; charset=utf-8", NULL, true, "\xc0\xaf", 2, FFFD FFFD },
	{ "text/plain; charset=utf-8", NULL, true, "ab\xe2\x82", 4, "ab" FFFD },
	/* invalid lead bytes before a valid sequence (found by fuzzing) */
	{ "text/plain; charset=utf-8", NULL, true,
	  "\x92\xf2\xf5\x98\xdf\xc2\xa5\xa7", 8,
	  FFFD FFFD FFFD FFFD FFFD "\xc2\xa5" FFFD },
	{ "text/plain; charset=x-unknown-thing", NULL, true, "a\xff\xc3\xa4", 4,
	  "a" FFFD "\xc3\xa4" },
	{ "text/plain; charset=\"../../etc//TRANSLIT\"", NULL, true, "ok\xe9", 3,
	  "ok" FFFD },
	{ "text/plain; charset=", NULL, true, "plain", 5, "plain" },
	{ "text/plain; charset", NULL, true, "plain", 5, "plain" },
	/* non-text: nothing */
	{ "image/png", "base64", false, "c2VjcmV0", 8, "" },
	{ "application/octet-stream", NULL, false, "secret", 6, "" },
};

START_TEST(test_decode_body)
{
	size_t len = body_tests[_i].body_len, s1, s2;
	const char *res;

	for (s1 = 0; s1 <= len; s1++) {
		for (s2 = s1; s2 <= len; s2++) {
			res = decode_body_split(body_tests[_i].ctype,
						body_tests[_i].cte,
						body_tests[_i].text,
						body_tests[_i].body, len,
						s1, s2, true);
			ck_assert_msg(strcmp(res, body_tests[_i].out) == 0,
				      "test %d split %zu/%zu: got '%s'", _i,
				      s1, s2, res);
		}
	}
}
END_TEST

/* Complete input is output by the block that completes it, not only at
   the end of the part (a following header drops what is still carried). */
START_TEST(test_decode_no_finish)
{
	static const struct {
		const char *ctype, *cte, *body, *out;
		size_t len;
	} tests[] = {
		{ "text/plain; charset=UTF-16LE", "base64", "QQDkAA==", "A\xc3\xa4", 8 },
		{ "text/plain; charset=UTF-16LE", NULL, "A\0\xe4\0", "A\xc3\xa4", 4 },
		{ "text/plain; charset=utf-8", "quoted-printable", "=C3=A4=\r\n!",
		  "\xc3\xa4!", 10 },
		{ "text/plain; charset=iso-8859-1", "base64", "5A==", "\xc3\xa4", 4 },
	};
	size_t s1, s2;
	unsigned int i;
	const char *res;

	for (i = 0; i < N_ELEMENTS(tests); i++) {
		for (s1 = 0; s1 <= tests[i].len; s1++) {
			for (s2 = s1; s2 <= tests[i].len; s2++) {
				res = decode_body_split(tests[i].ctype,
							tests[i].cte, true,
							tests[i].body,
							tests[i].len, s1, s2,
							false);
				ck_assert_msg(strcmp(res, tests[i].out) == 0,
					      "test %u split %zu/%zu: '%s'",
					      i, s1, s2, res);
			}
		}
	}
}
END_TEST

/* A charset name of 200 bytes: unknown, read as UTF-8. */
START_TEST(test_decode_long_charset)
{
	struct str *ctype = t_str_new(256);
	unsigned int i;

	str_append(ctype, "text/plain; charset=");
	for (i = 0; i < 200; i++)
		str_append_c(ctype, 'a' + (char)(i % 26));
	ck_assert_str_eq(decode_body_split(str_c(ctype), NULL, true,
					   "x\xc3\xa4\xff", 4, 1, 2, true),
			 "x\xc3\xa4" FFFD);
}
END_TEST

/* Runs a whole message through the parser and decoder: header fields as
   "[name=value]", end of a header as "|", body text as is. */
static const char *decode_message(const char *msg)
{
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	struct message_decoder_context *ctx = message_decoder_init();
	struct message_parser_settings set;
	struct message_parser_ctx *parser;
	struct message_block in, out;
	struct message_part *parts;
	struct str *result = t_str_new(256);
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	int ret;

	memset(&set, 0, sizeof(set));
	parser = message_parser_init(pool, input, &set);
	while ((ret = message_parser_parse_next_block(parser, &in)) != -1) {
		if (ret == 0 ||
		    !message_decoder_decode_next_block(ctx, &in, &out))
			continue;
		if (out.hdr != NULL && out.hdr->eoh)
			str_append(result, "|");
		else if (out.hdr != NULL) {
			str_printfa(result, "[%s=", out.hdr->name);
			str_append_n(result, out.data, out.size);
			str_append(result, "]");
		} else if (out.size > 0)
			str_append_n(result, out.data, out.size);
	}
	if (message_decoder_finish(ctx, &out))
		str_append_n(result, out.data, out.size);
	ck_assert_int_eq(message_parser_deinit(&parser, &parts), 0);
	message_decoder_deinit(&ctx);
	pool_unref(&pool);
	istream_unref(&input);
	return str_c(result);
}

START_TEST(test_decode_nested_message)
{
	const char *msg =
		"Subject: =?utf-8?q?h=C3=A9?=\r\n"
		" =?utf-8?q?llo?=\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=X\r\n"
		"\r\n"
		"preamble\r\n"
		"--X\r\n"
		"Content-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"caf=E9=\r\n"
		"s\r\n"
		"--X\r\n"
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"Subject: inner\r\n"
		"Content-Type: multipart/alternative; boundary=Y\r\n"
		"\r\n"
		"--Y\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"aW5uZXIgYm9keQ==\r\n"
		"--Y--\r\n"
		"--X\r\n"
		"Content-Type: image/png\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"c2VjcmV0\r\n"
		"--X--\r\n"
		"epilogue\r\n";
	const char *res = decode_message(msg);

	/* headers as [name=UTF-8 value], "|" at each header's end; non-text
	   bodies (multipart preamble/epilogue, the image) give nothing */
	ck_assert_str_eq(res,
		"[Subject=h\xc3\xa9llo][MIME-Version=1.0]"
		"[Content-Type=multipart/mixed; boundary=X]|"
		"[Content-Type=text/plain; charset=iso-8859-1]"
		"[Content-Transfer-Encoding=quoted-printable]|"
		"caf\xc3\xa9s"
		"[Content-Type=message/rfc822]|"
		"[Subject=inner]"
		"[Content-Type=multipart/alternative; boundary=Y]|"
		"[Content-Transfer-Encoding=base64]|"
		"inner body"
		"[Content-Type=image/png][Content-Transfer-Encoding=base64]|");
}
END_TEST

/* Broken MIME: must not crash and still give the text it can. */
START_TEST(test_decode_malformed_message)
{
	static const char *const msgs[] = {
		"",
		"Subject",
		"Content-Transfer-Encoding: base64\r\n\r\n=",
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n=",
		"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
		"Content-Type: multipart/mixed; boundary=A\r\n\r\n--A\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\nYWJj",
		"Content-Type: text/plain; charset=*\r\n\r\n\xff\xfe",
		"Content-Type: message/rfc822\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA==",
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(msgs); i++)
		(void)decode_message(msgs[i]);
	ck_assert_str_eq(decode_message("Content-Type: multipart/mixed; "
					"boundary=A\r\n\r\n--A\r\n"
					"Content-Transfer-Encoding: base64"
					"\r\n\r\nYWJj"),
			 "[Content-Type=multipart/mixed; boundary=A]|"
			 "[Content-Transfer-Encoding=base64]|abc");
	ck_assert_str_eq(decode_message("Content-Transfer-Encoding: "
					"quoted-printable\r\n\r\nx="),
			 "[Content-Transfer-Encoding=quoted-printable]|x=");
}
END_TEST

Suite *test_message_decoder_suite(void)
{
	Suite *s = suite_create("message-decoder");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_decode_body, 0, N_ELEMENTS(body_tests));
	tcase_add_test(tc, test_decode_long_charset);
	tcase_add_test(tc, test_decode_no_finish);
	tcase_add_test(tc, test_decode_nested_message);
	tcase_add_test(tc, test_decode_malformed_message);
	suite_add_tcase(s, tc);
	return s;
}
