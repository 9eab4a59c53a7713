/* Copyright (c) dovecot-like authors. Check suite of the Dovecot 1.x mapping:
   every key of the mapping table loads with a warning and means what 2.3
   means, and the worked example of config-syntax.md 4.2 dumps as shown. */
#include "test-config.h"

/* value of key in root (protocol NULL) or in the protocol filter */
static const char *test_value(const struct settings *set, const char *protocol,
			      const char *key)
{
	const struct settings_section *root = settings_get_root(set), *f;
	unsigned int i;

	if (protocol == NULL)
		return settings_section_get(root, key);
	for (i = 0; (f = settings_section_get_child(root, "protocol", i)) != NULL; i++) {
		if (strcmp(f->name, protocol) == 0)
			return settings_section_get(f, key);
	}
	return NULL;
}

static const struct {
	const char *config, *protocol, *key, *value;
} global_tests[] = {
	{ "ssl_disable = yes", NULL, "ssl", "no" },
	{ "ssl_disable = no", NULL, "ssl", "yes" },
	{ "default_mail_env = maildir:~/Maildir", NULL, "mail_location", "maildir:~/Maildir" },
	{ "mail_extra_groups = mail", NULL, "mail_access_groups", "mail" },
	{ "ssl_cert_file = /nonexistent/mail.pem", NULL, "ssl_cert", "" },
	{ "ssl_key_file = /nonexistent/mail.key", NULL, "ssl_key", "" },
	{ "ssl_ca_file = /nonexistent/ca.pem", NULL, "ssl_ca", "" },
	{ "ssl_protocols = !SSLv2 !SSLv3", NULL, "ssl_min_protocol", "TLSv1" },
	{ "ssl_require_client_cert = yes", NULL, "auth_ssl_require_client_cert", "yes" },
	{ "ssl_username_from_cert = yes", NULL, "auth_ssl_username_from_cert", "yes" },
	{ "fsync_disable = yes", NULL, "mail_fsync", "never" },
	{ "fsync_disable = no", NULL, "mail_fsync", "optimized" },
	{ "dbox_rotate_size = 2048", NULL, "mdbox_rotate_size", "2048" },
	{ "protocols = imap imaps pop3 pop3s", NULL, "protocols", "imap pop3" },
	{ "protocols = imaps", NULL, "protocols", "imap" },
	{ "protocols = imap managesieve", NULL, "protocols", "imap sieve" },
	{ "auth_cache_size = 100", NULL, "auth_cache_size", "100 k" },
	{ "auth_cache_ttl = 3600", NULL, "auth_cache_ttl", "3600 secs" },
	{ "mbox_lock_timeout = 300", NULL, "mbox_lock_timeout", "300 secs" },
	{ "protocol imap {\n  imap_client_workarounds = outlook-idle delay-newmail netscape-eoh\n}",
	  "imap", "imap_client_workarounds", "delay-newmail" },
	{ "protocol managesieve {\n  mail_max_userip_connections = 3\n}", "sieve",
	  "mail_max_userip_connections", "3" },
	{ "auth default {\n  mechanisms = plain login\n}", NULL, "auth_mechanisms", "plain login" },
	{ "auth default {\n  username_format = %Ln\n}", NULL, "auth_username_format", "%Ln" },
	{ "auth default {\n  verbose = yes\n  debug = yes\n}", NULL, "auth_debug", "yes" },
	{ "auth default {\n  cache_size = 1024\n}", NULL, "auth_cache_size", "1024 k" },
	{ "auth default {\n  ssl_require_client_cert = yes\n}", NULL,
	  "auth_ssl_require_client_cert", "yes" },
	{ "auth default {\n  ssl_username_from_cert = yes\n}", NULL,
	  "auth_ssl_username_from_cert", "yes" },
	{ "auth default {\n  worker_max_count = 5\n}", NULL, "auth_worker_max_count", "5" },
	/* removed keys: loaded with a warning, nothing set */
	{ "umask = 0077", NULL, "umask", NULL },
	{ "login_dir = /var/run/dovecot/login", NULL, "login_dir", NULL },
	{ "login_greeting_capability = yes", NULL, "login_greeting_capability", NULL },
	{ "ssl_parameters_regenerate = 168", NULL, "ssl_parameters_regenerate", NULL },
	{ "maildir_copy_preserve_filename = yes", NULL, "maildir_copy_preserve_filename", NULL },
	{ "mail_log_max_lines_per_sec = 10", NULL, "mail_log_max_lines_per_sec", NULL },
	{ "dbox_rotate_days = 1", NULL, "dbox_rotate_days", NULL },
	{ "mail_cache_min_mail_count = 1", NULL, "mail_cache_min_mail_count", NULL },
	{ "mail_cache_compress_min_size = 32k", NULL, "mail_cache_compress_min_size", NULL },
	{ "auth default {\n  count = 1\n}", NULL, "auth_count", NULL },
};

START_TEST(test_legacy_global)
{
	struct settings *set = test_parse_ok(global_tests[_i].config);
	const char *value = test_value(set, global_tests[_i].protocol, global_tests[_i].key);

	if (global_tests[_i].value == NULL)
		ck_assert_ptr_null(value);
	else {
		ck_assert_msg(value != NULL, "%s unset", global_tests[_i].key);
		ck_assert_str_eq(value, global_tests[_i].value);
	}
	ck_assert_msg(strstr(settings_get_warnings(set), "test.conf:") != NULL,
		      "no warning for %s", global_tests[_i].config);
	settings_free(&set);
}
END_TEST

static const struct {
	const char *config, *service, *ltype, *lname, *key, *value;
} service_tests[] = {
	{ "login_chroot = no", "imap-login", NULL, NULL, "chroot", "" },
	{ "login_chroot = no", "pop3-login", NULL, NULL, "chroot", "" },
	{ "login_user = dovecot", "imap-login", NULL, NULL, "user", "dovecot" },
	{ "login_executable = /usr/lib/x", "pop3-login", NULL, NULL, "executable", "/usr/lib/x" },
	{ "login_process_size = 64", "imap-login", NULL, NULL, "vsz_limit", "64 M" },
	{ "login_process_per_connection = no", "imap-login", NULL, NULL, "service_count", "0" },
	{ "login_process_per_connection = yes", "pop3-login", NULL, NULL, "service_count", "1" },
	{ "login_processes_count = 3", "imap-login", NULL, NULL, "process_min_avail", "3" },
	{ "login_max_processes_count = 128", "imap-login", NULL, NULL, "process_limit", "128" },
	{ "login_max_connections = 256", "pop3-login", NULL, NULL, "client_limit", "256" },
	{ "protocol pop3 {\n  login_max_connections = 5\n}", "pop3-login", NULL, NULL,
	  "client_limit", "5" },
	{ "protocol pop3 {\n  login_max_connections = 5\n}", "imap-login", NULL, NULL,
	  "client_limit", NULL },
	{ "max_mail_processes = 512", "imap", NULL, NULL, "process_limit", "512" },
	{ "max_mail_processes = 512", "pop3", NULL, NULL, "process_limit", "512" },
	{ "protocol imap {\n  mail_executable = /usr/lib/imap\n}", "imap", NULL, NULL,
	  "executable", "/usr/lib/imap" },
	{ "protocol imap {\n  mail_executable = /usr/lib/imap\n}", "pop3", NULL, NULL,
	  "executable", "pop3" },
	{ "mail_process_size = 256", "imap", NULL, NULL, "vsz_limit", "256 M" },
	{ "auth_executable = /x/auth", "auth", NULL, NULL, "executable", "/x/auth" },
	{ "auth_process_size = 128", "auth", NULL, NULL, "vsz_limit", "128 M" },
	{ "protocols = imaps", "imap-login", "inet_listener", "imap", "port", "0" },
	{ "protocols = imaps", "imap-login", "inet_listener", "imaps", "port", "993" },
	{ "protocols = pop3s", "pop3-login", "inet_listener", "pop3", "port", "0" },
	{ "listen = *:10143", "imap-login", "inet_listener", "imap", "address", "*" },
	{ "listen = *:10143", "imap-login", "inet_listener", "imap", "port", "10143" },
	{ "ssl_listen = [::1]:10993", "imap-login", "inet_listener", "imaps", "address", "::1" },
	{ "ssl_listen = [::1]:10993", "imap-login", "inet_listener", "imaps", "port", "10993" },
	{ "protocol pop3 {\n  listen = 10.0.0.1:110\n  ssl_listen = *\n}", "pop3-login",
	  "inet_listener", "pop3", "address", "10.0.0.1" },
	{ "protocol pop3 {\n  listen = 10.0.0.1:110\n  ssl_listen = *\n}", "pop3-login",
	  "inet_listener", "pop3s", "address", "*" },
	{ "protocol pop3 {\n  listen = 10.0.0.1:110\n  ssl_listen = *\n}", "pop3-login",
	  "inet_listener", "pop3s", "port", "995" },
	{ "auth default {\n  user = root\n}", "auth", NULL, NULL, "user", "root" },
	{ "auth default {\n  executable = /usr/lib/auth\n}", "auth", NULL, NULL,
	  "executable", "/usr/lib/auth" },
	{ "auth default {\n  socket listen {\n    master {\n"
	  "      path = /run/dovecot-like/auth-master\n      mode = 0600\n"
	  "      user = vmail\n    }\n  }\n}", "auth", "unix_listener", "auth-master",
	  "user", "vmail" },
	{ "auth default {\n  socket listen {\n    client {\n"
	  "      path = /var/spool/postfix/private/auth\n      mode = 0660\n"
	  "    }\n  }\n}", "auth", "unix_listener", "/var/spool/postfix/private/auth",
	  "mode", "0660" },
};

START_TEST(test_legacy_service)
{
	struct settings *set = test_parse_ok(service_tests[_i].config);
	const struct settings_section *sec;
	const char *value;

	sec = settings_find_section(set, "service", service_tests[_i].service);
	ck_assert_ptr_nonnull(sec);
	if (service_tests[_i].ltype != NULL) {
		const struct settings_section *l;
		unsigned int i;

		for (i = 0; (l = settings_section_get_child(sec, service_tests[_i].ltype, i)) != NULL; i++) {
			if (strcmp(l->name, service_tests[_i].lname) == 0)
				break;
		}
		ck_assert_msg(l != NULL, "listener %s missing", service_tests[_i].lname);
		sec = l;
	}
	value = settings_section_get(sec, service_tests[_i].key);
	if (service_tests[_i].value == NULL)
		ck_assert_ptr_null(value);
	else {
		ck_assert_msg(value != NULL, "%s unset", service_tests[_i].key);
		ck_assert_str_eq(value, service_tests[_i].value);
	}
	ck_assert_msg(strstr(settings_get_warnings(set), "Obsolete") != NULL, "%s",
		      settings_get_warnings(set));
	settings_free(&set);
}
END_TEST

static const char ref_example[] =
"protocols = imap imaps pop3 pop3s\n"
"ssl_cert_file = /etc/ssl/mail.pem\n"
"login_process_per_connection = yes\n"
"login_max_processes_count = 128\n"
"protocol imap {\n"
"  listen = *:143\n"
"  ssl_listen = *:993\n"
"  mail_plugins = quota imap_quota\n"
"}\n"
"auth default {\n"
"  mechanisms = plain login\n"
"  passdb pam {\n"
"  }\n"
"  userdb static {\n"
"    args = uid=vmail gid=vmail home=/var/vmail/%d/%n\n"
"  }\n"
"  socket listen {\n"
"    client {\n"
"      path = /var/spool/postfix/private/auth\n"
"      mode = 0660\n"
"      user = postfix\n"
"      group = postfix\n"
"    }\n"
"  }\n"
"}\n";

/* Dovecot 2.3.19's doveconf -n of the same file, without "protocols = imap
   pop3": that is our default (Dovecot's has lmtp), and -n omits defaults. */
static const char ref_dump[] =
"auth_mechanisms = plain login\n"
"passdb {\n"
"  driver = pam\n"
"}\n"
"service auth {\n"
"  unix_listener /var/spool/postfix/private/auth {\n"
"    group = postfix\n"
"    mode = 0660\n"
"    user = postfix\n"
"  }\n"
"}\n"
"service imap-login {\n"
"  inet_listener imap {\n"
"    address = *\n"
"    port = 143\n"
"  }\n"
"  inet_listener imaps {\n"
"    address = *\n"
"    port = 993\n"
"  }\n"
"  process_limit = 128\n"
"  service_count = 1\n"
"}\n"
"service pop3-login {\n"
"  process_limit = 128\n"
"  service_count = 1\n"
"}\n"
"ssl_cert = </etc/ssl/mail.pem\n"
"userdb {\n"
"  args = uid=vmail gid=vmail home=/var/vmail/%d/%n\n"
"  driver = static\n"
"}\n"
"protocol imap {\n"
"  mail_plugins = quota imap_quota\n"
"}\n";

START_TEST(test_reference_example)
{
	static const unsigned int warned_lines[] = { 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 14, 18 };
	struct settings *set = test_parse_ok(ref_example);
	const char *warnings = settings_get_warnings(set), *dump;
	const struct settings_section *sec;
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(warned_lines); i++) {
		ck_assert_msg(strstr(warnings, tmp_printf("test.conf:%u:", warned_lines[i])) != NULL,
			      "no warning for line %u:\n%s", warned_lines[i], warnings);
	}
	dump = test_dump(set, true);
	ck_assert_str_eq(dump, ref_dump);
	ck_assert_str_eq(settings_get(set, NULL, "protocols"), "imap pop3");
	ck_assert_str_eq(settings_get(set, NULL, "auth_mechanisms"), "plain login");
	sec = settings_get_section(set, "userdb", 0);
	ck_assert_str_eq(settings_section_get(sec, "driver"), "static");
	sec = settings_find_section(set, "service", "imap-login");
	ck_assert_str_eq(settings_section_get(sec, "user"), "dovenull");
	settings_free(&set);
}
END_TEST

START_TEST(test_legacy_namespace)
{
	struct settings *set = test_parse_ok(
		"namespace private {\n  separator = /\n  inbox = yes\n}\n"
		"namespace shared {\n  prefix = shared/%%u/\n}\n"
		"namespace public {\n  type = private\n}\n");
	const struct settings_section *ns;

	ns = settings_find_section(set, "namespace", "private");
	ck_assert_str_eq(settings_section_get(ns, "type"), "private");
	ns = settings_find_section(set, "namespace", "shared");
	ck_assert_str_eq(settings_section_get(ns, "type"), "shared");
	ns = settings_find_section(set, "namespace", "public");
	ck_assert_str_eq(settings_section_get(ns, "type"), "private");
	ck_assert_msg(strstr(settings_get_warnings(set), "test.conf:5: Obsolete namespace shared") != NULL,
		      "%s", settings_get_warnings(set));
	settings_free(&set);
}
END_TEST

START_TEST(test_legacy_auth_passdb)
{
	struct settings *set = test_parse_ok(
		"auth default {\n"
		"  passdb passwd-file {\n    args = /etc/dovecot/passwd\n  }\n"
		"  passdb pam {\n    args = session=yes dovecot\n    deny = no\n  }\n"
		"  userdb passwd {\n  }\n"
		"}\n");
	const struct settings_section *sec;

	ck_assert_uint_eq(settings_count_sections(set, "passdb"), 2);
	sec = settings_get_section(set, "passdb", 0);
	ck_assert_str_eq(settings_section_get(sec, "driver"), "passwd-file");
	ck_assert_str_eq(settings_section_get(sec, "args"), "/etc/dovecot/passwd");
	sec = settings_get_section(set, "passdb", 1);
	ck_assert_str_eq(settings_section_get(sec, "driver"), "pam");
	ck_assert_str_eq(settings_section_get(sec, "deny"), "no");
	sec = settings_get_section(set, "userdb", 0);
	ck_assert_str_eq(settings_section_get(sec, "driver"), "passwd");
	ck_assert_uint_eq(settings_section_count_children(settings_get_root(set), "auth"), 0);
	settings_free(&set);
}
END_TEST

static const struct {
	const char *config, *error;
} invalid_tests[] = {
	{ "ssl_disable = perhaps", "test.conf:1: Invalid value for setting ssl_disable" },
	{ "login_chroot = sometimes", "test.conf:1: Invalid value for setting login_chroot" },
	{ "auth default {\n  bogus = 1\n}", "test.conf:2: Unknown setting in auth { } section: bogus" },
	{ "auth default {\n  socket listen {\n    client {\n      mode = 0600\n    }\n  }\n}",
	  "test.conf:3: socket listen { client { } } needs a path" },
	{ "auth default {\n  socket listen {\n    client {\n      path = x\n      color = red\n"
	  "    }\n  }\n}", "test.conf:5: Unknown setting in socket listen client { }: color" },
	{ "login_max_processes_count = many", "test.conf:1: Invalid value for setting process_limit" },
};

START_TEST(test_legacy_invalid)
{
	const char *errors = test_parse_fail(invalid_tests[_i].config);

	ck_assert_msg(strstr(errors, invalid_tests[_i].error) != NULL, "wanted %s\ngot:\n%s",
		      invalid_tests[_i].error, errors);
}
END_TEST

Suite *test_settings_legacy_suite(void)
{
	Suite *s = suite_create("settings-legacy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_legacy_global, 0, N_ELEMENTS(global_tests));
	tcase_add_loop_test(tc, test_legacy_service, 0, N_ELEMENTS(service_tests));
	tcase_add_test(tc, test_reference_example);
	tcase_add_test(tc, test_legacy_namespace);
	tcase_add_test(tc, test_legacy_auth_passdb);
	tcase_add_loop_test(tc, test_legacy_invalid, 0, N_ELEMENTS(invalid_tests));
	suite_add_tcase(s, tc);
	return s;
}
