/* Copyright (c) dovecot-like authors. Sockets and addresses: listeners for
   master, accept for services, unix sockets between our processes. */
#include "lib.h"
#include "net.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

union sockaddr_union {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct sockaddr_storage ss;
};

int net_addr2ip(const char *addr, struct ip_addr *ip_r)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len;

	memset(ip_r, 0, sizeof(*ip_r));
	if (strcmp(addr, "*") == 0) {
		ip_r->family = AF_INET;
		ip_r->u.ip4.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	if (inet_pton(AF_INET, addr, &ip_r->u.ip4) == 1) {
		ip_r->family = AF_INET;
		return 0;
	}
	len = strlen(addr);
	if (len > 2 && addr[0] == '[' && addr[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, addr + 1, len - 2);
		buf[len - 2] = '\0';
		addr = buf;
	}
	if (inet_pton(AF_INET6, addr, &ip_r->u.ip6) == 1) {
		ip_r->family = AF_INET6;
		return 0;
	}
	memset(ip_r, 0, sizeof(*ip_r));
	return -1;
}

const char *net_ip2addr(const struct ip_addr *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (ip->family != AF_INET && ip->family != AF_INET6)
		return "";
	if (inet_ntop(ip->family, &ip->u, buf, sizeof(buf)) == NULL)
		return "";
	return tmp_strdup(buf);
}

bool net_ip_is_loopback(const struct ip_addr *ip)
{
	const uint8_t *b;

	if (ip->family == AF_INET)
		return (ntohl(ip->u.ip4.s_addr) >> 24) == 127;
	if (ip->family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&ip->u.ip6))
		return true;
	b = ip->u.ip6.s6_addr;
	/* IPv4-mapped 127.x.x.x */
	return IN6_IS_ADDR_V4MAPPED(&ip->u.ip6) && b[12] == 127;
}

bool net_is_in_network(const struct ip_addr *ip, const struct ip_addr *net,
		       unsigned int bits)
{
	const unsigned char *a, *b;
	unsigned int full, rest;

	if (ip->family != net->family || ip->family == 0)
		return false;
	if (ip->family == AF_INET) {
		if (bits > 32)
			return false;
		a = (const unsigned char *)&ip->u.ip4;
		b = (const unsigned char *)&net->u.ip4;
	} else {
		if (bits > 128)
			return false;
		a = ip->u.ip6.s6_addr;
		b = net->u.ip6.s6_addr;
	}
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	return rest == 0 ||
		((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

void fd_set_nonblock(int fd, bool nonblock)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		panic("fcntl(%d, F_GETFL) failed: %m", fd);
	flags = nonblock ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
	if (fcntl(fd, F_SETFL, flags) < 0)
		panic("fcntl(%d, F_SETFL) failed: %m", fd);
}

void fd_close_on_exec(int fd, bool set)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		panic("fcntl(%d, F_GETFD) failed: %m", fd);
	flags = set ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
	if (fcntl(fd, F_SETFD, flags) < 0)
		panic("fcntl(%d, F_SETFD) failed: %m", fd);
}

static socklen_t sockaddr_from_ip(union sockaddr_union *so,
				  const struct ip_addr *ip, unsigned int port)
{
	memset(so, 0, sizeof(*so));
	if (ip->family == AF_INET6) {
		so->sin6.sin6_family = AF_INET6;
		so->sin6.sin6_addr = ip->u.ip6;
		so->sin6.sin6_port = htons((uint16_t)port);
		return sizeof(so->sin6);
	}
	so->sin.sin_family = AF_INET;
	so->sin.sin_addr = ip->u.ip4;
	so->sin.sin_port = htons((uint16_t)port);
	return sizeof(so->sin);
}

static void sockaddr_to_ip(const union sockaddr_union *so,
			   struct ip_addr *ip_r, unsigned int *port_r)
{
	struct ip_addr ip;
	unsigned int port = 0;

	memset(&ip, 0, sizeof(ip));
	if (so->sa.sa_family == AF_INET) {
		ip.family = AF_INET;
		ip.u.ip4 = so->sin.sin_addr;
		port = ntohs(so->sin.sin_port);
	} else if (so->sa.sa_family == AF_INET6) {
		ip.family = AF_INET6;
		ip.u.ip6 = so->sin6.sin6_addr;
		port = ntohs(so->sin6.sin6_port);
	}
	if (ip_r != NULL)
		*ip_r = ip;
	if (port_r != NULL)
		*port_r = port;
}

int net_listen(const struct ip_addr *ip, unsigned int port, int backlog)
{
	union sockaddr_union so;
	socklen_t len;
	int fd, opt = 1, saved_errno;

	if (port > 65535) {
		errno = EINVAL;
		return -1;
	}
	len = sockaddr_from_ip(&so, ip, port);
	fd = socket(so.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &opt, sizeof(opt));
	if (so.sa.sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &opt, sizeof(opt));
	if (bind(fd, &so.sa, len) < 0 || listen(fd, backlog) < 0) {
		saved_errno = errno;
		(void)close(fd);
		errno = saved_errno;
		return -1;
	}
	return fd;
}

int net_listen_unix(const char *path, unsigned int mode, int backlog)
{
	union sockaddr_union so;
	mode_t old_umask;
	int fd, ret, saved_errno;

	memset(&so, 0, sizeof(so));
	so.sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(so.sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(so.sun.sun_path, path, strlen(path) + 1);

	/* a socket someone still listens on is in use, not stale */
	fd = net_connect_unix(path);
	if (fd >= 0) {
		(void)close(fd);
		errno = EADDRINUSE;
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* no window where the socket exists with looser permissions */
	old_umask = umask((mode_t)(0777 & ~mode));
	ret = bind(fd, &so.sa, sizeof(so.sun));
	umask(old_umask);
	if (ret < 0 || chmod(path, (mode_t)mode) < 0 || listen(fd, backlog) < 0) {
		saved_errno = errno;
		(void)close(fd);
		errno = saved_errno;
		return -1;
	}
	return fd;
}

int net_accept(int listen_fd, struct ip_addr *ip_r, unsigned int *port_r)
{
	union sockaddr_union so;
	socklen_t len = sizeof(so);
	int fd;

	memset(&so, 0, sizeof(so));
	fd = accept4(listen_fd, &so.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED) {
			errno = EAGAIN;
			return -1;
		}
		return -2;
	}
	sockaddr_to_ip(&so, ip_r, port_r);
	return fd;
}

void net_set_tcp_nodelay(int fd)
{
	int on = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0 &&
	    errno != ENOTSOCK && errno != EOPNOTSUPP && errno != ENOPROTOOPT)
		log_error("setsockopt(TCP_NODELAY) failed: %m");
}

bool net_is_tcp_socket(int fd)
{
	int protocol = 0;
	socklen_t len = sizeof(protocol);

	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) == 0 &&
		protocol == IPPROTO_TCP;
}

void net_set_tcp_quickack(int fd)
{
	int on = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on)) < 0 &&
	    errno != ENOTSOCK && errno != EOPNOTSUPP && errno != ENOPROTOOPT &&
	    errno != EINVAL)
		log_error("setsockopt(TCP_QUICKACK) failed: %m");
}

int net_connect_unix(const char *path)
{
	union sockaddr_union so;
	int fd, saved_errno;

	memset(&so, 0, sizeof(so));
	so.sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(so.sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(so.sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, &so.sa, sizeof(so.sun)) < 0) {
		saved_errno = errno;
		(void)close(fd);
		errno = saved_errno;
		return -1;
	}
	return fd;
}

int net_getsockname(int fd, struct ip_addr *ip_r, unsigned int *port_r)
{
	union sockaddr_union so;
	socklen_t len = sizeof(so);

	memset(&so, 0, sizeof(so));
	if (getsockname(fd, &so.sa, &len) < 0)
		return -1;
	sockaddr_to_ip(&so, ip_r, port_r);
	return 0;
}

int net_getpeername(int fd, struct ip_addr *ip_r, unsigned int *port_r)
{
	union sockaddr_union so;
	socklen_t len = sizeof(so);

	memset(&so, 0, sizeof(so));
	if (getpeername(fd, &so.sa, &len) < 0)
		return -1;
	sockaddr_to_ip(&so, ip_r, port_r);
	return 0;
}

int net_getunixcred(int fd, pid_t *pid_r, uid_t *uid_r, gid_t *gid_r)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	if (len != sizeof(cred)) {
		errno = EINVAL;
		return -1;
	}
	if (pid_r != NULL)
		*pid_r = cred.pid;
	if (uid_r != NULL)
		*uid_r = cred.uid;
	if (gid_r != NULL)
		*gid_r = cred.gid;
	return 0;
}
