/* Copyright (c) dovecot-like authors. anvil-connection.h: one worker's
   connection to anvil; it holds at most one registration, dropped when the
   connection closes (also when the worker crashed). */
#ifndef ANVIL_CONNECTION_H
#define ANVIL_CONNECTION_H

struct anvil_registry;
struct anvil_penalty;
struct anvil_connection;

/* Takes over fd (non-blocking from here on) and serves it from the ioloop
   until the peer closes or misbehaves; then frees itself. */
void anvil_connection_create(int fd, struct anvil_registry *reg,
			     struct anvil_penalty *penalty);
/* Close every connection (shutdown). */
void anvil_connections_destroy_all(void);

#endif
