/* Copyright (c) dovecot-like authors. Check suite for mail_location parsing:
   it comes from config and userdb, so Dovecot's syntax must be read exactly
   and anything else refused with a clear error. */

#include "lib.h"
#include "mail-storage-private.h"
#include "test-storage.h"

static const struct {
	const char *home, *location;
	int ret;
	const char *root, *index, *control, *layout;
} location_tests[] = {
	{ "/home/u", "maildir:~/Maildir", 0, "/home/u/Maildir", NULL, NULL,
	  "maildir++" },
	{ "/home/u", "maildir:~/Maildir:INDEX=/var/idx/u:CONTROL=~/ctl:LAYOUT=fs",
	  0, "/home/u/Maildir", "/var/idx/u", "/home/u/ctl", "fs" },
	{ "/home/u", "maildir:~/Maildir:INDEX=MEMORY", 0, "/home/u/Maildir",
	  "MEMORY", NULL, "maildir++" },
	{ "/home/u", "maildir:/srv/mail/u", 0, "/srv/mail/u", NULL, NULL,
	  "maildir++" },
	{ "/home/u", "maildir:~/M::x", 0, "/home/u/M:x", NULL, NULL,
	  "maildir++" },	/* "::" is a literal ':' */
	{ "/home/u", "maildir:~", 0, "/home/u", NULL, NULL, "maildir++" },
	{ "/home/u", "~/Maildir", 0, "/home/u/Maildir", NULL, NULL,
	  "maildir++" },	/* no driver: a Maildir path */
	{ "/home/u", "", 0, "/home/u/Maildir", NULL, NULL, "maildir++" },
	{ "/home/u", NULL, 0, "/home/u/Maildir", NULL, NULL, "maildir++" },
	{ "/home/u", "maildir:~/Maildir:UNKNOWNKEY=1", 0, "/home/u/Maildir",
	  NULL, NULL, "maildir++" },
	{ "/home/u", "maildir:~user/x", 0, "~user/x", NULL, NULL, "maildir++" },
	/* errors */
	{ NULL, "", -1, NULL, NULL, NULL, NULL },	/* nothing to autodetect */
	{ NULL, "maildir:~/Maildir", -1, NULL, NULL, NULL, NULL },
	{ "/home/u", "maildir:~/Maildir:CONTROL=~/c:INDEX", -1, NULL, NULL,
	  NULL, NULL },
	{ "/home/u", "maildir:~/Maildir:LAYOUT=bogus", -1, NULL, NULL, NULL,
	  NULL },
	/* "mbox:..." parses now: tested in tests/unit/mbox */
	{ "/home/u", "foo:~/mail", -1, NULL, NULL, NULL, NULL },
	{ "/home/u", "maildir:", -1, NULL, NULL, NULL, NULL },
};

static void assert_str_or_null(const char *a, const char *b)
{
	if (b == NULL)
		ck_assert_ptr_null(a);
	else
		ck_assert_str_eq(a, b);
}

START_TEST(test_mail_location_parse)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_NONE);
	struct mail_storage_location loc;
	const char *error = NULL;
	int ret;

	ret = mail_storage_location_parse(pool, location_tests[_i].home,
					  location_tests[_i].location, &loc,
					  &error);
	ck_assert_int_eq(ret, location_tests[_i].ret);
	if (ret == 0) {
		ck_assert_str_eq(loc.driver, "maildir");
		ck_assert_str_eq(loc.root, location_tests[_i].root);
		assert_str_or_null(loc.index_dir, location_tests[_i].index);
		assert_str_or_null(loc.control_dir, location_tests[_i].control);
		ck_assert_str_eq(loc.layout, location_tests[_i].layout);
	} else {
		ck_assert_ptr_nonnull(error);
	}
	pool_unref(&pool);
}
END_TEST

Suite *test_mail_location_suite(void)
{
	Suite *s = suite_create("mail-location");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_mail_location_parse, 0,
			    N_ELEMENTS(location_tests));
	suite_add_tcase(s, tc);
	return s;
}
