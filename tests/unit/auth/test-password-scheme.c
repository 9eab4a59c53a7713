/* Copyright (c) dovecot-like authors. Tests for password schemes: every
   example hash of passwd-file-and-schemes.md s.2.2 for "secret", wrong
   passwords, and malformed or unknown data. */
#include "test-auth.h"
#include "password-scheme.h"

static const struct {
	const char *crypted;
	const char *password;
	int ret;	/* 1 match, 0 mismatch, -1 error */
} scheme_tests[] = {
	{ "{PLAIN}secret", "secret", 1 },
	{ "{PLAIN}secret", "secreT", 0 },
	{ "{PLAIN}secret", "secret2", 0 },
	{ "{plain}secret", "secret", 1 },
	{ "{CLEAR}secret", "secret", 1 },
	{ "{CLEARTEXT}secret", "secret", 1 },
	{ "{PLAIN.B64}c2VjcmV0", "secret", 1 },
	{ "{PLAIN.b64}c2VjcmV0", "wrong", 0 },
	{ "{PLAIN.b64}c2Vjc!V0", "secret", -1 },
	{ "{PLAIN.HEX}736563726574", "secret", 1 },
	{ "{PLAIN-TRUNC}6-secret", "secret", 1 },
	{ "{PLAIN-TRUNC}3-sec", "secret", 1 },
	{ "{PLAIN-TRUNC}3-sec", "sex", 0 },
	{ "{PLAIN-TRUNC}nolen", "secret", -1 },
	{ "{SHA512-CRYPT}$6$2HQWJCfYNXwMqFUp$QAjo9f8POIaV6MhGCdPwaA5LrFHrPFOLbDc6QHlVI5M4bksYfv/hDbYd1L8YzXQzQNHnWSqZaIgZlPiK/AJl/0", "secret", 1 },
	{ "{SHA512-CRYPT}$6$2HQWJCfYNXwMqFUp$QAjo9f8POIaV6MhGCdPwaA5LrFHrPFOLbDc6QHlVI5M4bksYfv/hDbYd1L8YzXQzQNHnWSqZaIgZlPiK/AJl/0", "Secret", 0 },
	{ "{SHA512-CRYPT}$5$6vEXXPg/qxXiqkoz$mmIWsMvQUID9KXnSPJQQ2Vw7R371fPl5Lq3wYxfCmU7", "secret", -1 },
	{ "{SHA256-CRYPT}$5$6vEXXPg/qxXiqkoz$mmIWsMvQUID9KXnSPJQQ2Vw7R371fPl5Lq3wYxfCmU7", "secret", 1 },
	{ "{SHA256-CRYPT}$5$6vEXXPg/qxXiqkoz$mmIWsMvQUID9KXnSPJQQ2Vw7R371fPl5Lq3wYxfCmU7", "secrets", 0 },
	{ "{MD5-CRYPT}$1$3EtR1Ayi$LWCbETiTcokuBfTBWvmoF1", "secret", 1 },
	{ "{MD5-CRYPT}$1$3EtR1Ayi$LWCbETiTcokuBfTBWvmoF1", "secret ", 0 },
	{ "$1$3EtR1Ayi$LWCbETiTcokuBfTBWvmoF1", "secret", 1 },	/* bare $1$ */
	{ "{MD5}$1$3EtR1Ayi$LWCbETiTcokuBfTBWvmoF1", "secret", 1 },
	{ "{MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", "secret", 1 },
	{ "{BLF-CRYPT}$2y$05$g07Kr1kkhpoQ6RuF9CrhUeiMuFLnAT0a05hXl0ca8wSqy8GxJjjpe", "secret", 1 },
	{ "{BLF-CRYPT}$2y$05$g07Kr1kkhpoQ6RuF9CrhUeiMuFLnAT0a05hXl0ca8wSqy8GxJjjpe", "secreu", 0 },
	{ "{BLF-CRYPT}$6$2HQWJCfYNXwMqFUp$x", "secret", -1 },
	{ "{CRYPT}$2y$05$SouPagkLiaU/phzP8/taZeQ3NUIQSL5M8ncZi4J/Mg5czQzBUnYg6", "secret", 1 },
	{ "{CRYPT}$2y$05$SouPagkLiaU/phzP8/taZeQ3NUIQSL5M8ncZi4J/Mg5czQzBUnYg6", "wrong", 0 },
	{ "{CRYPT}$6$2HQWJCfYNXwMqFUp$QAjo9f8POIaV6MhGCdPwaA5LrFHrPFOLbDc6QHlVI5M4bksYfv/hDbYd1L8YzXQzQNHnWSqZaIgZlPiK/AJl/0", "secret", 1 },
	{ "{CRYPT}", "", 0 },	/* empty CRYPT never matches */
	{ "{CRYPT}$6$broken", "secret", 0 },	/* a salt without hash */
	{ "{DES-CRYPT}Hc7ci.G9soO16", "secret", 1 },
	{ "{DES-CRYPT}Hc7ci.G9soO16", "secreX", 0 },
	{ "{DES-CRYPT}short", "secret", -1 },
	{ "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$PifIzYTKV87adaKGIJdtAw$93K8Rgpd5iaFkrJbpxJuzc3y/nxR6+LOGHf6FpxKJbg", "secret", 1 },
	{ "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$PifIzYTKV87adaKGIJdtAw$93K8Rgpd5iaFkrJbpxJuzc3y/nxR6+LOGHf6FpxKJbg", "secret!", 0 },
	{ "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$62BRK5SNMDJajvsw1nJ2AQ$TntI3dDpVTBn1tHFu9f6t5tf0fMiSOD2Icn73Ye8WN0", "secret", 1 },
	{ "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$62BRK5SNMDJajvsw1nJ2AQ$TntI3dDpVTBn1tHFu9f6t5tf0fMiSOD2Icn73Ye8WN0", "", 0 },
	{ "{ARGON2ID}$argon2i$v=19$m=32768,t=4,p=1$x$y", "secret", -1 },
	{ "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret", 1 },
	{ "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret1", 0 },
	{ "{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret", 1 },
	{ "{SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4", "secret", 1 },	/* hex guess */
	{ "{SHA}5en6G6MezRroT3XKqkdPOmY", "secret", -1 },	/* wrong length */
	{ "{SHA}not base64!", "secret", -1 },
	{ "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=", "secret", 1 },
	{ "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=", "Secret", 0 },
	{ "{SHA256.HEX}2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", "secret", 1 },
	{ "{SHA256.HEX}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=", "secret", -1 },
	{ "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufKRpayrW/isg==", "secret", 1 },
	{ "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufKRpayrW/isg==", "secre", 0 },
	{ "{SSHA}Emol+b+2pMZyUJp2WN/3/hcISVZZdDJy", "secret", 1 },
	{ "{SSHA}Emol+b+2pMZyUJp2WN/3/hcISVZZdDJy", "secrets", 0 },
	{ "{SSHA}Emol+b+2pMZyUJp2WN/3/hcISVY=", "secret", -1 },	/* no salt */
	{ "{SSHA256}P299JYE7R0Qs2jfaYJfkds6POXYHBfql9xfZALrnEWRgduUg", "secret", 1 },
	{ "{SSHA256}P299JYE7R0Qs2jfaYJfkds6POXYHBfql9xfZALrnEWRgduUg", "xsecret", 0 },
	{ "{SSHA512}Onef/A7rQExjtesySuvKvJ7M3yvqqf4OFEB0rvUKGkYTo6+1QxT7alwFRa6HM62X9EMJsNVYki+D43p+ZH7HKVDrklM=", "secret", 1 },
	{ "{SSHA512}Onef/A7rQExjtesySuvKvJ7M3yvqqf4OFEB0rvUKGkYTo6+1QxT7alwFRa6HM62X9EMJsNVYki+D43p+ZH7HKVDrklM=", "", 0 },
	{ "{SMD5}wRJ/faSdmr1ZaMNXod7ZGgjIRpc=", "secret", 1 },
	{ "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", "secret", 1 },
	{ "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", "secret2", 0 },
	{ "{PLAIN-MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret", 1 },
	{ "{LDAP-MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret", 1 },
	{ "{PBKDF2}$1$ziXKYIQJRv4p1g95$5000$0b131c8df0cd7089636ac60cf6df83dd2acd748e", "secret", 1 },
	{ "{PBKDF2}$1$ziXKYIQJRv4p1g95$5000$0b131c8df0cd7089636ac60cf6df83dd2acd748e", "secret1", 0 },
	{ "{PBKDF2}$1$ziXKYIQJRv4p1g95$notanumber$0b13", "secret", -1 },
	{ "{FOO}bar", "secret", -1 },	/* unknown scheme */
	{ "{SHA.b32}abc", "secret", -1 },	/* unknown encoding */
};

START_TEST(test_password_verify)
{
	const char *error = NULL;
	int ret;

	ret = password_verify(scheme_tests[_i].password, "user@realm",
			      scheme_tests[_i].crypted, "CRYPT", &error);
	ck_assert_msg(ret == scheme_tests[_i].ret, "%s with '%s': got %d (%s)",
		      scheme_tests[_i].crypted, scheme_tests[_i].password, ret,
		      error == NULL ? "" : error);
	if (ret < 0)
		ck_assert_ptr_nonnull(error);
	tmp_reset();
}
END_TEST

START_TEST(test_password_default_scheme)
{
	const char *error;

	/* without {SCHEME} the passdb's default applies */
	ck_assert_int_eq(password_verify("secret", NULL, "secret", "PLAIN", &error), 1);
	ck_assert_int_eq(password_verify("secret", NULL, "secret", "CRYPT", &error) == 1, 0);
	ck_assert_int_eq(password_verify("secret", NULL,
		"$6$2HQWJCfYNXwMqFUp$QAjo9f8POIaV6MhGCdPwaA5LrFHrPFOLbDc6QHlVI5M4bksYfv/hDbYd1L8YzXQzQNHnWSqZaIgZlPiK/AJl/0",
		"CRYPT", &error), 1);
	ck_assert(password_verify_is_blocking("{SHA512-CRYPT}$6$x", "PLAIN"));
	ck_assert(password_verify_is_blocking("$1$ab$cd", "PLAIN"));
	ck_assert(!password_verify_is_blocking("{SHA}x", "CRYPT"));
	ck_assert(!password_verify_is_blocking("plain", "PLAIN"));
	ck_assert(password_verify_is_blocking("plain", "CRYPT"));
	ck_assert(!password_verify_is_blocking("{NOPE}x", "CRYPT"));
	tmp_reset();
}
END_TEST

START_TEST(test_password_digest_md5)
{
	const char *error;

	ck_assert_int_eq(password_verify("secret", "user@realm",
		"{DIGEST-MD5}fb6cb9e166c6c764ff2bdea12175a8aa", "CRYPT", &error), 1);
	ck_assert_int_eq(password_verify("secret", "user@other",
		"{DIGEST-MD5}fb6cb9e166c6c764ff2bdea12175a8aa", "CRYPT", &error), 0);
	ck_assert_int_eq(password_verify("secret", NULL,
		"{DIGEST-MD5}fb6cb9e166c6c764ff2bdea12175a8aa", "CRYPT", &error), -1);
	tmp_reset();
}
END_TEST

START_TEST(test_password_equals)
{
	ck_assert(password_equals("abc", 3, "abc", 3));
	ck_assert(!password_equals("abc", 3, "abd", 3));
	ck_assert(!password_equals("abc", 3, "abcd", 4));
	ck_assert(password_equals("", 0, "", 0));
}
END_TEST

Suite *password_scheme_suite(void)
{
	Suite *s = suite_create("password-scheme");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_password_verify, 0, N_ELEMENTS(scheme_tests));
	tcase_add_test(tc, test_password_default_scheme);
	tcase_add_test(tc, test_password_digest_md5);
	tcase_add_test(tc, test_password_equals);
	suite_add_tcase(s, tc);
	return s;
}
