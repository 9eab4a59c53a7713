/* Copyright (c) dovecot-like authors. Tests for the worker side of the
   anvil protocol: the CONNECT line, reply parsing, and a whole exchange with
   a fake anvil on a unix socket (unreachable, OK, FULL, garbage, silence). */
#include "test-anvil.h"
#include "str.h"
#include "net.h"
#include "anvil-client.h"
#include "anvil-request.h"

#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

START_TEST(test_client_connect_line)
{
	struct str *line = t_str_new(64);
	struct anvil_request req;
	const char *error;

	anvil_client_append_connect(line, "imap", "192.0.2.1", "a\tb\nc", 10);
	ck_assert_str_eq(str_c(line), "CONNECT\t10\timap/192.0.2.1/a\001tb\001nc\n");
	/* what anvil parses back is the unescaped ident */
	ck_assert_int_eq(anvil_request_parse(str_c(line), str_len(line) - 1,
					     &req, &error), 0);
	ck_assert_str_eq(req.ident, "imap/192.0.2.1/a\tb\nc");
	ck_assert_uint_eq(req.limit, 10);
}
END_TEST

static const struct {
	const char *line;
	enum anvil_client_result result;
	unsigned int count;
} reply_tests[] = {
	{ "OK\t1", ANVIL_CLIENT_RESULT_OK, 1 },
	{ "FULL\t10", ANVIL_CLIENT_RESULT_FULL, 10 },
	{ "OK", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "OK\t", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "OK\t-1", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "OK\t1\t2", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "FULL\t99999999999", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "ERROR\tline too long", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "", ANVIL_CLIENT_RESULT_ERROR, 0 },
	{ "ok\t1", ANVIL_CLIENT_RESULT_ERROR, 0 },
};

START_TEST(test_client_parse_reply)
{
	unsigned int count = 0;

	ck_assert_int_eq(anvil_client_parse_reply(reply_tests[_i].line, &count),
			 reply_tests[_i].result);
	if (reply_tests[_i].result != ANVIL_CLIENT_RESULT_ERROR)
		ck_assert_uint_eq(count, reply_tests[_i].count);
}
END_TEST

/* A fake anvil: accepts one connection, reads the request, writes reply
   (NULL: says nothing), then waits for the peer to close. */
static pid_t fake_anvil(const char *path, const char *reply)
{
	int listen_fd = net_listen_unix(path, 0600, 4);
	pid_t pid;

	ck_assert_int_ge(listen_fd, 0);
	fd_set_nonblock(listen_fd, false);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[256];
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
			_exit(1);
		if (reply != NULL &&
		    write(fd, reply, strlen(reply)) != (ssize_t)strlen(reply))
			_exit(1);
		while (read(fd, buf, sizeof(buf)) > 0) ;
		_exit(0);
	}
	close(listen_fd);
	return pid;
}

static const char *socket_path(void)
{
	return tmp_printf("/tmp/test-anvil-client.%ld", (long)getpid());
}

static enum anvil_client_result
client_against(const char *reply, unsigned int timeout_msecs, int *fd_r,
	       unsigned int *count_r, const char **error_r)
{
	const char *path = socket_path();
	pid_t pid = fake_anvil(path, reply);
	enum anvil_client_result ret;
	int status;

	ret = anvil_client_connect(path, "imap", "127.0.0.1", "demo", 2,
				   timeout_msecs, fd_r, count_r, error_r);
	if (*fd_r != -1)
		close(*fd_r);
	waitpid(pid, &status, 0);
	unlink(path);
	return ret;
}

START_TEST(test_client_exchange)
{
	unsigned int count;
	const char *error;
	int fd;

	ck_assert_int_eq(client_against("OK\t2\n", 5000, &fd, &count, &error),
			 ANVIL_CLIENT_RESULT_OK);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(count, 2);

	ck_assert_int_eq(client_against("FULL\t2\n", 5000, &fd, &count, &error),
			 ANVIL_CLIENT_RESULT_FULL);
	ck_assert_int_eq(fd, -1);
	ck_assert_uint_eq(count, 2);

	ck_assert_int_eq(client_against("ERROR\tunknown command\n", 5000, &fd,
					&count, &error), ANVIL_CLIENT_RESULT_ERROR);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(error, "unexpected reply: ERROR"));

	/* a reply longer than any of anvil's, without LF */
	ck_assert_int_eq(client_against("OK\t11111111111111111111111111111111"
					"1111111111111111111111111111111111111",
					5000, &fd, &count, &error),
			 ANVIL_CLIENT_RESULT_ERROR);
	ck_assert_str_eq(strchr(error, ' ') + 1, "reply too long");

	/* silence: the timeout lets the worker go on */
	ck_assert_int_eq(client_against(NULL, 200, &fd, &count, &error),
			 ANVIL_CLIENT_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(error, "no reply in 200 msecs"));

	/* nobody listening */
	ck_assert_int_eq(anvil_client_connect(socket_path(), "imap", "::1", "u",
					      0, 200, &fd, &count, &error),
			 ANVIL_CLIENT_RESULT_ERROR);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(error, "connect("));
}
END_TEST

Suite *anvil_client_suite(void)
{
	Suite *s = suite_create("anvil-client");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_client_connect_line);
	tcase_add_loop_test(tc, test_client_parse_reply, 0, N_ELEMENTS(reply_tests));
	tcase_add_test(tc, test_client_exchange);
	suite_add_tcase(s, tc);
	return s;
}
