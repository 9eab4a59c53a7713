/* Copyright (c) dovecot-like authors. auth-penalty.c: one non-blocking
   connection from auth to anvil's anvil-auth-penalty socket. Requests are
   written and their callbacks queued in order; anvil answers every line
   with one line, so the reply at the head of the input belongs to the head
   of the queue. Any trouble (anvil gone, stuck, talking nonsense) fails the
   queue with "no penalty" rather than holding logins back. */
#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "auth-common.h"
#include "auth-request.h"
#include "auth-penalty-policy.h"
#include "auth-penalty.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/* anvil answers from memory: a reply this late means it is stuck. */
#define AUTH_PENALTY_REPLY_TIMEOUT_MSECS (5 * 1000)
/* Wait this long after a failure before trying to reconnect. */
#define AUTH_PENALTY_RECONNECT_SECS 10
/* Unanswered requests (and so unread output) we let pile up. */
#define AUTH_PENALTY_MAX_QUEUE 1024
/* A reply is "<penalty> <time>" or "OK" or a short ERROR. */
#define AUTH_PENALTY_MAX_REPLY_LEN 512

struct auth_penalty_pending {
	/* NULL for PENALTY-INC, whose "OK" is only consumed */
	auth_penalty_callback_t *callback;
	struct auth_request *request;	/* referenced, or NULL */
};

struct auth_penalty_client {
	char *path;
	int fd;		/* -1 while disconnected */
	struct io *io;
	struct istream *input;
	struct ostream *output;
	struct timeout *to_reply;
	ARRAY(struct auth_penalty_pending) queue;
	time_t last_connect_attempt;
	/* logged that penalties are off; cleared when connected again */
	bool outage_logged;
	/* no anvil-auth-penalty socket at start-up (unix_listener mode = 0,
	   Dovecot's documented way to turn the penalty off): never ask */
	bool disabled;
	unsigned char checksum_key[AUTH_PENALTY_CHECKSUM_KEY_SIZE];
};

static struct auth_penalty_client *penalty_client;

static void auth_penalty_outage(struct auth_penalty_client *client,
				const char *reason)
{
	if (client->outage_logged)
		return;
	client->outage_logged = true;
	log_error("anvil %s: %s: authenticating without penalty",
		  client->path, reason);
}

/* Connect non-blocking. On a unix socket connect() does not wait for the
   peer to accept(): it succeeds at once or fails (EAGAIN: backlog full). */
static bool auth_penalty_connect(struct auth_penalty_client *client)
{
	struct sockaddr_un sa;
	size_t len = strlen(client->path);
	int fd;

	client->last_connect_attempt = ioloop_time;
	if (len >= sizeof(sa.sun_path)) {
		auth_penalty_outage(client, "socket path too long");
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, client->path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		auth_penalty_outage(client, tmp_printf("socket() failed: %m"));
		return false;
	}
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		auth_penalty_outage(client, tmp_printf("connect() failed: %m"));
		close(fd);
		return false;
	}
	client->fd = fd;
	if (client->outage_logged)
		log_info("anvil %s: connected again", client->path);
	client->outage_logged = false;
	return true;
}

void auth_penalty_init(const char *socket_path)
{
	struct auth_penalty_client *client =
		pool_new(system_pool, struct auth_penalty_client, 1);

	client->path = p_strdup(system_pool, socket_path);
	client->fd = -1;
	array_init(&client->queue, system_pool, 16);
	randombytes_buf(client->checksum_key, sizeof(client->checksum_key));
	penalty_client = client;
	if (access(client->path, F_OK) < 0 && errno == ENOENT) {
		log_debug("%s does not exist: no authentication penalty",
			  client->path);
		client->disabled = true;
		return;
	}
	(void)auth_penalty_connect(client);
}

/* Close the connection and answer everything still queued with "no
   penalty". The callbacks may start requests that send again: the state
   is reset before any of them runs. */
static void auth_penalty_disconnect(struct auth_penalty_client *client)
{
	struct auth_penalty_pending *pending;
	unsigned int i, count;

	timeout_remove(&client->to_reply);
	io_remove(&client->io);
	ostream_destroy(&client->output);
	if (client->input != NULL)
		istream_unref(&client->input);	/* closes fd */
	else if (client->fd != -1)
		close(client->fd);
	client->fd = -1;
	/* no immediate reconnect from one of the callbacks below */
	client->last_connect_attempt = ioloop_time;

	count = array_count(&client->queue);
	if (count == 0)
		return;
	pending = t_new(struct auth_penalty_pending, count);
	memcpy(pending, array_idx(&client->queue, 0), sizeof(*pending) * count);
	array_clear(&client->queue);
	for (i = 0; i < count; i++) {
		if (pending[i].callback != NULL)
			pending[i].callback(pending[i].request, 0, 0);
		if (pending[i].request != NULL)
			auth_request_unref(&pending[i].request);
	}
}

static void auth_penalty_fail(struct auth_penalty_client *client,
			      const char *reason)
{
	auth_penalty_outage(client, reason);
	auth_penalty_disconnect(client);
}

static void auth_penalty_reply(struct auth_penalty_client *client,
			       const char *line, size_t len)
{
	struct auth_penalty_pending pending;
	unsigned int penalty = 0;
	time_t last_penalty = 0;

	if (array_count(&client->queue) == 0) {
		auth_penalty_fail(client, "unexpected reply");
		return;
	}
	pending = *array_idx(&client->queue, 0);
	array_delete(&client->queue, 0, 1);
	if (pending.callback == NULL) {
		if (len != 2 || memcmp(line, "OK", 2) != 0) {
			log_error("anvil %s: PENALTY-INC failed: %s", client->path,
				  tmp_strndup(line, len > 200 ? 200 : len));
		}
	} else {
		if (auth_penalty_parse_reply(line, len, &penalty, &last_penalty) < 0) {
			log_error("anvil %s: invalid PENALTY-GET reply: %s",
				  client->path,
				  tmp_strndup(line, len > 200 ? 200 : len));
			penalty = 0;
			last_penalty = 0;
		}
		pending.callback(pending.request, penalty, last_penalty);
	}
	if (pending.request != NULL)
		auth_request_unref(&pending.request);
}

static void auth_penalty_reply_timeout(void *context)
{
	auth_penalty_fail(context, "no reply in time");
}

static void auth_penalty_input(void *context)
{
	struct auth_penalty_client *client = context;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(client->input);
	while (client->fd != -1 &&
	       (line = istream_next_line(client->input, &len)) != NULL)
		auth_penalty_reply(client, line, len);
	if (client->fd == -1)
		return;	/* a reply broke the connection */
	if (ret == -2 || client->input->stream_errno == ENOBUFS) {
		auth_penalty_fail(client, "reply too long");
		return;
	}
	if (ret < 0 && array_count(&client->queue) == 0 &&
	    client->input->stream_errno == 0) {
		/* anvil closed an idle connection (it stopped or restarted):
		   nothing lost; the next request connects again and only a
		   failure to do so is an outage */
		auth_penalty_disconnect(client);
		client->last_connect_attempt = 0;
		return;
	}
	if (ret < 0) {
		auth_penalty_fail(client, istream_get_error(client->input));
		return;
	}
	if (array_count(&client->queue) == 0)
		timeout_remove(&client->to_reply);
	else if (client->to_reply != NULL)
		timeout_reset(client->to_reply);
}

/* The streams need the ioloop, which exists only after init. */
static bool auth_penalty_ensure_connected(struct auth_penalty_client *client)
{
	if (client->fd == -1) {
		if (ioloop_time - client->last_connect_attempt <
		    AUTH_PENALTY_RECONNECT_SECS)
			return false;
		if (!auth_penalty_connect(client))
			return false;
	}
	if (client->input == NULL) {
		client->input = istream_create_fd(client->fd,
						  AUTH_PENALTY_MAX_REPLY_LEN, true);
		client->output = ostream_create_fd(client->fd, 0, false);
		client->io = io_add(client->fd, IO_READ, auth_penalty_input, client);
	}
	return true;
}

/* Queue one request line (ending in LF). false: not sent, nothing queued. */
static bool auth_penalty_send(struct auth_penalty_client *client,
			      const char *line, auth_penalty_callback_t *callback,
			      struct auth_request *request)
{
	struct auth_penalty_pending *pending;

	if (!auth_penalty_ensure_connected(client))
		return false;
	if (array_count(&client->queue) >= AUTH_PENALTY_MAX_QUEUE) {
		auth_penalty_fail(client, "too many requests unanswered");
		return false;
	}
	if (ostream_send_str(client->output, line) < 0) {
		auth_penalty_fail(client, ostream_get_error(client->output));
		return false;
	}
	pending = array_append_space(&client->queue);
	pending->callback = callback;
	pending->request = request;
	if (request != NULL)
		auth_request_ref(request);
	if (client->to_reply == NULL) {
		client->to_reply = timeout_add(AUTH_PENALTY_REPLY_TIMEOUT_MSECS,
					       auth_penalty_reply_timeout, client);
	}
	return true;
}

void auth_penalty_deinit(void)
{
	struct auth_penalty_client *client = penalty_client;

	if (client == NULL)
		return;
	penalty_client = NULL;
	auth_penalty_disconnect(client);
	array_free(&client->queue);
	sodium_memzero(client->checksum_key, sizeof(client->checksum_key));
	p_free(system_pool, client->path);
	p_free(system_pool, client);
}

bool auth_penalty_is_applicable(const struct auth_request *request)
{
	return penalty_client != NULL && !penalty_client->disabled &&
		!request->params.no_penalty &&
		auth_penalty_ident(&request->params.remote_ip) != NULL;
}

void auth_penalty_lookup(struct auth_request *request,
			 auth_penalty_callback_t *callback)
{
	const char *ident = auth_penalty_ident(&request->params.remote_ip);

	ASSERT(ident != NULL);
	if (penalty_client == NULL ||
	    !auth_penalty_send(penalty_client,
			       tmp_printf("PENALTY-GET\t%s\n", ident),
			       callback, request)) {
		auth_request_ref(request);
		callback(request, 0, 0);
		auth_request_unref(&request);
	}
}

void auth_penalty_update(struct auth_request *request, bool success)
{
	const char *ident = auth_penalty_ident(&request->params.remote_ip);
	const char *user = request->original_username != NULL ?
		request->original_username : request->user;
	uint32_t checksum;

	if (penalty_client == NULL || penalty_client->disabled || ident == NULL)
		return;
	if (success) {
		(void)auth_penalty_send(penalty_client,
			tmp_printf("PENALTY-INC\t%s\t0\t0\n", ident), NULL, NULL);
		return;
	}
	checksum = auth_penalty_checksum(penalty_client->checksum_key,
					 user != NULL ? user : "",
					 request->mech_password);
	(void)auth_penalty_send(penalty_client,
		tmp_printf("PENALTY-INC\t%s\t%u\t%u\n", ident, checksum,
			   auth_penalty_next(request->penalty)), NULL, NULL);
}
