/* Copyright (c) dovecot-like authors. Tests for addresses, listeners and fd
   passing. */
#include "test-lib.h"
#include "net.h"
#include "fdpass.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

static const struct {
	const char *in;
	int ret;
	unsigned short family;
	const char *out;
	bool loopback;
} addr_tests[] = {
	{ "127.0.0.1", 0, AF_INET, "127.0.0.1", true },
	{ "127.1.2.3", 0, AF_INET, "127.1.2.3", true },
	{ "192.168.0.1", 0, AF_INET, "192.168.0.1", false },
	{ "*", 0, AF_INET, "0.0.0.0", false },
	{ "::", 0, AF_INET6, "::", false },
	{ "::1", 0, AF_INET6, "::1", true },
	{ "[::1]", 0, AF_INET6, "::1", true },
	{ "::ffff:127.0.0.1", 0, AF_INET6, "::ffff:127.0.0.1", true },
	{ "2001:db8::1", 0, AF_INET6, "2001:db8::1", false },
	{ "", -1, 0, "", false },
	{ "localhost", -1, 0, "", false },
	{ "1.2.3", -1, 0, "", false },
	{ "256.0.0.1", -1, 0, "", false },
	{ "[::1", -1, 0, "", false },
	{ "1.2.3.4 ", -1, 0, "", false },
};

START_TEST(test_net_addr)
{
	struct ip_addr ip;

	ck_assert_int_eq(net_addr2ip(addr_tests[_i].in, &ip), addr_tests[_i].ret);
	ck_assert_int_eq(ip.family, addr_tests[_i].family);
	ck_assert_str_eq(net_ip2addr(&ip), addr_tests[_i].out);
	ck_assert_int_eq(net_ip_is_loopback(&ip), addr_tests[_i].loopback);
	tmp_reset();
}
END_TEST

START_TEST(test_net_listen_accept)
{
	struct ip_addr ip, peer_ip, local_ip;
	unsigned int port, peer_port, local_port;
	int lfd, cfd, afd;
	struct sockaddr_in sin;

	ck_assert_int_eq(net_addr2ip("127.0.0.1", &ip), 0);
	lfd = net_listen(&ip, 0, 16);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(net_getsockname(lfd, &local_ip, &port), 0);
	ck_assert_uint_gt(port, 0);
	/* nothing pending */
	errno = 0;
	ck_assert_int_eq(net_accept(lfd, NULL, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);

	cfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr = ip.u.ip4;
	ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	afd = net_accept(lfd, &peer_ip, &peer_port);
	ck_assert_int_ge(afd, 0);
	ck_assert_str_eq(net_ip2addr(&peer_ip), "127.0.0.1");
	ck_assert_uint_gt(peer_port, 0);
	ck_assert_int_eq(net_getpeername(afd, &peer_ip, &peer_port), 0);
	ck_assert_int_eq(net_getsockname(afd, &local_ip, &local_port), 0);
	ck_assert_uint_eq(local_port, port);
	close(afd);
	close(cfd);
	close(lfd);
	ck_assert_int_eq(net_listen(&ip, 70000, 1), -1);
	tmp_reset();
}
END_TEST

START_TEST(test_net_unix)
{
	char dir[] = "/tmp/test-net-XXXXXX", path[128];
	struct stat st;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int lfd, cfd, afd, fd, pfd[2];
	char buf[16];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	lfd = net_listen_unix(path, 0600, 4);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* in use: refused */
	ck_assert_int_eq(net_listen_unix(path, 0600, 4), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	/* the in-use probe was a real connection: it is queued first */
	afd = net_accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	close(afd);

	cfd = net_connect_unix(path);
	ck_assert_int_ge(cfd, 0);
	afd = net_accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	ck_assert_int_eq(net_getunixcred(afd, &pid, &uid, &gid), 0);
	ck_assert_int_eq(pid, getpid());
	ck_assert_int_eq(uid, geteuid());

	/* fd passing; data without fd; then EOF */
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(fd_send(cfd, pfd[1], "x", 1), 1);
	ck_assert_int_eq(fd_read(afd, buf, sizeof(buf), &fd), 1);
	ck_assert_int_ge(fd, 0);
	ck_assert(fd != pfd[1]);
	ck_assert_int_eq(write(fd, "p", 1), 1);	/* same pipe */
	ck_assert_int_eq(read(pfd[0], buf, 1), 1);
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
	ck_assert_int_eq(fd_send(cfd, -1, "yz", 2), 2);
	ck_assert_int_eq(fd_read(afd, buf, sizeof(buf), &fd), 2);
	ck_assert_int_eq(fd, -1);
	fd_set_nonblock(afd, true);
	ck_assert_int_eq(fd_read(afd, buf, sizeof(buf), &fd), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(cfd);
	ck_assert_int_eq(fd_read(afd, buf, sizeof(buf), &fd), 0);
	close(afd);
	close(lfd);

	/* a stale socket (nobody listening) is replaced */
	lfd = net_listen_unix(path, 0666, 4);
	ck_assert_int_ge(lfd, 0);
	close(lfd);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(net_connect_unix(path), -1);
}
END_TEST

START_TEST(test_fd_flags)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	fd_set_nonblock(fds[0], true);
	fd_close_on_exec(fds[0], true);
	fd_set_nonblock(fds[0], false);
	fd_close_on_exec(fds[0], false);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_net_addr, 0, N_ELEMENTS(addr_tests));
	tcase_add_test(tc, test_net_listen_accept);
	tcase_add_test(tc, test_net_unix);
	tcase_add_test(tc, test_fd_flags);
	suite_add_tcase(s, tc);
	return s;
}
