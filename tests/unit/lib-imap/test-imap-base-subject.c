/* Copyright (c) dovecot-like authors. Check suite for imap-base-subject:
   RFC 5256 2.1 leaders, blobs, trailers and [Fwd: ] wrappers, encoded
   words and casemapping, malformed brackets. */

#include "lib.h"
#include "str.h"
#include "imap-base-subject.h"
#include "test-imap.h"

static const struct {
	const char *in, *out;
	bool reply;
} subject_tests[] = {
	{ "hello", "HELLO", false },
	{ "", "", false },
	{ "Re: hello", "HELLO", true },
	{ "RE: Re: re: hello", "HELLO", true },
	{ "RE:RE:x", "X", true },
	{ "Fw: hello", "HELLO", true },
	{ "FWD : hello", "HELLO", true },
	{ "Fwd: hello (fwd)", "HELLO", true },
	{ "hello (fwd) (FWD)  ", "HELLO", true },
	{ "[list] Re: hello", "HELLO", true },
	{ "[a] [b] Re: x", "X", true },
	{ "Re [list]: hello", "HELLO", true },
	{ "[list] hello", "HELLO", false },
	{ "[a][b] x", "X", false },
	/* a blob that is all there is stays */
	{ "[list]", "[LIST]", false },
	{ "[list]  ", "[LIST]", false },
	{ "[Fwd: Re: hello]", "HELLO", true },
	{ "re: [fwd: [list] hello (fwd)]", "HELLO", true },
	{ "[fwd:]", "", true },
	{ "Re:", "", true },
	{ "  hello \t  world\r\n  again ", "HELLO WORLD AGAIN", false },
	/* not leaders */
	{ "Regarding x", "REGARDING X", false },
	{ "FWDx: y", "FWDX: Y", false },
	{ "[abc hello", "[ABC HELLO", false },
	{ "[a[b] x", "[A[B] X", false },
	{ "x]", "X]", false },
	/* decoded and casemapped: "Ré" is no "Re:" */
	{ "=?utf-8?q?R=C3=A9sum=C3=A9?=", "RE\xcc\x81SUME\xcc\x81", false },
	{ "=?utf-8?q?Re=3A_gr=C3=BC=C3=9Fe?=", "GRU\xcc\x88\xc3\x9f" "E", true },
	{ "Re: =?iso-8859-1?q?caf=E9?= (fwd)", "CAFE\xcc\x81", true },
	/* plain ASCII: every byte next to a-z stays, controls stay */
	{ "`az{ @AZ[ ~\x7f\x01", "`AZ{ @AZ[ ~\x7f\x01", false },
	{ "\tre:\r\n\tx\ty\n", "X Y", true },
	/* "=?" that is no encoded word, and "=" / "?" alone */
	{ "re: a =? b", "A =? B", true },
	{ "a=b ?= c?", "A=B ?= C?", false },
	{ "=?", "=?", false },
	{ "=", "=", false },
};

START_TEST(test_base_subject)
{
	struct str *dest = t_str_new(64);
	const char *in = subject_tests[_i].in;
	bool reply;

	imap_base_subject_append(tmp_pool, dest, (const unsigned char *)in, strlen(in),
				 &reply);
	ck_assert_str_eq(str_c(dest), subject_tests[_i].out);
	ck_assert_int_eq(reply, subject_tests[_i].reply);
}
END_TEST

/* Long plain subjects (past any fixed buffer) and a NUL byte. */
START_TEST(test_base_subject_long)
{
	struct str *in = t_str_new(2048), *expected = t_str_new(2048);
	struct str *dest = t_str_new(2048);
	unsigned int i, n;
	bool reply;

	for (n = 500; n < 530; n++) {
		str_reset(in);
		str_reset(expected);
		str_reset(dest);
		str_append(in, "Re:  ");
		for (i = 0; str_len(in) < n; i++) {
			str_append(in, i % 2 == 0 ? "ab\t " : "Cd ");
			if (str_len(expected) > 0)
				str_append_c(expected, ' ');
			str_append(expected, i % 2 == 0 ? "AB" : "CD");
		}
		imap_base_subject_append(tmp_pool, dest, str_data(in),
					 str_len(in), &reply);
		ck_assert_str_eq(str_c(dest), str_c(expected));
		ck_assert(reply);
	}
	str_reset(dest);
	imap_base_subject_append(tmp_pool, dest,
				 (const unsigned char *)"a\0b", 3, &reply);
	ck_assert_str_eq(str_c(dest), "A\xef\xbf\xbd" "B");
	ck_assert(!reply);
}
END_TEST

/* Every prefix of tricky input: no crash, no read past the end (ASan),
   and the result never longer than the casemapped input can make it. */
START_TEST(test_base_subject_prefixes)
{
	static const char in[] = "[x] Re [y]: [Fwd: re:(fwd) [z] a]  (fwd)";
	struct str *dest = t_str_new(64);
	size_t len;

	for (len = 0; len <= sizeof(in) - 1; len++) {
		str_reset(dest);
		imap_base_subject_append(tmp_pool, dest, (const unsigned char *)in, len,
					 NULL);
		ck_assert_uint_le(str_len(dest), len);
	}
	ck_assert_str_eq(str_c(dest), "(FWD) [Z] A");
}
END_TEST

Suite *test_imap_base_subject_suite(void)
{
	Suite *s = suite_create("imap-base-subject");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_base_subject, 0,
			    N_ELEMENTS(subject_tests));
	tcase_add_test(tc, test_base_subject_prefixes);
	tcase_add_test(tc, test_base_subject_long);
	suite_add_tcase(s, tc);
	return s;
}
