/* Copyright (c) dovecot-like authors. Tests for anvil's per-ident connection
   counts: the limit, limit 0 (unlimited), independence of idents, freeing
   and LIST output. */
#include "test-anvil.h"
#include "str.h"
#include "anvil-registry.h"

START_TEST(test_registry_limit)
{
	struct anvil_registry *reg = anvil_registry_create();
	unsigned int count;

	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.4/u", 2, &count));
	ck_assert_uint_eq(count, 1);
	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.4/u", 2, &count));
	ck_assert_uint_eq(count, 2);
	/* refused: nothing registered, the current count reported */
	ck_assert(!anvil_registry_connect(reg, "imap/1.2.3.4/u", 2, &count));
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(anvil_registry_count(reg, "imap/1.2.3.4/u"), 2);
	/* another ident, user, IP or service is counted apart */
	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.5/u", 2, &count));
	ck_assert_uint_eq(count, 1);
	ck_assert(anvil_registry_connect(reg, "pop3/1.2.3.4/u", 2, &count));
	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.4/v", 2, &count));
	/* a lower limit than the count already there refuses too */
	ck_assert(!anvil_registry_connect(reg, "imap/1.2.3.4/u", 1, &count));
	ck_assert_uint_eq(count, 2);
	/* a higher one lets in more */
	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.4/u", 3, &count));
	ck_assert_uint_eq(count, 3);

	anvil_registry_disconnect(reg, "imap/1.2.3.4/u");
	anvil_registry_disconnect(reg, "imap/1.2.3.4/u");
	ck_assert_uint_eq(anvil_registry_count(reg, "imap/1.2.3.4/u"), 1);
	ck_assert(anvil_registry_connect(reg, "imap/1.2.3.4/u", 2, &count));
	ck_assert_uint_eq(count, 2);
	anvil_registry_destroy(&reg);
	ck_assert_ptr_null(reg);
}
END_TEST

START_TEST(test_registry_unlimited)
{
	struct anvil_registry *reg = anvil_registry_create();
	unsigned int i, count = 0;

	for (i = 0; i < 1000; i++)
		ck_assert(anvil_registry_connect(reg, "imap/::1/u", 0, &count));
	ck_assert_uint_eq(count, 1000);
	/* a limit applies to the count whoever registered it */
	ck_assert(!anvil_registry_connect(reg, "imap/::1/u", 10, &count));
	ck_assert_uint_eq(count, 1000);
	for (i = 0; i < 1000; i++)
		anvil_registry_disconnect(reg, "imap/::1/u");
	ck_assert_uint_eq(anvil_registry_count(reg, "imap/::1/u"), 0);
	anvil_registry_destroy(&reg);
}
END_TEST

START_TEST(test_registry_list)
{
	struct anvil_registry *reg = anvil_registry_create();
	struct str *out = t_str_new(128);
	unsigned int count;

	anvil_registry_list(reg, out);
	ck_assert_str_eq(str_c(out), "");
	ck_assert(anvil_registry_connect(reg, "imap/::1/a\tb", 5, &count));
	ck_assert(anvil_registry_connect(reg, "imap/::1/a\tb", 5, &count));
	anvil_registry_list(reg, out);
	ck_assert_str_eq(str_c(out), "imap/::1/a\001tb\t2\n");

	/* an ident whose count drops to 0 is gone from the list */
	anvil_registry_disconnect(reg, "imap/::1/a\tb");
	anvil_registry_disconnect(reg, "imap/::1/a\tb");
	str_truncate(out, 0);
	anvil_registry_list(reg, out);
	ck_assert_str_eq(str_c(out), "");
	anvil_registry_destroy(&reg);
}
END_TEST

Suite *anvil_registry_suite(void)
{
	Suite *s = suite_create("anvil-registry");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_registry_limit);
	tcase_add_test(tc, test_registry_unlimited);
	tcase_add_test(tc, test_registry_list);
	suite_add_tcase(s, tc);
	return s;
}
