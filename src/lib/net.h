/* Copyright (c) dovecot-like authors. net.h: sockets (inet and unix), addresses. */
#ifndef NET_H
#define NET_H

#include <netinet/in.h>

struct ip_addr {
	unsigned short family;	/* AF_INET, AF_INET6, or 0 = none/unix */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	} u;
};

/* "127.0.0.1", "::1", "*" (any v4), "::" (any v6). 0 or -1. */
int net_addr2ip(const char *addr, struct ip_addr *ip_r);
/* Static-free: result in tmp pool. "" for family 0. */
const char *net_ip2addr(const struct ip_addr *ip);
bool net_ip_is_loopback(const struct ip_addr *ip);
/* ip within net/bits (same family; bits up to 32 or 128, larger is false) */
bool net_is_in_network(const struct ip_addr *ip, const struct ip_addr *net,
		       unsigned int bits);

void fd_set_nonblock(int fd, bool nonblock);
void fd_close_on_exec(int fd, bool set);

/* Bind+listen on ip:port (SO_REUSEADDR; IPV6_V6ONLY for v6). Returns fd or -1
   (errno). */
int net_listen(const struct ip_addr *ip, unsigned int port, int backlog);
/* Bind+listen a unix socket, unlinking a stale one first; mode applied. */
int net_listen_unix(const char *path, unsigned int mode, int backlog);
/* Accepts non-blocking+cloexec; returns fd, -1 with errno EAGAIN when none,
   -2 on other errors. Addresses may be NULL. */
int net_accept(int listen_fd, struct ip_addr *ip_r, unsigned int *port_r);
/* TCP_NODELAY on a TCP socket: our streams already gather output into
   few large writes (corked while a command runs), so Nagle would only hold
   back the last partial segment of each write until the client's delayed
   ACK (~40 ms per FETCH that outgrows one write). Other sockets: no-op. */
void net_set_tcp_nodelay(int fd);
bool net_is_tcp_socket(int fd);
/* Leave TCP's delayed-ACK ("pingpong") mode for now: the kernel turns it on
   again by itself, so this is called after each reply. Without it a client
   that sends a literal and its CRLF in two writes (Python's imaplib) waits
   ~40 ms per APPEND: its Nagle holds the CRLF until our delayed ACK. */
void net_set_tcp_quickack(int fd);
/* Blocking connect to a unix socket (short, local). fd or -1. */
int net_connect_unix(const char *path);
int net_getsockname(int fd, struct ip_addr *ip_r, unsigned int *port_r);
int net_getpeername(int fd, struct ip_addr *ip_r, unsigned int *port_r);
/* SO_PEERCRED of a unix socket. */
int net_getunixcred(int fd, pid_t *pid_r, uid_t *uid_r, gid_t *gid_r);

#endif
