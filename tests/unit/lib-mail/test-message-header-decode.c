/* Copyright (c) dovecot-like authors. Check suite for RFC 2047 decoding:
   B and Q words, joining, charsets, and malformed words kept as written. */

#include "lib.h"
#include "str.h"
#include "base64.h"
#include "message-header-decode.h"
#include "test-values.h"

static const struct {
	const char *in, *out;
} decode_tests[] = {
	{ "plain text", "plain text" },
	{ "=?UTF-8?B?SsO2cmc=?=", "J\xc3\xb6rg" },
	{ "=?utf-8?b?SsO2cmc?=", "J\xc3\xb6rg" },	/* no padding */
	{ "=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xc3\xa9 Pirard" },
	/* RFC 2047 8 examples */
	{ "(=?ISO-8859-1?Q?a?=)", "(a)" },
	{ "(=?ISO-8859-1?Q?a?= b)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)" },
	/* a UTF-8 character split between two words */
	{ "=?UTF-8?B?SsM=?= =?UTF-8?B?tnJn?=", "J\xc3\xb6rg" },
	{ "=?UTF-8?Q?=C3?= =?UTF-8?Q?=A4x?=", "\xc3\xa4x" },
	/* RFC 2231 language suffix */
	{ "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore" },
	/* malformed: kept */
	{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
	{ "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=" },
	{ "=?UTF-8?B?not base64!?=", "=?UTF-8?B?not base64!?=" },
	{ "=??Q?abc?=", "=??Q?abc?=" },
	{ "=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated" },
	{ "=?x-unknown-cs?Q?abc?= tail", "=?x-unknown-cs?Q?abc?= tail" },
	{ "=?UTF-8?Q?bad=ZZhex?=", "bad=ZZhex" },
	{ "a =?UTF-8?Q?b?= c", "a b c" },
	{ "=?", "=?" },
	{ "=", "=" },
	/* raw 8-bit / invalid UTF-8 text and decoded results */
	{ "J\xc3\xb6rg", "J\xc3\xb6rg" },
	{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
	{ "=?UTF-8?Q?=FF?=", "\xef\xbf\xbd" },
	{ "=?UTF-8?Q?a=00b?=", "a\xef\xbf\xbd" "b" },
	/* Outlook / Thunderbird shaped subjects */
	{ "=?iso-2022-jp?B?GyRCJEYkOSRIGyhC?=", "\xe3\x81\xa6\xe3\x81\x99\xe3\x81\xa8" },
	{ "Re: =?windows-1252?Q?Caf=E9?= meeting", "Re: Caf\xc3\xa9 meeting" },
};

START_TEST(test_header_decode)
{
	struct str *str = t_str_new(128);

	message_header_decode_utf8((const unsigned char *)decode_tests[_i].in,
				   strlen(decode_tests[_i].in), str);
	ck_assert_str_eq(str_c(str), decode_tests[_i].out);
}
END_TEST

START_TEST(test_header_decode_hostile)
{
	struct str *str = t_str_new(128), *in = t_str_new(600000);
	unsigned int i;

	/* many words, many charset switches: linear and bounded */
	for (i = 0; i < 20000; i++)
		str_append(in, i % 2 == 0 ? "=?UTF-8?Q?a?= " : "=?ISO-8859-1?Q?b?= ");
	message_header_decode_utf8(str_data(in), str_len(in), str);
	/* 20000 letters and the trailing space */
	ck_assert_uint_eq(str_len(str), 20001);

	str_reset(in);
	str_reset(str);
	for (i = 0; i < 100000; i++)
		str_append(in, "=?");
	message_header_decode_utf8(str_data(in), str_len(in), str);
	ck_assert_uint_eq(str_len(str), str_len(in));

	/* many word starts without any "?=": must stay linear */
	str_reset(in);
	str_reset(str);
	for (i = 0; i < 100000; i++)
		str_append(in, "=?a?Q?x");
	message_header_decode_utf8(str_data(in), str_len(in), str);
	ck_assert_str_eq(str_c(str), str_c(in));

	/* charset name too long: kept */
	str_reset(in);
	str_reset(str);
	str_append(in, "=?");
	for (i = 0; i < 100; i++)
		str_append_c(in, 'a');
	str_append(in, "?Q?x?=");
	message_header_decode_utf8(str_data(in), str_len(in), str);
	ck_assert_str_eq(str_c(str), str_c(in));
}
END_TEST

/* The lenient base64 that encoded words use: stops at '=', tolerates
   missing padding, fails on a byte outside the alphabet after decoding
   what came before it. */
START_TEST(test_base64_decode_lenient)
{
	struct buf *buf = buf_create(tmp_pool, 16);

	ck_assert_int_eq(base64_decode_lenient("Zm9vYg", 6, buf), 0);
	ck_assert_uint_eq(buf->used, 4);
	ck_assert(memcmp(buf->data, "foob", 4) == 0);
	buf_reset(buf);
	ck_assert_int_eq(base64_decode_lenient("Zm9=vYg", 7, buf), 0);
	ck_assert_uint_eq(buf->used, 2);
	ck_assert(memcmp(buf->data, "fo", 2) == 0);
	buf_reset(buf);
	ck_assert_int_eq(base64_decode_lenient("Zm9v*Yg", 7, buf), -1);
	ck_assert_uint_eq(buf->used, 3);
	ck_assert(memcmp(buf->data, "foo", 3) == 0);
	buf_reset(buf);
	ck_assert_int_eq(base64_decode_lenient("", 0, buf), 0);
	ck_assert_uint_eq(buf->used, 0);
	/* strict decoding still rejects what lenient accepts */
	ck_assert_int_eq(base64_decode("Zm9vYg", 6, buf), -1);
}
END_TEST

Suite *test_message_header_decode_suite(void)
{
	Suite *s = suite_create("message-header-decode");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_header_decode, 0, N_ELEMENTS(decode_tests));
	tcase_add_test(tc, test_header_decode_hostile);
	tcase_add_test(tc, test_base64_decode_lenient);
	suite_add_tcase(s, tc);
	return s;
}
