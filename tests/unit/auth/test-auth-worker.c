/* Copyright (c) dovecot-like authors. test-auth-worker.c: the system user
   databases: pam passdb args, the PAM/SHADOW/PASSWD auth-worker lines
   (PAM run for real against service files in a private confdir with
   pam_permit, pam_deny, pam_debug and pam_exec) and shadow(5) expiry. */
#include "test-auth.h"
#include "str.h"
#include "strfuncs.h"
#include "db-pam.h"
#include "db-passwd.h"
#include "auth-worker-server.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <shadow.h>

/* --- args --- */

static const struct {
	const char *args;
	int ret;
	const char *service;
	unsigned int flags;
	bool show_msg;
	unsigned int max_requests;
	const char *cache_key, *error;
} args_tests[] = {
	{ "", 0, "dovecot", 0, false, 0, NULL, NULL },
	{ "imap", 0, "imap", 0, false, 0, NULL, NULL },
	{ "%s", 0, "%s", 0, false, 0, NULL, NULL },
	{ "*", 0, "%s", 0, false, 0, NULL, NULL },
	{ "session=yes setcred=yes failure_show_msg=yes max_requests=100 "
	  "cache_key=%u%s dovecot2", 0, "dovecot2",
	  DB_PAM_FLAG_SESSION | DB_PAM_FLAG_SETCRED, true, 100, "%u%s", NULL },
	{ "  setcred=yes\tsession=no  ", 0, "dovecot", DB_PAM_FLAG_SETCRED,
	  false, 0, NULL, NULL },
	{ "blocking=yes", 0, "dovecot", 0, false, 0, NULL, NULL },
	{ "cache_key=", 0, "dovecot", 0, false, 0, "", NULL },
	{ "session=maybe", -1, NULL, 0, false, 0, NULL,
	  "Invalid value for session: 'maybe' (yes or no)" },
	{ "failure_show_msg=", -1, NULL, 0, false, 0, NULL,
	  "Invalid value for failure_show_msg: '' (yes or no)" },
	{ "max_requests=0", -1, NULL, 0, false, 0, NULL, "Invalid max_requests: '0'" },
	{ "max_requests=-1", -1, NULL, 0, false, 0, NULL, "Invalid max_requests: '-1'" },
	{ "max_requests=99999999999", -1, NULL, 0, false, 0, NULL,
	  "Invalid max_requests: '99999999999'" },
	{ "nosuch=1", -1, NULL, 0, false, 0, NULL, "Unknown arg 'nosuch=1'" },
	{ "imap pop3", -1, NULL, 0, false, 0, NULL,
	  "Unknown arg 'pop3' (service already given as 'imap')" },
	{ "=yes", -1, NULL, 0, false, 0, NULL, "Unknown arg '=yes'" },
};

START_TEST(test_pam_args)
{
	struct db_pam_args args;
	const char *error = NULL;
	int ret;

	ret = db_pam_parse_args(tmp_pool, args_tests[_i].args, &args, &error);
	ck_assert_int_eq(ret, args_tests[_i].ret);
	if (ret < 0) {
		ck_assert_str_eq(error, args_tests[_i].error);
		tmp_reset();
		return;
	}
	ck_assert_str_eq(args.service, args_tests[_i].service);
	ck_assert_uint_eq(args.flags, args_tests[_i].flags);
	ck_assert_int_eq(args.failure_show_msg, args_tests[_i].show_msg);
	ck_assert_uint_eq(args.max_requests, args_tests[_i].max_requests);
	if (args_tests[_i].cache_key == NULL)
		ck_assert_ptr_null(args.cache_key);
	else
		ck_assert_str_eq(args.cache_key, args_tests[_i].cache_key);
	tmp_reset();
}
END_TEST

/* --- worker lines --- */

static char pam_dir[] = "/tmp/dl-test-pam.XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = tmp_printf("%s/%s", pam_dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void pam_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(pam_dir));
	write_file("permit", "auth required pam_permit.so\n"
		   "account required pam_permit.so\n"
		   "session required pam_permit.so\n", 0644);
	write_file("nosession", "auth required pam_permit.so\n"
		   "account required pam_permit.so\n"
		   "session required pam_deny.so\n", 0644);
	write_file("deny", "auth required pam_deny.so\n"
		   "account required pam_permit.so\n", 0644);
	write_file("unknown", "auth required pam_debug.so auth=user_unknown\n"
		   "account required pam_permit.so\n", 0644);
	write_file("acctdeny", "auth required pam_permit.so\n"
		   "account required pam_deny.so\n", 0644);
	write_file("acctexpired", "auth required pam_permit.so\n"
		   "account required pam_debug.so acct=acct_expired\n", 0644);
	write_file("newtok", "auth required pam_permit.so\n"
		   "account required pam_debug.so acct=new_authtok_reqd\n", 0644);
	write_file("syserr", "auth required pam_debug.so auth=system_err\n"
		   "account required pam_permit.so\n", 0644);
	/* the conversation: the password reaches the module on stdin; the
	   module's stdout comes back as TEXT_INFO */
	write_file("check.sh", "#!/bin/sh\n"
		   "pw=$(tr -d '\\000')\n"
		   "[ \"$pw\" = \"s3cr\tet\" ] && [ \"$PAM_USER\" = bob ] && "
		   "[ \"$PAM_RHOST\" = 192.0.2.1 ] && [ \"$PAM_TTY\" = dovecot ] "
		   "&& exit 0\n"
		   "echo \"no entry for $PAM_USER\"\nexit 1\n", 0755);
	write_file("exec", tmp_printf(
		   "auth [success=1 default=ignore] pam_exec.so expose_authtok "
		   "quiet stdout %s/check.sh\n"
		   "auth requisite pam_deny.so\n"
		   "auth required pam_permit.so\n"
		   "account required pam_permit.so\n", pam_dir), 0644);
	db_pam_set_confdir(pam_dir);
}

static void pam_teardown(void)
{
	static const char *const names[] = {
		"permit", "nosession", "deny", "unknown", "acctdeny", "acctexpired", "newtok",
		"syserr", "check.sh", "exec",
	};
	unsigned int i;

	db_pam_set_confdir(NULL);
	for (i = 0; i < N_ELEMENTS(names); i++)
		(void)unlink(tmp_printf("%s/%s", pam_dir, names[i]));
	(void)rmdir(pam_dir);
	tmp_reset();
}

static const struct {
	const char *line, *reply;
	bool ok;
} line_tests[] = {
	/* PAM <id> <service> <user> <password> <rip> <flags> <max_requests> */
	{ "PAM\t1\tpermit\tbob\tpw\t\t0\t0", "OK\t1", true },
	{ "PAM\t2\tpermit\tbob\tpw\t192.0.2.1\t3\t0", "OK\t2", true },
	{ "PAM\t3\tdeny\tbob\tpw\t\t0\t0",
	  "MISMATCH\t3\tpam_authenticate() failed: Authentication failure "
	  "(password mismatch?)\tAuthentication failure", true },
	{ "PAM\t4\tunknown\tbob\tpw\t\t0\t0",
	  "UNKNOWN\t4\tpam_authenticate() failed: User not known to the "
	  "underlying authentication module\tauth=user_unknown", true },
	{ "PAM\t5\tacctdeny\tbob\tpw\t\t0\t0",
	  "DISABLED\t5\tpam_acct_mgmt() failed: Authentication failure\t"
	  "Authentication failure", true },
	{ "PAM\t6\tacctexpired\tbob\tpw\t\t0\t0",
	  "DISABLED\t6\tpam_acct_mgmt() failed: User account has expired\t"
	  "acct=acct_expired", true },
	{ "PAM\t7\tnewtok\tbob\tpw\t\t0\t0",
	  "EXPIRED\t7\tpam_acct_mgmt() failed: Authentication token is no "
	  "longer valid; new one required\tacct=new_authtok_reqd", true },
	{ "PAM\t8\tsyserr\tbob\tpw\t\t0\t0",
	  "FAIL\t8\tpam_authenticate() failed: System error\tauth=system_err", true },
	/* flags 1: session, which this service refuses */
	{ "PAM\t12\tnosession\tbob\tpw\t\t0\t0", "OK\t12", true },
	{ "PAM\t13\tnosession\tbob\tpw\t\t1\t0",
	  "FAIL\t13\tpam_open_session() failed: Cannot make/remove an entry "
	  "for the specified session\tCannot make/remove an entry for the "
	  "specified session", true },
	{ "PAM\t14\tnosession\tbob\tpw\t\t2\t0", "OK\t14", true },
	{ "PAM\t9\texec\tbob\ts3cr\001tet\t192.0.2.1\t0\t0", "OK\t9", true },
	{ "PAM\t10\texec\tbob\twrong\t192.0.2.1\t0\t0",
	  "MISMATCH\t10\tpam_authenticate() failed: Authentication failure "
	  "(password mismatch?)\tno entry for bob", true },
	{ "PAM\t11\texec\tbob\ts3cr\001tet\t\t0\t0",
	  "MISMATCH\t11\tpam_authenticate() failed: Authentication failure "
	  "(password mismatch?)\tno entry for bob", true },
	/* malformed */
	{ "PAM\t20\tpermit\tbob\tpw\t\t4\t0", "FAIL\t20\tMalformed PAM request", true },
	{ "PAM\t21\tpermit\tbob\tpw\t\tx\t0", "FAIL\t21\tMalformed PAM request", true },
	{ "PAM\t22\tpermit\tbob\tpw\t\t\t0", "FAIL\t22\tMalformed PAM request", true },
	{ "PAM\t23\t\tbob\tpw\t\t0\t0", "FAIL\t23\tMalformed PAM request", true },
	{ "PAM\t24\tpermit\t\tpw\t\t0\t0", "FAIL\t24\tMalformed PAM request", true },
	{ "PAM\t25\tpermit\tbob\tpw\t\t0\textra", "FAIL\t25\tMalformed PAM request", true },
	{ "PAM\t26\tpermit\tbob\tpw", "FAIL\t26\tMalformed PAM request", true },
	{ "PAM\t27\tpermit\tbob\tpw\t\t0", "FAIL\t27\tMalformed PAM request", true },
	{ "PAM\t28\tpermit\tbob\tpw\t\t0\t-1", "FAIL\t28\tMalformed PAM request", true },
	{ "PAM\t29\tpermit\tbob\tpw\t\t0\t0\t0", "FAIL\t29\tMalformed PAM request", true },
	{ "PAM\t-1\tpermit\tbob\tpw\t\t0\t0", NULL, false },
	{ "PAM", NULL, false },
	/* PASSWD <id> <user> */
	{ "PASSWD\t30\troot", "OK\t30\t0\t0\t/root", true },
	{ "PASSWD\t31\tdl-no-such-user-x", "UNKNOWN\t31", true },
	{ "PASSWD\t32\t", "FAIL\t32\tMalformed PASSWD request", true },
	{ "PASSWD\t33\troot\tx", "FAIL\t33\tMalformed PASSWD request", true },
	{ "PASSWD\t34", "FAIL\t34\tMalformed PASSWD request", true },
	/* SHADOW <id> <user> <password> */
	{ "SHADOW\t40\t\tpw", "FAIL\t40\tMalformed SHADOW request", true },
	{ "SHADOW\t41\troot", "FAIL\t41\tMalformed SHADOW request", true },
	{ "NOPE\t42\tx", "FAIL\t42\tUnknown auth-worker command NOPE", true },
};

START_TEST(test_worker_line)
{
	struct str *reply = t_str_new(256);
	char *line = (char *)tmp_strdup(line_tests[_i].line);
	size_t len = strlen(line);
	bool ok;

	ok = auth_worker_server_handle_line(line, reply);
	ck_assert_int_eq(ok, line_tests[_i].ok);
	if (ok)
		ck_assert_str_eq(str_c(reply), line_tests[_i].reply);
	/* the request (with its password) is wiped */
	while (len > 0)
		ck_assert_int_eq(line[--len], '\0');
}
END_TEST

/* The parse step alone (nothing runs): fields, the FAIL reason, and every
   field after the id wiped by auth_worker_request_wipe(), also when the
   line is refused for its id. */
START_TEST(test_worker_request_parse)
{
	struct auth_worker_request req;
	char *line = (char *)tmp_strdup("PAM\t7\tsvc\tbob\ts3\001tx\t\t3\t5");
	size_t i, len = strlen(line);

	ck_assert(auth_worker_request_parse(line, &req));
	for (i = 0; i < len; i++)
		ck_assert_int_eq(line[i], '\0');
	ck_assert_ptr_null(req.error);
	ck_assert_uint_eq(req.id, 7);
	ck_assert_uint_eq(req.argc, 8);
	ck_assert_str_eq(req.args[4], "s3\tx");
	ck_assert_uint_eq(req.pam_flags, 3);
	ck_assert_uint_eq(req.pam_max_requests, 5);
	auth_worker_request_wipe(&req);
	for (i = 2; i < req.argc; i++)
		ck_assert_int_eq(req.args[i][0], '\0');

	line = (char *)tmp_strdup("VERIFY\t8\tbob\tpw");
	ck_assert(auth_worker_request_parse(line, &req));
	ck_assert_str_eq(req.error, "Malformed VERIFY request");
	auth_worker_request_wipe(&req);

	/* refused: no numeric id; the password is wiped all the same */
	line = (char *)tmp_strdup("PAM\tx\tsvc\tbob\tpw\t\t0\t0");
	ck_assert(!auth_worker_request_parse(line, &req));
	ck_assert_uint_eq(req.argc, 8);
	ck_assert_int_eq(req.args[4][0], '\0');
	line = (char *)tmp_strdup("");
	ck_assert(!auth_worker_request_parse(line, &req));
	line = (char *)tmp_strdup("\t\t");
	ck_assert(!auth_worker_request_parse(line, &req));
}
END_TEST

/* max_requests: the worker asks to be restarted once that many PAM requests
   were answered (0: never). */
START_TEST(test_worker_max_requests)
{
	static const char *const lines[] = {
		"PAM\t1\tpermit\tbob\tpw\t\t0\t0",
		"PAM\t2\tdeny\tbob\tpw\t\t0\t100",
		"PAM\t3\tpermit\tbob\tpw\t\t0\t3",
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(lines); i++) {
		struct str *reply = t_str_new(128);

		ck_assert(!auth_worker_server_restart_requested());
		ck_assert(auth_worker_server_handle_line((char *)tmp_strdup(lines[i]),
							 reply));
	}
	ck_assert(auth_worker_server_restart_requested());
}
END_TEST

/* Needs root (getspnam reads /etc/shadow): an unknown user is told apart
   from a lookup failure. */
START_TEST(test_worker_shadow_unknown)
{
	struct str *reply = t_str_new(128);
	char *line = (char *)tmp_strdup("SHADOW\t1\tdl-no-such-user-x\tpw");

	if (geteuid() != 0)
		return;
	ck_assert(auth_worker_server_handle_line(line, reply));
	ck_assert_str_eq(str_c(reply), "UNKNOWN\t1\tunknown user");
}
END_TEST

/* --- shadow expiry --- */

#define DAY (24 * 60 * 60)
static const struct {
	long lstchg, max, inact, expire;
	enum passdb_result result;
	const char *msg;
} expiry_tests[] = {
	{ 19000, -1, -1, -1, PASSDB_RESULT_OK, NULL },
	{ 19000, 99999, 7, -1, PASSDB_RESULT_OK, NULL },
	/* chage -E 0 */
	{ 19000, -1, -1, 0, PASSDB_RESULT_USER_DISABLED, "Account expired" },
	{ 19000, -1, -1, 20000, PASSDB_RESULT_USER_DISABLED, "Account expired" },
	{ 19000, -1, -1, 20001, PASSDB_RESULT_OK, NULL },
	/* chage -d 0 */
	{ 0, -1, -1, -1, PASSDB_RESULT_PASS_EXPIRED,
	  "Password change required (last change 0)" },
	{ 19000, 999, -1, -1, PASSDB_RESULT_PASS_EXPIRED, "Password expired" },
	{ 19000, 1000, -1, -1, PASSDB_RESULT_OK, NULL },
	{ 19000, 990, 10, -1, PASSDB_RESULT_PASS_EXPIRED, "Password expired" },
	{ 19000, 980, 10, -1, PASSDB_RESULT_USER_DISABLED,
	  "Account inactive (password expired too long ago)" },
};

START_TEST(test_shadow_expiry)
{
	struct spwd sp;
	const char *msg = NULL;

	memset(&sp, 0, sizeof(sp));
	sp.sp_lstchg = expiry_tests[_i].lstchg;
	sp.sp_max = expiry_tests[_i].max;
	sp.sp_inact = expiry_tests[_i].inact;
	sp.sp_expire = expiry_tests[_i].expire;
	/* "today" is day 20000, at noon */
	ck_assert_int_eq(db_shadow_check_expiry(&sp, (time_t)20000 * DAY + DAY / 2,
						&msg),
			 expiry_tests[_i].result);
	if (expiry_tests[_i].msg == NULL)
		ck_assert_ptr_null(msg);
	else
		ck_assert_str_eq(msg, expiry_tests[_i].msg);
}
END_TEST

Suite *auth_worker_suite(void)
{
	Suite *s = suite_create("auth-worker");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_pam_args, 0, N_ELEMENTS(args_tests));
	tcase_add_loop_test(tc, test_shadow_expiry, 0, N_ELEMENTS(expiry_tests));
	tcase_add_test(tc, test_worker_request_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_unchecked_fixture(tc, pam_setup, pam_teardown);
	tcase_add_loop_test(tc, test_worker_line, 0, N_ELEMENTS(line_tests));
	tcase_add_test(tc, test_worker_shadow_unknown);
	tcase_add_test(tc, test_worker_max_requests);
	suite_add_tcase(s, tc);
	return s;
}
