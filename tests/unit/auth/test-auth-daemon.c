/* Copyright (c) dovecot-like authors. test-auth-daemon.c: starts the real
   auth and auth-worker binaries by hand (the master-service.h environment
   contract with a settings snapshot) and speaks the client and master
   protocols to them over their sockets. */
#include "lib.h"
#include "net.h"
#include "str.h"
#include "strfuncs.h"
#include "settings.h"
#include "auth-master.h"

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char test_dir[] = "/tmp/test-auth-daemon.XXXXXX";
static pid_t auth_pid, worker_pid;

/* SHA512-CRYPT of "secret" (passwd-file-and-schemes.md s.2.2): the check
   runs in auth-worker. */
#define BOB_HASH "{SHA512-CRYPT}$6$2HQWJCfYNXwMqFUp$QAjo9f8POIaV6MhGCdPwaA5LrFHrPFOLbDc6QHlVI5M4bksYfv/hDbYd1L8YzXQzQNHnWSqZaIgZlPiK/AJl/0"

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

static pid_t spawn(const char *service, const char *listeners, int *fds,
		   unsigned int fd_count, int config_fd, bool worker)
{
	pid_t pid = fork();
	unsigned int i;
	int log_fd;

	ck_assert_int_ge(pid, 0);
	if (pid != 0)
		return pid;
	log_fd = open(tmp_printf("%s/%s.log", test_dir, service),
		      O_WRONLY | O_CREAT | O_APPEND, 0600);
	dup2(log_fd, 2);
	/* listeners from fd 3 on, then the config snapshot */
	for (i = 0; i < fd_count; i++)
		fds[i] = dup(fds[i]) ;
	config_fd = dup(config_fd);
	for (i = 0; i < fd_count; i++)
		dup2(fds[i], 3 + (int)i);
	dup2(config_fd, 3 + (int)fd_count);
	setenv("DLIKE_SERVICE", service, 1);
	setenv("DLIKE_LISTENERS", listeners, 1);
	setenv("DLIKE_CONFIG_FD", tmp_printf("%u", 3 + fd_count), 1);
	setenv("DLIKE_PRIVILEGED", "0", 1);
	unsetenv("DLIKE_STATUS_FD");
	if (worker)
		execl(AUTH_BINARY, AUTH_BINARY, "-w", (char *)NULL);
	else
		execl(AUTH_BINARY, AUTH_BINARY, (char *)NULL);
	_exit(127);
}

static void setup(void)
{
	const char *errors, *conf;
	struct settings *set;
	int fds[4], worker_fd, config_fd;

	lib_init();
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
	ck_assert_int_eq(mkdir(tmp_printf("%s/login", test_dir), 0755), 0);
	write_file(tmp_printf("%s/passwd", test_dir),
		"alice:{PLAIN}alicepw:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\n"
		"bob:" BOB_HASH ":1001:1001::/home/bob::\n"
		"dave:{PLAIN}davepw:1002:1002::/home/dave::nologin reason=Account_disabled\n"
		"erin:{PLAIN}erinpw:1003:1003::/home/erin::allow_nets=10.0.0.0/8\n");
	conf = tmp_printf(
		"base_dir = %s\n"
		"auth_mechanisms = plain login\n"
		"auth_failure_delay = 1 secs\n"
		"passdb {\n  driver = passwd-file\n  args = %s/passwd\n}\n"
		"userdb {\n  driver = passwd-file\n  args = %s/passwd\n"
		"  default_fields = mail=mbox:~/mail\n}\n",
		test_dir, test_dir, test_dir);
	set = settings_parse_data("test.conf", conf, strlen(conf), &errors);
	ck_assert_msg(set != NULL, "config: %s", errors);
	config_fd = settings_snapshot_create(set, &errors);
	ck_assert_int_ge(config_fd, 0);

	fds[0] = net_listen_unix(tmp_printf("%s/login/login", test_dir), 0666, 16);
	fds[1] = net_listen_unix(tmp_printf("%s/auth-client", test_dir), 0600, 16);
	fds[2] = net_listen_unix(tmp_printf("%s/auth-master", test_dir), 0600, 16);
	fds[3] = net_listen_unix(tmp_printf("%s/auth-userdb", test_dir), 0600, 16);
	worker_fd = net_listen_unix(tmp_printf("%s/auth-worker", test_dir), 0600, 16);
	ck_assert(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0 && fds[3] >= 0 &&
		  worker_fd >= 0);
	auth_pid = spawn("auth", "login/login:unix:0 auth-client:unix:0 "
			 "auth-master:unix:0 auth-userdb:unix:0", fds, 4, config_fd, false);
	worker_pid = spawn("auth-worker", "auth-worker:unix:0", &worker_fd, 1,
			   config_fd, true);
	close(fds[0]); close(fds[1]); close(fds[2]); close(fds[3]);
	close(worker_fd);
	close(config_fd);
	settings_free(&set);
}

static void teardown(void)
{
	int status;

	kill(auth_pid, SIGTERM);
	kill(worker_pid, SIGTERM);
	int worker_status;

	waitpid(auth_pid, &status, 0);
	waitpid(worker_pid, &worker_status, 0);
	/* the daemons' logs first, so a failure below is explained */
	if (system(tmp_printf("cat %s/*.log >&2; rm -rf %s", test_dir, test_dir)) != 0) {
		/* only cleanup */
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "auth exit status %d", status);
	lib_deinit();
}

struct conn {
	int fd;
	char buf[8192];
	size_t used;
};

static void conn_open(struct conn *conn, const char *name)
{
	int i;

	memset(conn, 0, sizeof(*conn));
	/* the daemon may still be starting */
	for (i = 0; i < 100; i++) {
		conn->fd = net_connect_unix(tmp_printf("%s/%s", test_dir, name));
		if (conn->fd >= 0)
			break;
		usleep(20000);
	}
	ck_assert_int_ge(conn->fd, 0);
	fd_set_nonblock(conn->fd, false);
}

static void conn_send(struct conn *conn, const char *data)
{
	ck_assert_int_eq(write(conn->fd, data, strlen(data)), (ssize_t)strlen(data));
}

/* Next line, or NULL after timeout_msecs / on EOF. *elapsed_r in msecs. */
static const char *conn_line(struct conn *conn, int timeout_msecs)
{
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	char *nl;
	ssize_t ret;

	for (;;) {
		nl = memchr(conn->buf, '\n', conn->used);
		if (nl != NULL) {
			const char *line = tmp_strndup(conn->buf, nl - conn->buf);

			conn->used -= nl + 1 - conn->buf;
			memmove(conn->buf, nl + 1, conn->used);
			return line;
		}
		if (poll(&pfd, 1, timeout_msecs) <= 0)
			return NULL;
		ret = read(conn->fd, conn->buf + conn->used, sizeof(conn->buf) - conn->used);
		if (ret <= 0)
			return NULL;
		conn->used += (size_t)ret;
	}
}

static void expect(struct conn *conn, const char *line)
{
	const char *got = conn_line(conn, 10000);

	ck_assert_msg(got != NULL && strcmp(got, line) == 0,
		      "expected '%s', got '%s'", line, got == NULL ? "(none)" : got);
}

/* Handshake; returns the cookie. */
static const char *client_handshake(struct conn *conn, const char *socket,
				    const char *cpid)
{
	const char *line, *cookie = NULL;
	bool seen_mech = false;

	conn_open(conn, socket);
	conn_send(conn, tmp_printf("VERSION\t1\t2\nCPID\t%s\n", cpid));
	expect(conn, "VERSION\t1\t2");
	expect(conn, "MECH\tPLAIN\tplaintext");
	expect(conn, "MECH\tLOGIN\tplaintext");
	while ((line = conn_line(conn, 10000)) != NULL && strcmp(line, "DONE") != 0) {
		if (strncmp(line, "SPID\t", 5) == 0)
			ck_assert_int_eq(atoi(line + 5), auth_pid);
		else if (strncmp(line, "COOKIE\t", 7) == 0) {
			cookie = line + 7;
			ck_assert_uint_eq(strlen(cookie), 32);
		} else if (strncmp(line, "MECH\t", 5) == 0)
			seen_mech = true;
	}
	ck_assert(!seen_mech);
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(cookie);
	return cookie;
}

static long now_msecs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_client_protocol)
{
	struct conn conn;
	long start;

	(void)client_handshake(&conn, "auth-client", "4242");
	/* s.3.7 transcript, Postfix style (minor 0 is accepted too) */
	conn_send(&conn, "AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
		  "rip=192.0.2.7\tsecured\tresp=AGFsaWNlAGFsaWNlcHc=\n");
	expect(&conn, "OK\t1\tuser=alice");
	/* SHA512-CRYPT goes through auth-worker */
	conn_send(&conn, "AUTH\t2\tPLAIN\tservice=smtp\tresp=AGJvYgBzZWNyZXQ=\n");
	expect(&conn, "OK\t2\tuser=bob");
	start = now_msecs();
	conn_send(&conn, "AUTH\t3\tPLAIN\tservice=smtp\tresp=AGFsaWNlAHdyb25n\n");
	expect(&conn, "FAIL\t3\tuser=alice");
	ck_assert_int_ge(now_msecs() - start, 900);	/* auth_failure_delay */
	conn_send(&conn, "AUTH\t4\tPLAIN\tservice=smtp\n");
	expect(&conn, "CONT\t4\t");
	conn_send(&conn, "CONT\t4\tAGJvYgBzZWNyZXQ=\n");
	expect(&conn, "OK\t4\tuser=bob");
	conn_send(&conn, "AUTH\t5\tLOGIN\tservice=smtp\n");
	expect(&conn, "CONT\t5\tVXNlcm5hbWU6");
	conn_send(&conn, "CONT\t5\tYWxpY2U=\n");
	expect(&conn, "CONT\t5\tUGFzc3dvcmQ6");
	conn_send(&conn, "CONT\t5\tYWxpY2Vwdw==\n");
	expect(&conn, "OK\t5\tuser=alice");
	conn_send(&conn, "AUTH\t6\tPLAIN\tservice=smtp\tresp=!!!\n");
	expect(&conn, "FAIL\t6\tcode=invalid_base64\treason=Invalid base64 data in initial response");
	conn_send(&conn, "CONT\t99\tAAAA\n");
	expect(&conn, "FAIL\t99\treason=Authentication request timed out");
	/* usernames are lowercased by auth_username_format=%Lu */
	conn_send(&conn, "AUTH\t7\tPLAIN\tservice=imap\tresp=AEFMSUNFAGFsaWNlcHc=\n");
	expect(&conn, "OK\t7\tuser=alice");
	/* nologin: answered like a failure, after the delay */
	conn_send(&conn, "AUTH\t8\tPLAIN\tservice=imap\tresp=AGRhdmUAZGF2ZXB3\n");
	expect(&conn, "OK\t8\tuser=dave\tnologin\treason=Account_disabled");
	/* allow_nets */
	conn_send(&conn, "AUTH\t9\tPLAIN\tservice=imap\trip=192.0.2.7\tresp=AGVyaW4AZXJpbnB3\n");
	expect(&conn, "FAIL\t9\tuser=erin");
	conn_send(&conn, "AUTH\t10\tPLAIN\tservice=imap\trip=10.1.2.3\tresp=AGVyaW4AZXJpbnB3\n");
	expect(&conn, "OK\t10\tuser=erin");
	conn_send(&conn, "AUTH\t11\tPLAIN\tservice=imap\tresp=AG5vYm9keQB4\n");
	expect(&conn, "FAIL\t11\tuser=nobody");
	/* an unsupported mechanism is a protocol violation */
	conn_send(&conn, "AUTH\t12\tCRAM-MD5\tservice=imap\n");
	ck_assert_ptr_null(conn_line(&conn, 5000));
	close(conn.fd);
}
END_TEST

START_TEST(test_master_request)
{
	struct conn login, master;
	const char *cookie;
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	const char *user, *const *fields, *error, *const *users;

	cookie = client_handshake(&login, "login/login", "5555");
	conn_send(&login, "AUTH\t7\tPLAIN\tservice=imap\tsecured\tlip=127.0.0.1\t"
		  "rip=127.0.0.1\tlport=143\trport=50000\tresp=AGFsaWNlAGFsaWNlcHc=\n");
	expect(&login, "OK\t7\tuser=alice");

	conn_open(&master, "auth-master");
	conn_send(&master, "VERSION\t1\t1\n");
	expect(&master, "VERSION\t1\t1");
	expect(&master, tmp_printf("SPID\t%ld", (long)auth_pid));
	conn_send(&master, tmp_printf("REQUEST\t1\t5555\t7\t%s\n", "00000000000000000000000000000000"));
	expect(&master, "FAIL\t1");	/* wrong cookie also burns the login */
	/* a second login */
	conn_send(&login, "AUTH\t8\tPLAIN\tservice=imap\tsecured\tresp=AGFsaWNlAGFsaWNlcHc=\n");
	expect(&login, "OK\t8\tuser=alice");
	conn_send(&master, tmp_printf("REQUEST\t2\t5555\t8\t%s\n", cookie));
	expect(&master, "USER\t2\talice\tuid=1000\tgid=1000\thome=/home/alice\t"
	       "mail=maildir:~/Maildir\tauth_mech=PLAIN");
	conn_send(&master, tmp_printf("REQUEST\t3\t5555\t8\t%s\n", cookie));
	expect(&master, "FAIL\t3");	/* single use */
	conn_send(&master, "CACHE-FLUSH\t4\n");
	expect(&master, "OK\t4\t0");
	conn_send(&master, "USER\t5\tnosuch\tservice=imap\n");
	expect(&master, "NOTFOUND\t5");
	conn_send(&master, "PASS\t6\tdave\tservice=imap\n");
	expect(&master, "PASS\t6\tuser=dave\tnologin\treason=Account_disabled");
	close(master.fd);
	close(login.fd);

	/* lib-auth-client's blocking lookups against the userdb socket */
	ck_assert_int_eq(auth_master_user_lookup(tmp_printf("%s/auth-userdb", test_dir),
						 "bob", "doveadm", pool, &user, &fields,
						 &error), AUTH_MASTER_RESULT_OK);
	ck_assert_str_eq(user, "bob");
	ck_assert_str_eq(tmp_strarray_join(fields, " "),
			 "uid=1001 gid=1001 home=/home/bob mail=mbox:~/mail");
	ck_assert_int_eq(auth_master_user_lookup(tmp_printf("%s/auth-userdb", test_dir),
						 "nosuch", "doveadm", pool, &user, &fields,
						 &error), AUTH_MASTER_RESULT_NOTFOUND);
	ck_assert_int_eq(auth_master_user_list(tmp_printf("%s/auth-userdb", test_dir),
					       pool, &users, &error), 0);
	ck_assert_str_eq(tmp_strarray_join(users, ","), "alice,bob,dave,erin");
	pool_unref(&pool);
}
END_TEST

START_TEST(test_worker_down)
{
	struct conn conn;
	int status;

	kill(worker_pid, SIGKILL);
	waitpid(worker_pid, &status, 0);
	unlink(tmp_printf("%s/auth-worker", test_dir));
	(void)client_handshake(&conn, "auth-client", "4243");
	conn_send(&conn, "AUTH\t1\tPLAIN\tservice=smtp\tresp=AGJvYgBzZWNyZXQ=\n");
	expect(&conn, "FAIL\t1\tuser=bob\tcode=temp_fail\treason=Temporary authentication failure.");
	/* cheap schemes still work without a worker */
	conn_send(&conn, "AUTH\t2\tPLAIN\tservice=smtp\tresp=AGFsaWNlAGFsaWNlcHc=\n");
	expect(&conn, "OK\t2\tuser=alice");
	close(conn.fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth-daemon");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_client_protocol);
	tcase_add_test(tc, test_master_request);
	tcase_add_test(tc, test_worker_down);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
