/* Copyright (c) dovecot-like authors. Check suite of the config parser:
   syntax, malformed input with file:line errors, includes, defaults, protocol
   filters and built-in service merging. */
#include "test-config.h"

#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

/* valid input: key (for protocol) must come out as value */
static const struct {
	const char *config, *protocol, *key, *value;
} valid_tests[] = {
	{ "login_greeting = Mail server ready.", NULL, "login_greeting", "Mail server ready." },
	{ "login_greeting=x", NULL, "login_greeting", "x" },
	{ "  \t login_greeting   =   spaced out  \t", NULL, "login_greeting", "spaced out" },
	{ "log_timestamp = \"%Y-%m-%d %H:%M:%S \"", NULL, "log_timestamp", "%Y-%m-%d %H:%M:%S " },
	{ "login_greeting = 'single # quoted'", NULL, "login_greeting", "single # quoted" },
	{ "login_greeting = \"esc \\\"q\\\" \\\\ end\"", NULL, "login_greeting", "esc \"q\" \\ end" },
	{ "login_greeting = hi # comment", NULL, "login_greeting", "hi" },
	{ "login_greeting = a#b", NULL, "login_greeting", "a" },
	{ "# only a comment\n\n   # indented comment\nssl = no", NULL, "ssl", "no" },
	{ "login_trusted_networks = 10.0.0.0/8 \\\n    192.168.0.0/16", NULL,
	  "login_trusted_networks", "10.0.0.0/8 192.168.0.0/16" },
	{ "auth_mechanisms = plain\nauth_mechanisms = $auth_mechanisms login", NULL,
	  "auth_mechanisms", "plain login" },
	{ "login_greeting = Hi $default_login_user", NULL, "login_greeting", "Hi dovenull" },
	{ "login_greeting = \"$default_login_user\"", NULL, "login_greeting", "$default_login_user" },
	{ "login_log_format = %$: %s", NULL, "login_log_format", "%$: %s" },
	{ "mail_location = maildir:~/Maildir:INDEX=/var/idx/%u", NULL, "mail_location",
	  "maildir:~/Maildir:INDEX=/var/idx/%u" },
	{ "first_valid_uid = 1000\nfirst_valid_uid = 2000", NULL, "first_valid_uid", "2000" },
	{ "login_greeting = $ENV:TEST_CONFIG_ENV", NULL, "login_greeting", "from-env" },
	{ "auth_failure_delay = 3", NULL, "auth_failure_delay", "3 secs" },
	{ "auth_failure_delay = 0", NULL, "auth_failure_delay", "0" },
	{ "imap_max_line_length = 256 k", NULL, "imap_max_line_length", "256 k" },
	{ "protocol imap {\n  mail_max_userip_connections = 20\n}", "imap",
	  "mail_max_userip_connections", "20" },
	{ "protocol imap {\n  mail_max_userip_connections = 20\n}", "pop3",
	  "mail_max_userip_connections", "10" },
	{ "protocol imap {\n  mail_max_userip_connections = 20\n}", NULL,
	  "mail_max_userip_connections", "10" },
	{ "protocol !imap {\n  mail_max_userip_connections = 3\n}", "pop3",
	  "mail_max_userip_connections", "3" },
	{ "protocol !imap {\n  mail_max_userip_connections = 3\n}", "imap",
	  "mail_max_userip_connections", "10" },
	{ "protocol imap {\n  imap_capability = +X\n}\nprotocol !pop3 {\n"
	  "  imap_capability = Y\n}", "imap", "imap_capability", "+X" },
	{ "auth_mechanisms = plain\nprotocol imap {\n  auth_mechanisms = $auth_mechanisms login\n}",
	  "imap", "auth_mechanisms", "plain login" },
	{ "local 10.0.0.1 {\n  local_name imap.example.com {\n    remote 192.168.0.0/16 {\n"
	  "      protocol imap {\n        mail_max_userip_connections = 20\n      }\n    }\n"
	  "  }\n}", NULL, "mail_max_userip_connections", "10" },
	{ "!include_try /nonexistent/dir/*.conf\nssl = required", NULL, "ssl", "required" },
	{ "plugin {\n  quota = maildir:User quota\n  anything_goes = yes\n}", NULL, "ssl", "yes" },
	{ "mail_plugins = quota\nprotocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}",
	  NULL, "ssl", "yes" },
};

START_TEST(test_valid)
{
	struct settings *set;

	setenv("TEST_CONFIG_ENV", "from-env", 1);
	set = test_parse_ok(valid_tests[_i].config);
	ck_assert_str_eq(settings_get(set, valid_tests[_i].protocol, valid_tests[_i].key),
			 valid_tests[_i].value);
	settings_free(&set);
	ck_assert_ptr_null(set);
}
END_TEST

/* malformed input: every listed "file:line: text" must be in the errors */
static const struct {
	const char *config;
	const char *errors[3];
} invalid_tests[] = {
	{ "service imap {\n  process_limit = 1\n", { "test.conf:1: Missing '}'" } },
	{ "ssl = yes\n}\n", { "test.conf:2: Unexpected '}'" } },
	{ "auth_debug yes", { "test.conf:1: auth_debug: Expecting '='" } },
	{ "login_greeting = \"hello", { "test.conf:1: Setting login_greeting: Missing closing quote" } },
	{ "login_greeting = \"a\" b", { "test.conf:1: Setting login_greeting: Unexpected text after closing quote" } },
	{ "\n\nfoo_bar = 1", { "test.conf:3: Unknown setting: foo_bar" } },
	{ "mailbox Sent {\n}", { "test.conf:1: Unknown section: mailbox" } },
	{ "inet_listener imap {\n  port = 1\n}", { "test.conf:1: Unknown section: inet_listener" } },
	{ "namespace inbox {\n  inet_listener imap {\n  }\n}",
	  { "test.conf:2: Section inet_listener { } is not allowed inside namespace { }" } },
	{ "plugin {\n  x {\n  }\n}", { "test.conf:2: Section x { } is not allowed inside plugin" } },
	{ "ssl_cert = </nonexistent/cert.pem", { "test.conf:1: Setting ssl_cert: Can't read file /nonexistent/cert.pem" } },
	{ "ssl_cert = <", { "test.conf:1: Setting ssl_cert: Missing file name" } },
	{ "auth_debug = maybe", { "test.conf:1: Invalid value for setting auth_debug" } },
	{ "first_valid_uid = -1", { "test.conf:1: Invalid value for setting first_valid_uid" } },
	{ "default_vsz_limit = 12 parsecs", { "test.conf:1: Invalid value for setting default_vsz_limit" } },
	{ "auth_failure_delay = 2 fortnights", { "test.conf:1: Invalid value for setting auth_failure_delay" } },
	{ "ssl = maybe", { "test.conf:1: Invalid value for setting ssl" } },
	{ "mbox_write_locks = dotlock lockf",
	  { "test.conf:1: Invalid value for setting mbox_write_locks: Invalid value 'lockf'" } },
	{ "\nmbox_read_locks = fcntl fcntl",
	  { "test.conf:2: Invalid value for setting mbox_read_locks: 'fcntl' listed twice" } },
	{ "login_greeting = $nope", { "test.conf:1: Setting login_greeting: Unknown variable: $nope" } },
	{ "protocol imap {\n  protocol pop3 {\n  }\n}", { "test.conf:2: protocol { protocol { .. } } not allowed" } },
	{ "protocol imap {\n  local 1.2.3.4 {\n  }\n}",
	  { "test.conf:2: protocol { local { .. } } not allowed (use local { protocol { .. } } instead)" } },
	{ "protocol {\n}", { "test.conf:1: protocol { } filter needs a name" } },
	{ "service imap { process_limit = 1 }", { "test.conf:1: service: '{' must be the last thing" } },
	{ "service imap {\n  foo = 1\n}", { "test.conf:2: Unknown setting in service { } section: foo" } },
	{ "service {\n}", { "test.conf:1: service { } needs a name" } },
	{ "protocol imap {\n  service imap {\n  }\n}", { "test.conf:2: service { } must be at the top level" } },
	{ "service imap-login {\n  inet_listener imap {\n    port = 70000\n  }\n}",
	  { "test.conf:3: Invalid value for setting port" } },
	{ "service auth {\n  unix_listener auth-userdb {\n    mode = 0999\n  }\n}",
	  { "test.conf:3: Invalid value for setting mode" } },
	{ "service auth {\n  unix_listener {\n  }\n}", { "test.conf:2: unix_listener { } needs a path" } },
	{ "namespace inbox {\n  mailbox {\n  }\n}", { "test.conf:2: mailbox { } needs a mailbox name" } },
	{ "namespace inbox {\n  list = sometimes\n}", { "test.conf:2: Invalid value for setting list" } },
	{ "passdb {\n  driver = pam\n  bogus = 1\n}", { "test.conf:3: Unknown setting in passdb { } section: bogus" } },
	{ "!include /nonexistent/x.conf", { "test.conf:1: !include /nonexistent/x.conf: No matches" } },
	{ "!include", { "test.conf:1: !include: Missing file name" } },
	{ "!frobnicate x", { "test.conf:1: Unknown directive: !frobnicate" } },
	{ "= value", { "test.conf:1: Missing setting name before '='" } },
	/* a continuation leaves " {": empty key (fuzz: read key[-1]) */
	{ "\\\n{\n}", { "test.conf:1: Missing section type before '{'" } },
	{ "auth default {\n}\nauth other {\n}", { "test.conf:3: Only one auth { } section is allowed" } },
	{ "auth default {\n  socket connect {\n  }\n}", { "test.conf:2: socket connect { } (external auth server) is not supported" } },
	/* all errors at once, each with its own line, parsing goes on */
	{ "foo = 1\nssl = maybe\nservice imap {\n  bar = 2\n}\n}\nnamespace x {\n",
	  { "test.conf:1: Unknown setting: foo", "test.conf:2: Invalid value for setting ssl",
	    "test.conf:4: Unknown setting in service { } section: bar" } },
	{ "a = 1\nb = 2\n}\nnamespace x {\n",
	  { "test.conf:1: Unknown setting: a", "test.conf:3: Unexpected '}'",
	    "test.conf:4: Missing '}': section namespace x" } },
};

START_TEST(test_invalid)
{
	const char *errors = test_parse_fail(invalid_tests[_i].config);
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(invalid_tests[_i].errors); i++) {
		const char *want = invalid_tests[_i].errors[i];

		if (want == NULL)
			break;
		ck_assert_msg(strstr(errors, want) != NULL,
			      "config:\n%s\nwanted: %s\ngot:\n%s",
			      invalid_tests[_i].config, want, errors);
	}
}
END_TEST

static const struct {
	const char *key, *value;
} default_tests[] = {
	{ "base_dir", "/run/dovecot-like" }, { "listen", "*, ::" },
	{ "protocols", "imap pop3" }, { "default_login_user", "dovenull" },
	{ "default_internal_user", "dovecot" }, { "log_path", "syslog" },
	{ "info_log_path", "" }, { "debug_log_path", "" },
	{ "log_timestamp", "%b %d %H:%M:%S " }, { "auth_debug", "no" },
	{ "auth_debug_passwords", "no" }, { "auth_verbose", "no" },
	{ "auth_mechanisms", "plain" }, { "auth_failure_delay", "2 secs" },
	{ "auth_cache_size", "0" }, { "disable_plaintext_auth", "yes" },
	{ "auth_username_format", "%Lu" }, { "mail_location", "" },
	{ "mail_uid", "" }, { "mail_gid", "" }, { "first_valid_uid", "500" },
	{ "last_valid_uid", "0" }, { "first_valid_gid", "1" }, { "mail_debug", "no" },
	{ "mail_max_userip_connections", "10" }, { "imap_max_line_length", "64 k" },
	{ "imap_capability", "" }, { "imap_idle_notify_interval", "2 mins" },
	{ "pop3_uidl_format", "%08Xu%08Xv" },
	{ "pop3_logout_format", "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s" },
	{ "login_greeting", "Dovecot ready." }, { "login_trusted_networks", "" },
	{ "verbose_proctitle", "no" }, { "shutdown_clients", "yes" }, { "ssl", "yes" },
	{ "ssl_cert", "" }, { "ssl_key", "" }, { "ssl_min_protocol", "TLSv1.2" },
	{ "ssl_prefer_server_ciphers", "no" }, { "ssl_verify_client_cert", "no" },
	{ "auth_ssl_require_client_cert", "no" }, { "auth_ssl_username_from_cert", "no" },
	{ "default_process_limit", "100" }, { "default_client_limit", "1000" },
	{ "default_vsz_limit", "256 M" }, { "mail_privileged_group", "" },
	{ "hostname", "" }, { "instance_name", "dovecot-like" },
};

START_TEST(test_defaults)
{
	struct settings *set = settings_defaults();

	ck_assert_str_eq(settings_get(set, NULL, default_tests[_i].key),
			 default_tests[_i].value);
	ck_assert_ptr_null(settings_get_location(set, NULL, default_tests[_i].key));
	settings_free(&set);
}
END_TEST

START_TEST(test_typed_getters)
{
	struct settings *set = test_parse_ok("auth_cache_size = 10 M\n"
		"mailbox_idle_check_interval = 1 hour\nauth_debug = YES\n"
		"service auth {\n  unix_listener auth-userdb {\n    mode = 0660\n  }\n}\n");
	const struct settings_section *svc, *l;
	const char *error;
	unsigned int n;
	uoff_t size;
	uint64_t msecs;

	ck_assert_uint_eq(settings_get_uint(set, NULL, "first_valid_uid"), 500);
	ck_assert_uint_eq(settings_get_msecs(set, NULL, "auth_failure_delay"), 2000);
	ck_assert_uint_eq(settings_get_msecs(set, NULL, "mailbox_idle_check_interval"), 3600000);
	ck_assert_uint_eq(settings_get_size(set, NULL, "imap_max_line_length"), 65536);
	ck_assert_uint_eq(settings_get_size(set, NULL, "default_vsz_limit"), 256ULL << 20);
	ck_assert_uint_eq(settings_get_size(set, NULL, "auth_cache_size"), 10ULL << 20);
	ck_assert(settings_get_bool(set, NULL, "disable_plaintext_auth"));
	ck_assert(settings_get_bool(set, NULL, "auth_debug"));
	ck_assert(!settings_get_bool(set, NULL, "mail_debug"));
	svc = settings_find_section(set, "service", "auth");
	ck_assert_ptr_nonnull(svc);
	l = settings_section_get_child(svc, "unix_listener", 3);
	ck_assert_str_eq(l->name, "auth-userdb");
	ck_assert_int_eq(settings_parse_mode(settings_section_get(l, "mode"), &n, &error), 0);
	ck_assert_uint_eq(n, 0660);
	ck_assert_int_eq(settings_parse_size("1 GiB", &size, &error), 0);
	ck_assert_uint_eq(size, 1ULL << 30);
	ck_assert_int_eq(settings_parse_size("100", &size, &error), 0);
	ck_assert_uint_eq(size, 100);
	ck_assert_int_eq(settings_parse_time("100 ms", &msecs, &error), 0);
	ck_assert_uint_eq(msecs, 100);
	ck_assert_int_eq(settings_parse_time("3600", &msecs, &error), -1);
	ck_assert_int_eq(settings_parse_uint("12x", &n, &error), -1);
	settings_free(&set);
}
END_TEST

START_TEST(test_warnings)
{
	struct settings *set = test_parse_ok("login_greeting = a#b\nmail_plugins = quota\n"
		"mail_plugins = quota zlib\nauth_failure_delay = 3\n");
	const char *w = settings_get_warnings(set);

	ck_assert_msg(strstr(w, "test.conf:1: Ambiguous '#'") != NULL, "%s", w);
	ck_assert_msg(strstr(w, "test.conf:2: Setting mail_plugins is a Dovecot setting") != NULL, "%s", w);
	/* one warning per unimplemented key, not per line */
	ck_assert_msg(strstr(w, "test.conf:3:") == NULL, "%s", w);
	ck_assert_msg(strstr(w, "test.conf:4: Setting auth_failure_delay: Time interval '3' is missing units") != NULL, "%s", w);
	settings_free(&set);
}
END_TEST

START_TEST(test_services_builtin)
{
	static const char *const names[] = {
		"imap-login", "pop3-login", "imap", "pop3", "auth", "auth-worker", "log", "anvil",
	};
	struct settings *set = settings_defaults();
	const struct settings_section *svc, *l;
	unsigned int i;

	ck_assert_uint_eq(settings_count_sections(set, "service"), N_ELEMENTS(names));
	for (i = 0; i < N_ELEMENTS(names); i++) {
		svc = settings_get_section(set, "service", i);
		ck_assert_str_eq(svc->name, names[i]);
		ck_assert_ptr_nonnull(settings_section_get(svc, "executable"));
	}
	svc = settings_find_section(set, "service", "imap-login");
	ck_assert_str_eq(settings_section_get(svc, "user"), "dovenull");
	ck_assert_str_eq(settings_section_get(svc, "chroot"), "login");
	ck_assert_uint_eq(settings_section_count_children(svc, "inet_listener"), 2);
	l = settings_section_get_child(svc, "inet_listener", 1);
	ck_assert_str_eq(l->name, "imaps");
	ck_assert_str_eq(settings_section_get(l, "port"), "993");
	ck_assert_str_eq(settings_section_get(l, "ssl"), "yes");
	svc = settings_find_section(set, "service", "pop3-login");
	l = settings_section_get_child(svc, "inet_listener", 0);
	ck_assert_str_eq(l->name, "pop3");
	ck_assert_str_eq(settings_section_get(l, "port"), "110");
	svc = settings_find_section(set, "service", "auth");
	ck_assert_uint_eq(settings_section_count_children(svc, "unix_listener"), 4);
	ck_assert_str_eq(settings_section_get_child(svc, "unix_listener", 0)->name, "login/login");
	ck_assert_str_eq(settings_section_get(settings_section_get_child(svc, "unix_listener", 2),
					      "mode"), "0600");
	svc = settings_find_section(set, "service", "auth-worker");
	ck_assert_str_eq(settings_section_get(svc, "user"), "root");
	svc = settings_find_section(set, "service", "imap");
	ck_assert_str_eq(settings_section_get_child(svc, "unix_listener", 0)->name, "login/imap");
	ck_assert_ptr_null(settings_find_section(set, "service", "lmtp"));
	ck_assert_uint_eq(settings_count_sections(set, "passdb"), 0);
	settings_free(&set);
}
END_TEST

START_TEST(test_services_merge)
{
	struct settings *set = test_parse_ok(
		"default_login_user = nobody\n"
		"service imap-login {\n"
		"  inet_listener imap {\n"
		"    port = 10143\n"
		"  }\n"
		"  process_min_avail = 2\n"
		"}\n"
		"service imap-login {\n"
		"  inet_listener imap {\n"
		"    address = 127.0.0.1\n"
		"  }\n"
		"}\n"
		"service auth {\n"
		"  unix_listener /var/spool/postfix/private/auth {\n"
		"    mode = 0660\n"
		"    user = postfix\n"
		"  }\n"
		"}\n"
		"service lmtp {\n"
		"  process_limit = 5\n"
		"}\n");
	const struct settings_section *svc, *l;

	ck_assert_uint_eq(settings_count_sections(set, "service"), 9);
	svc = settings_find_section(set, "service", "imap-login");
	ck_assert_str_eq(settings_section_get(svc, "user"), "nobody");
	ck_assert_str_eq(settings_section_get(svc, "process_min_avail"), "2");
	ck_assert_str_eq(settings_section_get(svc, "executable"), "imap-login");
	ck_assert_uint_eq(settings_section_count_children(svc, "inet_listener"), 2);
	l = settings_section_get_child(svc, "inet_listener", 0);
	ck_assert_str_eq(l->name, "imap");
	ck_assert_str_eq(settings_section_get(l, "port"), "10143");
	ck_assert_str_eq(settings_section_get(l, "address"), "127.0.0.1");
	ck_assert_str_eq(settings_section_get(l, "ssl"), "no");
	l = settings_section_get_child(svc, "inet_listener", 1);
	ck_assert_str_eq(settings_section_get(l, "port"), "993");
	ck_assert_str_eq(settings_section_get(l, "ssl"), "yes");
	svc = settings_find_section(set, "service", "auth");
	ck_assert_uint_eq(settings_section_count_children(svc, "unix_listener"), 5);
	l = settings_section_get_child(svc, "unix_listener", 4);
	ck_assert_str_eq(l->name, "/var/spool/postfix/private/auth");
	ck_assert_str_eq(settings_section_get(l, "user"), "postfix");
	svc = settings_find_section(set, "service", "lmtp");
	ck_assert_ptr_nonnull(svc);
	ck_assert_str_eq(svc->file, "test.conf");
	ck_assert_uint_eq(svc->line, 19);
	ck_assert_msg(strstr(settings_get_warnings(set), "service lmtp") != NULL, "%s",
		      settings_get_warnings(set));
	/* the config tree itself is unmerged */
	ck_assert_uint_eq(settings_section_count_children(settings_get_root(set), "service"), 3);
	settings_free(&set);
}
END_TEST

START_TEST(test_sections)
{
	struct settings *set = test_parse_ok(
		"passdb {\n  driver = passwd-file\n  args = scheme=CRYPT /etc/users\n}\n"
		"passdb {\n  driver = pam\n  default_fields = x=1\n  override_fields = y=2\n}\n"
		"userdb {\n  driver = static\n  args = uid=vmail gid=vmail home=/var/vmail/%d/%n\n}\n"
		"namespace inbox {\n  inbox = yes\n  separator = \"/\"\n  prefix =\n"
		"  location = maildir:~/Maildir\n"
		"  mailbox Sent {\n    special_use = \\Sent\n    auto = subscribe\n  }\n"
		"  mailbox \"Sent Messages\" {\n    special_use = \\Sent\n  }\n}\n"
		"namespace inbox {\n  mailbox Sent {\n    auto = create\n  }\n}\n");
	const struct settings_section *sec, *mbox;

	ck_assert_uint_eq(settings_count_sections(set, "passdb"), 2);
	sec = settings_get_section(set, "passdb", 1);
	ck_assert_str_eq(sec->name, "");
	ck_assert_str_eq(settings_section_get(sec, "driver"), "pam");
	ck_assert_str_eq(settings_section_get(sec, "override_fields"), "y=2");
	ck_assert_ptr_null(settings_section_get(sec, "args"));
	ck_assert_uint_eq(sec->line, 5);
	sec = settings_get_section(set, "userdb", 0);
	ck_assert_str_eq(settings_section_get(sec, "args"), "uid=vmail gid=vmail home=/var/vmail/%d/%n");
	/* named sections merge */
	ck_assert_uint_eq(settings_count_sections(set, "namespace"), 1);
	sec = settings_find_section(set, "namespace", "inbox");
	ck_assert_str_eq(settings_section_get(sec, "separator"), "/");
	ck_assert_str_eq(settings_section_get(sec, "prefix"), "");
	ck_assert_uint_eq(settings_section_count_children(sec, "mailbox"), 2);
	mbox = settings_section_get_child(sec, "mailbox", 0);
	ck_assert_str_eq(settings_section_get(mbox, "auto"), "create");
	ck_assert_str_eq(settings_section_get(mbox, "special_use"), "\\Sent");
	mbox = settings_section_get_child(sec, "mailbox", 1);
	ck_assert_str_eq(mbox->name, "Sent Messages");
	settings_free(&set);
}
END_TEST

START_TEST(test_includes)
{
	const char *dir = test_tmpdir(), *main_path, *errors;
	struct settings *set;

	(void)test_write_file(dir, "cert.pem", "-----BEGIN CERTIFICATE-----\nabc\n");
	ck_assert_int_eq(mkdir(tmp_printf("%s/conf.d", dir), 0700), 0);
	(void)test_write_file(dir, "conf.d/20-b.conf", "login_greeting = B\n");
	(void)test_write_file(dir, "conf.d/10-a.conf",
			      "login_greeting = A\nmail_location = maildir:~/A\n");
	(void)test_write_file(dir, "inner.conf", "  port = 10993\n");
	main_path = test_write_file(dir, "main.conf",
		"!include conf.d/*.conf\n"
		"ssl_cert = <cert.pem\n"
		"service imap-login {\n"
		"  inet_listener imaps {\n"
		"!include inner.conf\n"
		"  }\n"
		"}\n"
		"!include_try missing.conf\n");
	/* relative to the including file, not the cwd */
	ck_assert_int_eq(chdir("/"), 0);
	set = settings_parse_file(main_path, &errors);
	ck_assert_msg(set != NULL, "%s", errors);
	ck_assert_str_eq(settings_get(set, NULL, "login_greeting"), "B");
	ck_assert_str_eq(settings_get(set, NULL, "mail_location"), "maildir:~/A");
	ck_assert_str_eq(settings_get_location(set, NULL, "login_greeting"),
			 tmp_printf("%s/conf.d/20-b.conf:1", dir));
	ck_assert_str_eq(settings_get(set, NULL, "ssl_cert"), "-----BEGIN CERTIFICATE-----\nabc\n");
	ck_assert_str_eq(settings_section_get(settings_section_get_child(
		settings_find_section(set, "service", "imap-login"), "inet_listener", 1),
		"port"), "10993");
	ck_assert_msg(strstr(test_dump(set, true), "ssl_cert = <cert.pem\n") != NULL, "%s",
		      test_dump(set, true));
	settings_free(&set);

	/* include loop: a -> b -> a */
	(void)test_write_file(dir, "loop-a.conf", "ssl = yes\n!include loop-b.conf\n");
	(void)test_write_file(dir, "loop-b.conf", "\n!include loop-a.conf\n");
	set = settings_parse_file(tmp_printf("%s/loop-a.conf", dir), &errors);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(errors, tmp_printf("%s/loop-b.conf:2: !include loop-a.conf: "
						"Recursive include", dir)) != NULL, "%s", errors);
	/* errors inside an included file name that file; an unclosed section
	   must be closed in the file that opened it */
	(void)test_write_file(dir, "bad.conf", "ssl = yes\nbogus_key = 1\nservice imap {\n");
	(void)test_write_file(dir, "top.conf", "!include bad.conf\n}\n");
	set = settings_parse_file(tmp_printf("%s/top.conf", dir), &errors);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(errors, tmp_printf("%s/bad.conf:2: Unknown setting: bogus_key", dir)) != NULL, "%s", errors);
	ck_assert_msg(strstr(errors, tmp_printf("%s/bad.conf:3: Missing '}'", dir)) != NULL, "%s", errors);
	ck_assert_msg(strstr(errors, tmp_printf("%s/top.conf:2: Unexpected '}'", dir)) != NULL, "%s", errors);
	/* a missing top-level file */
	set = settings_parse_file(tmp_printf("%s/none.conf", dir), &errors);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(errors, "Can't read config file") != NULL, "%s", errors);
	test_rmdir(dir);
}
END_TEST

START_TEST(test_example_config)
{
	const char *errors;
	struct settings *set;

	set = settings_parse_file(TOP_SRCDIR "/dovecot-like.conf", &errors);
	ck_assert_msg(set != NULL, "%s", errors);
	ck_assert_msg(settings_get_warnings(set)[0] == '\0', "%s", settings_get_warnings(set));
	ck_assert_uint_ge(settings_count_sections(set, "passdb"), 1);
	ck_assert_uint_ge(settings_count_sections(set, "userdb"), 1);
	ck_assert_ptr_nonnull(settings_find_section(set, "namespace", "inbox"));
	settings_free(&set);
}
END_TEST

START_TEST(test_dovecot_keys_consistent)
{
	struct settings *set = settings_defaults();
	const char *dump = test_dump(set, false), *line, *nl;

	/* every global we implement is a real Dovecot 2.3 name: -a output
	   parses back as a valid config with no warning */
	settings_free(&set);
	set = test_parse_ok(dump);
	for (line = dump; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
	}
	ck_assert_msg(settings_get_warnings(set)[0] == '\0', "%s", settings_get_warnings(set));
	settings_free(&set);
}
END_TEST

Suite *test_settings_parser_suite(void)
{
	Suite *s = suite_create("settings-parser");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_valid, 0, N_ELEMENTS(valid_tests));
	tcase_add_loop_test(tc, test_invalid, 0, N_ELEMENTS(invalid_tests));
	tcase_add_loop_test(tc, test_defaults, 0, N_ELEMENTS(default_tests));
	tcase_add_test(tc, test_typed_getters);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_services_builtin);
	tcase_add_test(tc, test_services_merge);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_includes);
	tcase_add_test(tc, test_example_config);
	tcase_add_test(tc, test_dovecot_keys_consistent);
	suite_add_tcase(s, tc);
	return s;
}
