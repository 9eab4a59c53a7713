/* Copyright (c) dovecot-like authors. auth-master-connection.h: connections
   on the auth-master and auth-userdb listeners, protocol 1.1
   (shared/reference/auth-protocol.md s.5): REQUEST, USER, PASS, LIST,
   CACHE-FLUSH. */
#ifndef AUTH_MASTER_CONNECTION_H
#define AUTH_MASTER_CONNECTION_H

/* userdb_only: an auth-userdb listener (no REQUEST/CACHE-FLUSH).
   socket_path: the listener's file, for the 0666 peer rule (may be NULL). */
void auth_master_connection_create(int fd, bool userdb_only,
				   const char *socket_path);
void auth_master_connections_destroy_all(void);

#endif
