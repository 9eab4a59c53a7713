/* Copyright (c) dovecot-like authors. Check suite for the CRLF stream and the
   header MD5 of lib-mail: what IMAP/POP3 clients receive and the UIDLs they
   remember must not depend on how a message was stored. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "istream-crlf.h"
#include "message-header-md5.h"
#include "test-storage.h"

#include <openssl/evp.h>

static const struct {
	const char *in, *out;
} crlf_tests[] = {
	{ "", "" },
	{ "a", "a" },
	{ "\n", "\r\n" },
	{ "a\nb\n", "a\r\nb\r\n" },
	{ "a\r\nb\r\n", "a\r\nb\r\n" },
	{ "a\r\nb\nc", "a\r\nb\r\nc" },
	{ "\n\n\n", "\r\n\r\n\r\n" },
	{ "\r", "\r" },
	{ "a\rb\n", "a\rb\r\n" },	/* lone CR passes through */
	{ "\r\r\n", "\r\r\n" },
	{ "x\n\r\n\n", "x\r\n\r\n\r\n" },
};

static const char *read_all(struct istream *input)
{
	struct str *str = t_str_new(128);
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	while ((ret = istream_read(input)) > 0 || ret == -2) {
		data = istream_get_data(input, &size);
		str_append_n(str, data, size);
		istream_skip(input, size);
	}
	data = istream_get_data(input, &size);
	str_append_n(str, data, size);
	istream_skip(input, size);
	ck_assert(input->eof);
	ck_assert_int_eq(input->stream_errno, 0);
	return str_c(str);
}

START_TEST(test_istream_crlf)
{
	const char *in = crlf_tests[_i].in;
	struct istream *parent, *input;
	bool last_cr = false;

	parent = istream_create_from_data(in, strlen(in));
	input = istream_create_crlf(parent);
	istream_unref(&parent);
	ck_assert_str_eq(read_all(input), crlf_tests[_i].out);
	istream_unref(&input);

	ck_assert_uint_eq(istream_crlf_count_size((const unsigned char *)in,
						  strlen(in), &last_cr),
			  strlen(crlf_tests[_i].out));
}
END_TEST

/* Buffer sizes down to 1 byte: a bare LF must not be split badly. */
START_TEST(test_istream_crlf_small_buffer)
{
	static const char in[] = "ab\ncd\r\n\nef\n";
	struct istream *parent, *input;
	size_t bufsize = (size_t)_i + 1;

	parent = istream_create_from_data(in, sizeof(in) - 1);
	input = istream_create_crlf(parent);
	istream_set_max_buffer_size(input, bufsize);
	ck_assert_str_eq(read_all(input), "ab\r\ncd\r\n\r\nef\r\n");
	istream_unref(&input);
	istream_unref(&parent);

	/* CRs at every buffer edge: only bare LFs get one */
	parent = istream_create_from_data("\r\r\nxy\rz\n\r\r\n\n\r", 13);
	input = istream_create_crlf(parent);
	istream_set_max_buffer_size(input, bufsize);
	ck_assert_str_eq(read_all(input),
			 "\r\r\nxy\rz\r\n\r\r\n\r\n\r");
	istream_unref(&input);
	istream_unref(&parent);
}
END_TEST

START_TEST(test_istream_crlf_count_split)
{
	/* CR at the end of one chunk, LF at the start of the next */
	bool last_cr = false;
	uoff_t size;

	size = istream_crlf_count_size((const unsigned char *)"a\r", 2, &last_cr);
	ck_assert(last_cr);
	size += istream_crlf_count_size((const unsigned char *)"\nb\n", 3, &last_cr);
	ck_assert_uint_eq(size, 2 + 3 + 1);
}
END_TEST

static const char *md5_hex(const char *data)
{
	unsigned char md[16];
	unsigned int len, i;
	struct str *str = t_str_new(33);

	EVP_Digest(data, strlen(data), md, &len, EVP_md5(), NULL);
	for (i = 0; i < len; i++)
		str_printfa(str, "%02x", md[i]);
	return str_c(str);
}

static const struct {
	const char *msg;
	const char *hashed;	/* the bytes Dovecot's apop3d selection hashes */
} md5_tests[] = {
	{ "Message-ID: <x@y>\nSubject: hi\n\nbody", "<x@y>" },
	{ "Message-ID:  <x@y>\r\n\r\n", " <x@y>" },	/* one space skipped */
	{ "Date: d1\nReceived: r1\n\tr2\nReceived: r3\nDate: d2\n\n",
	  "d1r1\tr2" },
	{ "Received: r1\nDate: d1\nDelivered-To: a\nX-Delivery-ID: q\n\n",
	  "r1aq" },
	{ "message-id:<m>\nFrom: f\n\nMessage-ID: <body>\n", "<m>" },
	{ "Subject: only\n\n", "" },
	{ "", "" },
	{ "Message-ID : <sp>\n\n", "<sp>" },
	{ "garbage line\n continued\nMessage-ID: <g>\n\n", "<g>" },
};

START_TEST(test_message_header_md5)
{
	const char *msg = md5_tests[_i].msg;
	unsigned char md5[MESSAGE_HEADER_MD5_LEN];
	struct str *str = t_str_new(33);
	unsigned int i;

	message_header_md5((const unsigned char *)msg, strlen(msg), md5);
	for (i = 0; i < sizeof(md5); i++)
		str_printfa(str, "%02x", md5[i]);
	ck_assert_str_eq(str_c(str), md5_hex(md5_tests[_i].hashed));
}
END_TEST

START_TEST(test_message_header_size)
{
	ck_assert_uint_eq(message_header_size((const unsigned char *)"a: b\n\nx", 7), 6);
	ck_assert_uint_eq(message_header_size((const unsigned char *)"a: b\r\n\r\nx", 9), 8);
	ck_assert_uint_eq(message_header_size((const unsigned char *)"a: b\n", 5), 5);
	ck_assert_uint_eq(message_header_size((const unsigned char *)"\nbody", 5), 1);
}
END_TEST

Suite *test_istream_crlf_suite(void)
{
	Suite *s = suite_create("istream-crlf");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_istream_crlf, 0, N_ELEMENTS(crlf_tests));
	tcase_add_loop_test(tc, test_istream_crlf_small_buffer, 0, 8);
	tcase_add_test(tc, test_istream_crlf_count_split);
	tcase_add_loop_test(tc, test_message_header_md5, 0, N_ELEMENTS(md5_tests));
	tcase_add_test(tc, test_message_header_size);
	suite_add_tcase(s, tc);
	return s;
}
