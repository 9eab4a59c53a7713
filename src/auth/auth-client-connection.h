/* Copyright (c) dovecot-like authors. auth-client-connection.h: one connection
   on an auth-client or login listener: the protocol 1.2 handshake and line
   framing (shared/reference/auth-protocol.md s.3); requests go to the
   connection's auth_request_handler. */
#ifndef AUTH_CLIENT_CONNECTION_H
#define AUTH_CLIENT_CONNECTION_H

#include "auth-common.h"

struct auth_client_connection {
	int refcount;
	struct pool *pool;
	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
	struct auth_request_handler *handler;

	/* login-type listener: successes may be picked up with REQUEST */
	bool login_type;
	bool version_received, handshake_done, destroyed;
	unsigned int version_minor;
	unsigned int pid;	/* CPID */
	unsigned int connect_uid;
	char cookie[AUTH_COOKIE_SIZE * 2 + 1];
};

/* Takes fd (an accepted connection) and sends the handshake. */
struct auth_client_connection *
auth_client_connection_create(int fd, bool login_type);
void auth_client_connection_destroy(struct auth_client_connection **conn,
				    const char *reason);
/* Send line + LF (NULL-safe after destroy: dropped). */
void auth_client_connection_send(struct auth_client_connection *conn,
				 const char *line);
void auth_client_connections_destroy_all(void);

#endif
