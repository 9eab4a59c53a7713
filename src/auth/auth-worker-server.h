/* Copyright (c) dovecot-like authors. auth-worker-server.h: the auth-worker
   process side: accepts auth's connections on the inherited "auth-worker"
   listener and runs the blocking checks (see auth-worker-client.h for the
   protocol). */
#ifndef AUTH_WORKER_SERVER_H
#define AUTH_WORKER_SERVER_H

struct str;

/* Watch a listening fd. */
void auth_worker_server_listen(int listen_fd);
void auth_worker_server_deinit(void);
/* Answer one request line (without LF) into reply (without LF); the
   password inside line is wiped. Returns false for a malformed line.
   Blocking; exposed for tests. */
bool auth_worker_server_handle_line(char *line, struct str *reply);

#endif
