/* Copyright (c) dovecot-like authors. The life of a pre-login connection:
   streams, timeouts and input flow control shared by imap-login and
   pop3-login, so the protocol files only deal with commands. */

#include "lib.h"
#include "ioloop.h"
#include "str.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "buffer.h"
#include "base64.h"
#include "auth-client.h"
#include "iostream-ssl.h"
#include "login-client.h"
#include "login-auth.h"
#include "login-handoff-client.h"

#include <unistd.h>
#include <sodium.h>

static struct client *clients = NULL;
static unsigned int clients_count = 0;

static void client_input(void *context);

static void client_idle_timeout(void *context)
{
	struct client *client = context;

	client_disconnect(client, CLIENT_DISCONNECT_IDLE, "Inactivity");
}

static void client_output_stall_timeout(void *context)
{
	struct client *client = context;

	client_disconnect(client, CLIENT_DISCONNECT_OUTPUT_STALL,
			  "Output stalled");
}

static int client_output_flushed(void *context)
{
	struct client *client = context;

	if (ostream_get_buffer_used(client->output) > 0)
		return 1;
	timeout_remove(&client->to_output_stall);
	if (client->starttls_waiting_flush) {
		client_starttls_output_flushed(client);
		return 1;
	}
	if (client->handoff != NULL) {
		login_handoff_client_output_flushed(client->handoff);
		return 1;
	}
	if (client->output_paused) {
		client->output_paused = false;
		client_input_unblock(client);
	}
	return 1;
}

/* After a batch of replies: watch for a client that stops reading. */
void client_output_check(struct client *client)
{
	size_t used;

	if (client->destroyed)
		return;
	if (client->output->stream_errno != 0) {
		client_destroy(client, tmp_printf("write failed: %s",
			ostream_get_error(client->output)));
		return;
	}
	used = ostream_get_buffer_used(client->output);
	if (used == 0)
		return;
	if (client->to_output_stall == NULL) {
		client->to_output_stall =
			timeout_add(CLIENT_OUTPUT_STALL_TIMEOUT_MSECS,
				    client_output_stall_timeout, client);
	}
	if (used > LOGIN_MAX_OUTBUF_SIZE && !client->output_paused &&
	    !client->input_blocked) {
		client->output_paused = true;
		client_input_block(client);
	}
}

/* Like Dovecot's session ids: 9 random bytes as 12 base64 characters. */
static void client_init_session_id(struct client *client)
{
	unsigned char rand[9];
	struct buf *b64 = buf_create(tmp_pool, 16);

	randombytes_buf(rand, sizeof(rand));
	base64_encode(rand, sizeof(rand), b64);
	static_assert(BASE64_ENCODED_SIZE(9) < sizeof(client->session_id),
		      "session_id too small");
	memcpy(client->session_id, b64->data, b64->used);
	client->session_id[b64->used] = '\0';
}

static void client_send_greeting(struct client *client)
{
	client->greeting_sent = true;
	ostream_cork(client->output);
	login_binary->send_greeting(client);
	ostream_uncork(client->output);
	client_input_unblock(client);
	client_output_check(client);
}

struct client *client_create(int fd, bool ssl, const struct ip_addr *remote_ip,
			     unsigned int remote_port)
{
	struct pool *pool;
	struct client *client;
	const char *error;

	pool = pool_create(login_binary->process_name, 2048, POOL_FLAG_WIPE);
	client = p_malloc(pool, login_binary->client_size);
	client->pool = pool;
	client->refcount = 1;
	client->fd = fd;
	client->remote_ip = *remote_ip;
	client->remote_port = remote_port;
	if (net_getsockname(fd, &client->local_ip, &client->local_port) < 0)
		log_warning("getsockname() failed: %m");
	client->created = ioloop_time;
	client_init_session_id(client);
	client->trusted = login_ip_is_trusted(remote_ip);
	client->secured = login_ip_is_secured(remote_ip);

	fd_set_nonblock(fd, true);
	if (!ssl) {
		client->input = istream_create_fd(fd, login_set.max_line_length,
						  false);
		client->output = ostream_create_fd(fd, 0, false);
	} else if (client_tls_init(client, &error) < 0) {
		log_error("Couldn't start TLS for %s: %s",
			  net_ip2addr(remote_ip), error);
		if (close(fd) < 0)
			log_error("close(client) failed: %m");
		pool_unref(&pool);
		return NULL;
	}
	ostream_set_flush_callback(client->output, client_output_flushed, client);
	/* nothing is read before the greeting */
	client->input_blocked = true;
	/* a deadline for the whole pre-login phase: input does not move it,
	   so a client dripping a byte at a time is cut off as well */
	client->to_idle = timeout_add(login_set.login_timeout_msecs,
				      client_idle_timeout, client);

	client->next = clients;
	if (clients != NULL)
		clients->prev = client;
	clients = client;
	clients_count++;

	login_binary->client_init(client);
	/* The greeting lists the auth mechanisms, so it waits for the auth
	   handshake (like Dovecot), and on imaps/pop3s for the TLS one. */
	if (!client->tls_handshaking &&
	    auth_client_is_connected(login_auth_client))
		client_send_greeting(client);
	return client;
}

void client_tls_handshaked(struct client *client)
{
	ostream_set_flush_callback(client->output, client_output_flushed, client);
	if (!client->greeting_sent) {
		if (auth_client_is_connected(login_auth_client))
			client_send_greeting(client);
		return;
	}
	/* after STARTTLS */
	client_input_unblock(client);
}

void clients_notify_auth_connected(void)
{
	struct client *client, *next;

	for (client = clients; client != NULL; client = next) {
		next = client->next;
		if (client->tls_handshaking)
			continue;
		if (!client->greeting_sent)
			client_send_greeting(client);
		else
			client_auth_resume(client);
	}
}

static void client_close(struct client *client)
{
	client->destroyed = true;
	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	clients_count--;

	if (client->auth_request != NULL)
		auth_client_request_abort(&client->auth_request);
	if (client->handoff != NULL)
		login_handoff_client_abort(&client->handoff);
	client_auth_abort_wait(client);
	io_remove(&client->io);
	timeout_remove(&client->to_idle);
	timeout_remove(&client->to_output_stall);
	timeout_remove(&client->to_input_pending);
	timeout_remove(&client->to_tls_handshake);
	login_binary->client_deinit(client);
	istream_unref(&client->input);
	if (client->output != NULL) {
		ostream_uncork(client->output);
		ostream_destroy(&client->output);
	}
	if (client->ssl != NULL)
		ssl_iostream_unref(&client->ssl);
	if (client->fd != -1) {
		if (close(client->fd) < 0)
			log_error("close(client) failed: %m");
		client->fd = -1;
	}
}

void client_destroy(struct client *client, const char *reason)
{
	if (client->destroyed)
		return;
	log_info("%s%s: %s",
		 reason == NULL ? "Disconnected" :
		 tmp_printf("Disconnected: %s", reason),
		 client_get_extra_disconnect_reason(client),
		 client_get_log_elements(client));
	client_close(client);
	client_unref(&client);
	login_listeners_client_gone();
}

void client_destroy_handed_off(struct client *client)
{
	if (client->destroyed)
		return;
	/* unsent output was flushed before the handoff started */
	client_close(client);
	client_unref(&client);
	login_listeners_client_gone();
}

void client_destroy_refused(struct client *client, const char *reason)
{
	if (client->destroyed)
		return;
	client->authenticating = false;
	client->auth_waiting_client = false;
	ostream_cork(client->output);
	login_binary->auth_result(client, CLIENT_AUTH_RESULT_LIMIT_REACHED,
				  reason);
	/* best effort, as for any last words: one short line on a
	   connection with nothing else queued (the handoff waited for our
	   earlier output to be flushed) */
	ostream_uncork(client->output);
	(void)ostream_flush(client->output);
	/* no " (auth failed ...)" suffix: Dovecot logs just the reason */
	log_info("Disconnected: %s: %s", reason,
		 client_get_log_elements(client));
	client_close(client);
	client_unref(&client);
	login_listeners_client_gone();
}

void client_disconnect(struct client *client, enum client_disconnect_reason reason,
		       const char *log_reason)
{
	if (client->destroyed)
		return;
	if (reason != CLIENT_DISCONNECT_OUTPUT_STALL) {
		login_binary->notify_disconnect(client, reason);
		/* best effort: the socket is about to be closed */
		ostream_uncork(client->output);
		(void)ostream_flush(client->output);
	}
	client_destroy(client, log_reason);
}

void client_ref(struct client *client)
{
	client->refcount++;
}

bool client_unref(struct client **_client)
{
	struct client *client = *_client;
	struct pool *pool;

	*_client = NULL;
	ASSERT(client->refcount > 0);
	if (--client->refcount > 0)
		return !client->destroyed;
	ASSERT(client->destroyed);
	pool = client->pool;
	pool_unref(&pool);	/* client itself lived in this pool */
	return false;
}

void client_send_line(struct client *client, const char *line)
{
	if (client->destroyed)
		return;
	/* one write per line: a separate CRLF segment stalls on Nagle +
	   delayed ACK when the stream isn't corked */
	ostream_send_str(client->output, tmp_strconcat(line, "\r\n", NULL));
}

static void client_process_input(struct client *client)
{
	client_ref(client);
	ostream_cork(client->output);
	login_binary->input(client);
	if (!client->destroyed && client->input->stream_errno == ENOBUFS) {
		/* a line over the limit (istream_next_line() users) */
		client_disconnect(client, CLIENT_DISCONNECT_LINE_TOO_LONG,
				  "Input buffer full");
	}
	if (!client->destroyed) {
		ostream_uncork(client->output);
		client_output_check(client);
	}
	client_unref(&client);
}

static void client_input_pending(void *context)
{
	struct client *client = context;

	client->to_input_pending = NULL;	/* removed itself */
	if (client->input_blocked)
		return;
	if (client->ssl != NULL) {
		/* OpenSSL may hold decrypted input the fd no longer signals */
		client_input(client);
	} else {
		client_process_input(client);
	}
}

void client_input_block(struct client *client)
{
	client->input_blocked = true;
	io_remove(&client->io);
	if (client->to_input_pending != NULL)
		timeout_remove(&client->to_input_pending);
}

void client_input_unblock(struct client *client)
{
	size_t size;

	if (client->destroyed || client->output_paused || client->handoff != NULL ||
	    client->tls_handshaking || client->starttls_waiting_flush)
		return;
	client->input_blocked = false;
	if (client->io == NULL)
		client->io = io_add(client->fd, IO_READ, client_input, client);
	/* buffered input does not wake the io: handle it from the loop, not
	   from inside whatever callback unblocked us */
	(void)istream_get_data(client->input, &size);
	if ((size > 0 || (client->ssl != NULL &&
			  ssl_iostream_has_pending_input(client->ssl))) &&
	    client->to_input_pending == NULL) {
		client->to_input_pending =
			timeout_add_short_once(0, client_input_pending, client);
	}
}

static void client_input(void *context)
{
	struct client *client = context;
	ssize_t ret;

	ret = istream_read(client->input);
	if (ret == -2 || (ret == -1 && client->input->stream_errno == ENOBUFS)) {
		/* the protocol parsers consume what they read, so a full
		   buffer means one line longer than the limit */
		client_disconnect(client, CLIENT_DISCONNECT_LINE_TOO_LONG,
				  "Input buffer full");
		return;
	}
	if (ret == -1) {
		client_destroy(client, client->input->stream_errno == 0 ? NULL :
			       istream_get_error(client->input));
		return;
	}
	/* processing may destroy the client: keep it until we're done */
	client_ref(client);
	client_process_input(client);
	if (client->ssl != NULL && !client->destroyed &&
	    !client->input_blocked && client->to_input_pending == NULL &&
	    ssl_iostream_has_pending_input(client->ssl)) {
		/* a TLS record may have been bigger than the read: what
		   OpenSSL kept does not wake the fd again */
		client->to_input_pending =
			timeout_add_short_once(0, client_input_pending, client);
	}
	client_unref(&client);
}

bool client_bad_command(struct client *client, const char *too_many_reply)
{
	if (++client->bad_counter < CLIENT_MAX_BAD_COMMANDS)
		return true;
	client_send_line(client, too_many_reply);
	ostream_uncork(client->output);
	(void)ostream_flush(client->output);
	client_destroy(client, "Too many invalid commands");
	return false;
}

void client_set_auth_user(struct client *client, const char *user, size_t len)
{
	if (client->auth_user_buf == NULL)
		client->auth_user_buf = str_new(client->pool, 64);
	str_reset(client->auth_user_buf);
	str_append_n(client->auth_user_buf, user, MIN(len, 256));
	client->auth_user = str_c(client->auth_user_buf);
}

bool client_plaintext_allowed(const struct client *client)
{
	/* Dovecot: ssl = required implies disable_plaintext_auth */
	return client->secured || (!login_set.disable_plaintext_auth &&
				   login_set.ssl != LOGIN_SSL_REQUIRED);
}

void clients_destroy_all(const char *reason)
{
	struct client *client, *next;

	for (client = clients; client != NULL; client = next) {
		next = client->next;
		if (client->handoff != NULL) {
			/* the worker may own the connection already and
			   says its own BYE: one more from us would be a
			   second */
			client_destroy(client, reason);
			continue;
		}
		client_disconnect(client, CLIENT_DISCONNECT_SHUTDOWN, reason);
	}
}

unsigned int clients_get_count(void)
{
	return clients_count;
}
