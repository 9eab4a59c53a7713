/* Copyright (c) dovecot-like authors. The login side of the handoff: after
   auth says OK, the client fd, the auth cookie and any pipelined input go to
   a worker over a fresh connection to its handoff socket, and only the
   worker's "OK" ends our responsibility for the client. */

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "login-handoff.h"
#include "auth-client.h"
#include "login-client.h"
#include "login-auth.h"
#include "login-handoff-client.h"
#include "login-proxy.h"

#include <unistd.h>
#include <sys/socket.h>

#define HANDOFF_REPLY_MAX 512

struct login_handoff_client {
	struct client *client;
	const char *user;	/* client->auth_user */
	unsigned int auth_id;
	pid_t auth_pid;
	char cookie[128];

	int fd;
	/* TLS clients: our end of the socketpair the worker got the other
	   end of; -1 otherwise */
	int proxy_fd;
	/* pre-read input the worker got in the handoff message */
	size_t input_sent;
	struct io *io;
	struct timeout *to;
	bool waiting_flush;
	char reply[HANDOFF_REPLY_MAX];
	size_t reply_len;
};

static void login_handoff_client_free(struct login_handoff_client *handoff)
{
	io_remove(&handoff->io);
	timeout_remove(&handoff->to);
	if (handoff->fd != -1) {
		if (close(handoff->fd) < 0)
			log_error("close(handoff socket) failed: %m");
		handoff->fd = -1;
	}
	if (handoff->proxy_fd != -1) {
		if (close(handoff->proxy_fd) < 0)
			log_error("close(proxy socketpair) failed: %m");
		handoff->proxy_fd = -1;
	}
	handoff->client->handoff = NULL;
	p_free(system_pool, handoff);
}

void login_handoff_client_abort(struct login_handoff_client **_handoff)
{
	struct login_handoff_client *handoff = *_handoff;

	*_handoff = NULL;
	login_handoff_client_free(handoff);
}

static void login_handoff_client_failed(struct login_handoff_client *handoff,
					 const char *error)
{
	struct client *client = handoff->client;

	log_error("Handoff of user %s to %s worker failed: %s", handoff->user,
		  login_binary->protocol, error);
	login_handoff_client_free(handoff);
	client_auth_result(client, CLIENT_AUTH_RESULT_INTERNAL_ERROR, NULL);
}

static void login_handoff_client_timeout(void *context)
{
	struct login_handoff_client *handoff = context;

	login_handoff_client_failed(handoff, tmp_printf(
		"no reply from the worker in %u secs",
		LOGIN_HANDOFF_TIMEOUT_MSECS / 1000));
}

static void login_handoff_client_reply(struct login_handoff_client *handoff,
				       const char *line)
{
	struct client *client = handoff->client;
	const char *reason;
	pid_t pid;
	int ret;

	ret = login_handoff_parse_refused(line, &reason);
	if (ret > 0) {
		/* the worker closed its copy of the client (and, with TLS,
		   of the socketpair) without a byte to the client */
		login_handoff_client_free(handoff);
		client_destroy_refused(client, reason);
		return;
	}
	if (ret < 0) {
		login_handoff_client_failed(handoff, tmp_printf(
			"invalid reply: %.100s", line));
		return;
	}
	switch (login_handoff_parse_reply(line, &pid, &reason)) {
	case 1:
		client->mail_pid = pid;
		client_log_login(client);
		if (handoff->proxy_fd != -1) {
			/* the worker talks to our end; we keep the TLS.
			   It has the pre-read input already. */
			istream_skip(client->input, handoff->input_sent);
			login_proxy_create(client, handoff->proxy_fd);
			handoff->proxy_fd = -1;
		}
		login_handoff_client_free(handoff);
		/* the worker owns the connection now; close our copy */
		client_destroy_handed_off(client);
		break;
	case 0:
		login_handoff_client_failed(handoff, reason);
		break;
	default:
		login_handoff_client_failed(handoff, tmp_printf(
			"invalid reply: %.100s", line));
		break;
	}
}

static void login_handoff_client_input(void *context)
{
	struct login_handoff_client *handoff = context;
	char *lf;
	ssize_t ret;

	ret = read(handoff->fd, handoff->reply + handoff->reply_len,
		   sizeof(handoff->reply) - 1 - handoff->reply_len);
	if (ret < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		login_handoff_client_failed(handoff, tmp_printf(
			"read(%s) failed: %m", login_handoff_socket_path));
		return;
	}
	if (ret == 0) {
		login_handoff_client_failed(handoff,
			"worker closed the connection without a reply");
		return;
	}
	handoff->reply_len += (size_t)ret;
	handoff->reply[handoff->reply_len] = '\0';
	lf = memchr(handoff->reply, '\n', handoff->reply_len);
	if (lf == NULL) {
		if (handoff->reply_len == sizeof(handoff->reply) - 1)
			login_handoff_client_failed(handoff, "reply too long");
		return;
	}
	*lf = '\0';
	login_handoff_client_reply(handoff, handoff->reply);
}

static void login_handoff_client_send(struct login_handoff_client *handoff)
{
	struct client *client = handoff->client;
	struct login_handoff h;
	const unsigned char *data;
	size_t size;
	int pair[2], send_fd = client->fd;

	handoff->waiting_flush = false;
	data = istream_get_data(client->input, &size);
	if (size > LOGIN_HANDOFF_MAX_INPUT) {
		/* more pipelined commands than any real client sends */
		login_handoff_client_free(handoff);
		client_disconnect(client, CLIENT_DISCONNECT_INTERNAL_ERROR,
				  "Too much pipelined input after login");
		return;
	}

	handoff->fd = net_connect_unix(login_handoff_socket_path);
	if (handoff->fd == -1) {
		login_handoff_client_failed(handoff, tmp_printf(
			"net_connect_unix(%s) failed: %m",
			login_handoff_socket_path));
		return;
	}
	fd_close_on_exec(handoff->fd, true);

	if (client->ssl != NULL) {
		/* the worker must not get the TLS socket: it gets a plaintext
		   socketpair and we proxy (login-proxy.c) */
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
			login_handoff_client_failed(handoff, tmp_printf(
				"socketpair() failed: %m"));
			return;
		}
		fd_close_on_exec(pair[0], true);
		handoff->proxy_fd = pair[0];
		send_fd = pair[1];
	}

	memset(&h, 0, sizeof(h));
	h.protocol = login_binary->protocol;
	h.auth_pid = handoff->auth_pid;
	h.auth_id = handoff->auth_id;
	h.cookie = handoff->cookie;
	h.user = handoff->user;
	h.local_ip = client->local_ip;
	h.remote_ip = client->remote_ip;
	h.local_port = client->local_port;
	h.remote_port = client->remote_port;
	h.secured = client->secured;
	h.tls = client->tls;
	h.tag = login_binary->get_handoff_tag(client);
	h.input = data;
	h.input_len = size;
	handoff->input_sent = size;
	if (login_handoff_send(handoff->fd, send_fd, &h) < 0) {
		int saved_errno = errno;

		if (send_fd != client->fd)
			(void)close(send_fd);
		errno = saved_errno;
		login_handoff_client_failed(handoff, tmp_printf(
			"login_handoff_send(%s) failed: %m",
			login_handoff_socket_path));
		return;
	}
	/* the worker has its own copy now */
	if (send_fd != client->fd && close(send_fd) < 0)
		log_error("close(socketpair) failed: %m");
	fd_set_nonblock(handoff->fd, true);
	handoff->io = io_add(handoff->fd, IO_READ,
			     login_handoff_client_input, handoff);
}

void login_handoff_client_start(struct client *client, const char *user,
				unsigned int auth_id)
{
	struct login_handoff_client *handoff;
	const char *cookie;

	ASSERT(client->handoff == NULL);
	client_input_block(client);

	/* system_pool: repeated attempts must not grow the client's pool */
	handoff = pool_new(system_pool, struct login_handoff_client, 1);
	handoff->client = client;
	handoff->fd = -1;
	handoff->proxy_fd = -1;
	client_set_auth_user(client, user, strlen(user));
	handoff->user = client->auth_user;
	handoff->auth_id = auth_id;
	handoff->auth_pid = auth_client_get_server_pid(login_auth_client);
	cookie = auth_client_get_cookie(login_auth_client);
	if (cookie == NULL || strlen(cookie) >= sizeof(handoff->cookie))
		cookie = "";
	memcpy(handoff->cookie, cookie, strlen(cookie) + 1);
	client->handoff = handoff;
	handoff->to = timeout_add(LOGIN_HANDOFF_TIMEOUT_MSECS,
				  login_handoff_client_timeout, handoff);

	/* our replies so far (continuations, ID) must reach the client
	   before the worker's */
	if (ostream_flush(client->output) == 0 &&
	    ostream_get_buffer_used(client->output) > 0) {
		handoff->waiting_flush = true;
		return;
	}
	login_handoff_client_send(handoff);
}

void login_handoff_client_output_flushed(struct login_handoff_client *handoff)
{
	if (handoff->waiting_flush)
		login_handoff_client_send(handoff);
}
