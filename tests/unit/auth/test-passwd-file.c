/* Copyright (c) dovecot-like authors. Tests for the passwd-file parser:
   Dovecot's line format (passwd-file-and-schemes.md s.1) with comments,
   missing and extra fields, legacy forms and bad uids. */
#include "test-auth.h"
#include "db-passwd-file.h"
#include "strfuncs.h"

#include <stdio.h>
#include <unistd.h>

static const struct {
	const char *line;
	bool userdb;
	int ret;
	const char *name, *password, *home;
	long uid, gid;		/* -1 = not set */
	bool userdb_found;
	const char *extra;	/* extra fields joined with '|' */
} line_tests[] = {
	{ "alice:{PLAIN}alicepw:1000:1000::/home/alice::", true, 1,
	  "alice", "{PLAIN}alicepw", "/home/alice", 1000, 1000, true, "" },
	{ "bob:{SHA512-CRYPT}$6$x$y:1000:1001::/home/bob::userdb_quota_rule=*:storage=10M",
	  true, 1, "bob", "{SHA512-CRYPT}$6$x$y", "/home/bob", 1000, 1001, true,
	  "userdb_quota_rule=*:storage=10M" },
	{ "carol:{PLAIN}c:1000:1000::/home/carol::userdb_mail=mbox:~/mail:INBOX=~/mail/inbox",
	  true, 1, "carol", "{PLAIN}c", "/home/carol", 1000, 1000, true,
	  "userdb_mail=mbox:~/mail:INBOX=~/mail/inbox" },
	{ "dave:{PLAIN}davepw::::::nologin reason=Account_disabled", true, 1,
	  "dave", "{PLAIN}davepw", NULL, -1, -1, true, "nologin|reason=Account_disabled" },
	{ "frank::1000:1000::/home/frank::nopassword", true, 1,
	  "frank", "", "/home/frank", 1000, 1000, true, "nopassword" },
	/* passdb-only line: no fields after the password */
	{ "gina:{PLAIN}pw", true, 1, "gina", "{PLAIN}pw", NULL, -1, -1, false, "" },
	/* user only */
	{ "hank", false, 1, "hank", NULL, NULL, -1, -1, false, "" },
	/* comments and empty lines */
	{ "", true, 0, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "# comment:x:1:1", true, 0, NULL, NULL, NULL, -1, -1, false, NULL },
	{ ":nouser:1:1", true, 0, NULL, NULL, NULL, -1, -1, false, NULL },
	/* bad uids: invalid for a userdb, ignored for a passdb */
	{ "ivan:pw:0:1000::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:1000:0::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:nosuchuser-xyz:1000::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:12ab:1000::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:-5:1000::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:99999999999:1000::/h::", true, -1, NULL, NULL, NULL, -1, -1, false, NULL },
	{ "ivan:pw:0:0::/h::", false, 1, "ivan", "pw", "/h", -1, -1, true, "" },
	{ "root:pw:root:root::/root::", false, 1, "root", "pw", "/root", -1, -1, true, "" },
	/* names resolve */
	{ "jim:pw:nobody:1::/h", true, 1, "jim", "pw", "/h", 65534, 1, true, "" },
	/* legacy mail column after an empty field 8 */
	{ "kim:pw:1:1::/h:::maildir:~/Maildir", true, 1, "kim", "pw", "/h", 1, 1,
	  true, "userdb_mail=maildir:~/Maildir" },
	/* libpam-pwdfile compatibility suffixes */
	{ "lee:abcdefghijklm[13]:1:1", true, 1, "lee", "{CRYPT}abcdefghijklm", NULL, 1, 1,
	  true, "" },
	{ "lee:5ebe2294ecd0e0f08eab7690d2a6ee69[34]", true, 1, "lee",
	  "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69", NULL, -1, -1, false, "" },
	{ "lee:{PLAIN}x[13]", true, 1, "lee", "{PLAIN}x[13]", NULL, -1, -1, false, "" },
	/* extra fields: several spaces, bare words */
	{ "max:pw:1:1:gecos:/h:/bin/sh:a=1  b   c=x=y", true, 1, "max", "pw", "/h", 1, 1,
	  true, "a=1|b|c=x=y" },
	/* empty fields mean "not set" */
	{ "ned:pw::::::", true, 1, "ned", "pw", NULL, -1, -1, true, "" },
};

START_TEST(test_passwd_file_parse_line)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct passwd_user pu;
	const char *error = NULL;
	int ret;

	ret = passwd_file_parse_line(pool, line_tests[_i].line, line_tests[_i].userdb,
				     &pu, &error);
	ck_assert_msg(ret == line_tests[_i].ret, "%s: ret %d (%s)",
		      line_tests[_i].line, ret, error == NULL ? "" : error);
	if (ret < 0)
		ck_assert_ptr_nonnull(error);
	if (ret == 1) {
		ck_assert_str_eq(pu.name, line_tests[_i].name);
		if (line_tests[_i].password == NULL)
			ck_assert_ptr_null(pu.password);
		else
			ck_assert_str_eq(pu.password, line_tests[_i].password);
		if (line_tests[_i].home == NULL)
			ck_assert_ptr_null(pu.home);
		else
			ck_assert_str_eq(pu.home, line_tests[_i].home);
		ck_assert_int_eq(pu.uid_set, line_tests[_i].uid != -1);
		if (pu.uid_set)
			ck_assert_int_eq((long)pu.uid, line_tests[_i].uid);
		ck_assert_int_eq(pu.gid_set, line_tests[_i].gid != -1);
		if (pu.gid_set)
			ck_assert_int_eq((long)pu.gid, line_tests[_i].gid);
		ck_assert_int_eq(pu.userdb_found, line_tests[_i].userdb_found);
		ck_assert_str_eq(tmp_strarray_join(pu.extra_fields, "|"),
				 line_tests[_i].extra);
	}
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

START_TEST(test_passwd_file_data)
{
	static const char data[] =
		"# users\n"
		"alice:{PLAIN}a:1000:1000::/home/alice::\r\n"
		"\n"
		"bob:{PLAIN}b:0:1000::/home/bob::\n"	/* bad uid: skipped */
		"alice:{PLAIN}second:1000:1000::/x::\n"	/* duplicate: first wins */
		"carol:{PLAIN}c";			/* no final LF */
	struct passwd_file *file = passwd_file_get("/nonexistent/test-data", true);
	const struct passwd_user *pu;

	ck_assert_uint_eq(passwd_file_parse_data(file, data, strlen(data)), 2);
	pu = passwd_file_lookup(file, "alice");
	ck_assert_ptr_nonnull(pu);
	ck_assert_str_eq(pu->password, "{PLAIN}a");
	ck_assert_str_eq(pu->home, "/home/alice");
	ck_assert_ptr_null(passwd_file_lookup(file, "bob"));
	ck_assert_ptr_null(passwd_file_lookup(file, "Alice"));	/* case-sensitive */
	pu = passwd_file_lookup(file, "carol");
	ck_assert_ptr_nonnull(pu);
	ck_assert(!pu->userdb_found);
	ck_assert_uint_eq(array_count(&file->user_list), 2);
	tmp_reset();
}
END_TEST

START_TEST(test_passwd_file_reload)
{
	char path[] = "/tmp/test-passwd-file.XXXXXX";
	struct passwd_file *file;
	const char *error;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "a:{PLAIN}1\n", 11), 11);
	close(fd);
	file = passwd_file_get(path, false);
	ck_assert_int_eq(passwd_file_refresh(file, &error), 0);
	ck_assert_ptr_nonnull(passwd_file_lookup(file, "a"));
	ck_assert_ptr_null(passwd_file_lookup(file, "b"));
	/* a changed size is noticed even within the same second */
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("b:{PLAIN}2\n", f);
	fclose(f);
	ck_assert_int_eq(passwd_file_refresh(file, &error), 0);
	ck_assert_ptr_nonnull(passwd_file_lookup(file, "b"));
	unlink(path);
	ck_assert_int_eq(passwd_file_refresh(file, &error), -1);
	tmp_reset();
}
END_TEST

static const struct {
	const char *args;
	bool passdb;
	int ret;
	const char *path, *scheme, *format;
} args_tests[] = {
	{ "/etc/users", true, 0, "/etc/users", "CRYPT", "%u" },
	{ "scheme=sha512-crypt /etc/users", true, 0, "/etc/users", "SHA512-CRYPT", "%u" },
	{ "username_format=%n /etc/users.%d", true, 0, "/etc/users.%d", "CRYPT", "%n" },
	{ "scheme=PLAIN /etc/users", false, -1, NULL, NULL, NULL },
	{ "foo=bar /etc/users", true, -1, NULL, NULL, NULL },
	{ "", true, -1, NULL, NULL, NULL },
	{ "scheme=PLAIN", true, -1, NULL, NULL, NULL },
};

START_TEST(test_passwd_file_args)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_NONE);
	struct db_passwd_file_args args;
	const char *error;
	int ret;

	ret = db_passwd_file_parse_args(pool, args_tests[_i].args,
					args_tests[_i].passdb, &args, &error);
	ck_assert_int_eq(ret, args_tests[_i].ret);
	if (ret == 0) {
		ck_assert_str_eq(args.path, args_tests[_i].path);
		ck_assert_str_eq(args.default_scheme, args_tests[_i].scheme);
		ck_assert_str_eq(args.username_format, args_tests[_i].format);
	}
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

Suite *passwd_file_suite(void)
{
	Suite *s = suite_create("passwd-file");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_passwd_file_parse_line, 0, N_ELEMENTS(line_tests));
	tcase_add_test(tc, test_passwd_file_data);
	tcase_add_test(tc, test_passwd_file_reload);
	tcase_add_loop_test(tc, test_passwd_file_args, 0, N_ELEMENTS(args_tests));
	suite_add_tcase(s, tc);
	return s;
}
