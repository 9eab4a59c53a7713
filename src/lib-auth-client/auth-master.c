/* Copyright (c) dovecot-like authors. auth-master.c: the trusted clients of
   auth's master/userdb protocol 1.1: a post-login worker's one-shot REQUEST
   (non-blocking) and the USER lookups of tools (blocking). */
#include "lib.h"
#include "write-full.h"
#include "array.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-master.h"

#include <unistd.h>
#include <poll.h>

#define AUTH_MASTER_MAX_LINE_LENGTH 65536
#define AUTH_MASTER_REQUEST_TIMEOUT_MSECS 30000
#define AUTH_MASTER_LOOKUP_TIMEOUT_MSECS 30000

struct auth_master_request {
	struct pool *pool;
	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
	struct timeout *to;
	pid_t auth_pid;
	bool handshake_done;
	auth_master_callback_t *callback;
	void *context;
	/* a failure decided before the ioloop got to run */
	const char *deferred_error;
};

/* "USER id user k=v..." reply fields into a NULL-terminated list. */
static const char *const *
auth_master_reply_fields(struct pool *pool, const char *const *args)
{
	ARRAY_TYPE(string) fields;
	const char *field, *null = NULL;

	array_init(&fields, pool, 16);
	for (; *args != NULL; args++) {
		if ((*args)[0] == '\0')
			continue;	/* trailing empty field */
		field = p_strdup(pool, *args);
		array_append(&fields, &field);
	}
	array_append(&fields, &null);
	return array_front(&fields);
}

static void auth_master_request_finish(struct auth_master_request *req,
				       enum auth_master_result result,
				       const char *user, const char *const *fields,
				       const char *error)
{
	static const char *const no_fields[] = { NULL };
	struct pool *pool = req->pool;

	io_remove(&req->io);
	timeout_remove(&req->to);
	istream_unref(&req->input);
	ostream_destroy(&req->output);
	if (req->fd != -1) {
		close(req->fd);
		req->fd = -1;
	}
	req->callback(result, user, fields == NULL ? no_fields : fields, error,
		      req->context);
	pool_unref(&pool);
}

static bool auth_master_request_line(struct auth_master_request *req,
				     const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	unsigned int pid;

	if (args[0] == NULL)
		return false;
	if (!req->handshake_done) {
		if (strcmp(args[0], "VERSION") == 0) {
			if (args[1] == NULL || strcmp(args[1], "1") != 0) {
				auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL,
					NULL, NULL, "auth-master protocol version mismatch");
				return true;
			}
			return false;
		}
		if (strcmp(args[0], "SPID") == 0) {
			req->handshake_done = true;
			if (args[1] == NULL || str_to_uint(args[1], &pid) < 0 ||
			    (req->auth_pid != 0 && (pid_t)pid != req->auth_pid)) {
				/* auth restarted: the login's cookie is gone */
				auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL,
					NULL, NULL, "auth server process changed");
				return true;
			}
		}
		return false;
	}
	if (strcmp(args[0], "USER") == 0 && args[1] != NULL && args[2] != NULL) {
		auth_master_request_finish(req, AUTH_MASTER_RESULT_OK,
			p_strdup(req->pool, args[2]),
			auth_master_reply_fields(req->pool, args + 3), NULL);
	} else if (strcmp(args[0], "NOTFOUND") == 0) {
		auth_master_request_finish(req, AUTH_MASTER_RESULT_NOTFOUND,
					   NULL, NULL, "User not found");
	} else {
		auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL, NULL, NULL,
			"Login request refused by auth (expired, reused or unknown)");
	}
	return true;
}

static void auth_master_request_input(void *context)
{
	struct auth_master_request *req = context;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(req->input);
	while ((line = istream_next_line(req->input, &len)) != NULL) {
		if (auth_master_request_line(req, line))
			return;	/* finished: req is freed */
	}
	if (ret == -1 || req->input->stream_errno != 0) {
		auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL, NULL, NULL,
			tmp_printf("auth-master connection lost: %s",
				   istream_get_error(req->input)));
	}
}

static void auth_master_request_timeout(void *context)
{
	struct auth_master_request *req = context;

	if (req->deferred_error != NULL) {
		auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL, NULL, NULL,
					   req->deferred_error);
		return;
	}
	auth_master_request_finish(req, AUTH_MASTER_RESULT_FAIL, NULL, NULL,
				   "auth-master REQUEST timed out");
}

void auth_master_request(const char *socket_path, pid_t auth_pid,
			 unsigned int auth_id, const char *cookie,
			 auth_master_callback_t *callback, void *context)
{
	struct pool *pool = pool_create("auth master request", 1024, POOL_FLAG_NONE);
	struct auth_master_request *req = pool_new(pool, struct auth_master_request, 1);
	struct str *str;

	req->pool = pool;
	req->auth_pid = auth_pid;
	req->callback = callback;
	req->context = context;
	req->fd = net_connect_unix(socket_path);
	if (req->fd < 0) {
		req->deferred_error = p_printf(pool, "connect(%s) failed: %m",
					       socket_path);
		req->to = timeout_add(0, auth_master_request_timeout, req);
		return;
	}
	fd_set_nonblock(req->fd, true);
	fd_close_on_exec(req->fd, true);
	req->input = istream_create_fd(req->fd, AUTH_MASTER_MAX_LINE_LENGTH, false);
	req->output = ostream_create_fd(req->fd, (size_t)-1, false);
	req->io = io_add(req->fd, IO_READ, auth_master_request_input, req);
	req->to = timeout_add(AUTH_MASTER_REQUEST_TIMEOUT_MSECS,
			      auth_master_request_timeout, req);
	/* client-pid 0: our handoff carries no login pid; auth matches the
	   login by request id and cookie */
	str = t_str_new(128);
	str_printfa(str, "VERSION\t1\t1\nREQUEST\t1\t0\t%u\t", auth_id);
	str_append_tabescaped(str, cookie == NULL ? "" : cookie);
	str_printfa(str, "\tsession_pid=%ld\n", (long)getpid());
	ostream_send(req->output, str_data(str), str_len(str));
}

/* --- blocking lookups --- */

/* Read one line within the deadline. NULL on timeout/EOF/error. */
static const char *
auth_master_read_line(int fd, struct buf *buf, int timeout_msecs, const char **error_r)
{
	unsigned char *nl;
	const char *line;
	struct pollfd pfd;
	ssize_t ret;

	for (;;) {
		nl = memchr(buf->data, '\n', buf->used);
		if (nl != NULL) {
			line = tmp_strndup(buf->data, nl - buf->data);
			buf_delete(buf, 0, nl - buf->data + 1);
			return line;
		}
		if (buf->used >= AUTH_MASTER_MAX_LINE_LENGTH) {
			*error_r = "Too long line from auth";
			return NULL;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		ret = poll(&pfd, 1, timeout_msecs);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			*error_r = ret == 0 ? "Timed out waiting for auth" :
				tmp_printf("poll() failed: %m");
			return NULL;
		}
		ret = read(fd, buf_get_space(buf, 4096), 4096);
		if (ret < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (ret <= 0) {
			*error_r = ret == 0 ? "auth disconnected" :
				tmp_printf("read() failed: %m");
			return NULL;
		}
		buf_commit_space(buf, (size_t)ret);
	}
}

/* Connect and send the handshake plus one command line. fd or -1. */
static int auth_master_blocking_begin(const char *socket_path, const char *cmd,
				      const char **error_r)
{
	const char *line = tmp_strconcat("VERSION\t1\t1\n", cmd, NULL);
	int fd;

	fd = net_connect_unix(socket_path);
	if (fd < 0) {
		*error_r = tmp_printf("connect(%s) failed: %m", socket_path);
		return -1;
	}
	fd_set_nonblock(fd, false);
	if (write_full(fd, line, strlen(line)) < 0) {
		*error_r = tmp_printf("write(%s) failed: %m", socket_path);
		close(fd);
		return -1;
	}
	return fd;
}

enum auth_master_result
auth_master_user_lookup(const char *socket_path, const char *user,
			const char *service, struct pool *pool,
			const char **user_r, const char *const **fields_r,
			const char **error_r)
{
	static const char *const no_fields[] = { NULL };
	enum auth_master_result result = AUTH_MASTER_RESULT_FAIL;
	const char *line, *const *args;
	struct str *cmd = t_str_new(128);
	struct buf *buf;
	int fd;

	*user_r = NULL;
	*fields_r = no_fields;
	*error_r = NULL;
	str_append(cmd, "USER\t1\t");
	str_append_tabescaped(cmd, user);
	str_append(cmd, "\tservice=");
	str_append_tabescaped(cmd, service);
	str_append_c(cmd, '\n');
	fd = auth_master_blocking_begin(socket_path, str_c(cmd), error_r);
	if (fd < 0)
		return AUTH_MASTER_RESULT_FAIL;
	buf = buf_create(tmp_pool, 4096);
	while ((line = auth_master_read_line(fd, buf, AUTH_MASTER_LOOKUP_TIMEOUT_MSECS,
					     error_r)) != NULL) {
		args = tmp_strsplit_tabescaped(line);
		if (args[0] == NULL || strcmp(args[0], "VERSION") == 0 ||
		    strcmp(args[0], "SPID") == 0)
			continue;
		if (strcmp(args[0], "USER") == 0 && args[1] != NULL && args[2] != NULL) {
			*user_r = p_strdup(pool, args[2]);
			*fields_r = auth_master_reply_fields(pool, args + 3);
			result = AUTH_MASTER_RESULT_OK;
		} else if (strcmp(args[0], "NOTFOUND") == 0) {
			result = AUTH_MASTER_RESULT_NOTFOUND;
		} else {
			const char *reason = NULL;
			unsigned int i;

			for (i = 2; args[i - 1] != NULL && args[i] != NULL; i++)
				(void)str_begins(args[i], "reason=", &reason);
			*error_r = p_strdup(pool, reason != NULL ? reason :
					    "User lookup failed");
		}
		break;
	}
	if (line == NULL)
		*error_r = p_strdup(pool, *error_r);
	close(fd);
	return result;
}

int auth_master_user_list(const char *socket_path, struct pool *pool,
			  const char *const **users_r, const char **error_r)
{
	ARRAY_TYPE(string) users;
	const char *line, *const *args, *user, *null = NULL;
	struct buf *buf;
	int fd, ret = -1;

	array_init(&users, pool, 64);
	fd = auth_master_blocking_begin(socket_path, "LIST\t1\n", error_r);
	if (fd < 0)
		return -1;
	buf = buf_create(tmp_pool, 4096);
	while ((line = auth_master_read_line(fd, buf, AUTH_MASTER_LOOKUP_TIMEOUT_MSECS,
					     error_r)) != NULL) {
		args = tmp_strsplit_tabescaped(line);
		if (args[0] == NULL)
			continue;
		if (strcmp(args[0], "LIST") == 0 && args[1] != NULL && args[2] != NULL) {
			user = p_strdup(pool, args[2]);
			array_append(&users, &user);
		} else if (strcmp(args[0], "DONE") == 0) {
			if (args[1] != NULL && args[2] != NULL &&
			    strcmp(args[2], "fail") == 0)
				*error_r = "User listing failed";
			else
				ret = 0;
			break;
		}
	}
	close(fd);
	array_append(&users, &null);
	*users_r = array_front(&users);
	return ret;
}
