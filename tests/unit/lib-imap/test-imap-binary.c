/* Copyright (c) dovecot-like authors. Check suite for FETCH BINARY's
   Content-Transfer-Encoding handling: field parsing and the decoders,
   with malformed encodings that must neither crash nor lose data. */

#include "lib.h"
#include "buffer.h"
#include "imap-binary.h"
#include "test-imap.h"

#define ROW(s) s, sizeof(s) - 1

static const struct {
	const char *hdr;
	size_t len;
	enum imap_binary_cte cte;
} cte_tests[] = {
	{ ROW(""), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding: base64\r\n"), IMAP_BINARY_CTE_BASE64 },
	{ ROW("content-transfer-encoding:BASE64 (c)\r\n"), IMAP_BINARY_CTE_BASE64 },
	{ ROW("Content-Transfer-Encoding: \r\n quoted-printable\r\n"),
	  IMAP_BINARY_CTE_QP },
	{ ROW("Content-Transfer-Encoding: 7bit\r\n"), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding: 8BIT\r\n"), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding: binary"), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding:\r\n"), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding: x-uuencode\r\n"),
	  IMAP_BINARY_CTE_UNKNOWN },
	{ ROW("Content-Transfer-Encoding: base64x\r\n"), IMAP_BINARY_CTE_UNKNOWN },
	{ ROW("Content-Transfer-Encodings: x\r\n"), IMAP_BINARY_CTE_IDENTITY },
	{ ROW("Content-Transfer-Encoding"), IMAP_BINARY_CTE_IDENTITY },
	/* the first field decides */
	{ ROW("Content-Transfer-Encoding: base64\r\n"
	      "Content-Transfer-Encoding: x-foo\r\n"), IMAP_BINARY_CTE_BASE64 },
	{ ROW("Content-Transfer-Encoding: bas\0e64\r\n"), IMAP_BINARY_CTE_UNKNOWN },
};

START_TEST(test_imap_binary_cte)
{
	ck_assert_int_eq(imap_binary_cte_parse(
		(const unsigned char *)cte_tests[_i].hdr, cte_tests[_i].len),
		cte_tests[_i].cte);
}
END_TEST

static const struct {
	enum imap_binary_cte cte;
	const char *in;
	size_t in_len;
	const char *out;
	size_t out_len;
} decode_tests[] = {
	{ IMAP_BINARY_CTE_BASE64, ROW("aGVsbG8gd29ybGQ=\r\n"), ROW("hello world") },
	{ IMAP_BINARY_CTE_BASE64, ROW("aGVs\r\nbG8=\r\n"), ROW("hello") },
	{ IMAP_BINARY_CTE_BASE64, ROW("AAEC"), ROW("\0\1\2") },
	{ IMAP_BINARY_CTE_BASE64, ROW("AA!E*C"), ROW("\0\1\2") },
	{ IMAP_BINARY_CTE_BASE64, ROW("QUJD=RA=="), ROW("ABC") },
	{ IMAP_BINARY_CTE_BASE64, ROW("QQ"), ROW("A") },
	{ IMAP_BINARY_CTE_BASE64, ROW("Q"), ROW("") },
	{ IMAP_BINARY_CTE_BASE64, ROW(""), ROW("") },
	{ IMAP_BINARY_CTE_QP, ROW("caf=C3=A9 soft=\r\nbreak=00end\r\n"),
	  ROW("caf\xc3\xa9 softbreak\0end\r\n") },
	{ IMAP_BINARY_CTE_QP, ROW("a  \t\r\nb"), ROW("a\r\nb") },
	{ IMAP_BINARY_CTE_QP, ROW("=e9=\nx\n"), ROW("\xe9x\r\n") },
	{ IMAP_BINARY_CTE_QP, ROW("bad=ZZ =4 ="), ROW("bad=ZZ =4 ") },
	{ IMAP_BINARY_CTE_QP, ROW("=="), ROW("=") },
	{ IMAP_BINARY_CTE_QP, ROW("=\r\n"), ROW("") },
	{ IMAP_BINARY_CTE_IDENTITY, ROW("a\0b\r\n"), ROW("a\0b\r\n") },
};

START_TEST(test_imap_binary_decode)
{
	struct buf *dest = buf_create(system_pool, 16);

	imap_binary_decode(decode_tests[_i].cte,
			   (const unsigned char *)decode_tests[_i].in,
			   decode_tests[_i].in_len, dest);
	ck_assert_uint_eq(dest->used, decode_tests[_i].out_len);
	ck_assert(memcmp(dest->data, decode_tests[_i].out, dest->used) == 0);
	buf_free(&dest);
}
END_TEST

Suite *test_imap_binary_suite(void)
{
	Suite *s = suite_create("imap-binary");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_binary_cte, 0, N_ELEMENTS(cte_tests));
	tcase_add_loop_test(tc, test_imap_binary_decode, 0,
			    N_ELEMENTS(decode_tests));
	suite_add_tcase(s, tc);
	return s;
}
