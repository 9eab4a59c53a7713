/* Copyright (c) dovecot-like authors. Check suite of the *_client_workarounds
   parser: Dovecot 2.3's words in any case, spaces or commas between them,
   every other word refused by name, both by the worker's parser and by the
   config check that makes the master refuse to start. */
#include "test-config.h"

#include "str.h"

#include <string.h>

static const char *const names[] = {
	"delay-newmail", "tb-extra-mailbox-sep", "tb-lsub-flags", NULL
};

static const struct {
	const char *value;
	unsigned int mask;
} ok_tests[] = {
	{ "", 0 },
	{ "   ", 0 },
	{ "delay-newmail", 0x01 },
	{ "tb-extra-mailbox-sep", 0x02 },
	{ "tb-lsub-flags", 0x04 },
	{ "delay-newmail tb-lsub-flags", 0x05 },
	{ "DELAY-NEWMAIL,Tb-Lsub-Flags", 0x05 },
	{ " ,tb-lsub-flags,, delay-newmail\ttb-extra-mailbox-sep ", 0x07 },
	{ "tb-lsub-flags tb-lsub-flags", 0x04 },
};

static const struct {
	const char *value, *error;
} bad_tests[] = {
	{ "x", "Unknown workaround: x" },
	{ "delay-newmail outlook-idle", "Unknown workaround: outlook-idle" },
	{ "delay-newmai", "Unknown workaround: delay-newmai" },
	{ "delay-newmailx", "Unknown workaround: delay-newmailx" },
	{ "tb-lsub-flags;delay-newmail", "Unknown workaround: tb-lsub-flags;delay-newmail" },
	{ "\"delay-newmail\"", "Unknown workaround: \"delay-newmail\"" },
};

START_TEST(test_workarounds_ok)
{
	unsigned int mask = 0xdead;
	const char *error = NULL;

	ck_assert_int_eq(settings_parse_workarounds(ok_tests[_i].value, names,
						    &mask, &error), 0);
	ck_assert_uint_eq(mask, ok_tests[_i].mask);
}
END_TEST

START_TEST(test_workarounds_bad)
{
	unsigned int mask = 0xdead;
	const char *error = NULL;

	ck_assert_int_eq(settings_parse_workarounds(bad_tests[_i].value, names,
						    &mask, &error), -1);
	ck_assert_str_eq(error, bad_tests[_i].error);
	ck_assert_uint_eq(mask, 0xdead);
}
END_TEST

/* a long list of valid words: no fixed-size buffer anywhere */
START_TEST(test_workarounds_long)
{
	struct str *value = t_str_new(1024);
	unsigned int i, mask = 0;
	const char *error;

	for (i = 0; i < 2000; i++)
		str_append(value, i % 2 == 0 ? "tb-lsub-flags " : "DELAY-NEWMAIL,");
	ck_assert_int_eq(settings_parse_workarounds(str_c(value), names,
						    &mask, &error), 0);
	ck_assert_uint_eq(mask, 0x05);
	str_append(value, "bad");
	ck_assert_int_eq(settings_parse_workarounds(str_c(value), names,
						    &mask, &error), -1);
	ck_assert_str_eq(error, "Unknown workaround: bad");
}
END_TEST

/* the config check: a bad word is a start-up error naming it, for imap and
   pop3, globally and in a protocol section; the legacy 1.x words are
   dropped with a warning before the check */
START_TEST(test_workarounds_config)
{
	struct settings *set;
	const char *errors;

	set = test_parse_ok("imap_client_workarounds = delay-newmail, TB-LSUB-FLAGS\n"
			    "pop3_client_workarounds = outlook-no-nuls oe-ns-eoh\n");
	ck_assert_ptr_nonnull(set);
	settings_free(&set);
	set = test_parse_ok("imap_client_workarounds = outlook-idle tb-lsub-flags\n");
	ck_assert_ptr_nonnull(set);
	settings_free(&set);

	errors = test_parse_fail("imap_client_workarounds = delay-newmail x\n");
	ck_assert_ptr_nonnull(strstr(errors, "imap_client_workarounds"));
	ck_assert_ptr_nonnull(strstr(errors, "Unknown workaround: x"));
	errors = test_parse_fail("protocol imap {\n"
				 "  imap_client_workarounds = oe-ns-eoh\n}\n");
	ck_assert_ptr_nonnull(strstr(errors, "Unknown workaround: oe-ns-eoh"));
	errors = test_parse_fail("pop3_client_workarounds = delay-newmail\n");
	ck_assert_ptr_nonnull(strstr(errors, "pop3_client_workarounds"));
	ck_assert_ptr_nonnull(strstr(errors, "Unknown workaround: delay-newmail"));
}
END_TEST

Suite *test_settings_workarounds_suite(void)
{
	Suite *s = suite_create("settings-workarounds");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_workarounds_ok, 0, N_ELEMENTS(ok_tests));
	tcase_add_loop_test(tc, test_workarounds_bad, 0, N_ELEMENTS(bad_tests));
	tcase_add_test(tc, test_workarounds_long);
	tcase_add_test(tc, test_workarounds_config);
	suite_add_tcase(s, tc);
	return s;
}
