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
/* Answer one request line (without LF) into reply (without LF); the line
   and every field split from it (passwords) are wiped. Returns false when
   the line has no command or numeric id (auth is broken: drop it); an
   unknown command or a wrong field count gets a FAIL reply. Blocking (PAM,
   NSS, crypt); exposed for tests. */
bool auth_worker_server_handle_line(char *line, struct str *reply);
/* True once a PAM request's max_requests was reached: the worker then
   sends "BYE", answers what auth already sent and exits when auth closes
   the connection. */
bool auth_worker_server_restart_requested(void);

#endif
