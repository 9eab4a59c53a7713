/* Copyright (c) dovecot-like authors. Tests for base64 (RFC 4648 vectors and
   malformed input). */
#include "test-lib.h"
#include "base64.h"

static const struct {
	const char *plain, *encoded;
} b64_valid[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	{ "\xff\xfe\xfd", "//79" }, { "\xfb\xef", "++8=" },
	{ "\0user\0pass", "AHVzZXIAcGFzcw==" },
};

START_TEST(test_base64_valid)
{
	struct buf *buf = buf_create(tmp_pool, 4);
	const char *enc = b64_valid[_i].encoded;
	/* plain may contain NULs: its length is that of the decoded form */
	size_t plain_len = strlen(enc) / 4 * 3 -
		(strlen(enc) > 0 && enc[strlen(enc) - 1] == '=') -
		(strlen(enc) > 1 && enc[strlen(enc) - 2] == '=');

	base64_encode(b64_valid[_i].plain, plain_len, buf);
	ck_assert_uint_eq(buf->used, strlen(enc));
	ck_assert_uint_eq(buf->used, BASE64_ENCODED_SIZE(plain_len));
	ck_assert(memcmp(buf->data, enc, buf->used) == 0);
	buf_reset(buf);
	ck_assert_int_eq(base64_decode(enc, strlen(enc), buf), 0);
	ck_assert_uint_eq(buf->used, plain_len);
	ck_assert(memcmp(buf->data, b64_valid[_i].plain, plain_len) == 0);
	tmp_reset();
}
END_TEST

static const char *const b64_invalid[] = {
	"Z", "Zg", "Zg=", "Zg=a", "Z===", "====", "Zm9v\n", " Zm9v",
	"Zm9v====", "Zg==Zg==", "Zm 9", "Zm-v", "Zm_v", "Zm9v=", "Z=g=",
	"\x80\x81\x82\x83",
};

START_TEST(test_base64_invalid)
{
	struct buf *buf = buf_create(tmp_pool, 4);

	ck_assert_int_eq(base64_decode(b64_invalid[_i], strlen(b64_invalid[_i]),
				       buf), -1);
	tmp_reset();
}
END_TEST

START_TEST(test_base64_max_size)
{
	struct buf *buf = buf_create(tmp_pool, 4);

	buf_set_max_size(buf, 5);
	ck_assert_int_eq(base64_decode("Zm9vYmFy", 8, buf), -1);
	buf_reset(buf);
	ck_assert_int_eq(base64_decode("Zm9vYmE=", 8, buf), 0);
	tmp_reset();
}
END_TEST

Suite *base64_suite(void)
{
	Suite *s = suite_create("base64");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_base64_valid, 0, N_ELEMENTS(b64_valid));
	tcase_add_loop_test(tc, test_base64_invalid, 0, N_ELEMENTS(b64_invalid));
	tcase_add_test(tc, test_base64_max_size);
	suite_add_tcase(s, tc);
	return s;
}
