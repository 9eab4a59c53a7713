/* Copyright (c) dovecot-like authors. TLS for a pre-login client: implicit
   TLS on imaps/pop3s, STARTTLS/STLS (RFC 3501 6.2.1, RFC 2595) on the same
   fd with the buffered plaintext thrown away, and the handshake with its
   own timeout, so the protocol code only ever sees client->input/output. */

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "iostream-ssl.h"
#include "login-client.h"
#include "login-ssl.h"

static void client_tls_handshake_timeout(void *context)
{
	struct client *client = context;

	client_destroy(client, tmp_printf("TLS handshake timed out in %u secs",
		(unsigned int)(ioloop_time - client->created)));
}

static void client_tls_handshake_step(struct client *client)
{
	int ret;

	ret = ssl_iostream_handshake(client->ssl);
	if (ret == 0) {
		/* anything the handshake queued in the stream goes out now;
		   the rest waits for the ostream's own write io */
		if (ostream_flush(client->output) < 0) {
			client_destroy(client, NULL);
			return;
		}
		return;
	}
	if (ret < 0) {
		/* logged as "TLS handshaking: <error>" by the log elements */
		client_destroy(client, NULL);
		return;
	}
	io_remove(&client->io);
	timeout_remove(&client->to_tls_handshake);
	client->tls_handshaking = false;
	client->tls = true;
	client->secured = true;
	client_tls_handshaked(client);
}

static void client_tls_handshake_input(void *context)
{
	struct client *client = context;

	client_tls_handshake_step(client);
}

static int client_tls_create_streams(struct client *client, const char **error_r)
{
	ASSERT(client->input == NULL && client->output == NULL);
	ASSERT(client->ssl == NULL);

	if (ssl_iostream_create_server(login_ssl_get_context(), client->fd,
				       login_set.max_line_length,
				       &client->input, &client->output,
				       &client->ssl, error_r) < 0)
		return -1;
	client->tls_handshaking = true;
	client->input_blocked = true;
	client->to_tls_handshake = timeout_add(LOGIN_TLS_HANDSHAKE_TIMEOUT_MSECS,
					       client_tls_handshake_timeout,
					       client);
	return 0;
}

/* Start driving the handshake from the ioloop (never from inside the
   caller, which may still use the client). */
static void client_tls_handshake_start(struct client *client)
{
	ASSERT(client->io == NULL);
	client->io = io_add(client->fd, IO_READ, client_tls_handshake_input,
			    client);
}

int client_tls_init(struct client *client, const char **error_r)
{
	if (!login_ssl_is_available()) {
		*error_r = "TLS is not configured (ssl_cert)";
		return -1;
	}
	if (client_tls_create_streams(client, error_r) < 0)
		return -1;
	client_tls_handshake_start(client);
	return 0;
}

static void client_starttls_now(struct client *client)
{
	const char *error;

	client->starttls_waiting_flush = false;
	io_remove(&client->io);
	/* RFC 3207 6 / CVE-2011-0411: whatever the client sent after the
	   STARTTLS line was sent in the clear and must not be run as if it
	   came over TLS, so the plaintext istream goes with its buffer. */
	istream_unref(&client->input);
	ostream_destroy(&client->output);
	if (client_tls_create_streams(client, &error) < 0) {
		log_error("STARTTLS failed: %s", error);
		client_destroy(client, "TLS initialization failed");
		return;
	}
	login_binary->streams_changed(client);
	client_tls_handshake_start(client);
}

static void client_starttls_flushed_timeout(void *context)
{
	struct client *client = context;

	client->to_tls_handshake = NULL;	/* removed itself */
	if (client->starttls_waiting_flush)
		client_starttls_now(client);
}

void client_starttls(struct client *client)
{
	client_input_block(client);
	ostream_uncork(client->output);
	if (ostream_flush(client->output) < 0) {
		client_destroy(client, tmp_printf("write failed: %s",
			ostream_get_error(client->output)));
		return;
	}
	if (ostream_get_buffer_used(client->output) > 0) {
		/* the OK must go out in the clear before TLS starts */
		client->starttls_waiting_flush = true;
		return;
	}
	client_starttls_now(client);
}

void client_starttls_output_flushed(struct client *client)
{
	/* not from inside the old ostream's flush callback: it is about to
	   be destroyed. The handshake timer is free until then, and
	   client_close() removes it. */
	if (client->to_tls_handshake != NULL)
		return;
	client->to_tls_handshake =
		timeout_add_short_once(0, client_starttls_flushed_timeout, client);
}

bool client_has_valid_client_cert(const struct client *client)
{
	return client->ssl != NULL && client->tls &&
		ssl_iostream_has_valid_client_cert(client->ssl);
}

const char *client_get_cert_username(const struct client *client)
{
	if (!client_has_valid_client_cert(client))
		return NULL;
	return ssl_iostream_get_peer_username(client->ssl);
}

const char *login_ssl_get_error(const struct ssl_iostream *ssl)
{
	const char *error = ssl_iostream_get_last_error(ssl);

	/* the library answers "(no error)" rather than NULL */
	if (error == NULL || error[0] == '\0' ||
	    strcmp(error, "(no error)") == 0)
		return NULL;
	return error;
}

const char *client_get_tls_error(const struct client *client)
{
	return client->ssl == NULL ? NULL : login_ssl_get_error(client->ssl);
}

const char *client_get_local_name(const struct client *client)
{
	if (client->ssl == NULL || !client->tls)
		return NULL;
	return ssl_iostream_get_server_name(client->ssl);
}
