/* Copyright (c) dovecot-like authors. Tests for %-variable expansion. */
#include "test-lib.h"
#include "str.h"
#include "var-expand.h"

static const struct var_expand_table user_table[] = {
	{ 'u', "Test.User@Example.COM", "user" },
	{ 'n', "Test.User", "username" },
	{ 'd', "Example.COM", "domain" },
	{ 'h', "/home/test", "home" },
	{ 'w', NULL, "password" },	/* not known here */
	{ '\0', "imap", "service" },
	{ '\0', NULL, NULL }
};

static const struct var_expand_table uidl_table[] = {
	{ 'u', "1", "uid" },
	{ 'v', "1795461150", "uidvalidity" },
	{ 'm', "x", "md5" },
	{ '\0', NULL, NULL }
};

static const struct {
	const struct var_expand_table *table;
	const char *in, *out;
	int ret;
} var_tests[] = {
	{ user_table, "%u", "Test.User@Example.COM", 1 },
	{ user_table, "%n", "Test.User", 1 },
	{ user_table, "%d", "Example.COM", 1 },
	{ user_table, "%Lu", "test.user@example.com", 1 },
	{ user_table, "%Uu", "TEST.USER@EXAMPLE.COM", 1 },
	{ user_table, "%Ln/%Ld", "test.user/example.com", 1 },
	{ user_table, "%{user}", "Test.User@Example.COM", 1 },
	{ user_table, "%L{username}", "test.user", 1 },
	{ user_table, "%{service}-%{home}", "imap-/home/test", 1 },
	{ user_table, "mail:~/Maildir:INBOX=/var/mail/%n", "mail:~/Maildir:INBOX=/var/mail/Test.User", 1 },
	{ user_table, "%%", "%", 1 },
	{ user_table, "100%%u", "100%u", 1 },
	{ user_table, "no vars", "no vars", 1 },
	{ user_table, "", "", 1 },
	{ user_table, "%5u", "Test.", 1 },
	{ user_table, "%2.3u", "st.", 1 },
	{ user_table, "%-3u", "COM", 1 },
	{ user_table, "%-3.2u", "CO", 1 },
	{ user_table, "%30u", "Test.User@Example.COM", 1 },
	{ user_table, "%Nu", "Test.User", 1 },
	{ user_table, "%Du", "Example.COM", 1 },
	{ user_table, "%LDu", "example.com", 1 },
	{ user_table, "%Dh", "", 1 },
	{ user_table, "%Nh", "/home/test", 1 },
	{ user_table, "%Ru", "MOC.elpmaxE@resU.tseT", 1 },
	{ user_table, "%x", "", 0 },
	{ user_table, "a%xb", "ab", 0 },
	{ user_table, "%w", "", 0 },
	{ user_table, "%{nope}", "", 0 },
	{ user_table, "%{password}", "", 0 },
	{ user_table, "%L", "", 0 },
	{ user_table, "%", NULL, -1 },
	{ user_table, "abc%", NULL, -1 },
	{ user_table, "%{user", NULL, -1 },
	{ user_table, "%{}", NULL, -1 },
	{ user_table, "%-u", NULL, -1 },
	{ user_table, "%5", NULL, -1 },
	{ user_table, "%2.-", NULL, -1 },
	{ uidl_table, "%08Xu%08Xv", "000000016b04901e", 1 },
	{ uidl_table, "%Xv", "6b04901e", 1 },
	{ uidl_table, "%08Xv", "6b04901e", 1 },
	{ uidl_table, "%04u", "0001", 1 },
	{ uidl_table, "%Xm", "0", 1 },
	{ uidl_table, "%v.%u", "1795461150.1", 1 },
};

START_TEST(test_var_expand)
{
	struct str *str = t_str_new(64);
	const char *error = NULL;
	int ret;

	ret = var_expand(str, var_tests[_i].in, var_tests[_i].table, &error);
	ck_assert_msg(ret == var_tests[_i].ret, "%s: ret %d", var_tests[_i].in, ret);
	if (ret >= 0)
		ck_assert_str_eq(str_c(str), var_tests[_i].out);
	if (ret <= 0)
		ck_assert_ptr_nonnull(error);
	/* NULL error_r is allowed */
	str_reset(str);
	ck_assert_int_eq(var_expand(str, var_tests[_i].in, var_tests[_i].table,
				    NULL), ret);
	tmp_reset();
}
END_TEST

static const struct {
	const char *in;
	char key;
	const char *long_key;
	bool ret;
} has_key_tests[] = {
	{ "%u", 'u', NULL, true },
	{ "%Lu", 'u', NULL, true },
	{ "x%08Xu", 'u', NULL, true },
	{ "%%u", 'u', NULL, false },
	{ "%n", 'u', NULL, false },
	{ "%{user}", '\0', "user", true },
	{ "%{user}", 'u', "username", false },
	{ "%{home}/x", 'h', "home", true },
	{ "/home/%h", 'h', "home", true },
	{ "%", 'u', NULL, false },
	{ "", 'u', NULL, false },
	{ "%n", 'n', NULL, true },
};

START_TEST(test_var_has_key)
{
	ck_assert_int_eq(var_has_key(has_key_tests[_i].in, has_key_tests[_i].key,
				     has_key_tests[_i].long_key),
			 has_key_tests[_i].ret);
}
END_TEST

Suite *var_expand_suite(void)
{
	Suite *s = suite_create("var-expand");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_var_expand, 0, N_ELEMENTS(var_tests));
	tcase_add_loop_test(tc, test_var_has_key, 0, N_ELEMENTS(has_key_tests));
	suite_add_tcase(s, tc);
	return s;
}
