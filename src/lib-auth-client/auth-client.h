/* Copyright (c) dovecot-like authors. auth-client.h: the client side of the
   Dovecot auth-client protocol 1.2 (shared/reference/auth-protocol.md s.3),
   non-blocking on the process's ioloop. Used by the login processes. */
#ifndef AUTH_CLIENT_H
#define AUTH_CLIENT_H

#include "net.h"

enum auth_request_status {
	AUTH_REQUEST_STATUS_INTERNAL_FAIL = -2,	/* auth unreachable/broken */
	AUTH_REQUEST_STATUS_FAIL = -1,
	AUTH_REQUEST_STATUS_CONTINUE = 0,
	AUTH_REQUEST_STATUS_OK = 1,
};

struct auth_client;
struct auth_client_request;

struct auth_request_info {
	const char *mech;	/* "PLAIN", "LOGIN" */
	const char *service;	/* "imap", "pop3" */
	struct ip_addr local_ip, remote_ip;
	unsigned int local_port, remote_port;
	bool secured;		/* TLS or localhost */
	bool tls;
	const char *initial_resp_base64;	/* NULL = none */
	/* Added for TLS (auth-protocol.md 3.3): the client presented a
	   certificate that verified; the user name taken from it (NULL =
	   none, sent only when set); the TLS SNI name (NULL = none). */
	bool valid_client_cert;
	const char *cert_username;
	const char *local_name;
	/* login_trusted_networks: auth applies no failure penalty */
	bool no_penalty;
};

/* data_base64: the server's challenge for CONTINUE; args: the reply's extra
   fields (NULL-terminated, "key=value", unescaped) for OK/FAIL, e.g.
   "user=demo", "reason=...", "temp", "nologin". The request is freed after an
   OK/FAIL/INTERNAL_FAIL callback returns. */
typedef void auth_request_callback_t(struct auth_client_request *request,
				     enum auth_request_status status,
				     const char *data_base64,
				     const char *const *args, void *context);

/* Connects (and reconnects after failures, with back-off) to socket_path.
   connected_callback is called each time the handshake completes. */
struct auth_client *auth_client_init(const char *socket_path,
				     void (*connected_callback)(struct auth_client *, void *),
				     void *context);
void auth_client_deinit(struct auth_client **client);
bool auth_client_is_connected(const struct auth_client *client);
/* From the handshake: auth server's pid, our connection's cookie (hex), and
   whether it offers mech. */
pid_t auth_client_get_server_pid(const struct auth_client *client);
const char *auth_client_get_cookie(const struct auth_client *client);
bool auth_client_has_mech(const struct auth_client *client, const char *mech);

/* Starts AUTH. If not connected, calls back INTERNAL_FAIL (from the ioloop,
   not recursively). */
struct auth_client_request *
auth_client_request_new(struct auth_client *client, const struct auth_request_info *info,
			auth_request_callback_t *callback, void *context);
void auth_client_request_continue(struct auth_client_request *request,
				  const char *data_base64);
/* No callback after this. */
void auth_client_request_abort(struct auth_client_request **request);
unsigned int auth_client_request_get_id(const struct auth_client_request *request);

#endif
