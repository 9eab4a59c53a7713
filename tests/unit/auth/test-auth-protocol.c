/* Copyright (c) dovecot-like authors. Tests for the auth protocol parsers:
   AUTH parameters, request ids, PLAIN/LOGIN payloads, reply field escaping,
   listener types, allow_nets and the auth-worker request line. */
#include "test-auth.h"
#include "str.h"
#include "strescape.h"
#include "auth-protocol.h"
#include "auth-fields.h"
#include "auth-worker-server.h"

static const struct {
	const char *line;	/* TAB-separated args after "AUTH" */
	unsigned int minor;
	int ret;
	bool have_resp;
	const char *resp;
	bool secured;
} auth_tests[] = {
	{ "1\tPLAIN\tservice=smtp", 2, 0, false, NULL, false },
	{ "1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.7\tsecured\tresp=AGFsaWNlAGFsaWNlcHc=",
	  0, 0, true, "AGFsaWNlAGFsaWNlcHc=", true },
	{ "2\tPLAIN\tservice=imap\tsecured=tls\tresp=", 2, 0, true, "", true },
	{ "2\tPLAIN\tservice=imap\tresp=", 1, 0, false, NULL, false },	/* old client */
	{ "2\tPLAIN\tservice=imap\tresp==", 2, 0, true, "", false },
	{ "3\tLOGIN\tservice=imap\tunknown=x\tfoo", 2, 0, false, NULL, false },
	{ "4\tPLAIN\tresp=AAAA\tservice=imap", 2, -1, false, NULL, false },	/* after resp */
	{ "5\tPLAIN", 2, -1, false, NULL, false },	/* no service */
	{ "0\tPLAIN\tservice=imap", 2, -1, false, NULL, false },	/* id 0 */
	{ "x\tPLAIN\tservice=imap", 2, -1, false, NULL, false },
	{ "4294967296\tPLAIN\tservice=imap", 2, -1, false, NULL, false },
	{ "4294967295\tPLAIN\tservice=imap", 2, 0, false, NULL, false },
	{ "6", 2, -1, false, NULL, false },
	{ "6\t\tservice=imap", 2, -1, false, NULL, false },
};

START_TEST(test_auth_parse)
{
	struct pool *pool = pool_create("test", 512, POOL_FLAG_NONE);
	struct auth_client_params params;
	const char *error = NULL;
	const char *const *args = tmp_strsplit_tabescaped(auth_tests[_i].line);
	int ret;

	ret = auth_protocol_parse_auth(args, auth_tests[_i].minor, pool, &params, &error);
	ck_assert_msg(ret == auth_tests[_i].ret, "%s: %d %s", auth_tests[_i].line,
		      ret, error == NULL ? "" : error);
	if (ret == 0) {
		ck_assert_int_eq(params.have_initial_resp, auth_tests[_i].have_resp);
		if (params.have_initial_resp)
			ck_assert_str_eq(params.initial_resp, auth_tests[_i].resp);
		ck_assert_int_eq(params.secured, auth_tests[_i].secured);
	}
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

START_TEST(test_auth_parse_params)
{
	struct pool *pool = pool_create("test", 512, POOL_FLAG_NONE);
	struct auth_client_params params;
	const char *error;
	const char *const *args = tmp_strsplit_tabescaped(
		"7\tplain\tservice=pop3\tsession=abc\tlip=::1\trip=bogus\t"
		"lport=110\trport=70000\tvalid-client-cert\tno-penalty\tdebug");

	ck_assert_int_eq(auth_protocol_parse_auth(args, 2, pool, &params, &error), 0);
	ck_assert_uint_eq(params.id, 7);
	ck_assert_str_eq(params.mech, "plain");
	ck_assert_str_eq(params.service, "pop3");
	ck_assert_str_eq(params.session, "abc");
	ck_assert_int_eq(params.local_ip.family, AF_INET6);
	ck_assert_int_eq(params.remote_ip.family, 0);	/* unparsable: ignored */
	ck_assert_uint_eq(params.local_port, 110);
	ck_assert_uint_eq(params.remote_port, 0);
	ck_assert(params.valid_client_cert && params.no_penalty && params.debug);
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

START_TEST(test_auth_parse_version)
{
	unsigned int minor;
	const char *const *args;

	args = tmp_strsplit_tabescaped("1\t2");
	ck_assert_int_eq(auth_protocol_parse_version(args, 1, &minor), 0);
	ck_assert_uint_eq(minor, 2);
	args = tmp_strsplit_tabescaped("2\t0");
	ck_assert_int_eq(auth_protocol_parse_version(args, 1, &minor), -1);
	args = tmp_strsplit_tabescaped("1");
	ck_assert_int_eq(auth_protocol_parse_version(args, 1, &minor), -1);
	args = tmp_strsplit_tabescaped("1\tx");
	ck_assert_int_eq(auth_protocol_parse_version(args, 1, &minor), -1);
	tmp_reset();
}
END_TEST

static const struct {
	const char *data;
	size_t size;
	int ret;
	const char *authzid, *authcid, *password;
} plain_tests[] = {
	{ "\0alice\0alicepw", 14, 0, NULL, "alice", "alicepw" },
	{ "admin\0alice\0pw", 14, 0, "admin", "alice", "pw" },
	{ "\0alice\0", 7, 0, NULL, "alice", "" },
	{ "\0\0pw", 4, -1, NULL, NULL, NULL },		/* empty authcid */
	{ "alice\0pw", 8, -1, NULL, NULL, NULL },	/* one NUL */
	{ "alicepw", 7, -1, NULL, NULL, NULL },		/* no NUL */
	{ "", 0, -1, NULL, NULL, NULL },
	{ "\0alice\0pw\0x", 11, -1, NULL, NULL, NULL },	/* NUL in password */
};

START_TEST(test_sasl_plain)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_WIPE);
	const char *authzid, *authcid, *password, *error;
	int ret;

	ret = sasl_plain_parse(pool, (const unsigned char *)plain_tests[_i].data,
			       plain_tests[_i].size, &authzid, &authcid,
			       &password, &error);
	ck_assert_int_eq(ret, plain_tests[_i].ret);
	if (ret == 0) {
		if (plain_tests[_i].authzid == NULL)
			ck_assert_ptr_null(authzid);
		else
			ck_assert_str_eq(authzid, plain_tests[_i].authzid);
		ck_assert_str_eq(authcid, plain_tests[_i].authcid);
		ck_assert_str_eq(password, plain_tests[_i].password);
	}
	pool_unref(&pool);
}
END_TEST

START_TEST(test_sasl_login)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_WIPE);
	const char *value, *error;

	ck_assert_int_eq(sasl_login_parse_value(pool, (const unsigned char *)"alice",
						5, false, &value, &error), 0);
	ck_assert_str_eq(value, "alice");
	ck_assert_int_eq(sasl_login_parse_value(pool, (const unsigned char *)"",
						0, false, &value, &error), -1);
	ck_assert_int_eq(sasl_login_parse_value(pool, (const unsigned char *)"",
						0, true, &value, &error), 0);
	ck_assert_str_eq(value, "");
	ck_assert_int_eq(sasl_login_parse_value(pool, (const unsigned char *)"a\0b",
						3, true, &value, &error), -1);
	pool_unref(&pool);
}
END_TEST

static bool skip_secret(const char *key)
{
	return strcmp(key, "secret") == 0;
}

START_TEST(test_fields_escape)
{
	struct pool *pool = pool_create("test", 256, POOL_FLAG_NONE);
	struct auth_fields *fields = auth_fields_create(pool);
	struct str *str = t_str_new(128);
	const char *const *exported, *const *split;

	auth_fields_add(fields, "nologin", NULL);
	auth_fields_add(fields, "reason", "tab\there\nnl\001x\rcr");
	auth_fields_add(fields, "secret", "hidden");
	auth_fields_add_pair(fields, "quota_rule=*:storage=10M");
	auth_fields_add(fields, "reason", "replaced\t");
	auth_fields_append(fields, str, skip_secret);
	ck_assert_str_eq(str_c(str),
		"\tnologin\treason=replaced\001t\tquota_rule=*:storage=10M");
	/* what a client unescapes is what we stored */
	split = tmp_strsplit_tabescaped(str_c(str) + 1);
	ck_assert_str_eq(split[1], "reason=replaced\t");
	ck_assert_uint_eq(auth_fields_count(fields), 4);
	auth_fields_remove(fields, "secret");
	ck_assert(!auth_fields_exists(fields, "secret"));
	ck_assert_str_eq(auth_fields_find(fields, "nologin"), "");
	exported = auth_fields_export(fields, pool);
	ck_assert_str_eq(exported[0], "nologin");
	ck_assert_str_eq(exported[2], "quota_rule=*:storage=10M");
	ck_assert_ptr_null(exported[3]);

	str_truncate(str, 0);
	auth_fields_remove(fields, "quota_rule");
	auth_fields_remove(fields, "nologin");
	auth_fields_add(fields, "reason", "a\001b\tc\nd\re");
	auth_fields_append(fields, str, NULL);
	ck_assert_str_eq(str_c(str), "\treason=a\0011b\001tc\001nd\001re");
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

static const struct {
	const char *name;
	enum auth_listener_type type;
} listener_tests[] = {
	{ "login/login", AUTH_LISTENER_LOGIN },
	{ "auth-login", AUTH_LISTENER_LOGIN },
	{ "auth-client", AUTH_LISTENER_CLIENT },
	{ "/var/spool/postfix/private/auth", AUTH_LISTENER_CLIENT },
	{ "auth-master", AUTH_LISTENER_MASTER },
	{ "auth-userdb", AUTH_LISTENER_USERDB },
	{ "token-login/tokenlogin", AUTH_LISTENER_TOKEN },
	{ "auth-worker", AUTH_LISTENER_CLIENT },
	{ "master-x/client", AUTH_LISTENER_CLIENT },
};

START_TEST(test_listener_type)
{
	ck_assert_int_eq(auth_listener_type_from_name(listener_tests[_i].name),
			 listener_tests[_i].type);
}
END_TEST

static const struct {
	const char *ip, *list;
	int ret;
} net_tests[] = {
	{ "10.1.2.3", "10.0.0.0/8,local", 1 },
	{ "192.0.2.7", "10.0.0.0/8,local", 0 },
	{ NULL, "10.0.0.0/8,local", 1 },
	{ NULL, "10.0.0.0/8", 0 },
	{ "::ffff:10.1.2.3", "10.0.0.0/8", 1 },
	{ "2001:db8::1", "2001:db8::/32", 1 },
	{ "2001:db9::1", "2001:db8::/32", 0 },
	{ "192.0.2.7", "192.0.2.7", 1 },
	{ "192.0.2.7", "192.0.2.6 192.0.2.0/31", 0 },
	{ "192.0.2.7", "192.0.2.0/33", -1 },
	{ "192.0.2.7", "bogus", -1 },
	{ "192.0.2.7", "0.0.0.0/0", 1 },
};

START_TEST(test_net_list)
{
	struct ip_addr ip;
	const char *error;

	memset(&ip, 0, sizeof(ip));
	if (net_tests[_i].ip != NULL)
		ck_assert_int_eq(net_addr2ip(net_tests[_i].ip, &ip), 0);
	ck_assert_int_eq(auth_net_list_match(&ip, net_tests[_i].list, &error),
			 net_tests[_i].ret);
	tmp_reset();
}
END_TEST

static const struct {
	const char *line, *reply;
	bool ok;
} worker_tests[] = {
	{ "VERIFY\t1\tu\tsecret\t{PLAIN}secret\tCRYPT", "OK\t1", true },
	{ "VERIFY\t2\tu\twrong\t{PLAIN}secret\tCRYPT", "MISMATCH\t2", true },
	{ "VERIFY\t3\t\tsecret\t$1$3EtR1Ayi$LWCbETiTcokuBfTBWvmoF1\tCRYPT", "OK\t3", true },
	{ "VERIFY\t4\tu\tsec\001tret\t{PLAIN}sec\001tret\tCRYPT", "OK\t4", true },
	{ "VERIFY\t5\tu\tx\t{NOPE}x\tCRYPT", "FAIL\t5\tUnknown scheme NOPE", true },
	{ "VERIFY\t6\tu\tx", "FAIL\t6\tMalformed VERIFY request", true },
	{ "PAM\t7\tu\tx\ty\tz", "FAIL\t7\tMalformed PAM request", true },
	{ "VERIFY\tx\tu\tp\tc\ts", NULL, false },
	{ "VERIFY", NULL, false },
};

START_TEST(test_worker_line)
{
	struct str *reply = t_str_new(64);
	char *line = (char *)tmp_strdup(worker_tests[_i].line);
	size_t len = strlen(line);
	bool ok;

	ok = auth_worker_server_handle_line(line, reply);
	ck_assert_int_eq(ok, worker_tests[_i].ok);
	if (ok)
		ck_assert_str_eq(str_c(reply), worker_tests[_i].reply);
	/* the request (with its password) is wiped */
	while (len > 0)
		ck_assert_int_eq(line[--len], '\0');
	tmp_reset();
}
END_TEST

Suite *auth_protocol_suite(void)
{
	Suite *s = suite_create("auth-protocol");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_auth_parse, 0, N_ELEMENTS(auth_tests));
	tcase_add_test(tc, test_auth_parse_params);
	tcase_add_test(tc, test_auth_parse_version);
	tcase_add_loop_test(tc, test_sasl_plain, 0, N_ELEMENTS(plain_tests));
	tcase_add_test(tc, test_sasl_login);
	tcase_add_test(tc, test_fields_escape);
	tcase_add_loop_test(tc, test_listener_type, 0, N_ELEMENTS(listener_tests));
	tcase_add_loop_test(tc, test_net_list, 0, N_ELEMENTS(net_tests));
	tcase_add_loop_test(tc, test_worker_line, 0, N_ELEMENTS(worker_tests));
	suite_add_tcase(s, tc);
	return s;
}
