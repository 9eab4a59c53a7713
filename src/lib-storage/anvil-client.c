/* Copyright (c) dovecot-like authors. The worker's anvil client: one
   blocking request right after the userdb lookup (the worker has nothing
   else to do yet), bounded by a timeout so a hung anvil cannot hold a login. */
#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "write-full.h"
#include "anvil-client.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

/* "FULL\t4294967295" and a bit: a longer reply is not anvil's. */
#define ANVIL_CLIENT_REPLY_MAX 64

void anvil_client_append_connect(struct str *dest, const char *service,
				 const char *ip, const char *user,
				 unsigned int limit)
{
	str_printfa(dest, "CONNECT\t%u\t", limit);
	str_append_tabescaped(dest, tmp_strconcat(service, "/", ip, "/", user,
						  NULL));
	str_append_c(dest, '\n');
}

enum anvil_client_result anvil_client_parse_reply(const char *line,
						  unsigned int *count_r)
{
	const char *value;

	if (str_begins(line, "OK\t", &value)) {
		if (str_to_uint(value, count_r) < 0)
			return ANVIL_CLIENT_RESULT_ERROR;
		return ANVIL_CLIENT_RESULT_OK;
	}
	if (str_begins(line, "FULL\t", &value)) {
		if (str_to_uint(value, count_r) < 0)
			return ANVIL_CLIENT_RESULT_ERROR;
		return ANVIL_CLIENT_RESULT_FULL;
	}
	return ANVIL_CLIENT_RESULT_ERROR;
}

static long long anvil_client_now_msecs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one LF-terminated line into buf (NUL-terminated, without LF).
   0, or -1 with *error_r. */
static int anvil_client_read_line(int fd, char *buf, size_t size,
				  unsigned int timeout_msecs,
				  const char **error_r)
{
	long long deadline = anvil_client_now_msecs() + timeout_msecs;
	size_t used = 0;
	struct pollfd pfd;
	char *lf;
	ssize_t ret;

	for (;;) {
		long long left = deadline - anvil_client_now_msecs();

		if (left <= 0) {
			*error_r = tmp_printf("no reply in %u msecs",
					      timeout_msecs);
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			*error_r = tmp_printf("poll() failed: %m");
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		ret = read(fd, buf + used, size - 1 - used);
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*error_r = tmp_printf("read() failed: %m");
			return -1;
		}
		if (ret == 0) {
			*error_r = "anvil closed the connection";
			return -1;
		}
		used += (size_t)ret;
		buf[used] = '\0';
		lf = memchr(buf, '\n', used);
		if (lf != NULL) {
			*lf = '\0';
			return 0;
		}
		if (used == size - 1) {
			*error_r = "reply too long";
			return -1;
		}
	}
}

enum anvil_client_result
anvil_client_connect(const char *path, const char *service, const char *ip,
		     const char *user, unsigned int limit,
		     unsigned int timeout_msecs, int *fd_r,
		     unsigned int *count_r, const char **error_r)
{
	struct str *req = t_str_new(128);
	char reply[ANVIL_CLIENT_REPLY_MAX + 1];
	enum anvil_client_result result;
	const char *error;
	int fd;

	*fd_r = -1;
	*count_r = 0;
	/* blocking connect to a local listener: master bound it, so it queues
	   in the backlog even while anvil (re)starts */
	fd = net_connect_unix(path);
	if (fd < 0) {
		*error_r = tmp_printf("connect(%s) failed: %m", path);
		return ANVIL_CLIENT_RESULT_ERROR;
	}
	anvil_client_append_connect(req, service, ip, user, limit);
	if (write_full(fd, str_data(req), str_len(req)) < 0) {
		*error_r = tmp_printf("write(%s) failed: %m", path);
		close(fd);
		return ANVIL_CLIENT_RESULT_ERROR;
	}
	if (anvil_client_read_line(fd, reply, sizeof(reply), timeout_msecs,
				   &error) < 0) {
		*error_r = tmp_printf("%s: %s", path, error);
		close(fd);
		return ANVIL_CLIENT_RESULT_ERROR;
	}
	result = anvil_client_parse_reply(reply, count_r);
	if (result == ANVIL_CLIENT_RESULT_ERROR) {
		*error_r = tmp_printf("%s: unexpected reply: %.100s", path,
				      reply);
		close(fd);
	} else if (result == ANVIL_CLIENT_RESULT_FULL) {
		close(fd);
	} else {
		*fd_r = fd;
	}
	return result;
}
