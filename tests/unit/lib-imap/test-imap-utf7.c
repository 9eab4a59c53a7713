/* Copyright (c) dovecot-like authors. Check suite for modified UTF-7 mailbox
   names: round trips, and the malformed encodings the decoder must refuse. */

#include "lib.h"
#include "str.h"
#include "imap-utf7.h"
#include "test-imap.h"

static const struct {
	const char *utf8, *utf7;
} utf7_valid[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "a&b", "a&-b" },
	{ "&", "&-" },
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },	/* RFC 3501 5.1.3 */
	{ "Entw\xc3\xbc" "rfe", "Entw&APw-rfe" },
	{ "\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-" },
	{ "\xf0\x9f\x98\x80", "&2D3eAA-" },	/* U+1F600, a surrogate pair */
	{ "a\tb", "a&AAk-b" },
	{ "&&", "&-&-" },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.\xe5\xad\x90",
	  "&ZeVnLIqe-.&W1A-" },
	{ "\xc3\xa4-\xc3\xb6", "&AOQ--&APY-" },	/* '-' after a section */
	{ "\xef\xbf\xbd", "&,,0-" },		/* U+FFFD, ',' digits */
};

static const char *const utf7_invalid[] = {
	"&", "&AOQ", "&AOQ-&", "&-&", "&Jjo!-", "&AGE-",	/* ASCII encoded */
	"&AOR-",	/* non-zero padding bits */
	"&2D3-",	/* lone high surrogate */
	"&3gA-",	/* lone low surrogate */
	"a\xc3\xa4", "tab\there", "&A-", "&-A-&AA-",
	"&AAA-", "a&AAAA5A-",	/* U+0000 would truncate the name (fuzz) */
	"&AOQ!-", "&AOQ/-", "&AOQ=-",	/* not modified base64 */
	"&AOQ", "x&AOQA9g",		/* & not closed by - */
	"&AC0-", "&ACY-",		/* '-' and '&' encoded */
	"&AOQA-", "&AOQA9gD-",		/* a partial 16-bit unit */
	"&3gDYPQ-",			/* a surrogate pair reversed */
	"&2D3YPQ-",			/* two high surrogates */
	"&2D3eAA",			/* an unterminated pair */
	"a\x01b", "a\x7f" "b", "\x80",	/* raw control and 8-bit */
};

static const char *const utf8_invalid[] = {
	"\xc3", "\xc3(", "\xc0\xaf", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\xff",
	"\xe0\x80\xaf", "\xf0\x80\x80\xaf",	/* overlong */
	"\xed\xbf\xbf",				/* a low surrogate */
	"\xf4\x90\x80\x80",			/* over U+10FFFF */
	"a\x80", "\xe6\x97",			/* stray, truncated */
};

START_TEST(test_imap_utf7_valid)
{
	struct str *str = str_new(system_pool, 64);

	ck_assert_int_eq(imap_utf8_to_utf7(utf7_valid[_i].utf8, str), 0);
	ck_assert_str_eq(str_c(str), utf7_valid[_i].utf7);
	str_reset(str);
	ck_assert_int_eq(imap_utf7_to_utf8(utf7_valid[_i].utf7, str), 0);
	ck_assert_str_eq(str_c(str), utf7_valid[_i].utf8);
	ck_assert(imap_utf7_is_valid(utf7_valid[_i].utf7));
	str_free(&str);
}
END_TEST

START_TEST(test_imap_utf7_invalid)
{
	struct str *str = str_new(system_pool, 64);

	ck_assert_msg(imap_utf7_to_utf8(utf7_invalid[_i], str) < 0,
		      "accepted %s", utf7_invalid[_i]);
	ck_assert(!imap_utf7_is_valid(utf7_invalid[_i]));
	str_free(&str);
}
END_TEST

START_TEST(test_imap_utf8_invalid)
{
	struct str *str = str_new(system_pool, 64);

	ck_assert_int_lt(imap_utf8_to_utf7(utf8_invalid[_i], str), 0);
	str_free(&str);
}
END_TEST

Suite *test_imap_utf7_suite(void)
{
	Suite *s = suite_create("imap-utf7");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_utf7_valid, 0, N_ELEMENTS(utf7_valid));
	tcase_add_loop_test(tc, test_imap_utf7_invalid, 0, N_ELEMENTS(utf7_invalid));
	tcase_add_loop_test(tc, test_imap_utf8_invalid, 0, N_ELEMENTS(utf8_invalid));
	suite_add_tcase(s, tc);
	return s;
}
