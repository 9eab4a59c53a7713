/* Copyright (c) dovecot-like authors. login-client.h: one pre-login client
   connection, shared by both protocols. All client I/O goes through
   client->input/output, so TLS streams (implicit TLS or after STARTTLS)
   replace the fd streams without the protocol code noticing. */
#ifndef LOGIN_CLIENT_H
#define LOGIN_CLIENT_H

#include "login-common.h"

struct auth_client_request;
struct login_handoff_client;
struct ssl_iostream;

struct client {
	struct pool *pool;
	struct client *prev, *next;
	int refcount;

	int fd;			/* the network socket */
	struct istream *input;
	struct ostream *output;
	struct io *io;
	struct timeout *to_idle, *to_output_stall, *to_input_pending;

	struct ip_addr local_ip, remote_ip;
	unsigned int local_port, remote_port;
	time_t created;
	/* %{session}: 12 base64 characters of randomness, for log lines */
	char session_id[16];
	bool secured;		/* TLS, loopback or trusted network */
	bool tls;		/* TLS handshake done */
	struct ssl_iostream *ssl;	/* NULL until TLS starts */
	struct timeout *to_tls_handshake;
	bool trusted;		/* login_trusted_networks */

	/* auth state */
	struct auth_client_request *auth_request;
	const char *auth_mech;	/* static: mechanism of the last attempt */
	const char *auth_user;	/* user name for logs (in auth_user_buf) */
	struct str *auth_user_buf;
	unsigned int auth_attempts, auth_failures;
	time_t auth_started;
	unsigned int bad_counter;
	struct login_handoff_client *handoff;
	/* the AUTH request auth hasn't answered yet, kept until its first
	   reply: one that arrived while auth was reconnecting (restart,
	   reload) is sent when it is back, or failed after
	   LOGIN_AUTH_WAIT_MSECS (to_auth_wait); one auth went away without
	   answering is sent again once (auth_retried) */
	struct timeout *to_auth_wait;
	char *auth_pending_mech, *auth_pending_resp;
	bool auth_retried;
	pid_t mail_pid;

	bool greeting_sent;
	bool destroyed;
	bool input_blocked;	/* io removed: authenticating or handing off */
	bool output_paused;	/* too much unsent output, input paused */
	bool authenticating;	/* auth request in progress */
	bool auth_waiting_client;	/* challenge sent, waiting for a line */
	bool auth_plaintext_refused;	/* tried plaintext auth insecurely */
	bool logged_out;
	bool tls_handshaking;		/* input blocked until it is done */
	bool starttls_waiting_flush;	/* STARTTLS: the OK is being sent */
};

/* Takes over fd. Sends the greeting once auth is connected (and, with
   ssl, once the TLS handshake is done). Returns NULL (fd closed, error
   logged) if TLS could not be started. */
struct client *client_create(int fd, bool ssl, const struct ip_addr *remote_ip,
			     unsigned int remote_port);
/* Sends nothing: callers send their last words first. Logs the
   disconnect unless the client was handed off. reason NULL = client closed
   the connection. */
void client_destroy(struct client *client, const char *reason);
/* After a successful handoff: forget the client without a reply. */
void client_destroy_handed_off(struct client *client);
/* The worker refused the session (login-handoff.h REFUSED): the protocol's
   limit reply with reason as its text, "Disconnected: <reason>: ..." in
   the log (as Dovecot words it), then close. */
void client_destroy_refused(struct client *client, const char *reason);
/* Protocol last words, then destroy. */
void client_disconnect(struct client *client, enum client_disconnect_reason reason,
		       const char *log_reason);
void client_ref(struct client *client);
/* Returns FALSE if the client was freed or destroyed. */
bool client_unref(struct client **client);

/* After writing outside the input handler: starts the output-stall timer
   if the client is not reading, pauses input if too much is queued, and
   destroys the client on a write error. */
void client_output_check(struct client *client);
/* Append a line (CRLF added) to the output. */
void client_send_line(struct client *client, const char *line);
/* Stop/resume reading client input (auth in progress, handoff). Unblocking
   also handles input that is already buffered. */
void client_input_block(struct client *client);
void client_input_unblock(struct client *client);
/* A command could not be parsed: count it. Returns FALSE if the client was
   disconnected for too many bad commands (protocol sent the BYE via
   too_many_reply first). */
bool client_bad_command(struct client *client, const char *too_many_reply);

/* Remember the user name for log lines (reuses one buffer, so repeated
   attempts do not grow the client's pool). */
void client_set_auth_user(struct client *client, const char *user, size_t len);
/* TRUE if plaintext authentication may be used on this connection. */
bool client_plaintext_allowed(const struct client *client);

/* The TLS handshake finished: greeting (implicit TLS) or input again
   (STARTTLS). */
void client_tls_handshaked(struct client *client);

/* login-client-tls.c */
/* Implicit TLS: replace the client's (not yet created) streams with TLS
   ones and start the handshake. Returns 0, or -1 with *error_r. */
int client_tls_init(struct client *client, const char **error_r);
/* STARTTLS/STLS after the OK reply was queued: send it, discard any input
   buffered after the command (CVE-2011-0411), switch to TLS. The client
   may be destroyed when this returns. */
void client_starttls(struct client *client);
/* The plaintext output became empty while STARTTLS waited for it. */
void client_starttls_output_flushed(struct client *client);
/* Client certificate state; FALSE/NULL without TLS. */
bool client_has_valid_client_cert(const struct client *client);
const char *client_get_cert_username(const struct client *client);
/* The TLS error to log, or NULL (no TLS, or none). */
const char *client_get_tls_error(const struct client *client);
/* SNI name the client asked for, or NULL. */
const char *client_get_local_name(const struct client *client);

/* Every client: greeting when auth connects, shutdown. */
void clients_notify_auth_connected(void);
void clients_destroy_all(const char *reason);
unsigned int clients_get_count(void);

/* login-client-log.c: "user=<...>, method=..., rip=..., lip=..." */
const char *client_get_log_elements(struct client *client);
/* " (no auth attempts in 3 secs)" etc. */
const char *client_get_extra_disconnect_reason(struct client *client);
/* process title / log helpers */
void client_log_login(struct client *client);

#endif
