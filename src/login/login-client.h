/* Copyright (c) dovecot-like authors. login-client.h: one pre-login client
   connection, shared by both protocols. All client I/O goes through
   client->input/output, so a TLS stream (a later issue) can replace the fd
   streams without the protocol code noticing. */
#ifndef LOGIN_CLIENT_H
#define LOGIN_CLIENT_H

#include "login-common.h"

struct auth_client_request;
struct login_handoff_client;

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
	bool secured;		/* TLS, loopback or trusted network */
	bool tls;
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
	/* an AUTH that arrived while auth was reconnecting (restart, reload):
	   started when it is back, or failed after LOGIN_AUTH_WAIT_MSECS */
	struct timeout *to_auth_wait;
	char *auth_wait_mech, *auth_wait_resp;
	pid_t mail_pid;

	bool greeting_sent;
	bool destroyed;
	bool input_blocked;	/* io removed: authenticating or handing off */
	bool output_paused;	/* too much unsent output, input paused */
	bool authenticating;	/* auth request in progress */
	bool auth_waiting_client;	/* challenge sent, waiting for a line */
	bool auth_plaintext_refused;	/* tried plaintext auth insecurely */
	bool logged_out;
};

/* Takes over fd. Sends the greeting once auth is connected. */
struct client *client_create(int fd, const struct ip_addr *remote_ip,
			     unsigned int remote_port);
/* Sends nothing: callers send their last words first. Logs the
   disconnect unless the client was handed off. reason NULL = client closed
   the connection. */
void client_destroy(struct client *client, const char *reason);
/* After a successful handoff: forget the client without a reply. */
void client_destroy_handed_off(struct client *client);
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
