/* Copyright (c) dovecot-like authors. Tests for the login -> worker handoff:
   round trip with fd passing over a socketpair, and malformed messages. */
#include "test-lib.h"
#include "login-handoff.h"
#include "fdpass.h"

#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

static void handoff_fill(struct login_handoff *h)
{
	static const unsigned char input[] = "a1 SELECT INBOX\r\n\0\xff";

	memset(h, 0, sizeof(*h));
	h->protocol = "imap";
	h->auth_pid = 1234;
	h->auth_id = 77;
	h->cookie = "0123456789abcdef0123456789ABCDEF";
	h->user = "user\twith\ntabs@example.com";
	ck_assert_int_eq(net_addr2ip("127.0.0.1", &h->local_ip), 0);
	ck_assert_int_eq(net_addr2ip("::1", &h->remote_ip), 0);
	h->local_port = 993;
	h->remote_port = 65535;
	h->secured = true;
	h->tls = true;
	h->tag = "a0";
	h->input = input;
	h->input_len = sizeof(input) - 1;
}

START_TEST(test_handoff_roundtrip)
{
	struct pool *pool = pool_create("handoff", 0, POOL_FLAG_NONE);
	struct login_handoff h, r;
	struct stat st1, st2;
	const char *error = NULL, *reason;
	int sv[2], pipefd[2], client_fd;
	char reply[64];
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	handoff_fill(&h);
	ck_assert_int_eq(login_handoff_send(sv[0], pipefd[0], &h), 0);
	ck_assert_int_eq(login_handoff_recv(sv[1], pool, 1000, &r, &client_fd,
					    &error), 0);
	ck_assert_int_ge(client_fd, 0);
	ck_assert_int_eq(fstat(pipefd[0], &st1), 0);
	ck_assert_int_eq(fstat(client_fd, &st2), 0);
	ck_assert(st1.st_ino == st2.st_ino);
	ck_assert_str_eq(r.protocol, "imap");
	ck_assert_int_eq(r.auth_pid, 1234);
	ck_assert_uint_eq(r.auth_id, 77);
	ck_assert_str_eq(r.cookie, h.cookie);
	ck_assert_str_eq(r.user, h.user);
	ck_assert_str_eq(net_ip2addr(&r.local_ip), "127.0.0.1");
	ck_assert_str_eq(net_ip2addr(&r.remote_ip), "::1");
	ck_assert_uint_eq(r.local_port, 993);
	ck_assert_uint_eq(r.remote_port, 65535);
	ck_assert(r.secured && r.tls);
	ck_assert_str_eq(r.tag, "a0");
	ck_assert_uint_eq(r.input_len, h.input_len);
	ck_assert(memcmp(r.input, h.input, h.input_len) == 0);
	close(client_fd);

	/* replies */
	ck_assert_int_eq(login_handoff_reply(sv[1], NULL), 0);
	n = read(sv[0], reply, sizeof(reply) - 1);
	ck_assert_int_gt(n, 0);
	reply[n - 1] = '\0';
	ck_assert_int_eq(login_handoff_parse_reply(reply, &pid, &reason), 1);
	ck_assert_int_eq(pid, getpid());
	ck_assert_int_eq(login_handoff_reply(sv[1], "no\tway"), 0);
	n = read(sv[0], reply, sizeof(reply) - 1);
	ck_assert_int_gt(n, 0);
	reply[n - 1] = '\0';
	ck_assert_int_eq(login_handoff_parse_reply(reply, &pid, &reason), 0);
	ck_assert_str_eq(reason, "no\tway");
	ck_assert_int_eq(login_handoff_parse_reply("OK\tx", &pid, &reason), -1);
	ck_assert_int_eq(login_handoff_parse_reply("OK\t0", &pid, &reason), -1);
	ck_assert_int_eq(login_handoff_parse_reply("WHAT", &pid, &reason), -1);

	/* REFUSED: the reason goes to the client as one line */
	ck_assert_int_eq(login_handoff_reply_refused(sv[1], "Too\tmany (n=2)"), 0);
	n = read(sv[0], reply, sizeof(reply) - 1);
	ck_assert_int_gt(n, 0);
	reply[n] = '\0';
	ck_assert_str_eq(reply, "REFUSED\tToo\001tmany (n=2)\n");
	reply[n - 1] = '\0';
	ck_assert_int_eq(login_handoff_parse_refused(reply, &reason), -1);
	ck_assert_int_eq(login_handoff_parse_reply(reply, &pid, &reason), -1);
	reason = NULL;
	ck_assert_int_eq(login_handoff_parse_refused(
		"REFUSED\tMaximum number (n=2)", &reason), 1);
	ck_assert_str_eq(reason, "Maximum number (n=2)");
	ck_assert_int_eq(login_handoff_parse_refused("REFUSED\t", &reason), -1);
	ck_assert_int_eq(login_handoff_parse_refused("REFUSED\ta\001rb",
						     &reason), -1);
	ck_assert_int_eq(login_handoff_parse_refused("REFUSED\ta\001nb",
						     &reason), -1);
	ck_assert_int_eq(login_handoff_parse_refused("REFUSED\ta\x7f" "b",
						     &reason), -1);
	ck_assert_int_eq(login_handoff_parse_refused("REFUSED", &reason), 0);
	ck_assert_int_eq(login_handoff_parse_refused("OK\t12", &reason), 0);
	ck_assert_int_eq(login_handoff_parse_refused("FAIL\tx", &reason), 0);

	/* POP3: no tag, no input, no addresses */
	memset(&h, 0, sizeof(h));
	h.protocol = "pop3";
	h.auth_pid = 1;
	h.cookie = "ab";
	h.tag = "";
	ck_assert_int_eq(login_handoff_send(sv[0], pipefd[1], &h), 0);
	ck_assert_int_eq(login_handoff_recv(sv[1], pool, 1000, &r, &client_fd,
					    &error), 0);
	ck_assert_int_eq(r.local_ip.family, 0);
	ck_assert(!r.secured && !r.tls);
	ck_assert_uint_eq(r.input_len, 0);
	ck_assert_str_eq(r.user, "");
	close(client_fd);

	/* too much pre-read input is refused by the sender */
	h.input_len = LOGIN_HANDOFF_MAX_INPUT + 1;
	h.input = p_malloc(pool, h.input_len);
	ck_assert_int_eq(login_handoff_send(sv[0], pipefd[1], &h), -1);

	/* no fd attached */
	ck_assert_int_eq(write(sv[0], "HANDOFF\t1\n", 10), 10);
	ck_assert_int_eq(login_handoff_recv(sv[1], pool, 1000, &r, &client_fd,
					    &error), -1);
	ck_assert_int_eq(client_fd, -1);
	/* peer closed before the end of the message */
	ck_assert_int_eq(fd_send(sv[0], pipefd[1], "HANDOFF", 7), 7);
	close(sv[0]);
	ck_assert_int_eq(login_handoff_recv(sv[1], pool, 1000, &r, &client_fd,
					    &error), -1);
	ck_assert_int_eq(client_fd, -1);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
	pool_unref(&pool);
}
END_TEST

static const char *const bad_handoffs[] = {
	"",
	"HANDOFF",
	"HANDOFF\t2\timap\t1\t1\tab\tu\t\t0\t\t0\t\t\t",
	"HELLO\t1\timap\t1\t1\tab\tu\t\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t0\t\t",		/* 13 fields */
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t0\t\t\t\t",	/* 15 fields */
	"HANDOFF\t1\t\t1\t1\tab\tu\t\t0\t\t0\t\t\t",		/* no protocol */
	"HANDOFF\t1\tIM AP\t1\t1\tab\tu\t\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t0\t1\tab\tu\t\t0\t\t0\t\t\t",		/* pid 0 */
	"HANDOFF\t1\timap\t-1\t1\tab\tu\t\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t99999999999\t1\tab\tu\t\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t1\tx\tab\tu\t\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t1\t1\t\tu\t\t0\t\t0\t\t\t",		/* no cookie */
	"HANDOFF\t1\timap\t1\t1\tzz\tu\t\t0\t\t0\t\t\t",		/* not hex */
	"HANDOFF\t1\timap\t1\t1\tab\tu\t1.2.3\t0\t\t0\t\t\t",
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\tfoo\t0\t\t\t",
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t65536\t\t0\t\t\t",
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t\t\t\t",		/* empty port */
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t0\tsx\t\t",		/* bad flag */
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t0\t\t\tZg=",	/* bad base64 */
	"HANDOFF\t1\timap\t1\t1\tab\tu\t\t0\t\t0\t\t\t!!!!",
};

START_TEST(test_handoff_parse_bad)
{
	struct login_handoff h;
	const char *error = NULL;

	ck_assert_int_eq(login_handoff_parse(tmp_pool, bad_handoffs[_i],
					     strlen(bad_handoffs[_i]), &h,
					     &error), -1);
	ck_assert_ptr_nonnull(error);
	tmp_reset();
}
END_TEST

START_TEST(test_handoff_parse_edge)
{
	static const char good[] = "HANDOFF\t1\timap\t1\t2\tab\tu\t\t0\t\t0\t\t\tZg==";
	struct login_handoff h;
	const char *error;
	char *big;

	ck_assert_int_eq(login_handoff_parse(tmp_pool, good, strlen(good), &h,
					     &error), 0);
	ck_assert_uint_eq(h.input_len, 1);
	/* embedded NUL / LF */
	ck_assert_int_eq(login_handoff_parse(tmp_pool, good, sizeof(good), &h,
					     &error), -1);
	/* input longer than LOGIN_HANDOFF_MAX_INPUT after decoding */
	big = p_malloc(tmp_pool, 7000);
	memcpy(big, good, strlen(good) - 4);
	memset(big + strlen(good) - 4, 'A', 5600);
	ck_assert_int_eq(login_handoff_parse(tmp_pool, big, strlen(big), &h,
					     &error), -1);
	tmp_reset();
}
END_TEST

Suite *login_handoff_suite(void)
{
	Suite *s = suite_create("login-handoff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_handoff_roundtrip);
	tcase_add_loop_test(tc, test_handoff_parse_bad, 0, N_ELEMENTS(bad_handoffs));
	tcase_add_test(tc, test_handoff_parse_edge);
	suite_add_tcase(s, tc);
	return s;
}
