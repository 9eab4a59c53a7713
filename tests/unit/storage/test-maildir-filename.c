/* Copyright (c) dovecot-like authors. Check suite for Maildir file names:
   names come from any program that writes into the Maildir, so odd and
   malformed ones matter as much as Dovecot's own. */

#include "lib.h"
#include "maildir-filename.h"
#include "test-storage.h"

static const struct {
	const char *fname;
	bool valid;
	size_t base_len;
	enum mail_flags flags;
	bool has_s, has_w;
	uoff_t s, w;
} fname_tests[] = {
	{ "1795461150.M399264P11591.vm,S=93,W=100:2,Sa", true, 38,
	  MAIL_SEEN, true, true, 93, 100 },
	{ "1795461150.M902548P11591.vm,S=43,W=47:2,FRbc", true, 37,
	  MAIL_FLAGGED | MAIL_ANSWERED, true, true, 43, 47 },
	{ "1795461175.M618039P16282.vm,S=117,W=126", true, 39, 0,
	  true, true, 117, 126 },
	{ "1700000000.12345_0.otherhost:2,", true, 28, 0, false, false, 0, 0 },
	{ "1700000000.12345_0.otherhost", true, 28, 0, false, false, 0, 0 },
	{ "x:2,DFRST", true, 1, MAIL_DRAFT | MAIL_FLAGGED | MAIL_ANSWERED |
	  MAIL_SEEN | MAIL_DELETED, false, false, 0, 0 },
	{ "x:2,TP,extra", true, 1, MAIL_DELETED, false, false, 0, 0 },
	{ "x:2,S,T", true, 1, MAIL_SEEN, false, false, 0, 0 },	/* T after , */
	{ "x:1,S", true, 1, 0, false, false, 0, 0 },	/* not version 2 info */
	{ "x:2S", true, 1, 0, false, false, 0, 0 },
	{ "x,S=12x,W=5:2,", true, 11, 0, false, true, 0, 5 },	/* junk after S= */
	{ "x,S=,W=7", true, 8, 0, false, true, 0, 7 },	/* empty S= */
	{ "x,S=99999999999999999999999", true, 27, 0, false, false, 0, 0 },
	{ "x,W=5,S=6", true, 9, 0, true, true, 6, 5 },	/* any order */
	{ "x,s=5", true, 5, 0, false, false, 0, 0 },	/* keys are capitals */
	{ "x:2,S:2,F", true, 1, MAIL_FLAGGED, false, false, 0, 0 }, /* last : */
	{ "y:,S=5", true, 1, 0, false, false, 0, 0 },	/* S= in info */
	{ ".hidden", false, 7, 0, false, false, 0, 0 },
	{ ":2,S", false, 0, MAIL_SEEN, false, false, 0, 0 },
	{ "", false, 0, 0, false, false, 0, 0 },
	{ "a/b", false, 3, 0, false, false, 0, 0 },
};

START_TEST(test_maildir_filename_parse)
{
	const char *fname = fname_tests[_i].fname;
	uoff_t size;

	ck_assert_int_eq(maildir_filename_is_valid(fname), fname_tests[_i].valid);
	ck_assert_uint_eq(maildir_filename_base_len(fname),
			  fname_tests[_i].base_len);
	ck_assert_int_eq(maildir_filename_get_flags(fname),
			 fname_tests[_i].flags);
	ck_assert_int_eq(maildir_filename_get_size(fname, 'S', &size),
			 fname_tests[_i].has_s);
	if (fname_tests[_i].has_s)
		ck_assert_uint_eq(size, fname_tests[_i].s);
	ck_assert_int_eq(maildir_filename_get_size(fname, 'W', &size),
			 fname_tests[_i].has_w);
	if (fname_tests[_i].has_w)
		ck_assert_uint_eq(size, fname_tests[_i].w);
}
END_TEST

static const struct {
	const char *in;
	enum mail_flags flags;
	const char *out;
} set_flags_tests[] = {
	{ "x", MAIL_SEEN, "x:2,S" },
	{ "x", 0, "x:2," },
	{ "x:2,", MAIL_SEEN | MAIL_FLAGGED | MAIL_DRAFT, "x:2,DFS" },
	{ "x:2,Sa", MAIL_FLAGGED | MAIL_SEEN, "x:2,FSa" },	/* keyword kept */
	{ "x:2,FRbc", MAIL_ANSWERED, "x:2,Rbc" },
	{ "x:2,Pb", MAIL_DELETED, "x:2,PTb" },	/* unknown capital kept, sorted */
	{ "x:2,S,extra", MAIL_DRAFT, "x:2,D,extra" },
	{ "x:2,SS", MAIL_SEEN, "x:2,S" },	/* duplicates collapse */
	{ "x,S=5,W=6:2,T", MAIL_SEEN | MAIL_ANSWERED | MAIL_DELETED,
	  "x,S=5,W=6:2,RST" },
	{ "x:1,foo", MAIL_SEEN, "x:2,S" },
	{ "x:2,S", MAIL_SEEN | MAIL_RECENT, "x:2,S" },	/* \Recent never stored */
	/* the last ":2," is the one get_flags() reads (fuzz: flags were
	   lost, "x:2,2:S,F") */
	{ "x:2,S:2,F", MAIL_SEEN, "x:2,S:2,S" },
	{ "x:2,a:b", MAIL_SEEN, "x:2,S" },
};

START_TEST(test_maildir_filename_set_flags)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_NONE);

	ck_assert_str_eq(maildir_filename_set_flags(pool, set_flags_tests[_i].in,
						    set_flags_tests[_i].flags),
			 set_flags_tests[_i].out);
	pool_unref(&pool);
}
END_TEST

static const struct {
	const char *a, *b;
	int ret;	/* sign */
} sort_tests[] = {
	{ "1700000001.M20P1.h", "1700000001.M900P1.h", -1 },	/* usecs numeric */
	{ "1700000001.M900P1.h", "1700000002.M1P1.h", -1 },
	{ "999999999.M1P1.h", "1000000000.M1P1.h", -1 },	/* secs numeric */
	{ "1700000001.M5P1.h,S=1:2,S", "1700000001.M5P1.h", 1 },
	{ "1700000001.M5P2.h", "1700000001.M5P1.h", 1 },	/* base bytes */
	{ "1700000001.12345_0.h", "1700000001.12345_1.h", -1 },
	{ "1700000001.P1M7.h", "1700000001.P1M10.h", -1 },	/* M inside part */
	{ "1700000001.M5P1.h:2,S", "1700000001.M5P1.h:2,F", 0 },
	{ "abc", "abd", -1 },	/* no digits at all */
	{ "5.x", "abc", 1 },
	{ "", "1.x", -1 },
};

START_TEST(test_maildir_filename_keywords)
{
	const char *name;

	ck_assert_uint_eq(maildir_filename_get_letters("1.M1P1.h:2,FSabz,X"),
			  (1U << 0) | (1U << 1) | (1U << 25));
	ck_assert_uint_eq(maildir_filename_get_letters("1.M1P1.h"), 0);
	ck_assert_uint_eq(maildir_filename_get_letters("1.M1P1.h:1,ab"), 0);
	ck_assert_uint_eq(maildir_filename_get_letters("1.M1P1.h:2,,ab"), 0);
	/* known a,b,c: c set, a cleared; unknown x and P kept, sorted */
	name = maildir_filename_set_flags_kw(tmp_pool, "1.M1P1.h:2,PSax,Z",
					     MAIL_FLAGGED, 1U << 2, 0x7);
	ck_assert_str_eq(name, "1.M1P1.h:2,FPcx,Z");
	name = maildir_filename_set_flags_kw(tmp_pool, "1.M1P1.h,S=5",
					     0, (1U << 3) | (1U << 1), 0xf);
	ck_assert_str_eq(name, "1.M1P1.h,S=5:2,bd");
	/* letters outside known are never added */
	name = maildir_filename_set_flags_kw(tmp_pool, "1.M1P1.h:2,S",
					     MAIL_SEEN, 1U << 4, 0x1);
	ck_assert_str_eq(name, "1.M1P1.h:2,S");
	/* plain set_flags keeps all keyword letters */
	name = maildir_filename_set_flags(tmp_pool, "1.M1P1.h:2,Sbq", 0);
	ck_assert_str_eq(name, "1.M1P1.h:2,bq");
}
END_TEST

START_TEST(test_maildir_filename_sort)
{
	int ret = maildir_filename_sort_cmp(sort_tests[_i].a, sort_tests[_i].b);
	int rev = maildir_filename_sort_cmp(sort_tests[_i].b, sort_tests[_i].a);

	ck_assert_int_eq(ret < 0 ? -1 : (ret > 0 ? 1 : 0), sort_tests[_i].ret);
	ck_assert_int_eq(rev < 0 ? -1 : (rev > 0 ? 1 : 0), -sort_tests[_i].ret);
}
END_TEST

START_TEST(test_maildir_filename_guid)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_NONE);

	ck_assert_str_eq(maildir_filename_guid(pool,
		"1795461150.M399264P11591.vm,S=93,W=100:2,Sa"),
		"1795461150.M399264P11591.vm");
	ck_assert_str_eq(maildir_filename_guid(pool, "a:2,S"), "a");
	ck_assert_str_eq(maildir_filename_guid(pool, "plain"), "plain");
	pool_unref(&pool);
}
END_TEST

Suite *test_maildir_filename_suite(void)
{
	Suite *s = suite_create("maildir-filename");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_maildir_filename_parse, 0,
			    N_ELEMENTS(fname_tests));
	tcase_add_loop_test(tc, test_maildir_filename_set_flags, 0,
			    N_ELEMENTS(set_flags_tests));
	tcase_add_loop_test(tc, test_maildir_filename_sort, 0,
			    N_ELEMENTS(sort_tests));
	tcase_add_test(tc, test_maildir_filename_guid);
	tcase_add_test(tc, test_maildir_filename_keywords);
	suite_add_tcase(s, tc);
	return s;
}
