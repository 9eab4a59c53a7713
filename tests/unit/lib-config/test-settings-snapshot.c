/* Copyright (c) dovecot-like authors. Check suite of what crosses the master
   -> child boundary: the sealed settings snapshot, the dumps, and
   master_service_init() reading the environment. */
#include "test-config.h"
#include "master-service.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const char snapshot_config[] =
	"login_greeting = \"  spaced # greeting \"\n"
	"log_timestamp = \"%Y-%m-%d %H:%M:%S \"\n"
	"auth_mechanisms = plain login\n"
	"mail_plugins = quota\n"
	"passdb {\n  driver = passwd-file\n  args = scheme=CRYPT /etc/users\n}\n"
	"userdb {\n  driver = static\n  args = uid=vmail home=/var/vmail/%d/%n\n}\n"
	"namespace inbox {\n  inbox = yes\n  separator = /\n"
	"  mailbox \"Sent Messages\" {\n    special_use = \\Sent\n  }\n}\n"
	"service imap-login {\n  inet_listener imap {\n    port = 10143\n  }\n}\n"
	"plugin {\n  quota = maildir:User quota\n}\n"
	"protocol imap {\n  mail_max_userip_connections = 20\n  mail_plugins = $mail_plugins imap_quota\n}\n"
	"local 10.0.0.1 {\n  protocol pop3 {\n    login_greeting = local\n  }\n}\n";

START_TEST(test_snapshot_roundtrip)
{
	struct settings *set = test_parse_ok(snapshot_config), *set2;
	const struct settings_section *ns, *mbox;
	const char *error;
	int fd;

	fd = settings_snapshot_create(set, &error);
	ck_assert_msg(fd >= 0, "%s", error);
	/* sealed: nobody can change it under the children */
	ck_assert_int_lt(write(fd, "x", 1), 0);
	ck_assert_int_lt(ftruncate(fd, 1), 0);
	set2 = settings_snapshot_load(fd, &error);
	ck_assert_msg(set2 != NULL, "%s", error);
	/* loading twice works: reads don't depend on the fd offset */
	settings_free(&set2);
	set2 = settings_snapshot_load(fd, &error);
	ck_assert_msg(set2 != NULL, "%s", error);
	close(fd);

	ck_assert_str_eq(test_dump(set2, false), test_dump(set, false));
	ck_assert_str_eq(test_dump(set2, true), test_dump(set, true));
	ck_assert_str_eq(settings_get(set2, NULL, "login_greeting"), "  spaced # greeting ");
	ck_assert_str_eq(settings_get(set2, "imap", "mail_max_userip_connections"), "20");
	ck_assert_str_eq(settings_get_location(set2, "imap", "mail_max_userip_connections"),
			 "test.conf:29");
	ck_assert_str_eq(settings_get_location(set2, NULL, "auth_mechanisms"), "test.conf:3");
	ck_assert_uint_eq(settings_count_sections(set2, "service"), 8);
	ns = settings_find_section(set2, "namespace", "inbox");
	ck_assert_str_eq(ns->file, "test.conf");
	ck_assert_uint_eq(ns->line, 13);
	mbox = settings_section_get_child(ns, "mailbox", 0);
	ck_assert_str_eq(mbox->name, "Sent Messages");
	ck_assert_uint_eq(mbox->line, 16);
	ck_assert_str_eq(*array_idx(&mbox->key_locations, 0), "test.conf:17");
	ck_assert_str_eq(settings_section_get(settings_section_get_child(
		settings_find_section(set2, "service", "imap-login"), "inet_listener", 0),
		"port"), "10143");
	settings_free(&set2);
	settings_free(&set);
}
END_TEST

static int memfd_with(const char *data, size_t len, bool seal)
{
	int fd = memfd_create("test", MFD_ALLOW_SEALING);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	if (seal)
		ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
				       F_SEAL_GROW), 0);
	return fd;
}

static const struct {
	const char *data;
	bool seal;
	const char *error;
} corrupt_tests[] = {
	{ "DLIKE-SETTINGS 1\n0:0:0:0 0 0 ", false, "not a sealed memfd" },
	{ "", true, "invalid size" },
	{ "NOT-SETTINGS\n", true, "unknown format" },
	{ "DLIKE-SETTINGS 1\n0:0:0:0 0 ", true, "corrupted" },
	{ "DLIKE-SETTINGS 1\n0:0:0:0 1 3:abc", true, "corrupted" },
	{ "DLIKE-SETTINGS 1\n0:0:0:0 0 0 trailing", true, "corrupted" },
	{ "DLIKE-SETTINGS 1\n0:0:0:0 0 1 99999:x", true, "corrupted" },
	{ "DLIKE-SETTINGS 1\n~0:0:0 0 0 ", true, "corrupted" },
};

START_TEST(test_snapshot_corrupt)
{
	const char *data = corrupt_tests[_i].data, *error;
	int fd = memfd_with(data, strlen(data), corrupt_tests[_i].seal);
	struct settings *set = settings_snapshot_load(fd, &error);

	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(error, corrupt_tests[_i].error) != NULL, "%s", error);
	close(fd);
}
END_TEST

START_TEST(test_snapshot_minimal)
{
	static const char data[] = "DLIKE-SETTINGS 1\n0:0:0:0 1 3:ssl2:no~~0 ";
	const char *error;
	int fd = memfd_with(data, strlen(data), true);
	struct settings *set = settings_snapshot_load(fd, &error);

	ck_assert_msg(set != NULL, "%s", error);
	ck_assert_str_eq(settings_get(set, NULL, "ssl"), "no");
	ck_assert_ptr_null(settings_get_location(set, NULL, "ssl"));
	settings_free(&set);
	close(fd);
}
END_TEST

START_TEST(test_dump_all)
{
	struct settings *set = test_parse_ok(snapshot_config), *set2;
	const char *all = test_dump(set, false), *changed = test_dump(set, true);

	/* -a: every default, every built-in service, config sections */
	ck_assert_msg(strstr(all, "base_dir = /run/dovecot-like\n") != NULL, "%s", all);
	ck_assert_msg(strstr(all, "log_timestamp = \"%Y-%m-%d %H:%M:%S \"\n") != NULL, "%s", all);
	ck_assert_msg(strstr(all, "service anvil {\n") != NULL, "%s", all);
	ck_assert_msg(strstr(all, "  inet_listener imaps {\n    port = 993\n    ssl = yes\n  }\n") != NULL, "%s", all);
	ck_assert_msg(strstr(all, "  mailbox \"Sent Messages\" {\n") != NULL, "%s", all);
	ck_assert_msg(strstr(all, "hostname = \n") != NULL, "%s", all);
	/* -n: only what differs */
	ck_assert_msg(strstr(changed, "base_dir") == NULL, "%s", changed);
	ck_assert_msg(strstr(changed, "service anvil") == NULL, "%s", changed);
	ck_assert_msg(strstr(changed, "login_greeting = \"  spaced # greeting \"\n") != NULL, "%s", changed);
	ck_assert_msg(strstr(changed, "service imap-login {\n  inet_listener imap {\n"
			     "    port = 10143\n  }\n}\n") != NULL, "%s", changed);
	ck_assert_msg(strstr(changed, "protocol imap {\n  mail_max_userip_connections = 20\n"
			     "  mail_plugins = quota imap_quota\n}\n") != NULL, "%s", changed);
	ck_assert_msg(strstr(changed, "local 10.0.0.1 {\n  protocol pop3 {\n") != NULL, "%s", changed);
	/* both parse back to the same settings */
	set2 = test_parse_ok(all);
	ck_assert_str_eq(test_dump(set2, false), all);
	settings_free(&set2);
	set2 = test_parse_ok(changed);
	ck_assert_str_eq(test_dump(set2, true), changed);
	settings_free(&set2);
	settings_free(&set);
}
END_TEST

/* master_service_init() in a child, as master would exec it: fds 3 and 4
   are listeners, the snapshot and status pipe are somewhere above. */
static int master_service_child(int config_fd, int status_fd)
{
	struct master_service *service;
	int sv[2], sv2[2];
	char **argv = NULL;
	int argc = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0)
		return 10;
	if (dup2(sv[0], 20) < 0 || dup2(sv2[0], 21) < 0)
		return 11;
	if (dup2(20, MASTER_LISTEN_FD_FIRST) < 0 || dup2(21, MASTER_LISTEN_FD_FIRST + 1) < 0)
		return 12;
	setenv(MASTER_ENV_SERVICE, "imap-login", 1);
	setenv(MASTER_ENV_CONFIG_FD, tmp_printf("%d", config_fd), 1);
	setenv(MASTER_ENV_LISTENERS, "imap:inet:0 login/x:y:unix:1", 1);
	setenv(MASTER_ENV_STATUS_FD, tmp_printf("%d", status_fd), 1);
	setenv(MASTER_ENV_PRIVILEGED, "1", 1);

	service = master_service_init("imap-login", &argc, &argv);
	if (strcmp(service->name, "imap-login") != 0 || !service->privileged)
		return 13;
	if (strcmp(log_get_prefix(), "imap-login") != 0)
		return 14;
	if (service->listener_count != 2)
		return 15;
	if (strcmp(service->listeners[0].name, "imap") != 0 || service->listeners[0].is_unix ||
	    service->listeners[0].ssl || service->listeners[0].fd != MASTER_LISTEN_FD_FIRST)
		return 16;
	if (strcmp(service->listeners[1].name, "login/x:y") != 0 || !service->listeners[1].is_unix ||
	    !service->listeners[1].ssl || service->listeners[1].fd != MASTER_LISTEN_FD_FIRST + 1)
		return 17;
	if ((fcntl(MASTER_LISTEN_FD_FIRST, F_GETFD) & FD_CLOEXEC) == 0)
		return 18;
	if (strcmp(settings_get(service->set, NULL, "login_greeting"), "from master") != 0)
		return 19;
	if (getenv(MASTER_ENV_CONFIG_FD) != NULL)
		return 20;
	master_service_send_status(service, "BUSY");
	master_service_deinit(&service);
	if (service != NULL)
		return 21;
	return 0;
}

START_TEST(test_master_service)
{
	struct settings *set = test_parse_ok("login_greeting = from master\n");
	const char *error;
	char buf[16];
	int config_fd, status[2], wstatus;
	pid_t pid;

	config_fd = settings_snapshot_create(set, &error);
	ck_assert_msg(config_fd >= 0, "%s", error);
	ck_assert_int_eq(dup2(config_fd, 30), 30);
	ck_assert_int_eq(pipe(status), 0);
	ck_assert_int_eq(dup2(status[1], 31), 31);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(master_service_child(30, 31));
	close(31);
	close(status[1]);
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 0);
	ck_assert_int_eq(read(status[0], buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "BUSY\n", 5) == 0);
	close(status[0]);
	close(30);
	close(config_fd);
	settings_free(&set);
}
END_TEST

Suite *test_settings_snapshot_suite(void)
{
	Suite *s = suite_create("settings-snapshot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_snapshot_roundtrip);
	tcase_add_loop_test(tc, test_snapshot_corrupt, 0, N_ELEMENTS(corrupt_tests));
	tcase_add_test(tc, test_snapshot_minimal);
	tcase_add_test(tc, test_dump_all);
	tcase_add_test(tc, test_master_service);
	suite_add_tcase(s, tc);
	return s;
}
