/* Copyright (c) dovecot-like authors. auth-worker-server.h: the auth-worker
   process side: accepts auth's connections on the inherited "auth-worker"
   listener and runs the blocking checks (see auth-worker-client.h for the
   protocol). */
#ifndef AUTH_WORKER_SERVER_H
#define AUTH_WORKER_SERVER_H

struct str;

/* One request line split and checked (auth-worker-client.h), not run. */
struct auth_worker_request {
	const char *const *args;	/* tmp; [0] command, [1] id */
	unsigned int argc, id;
	unsigned int command;	/* internal table index */
	/* NULL, or why the request gets "FAIL <id> <error>" (unknown
	   command, wrong field count or field syntax) */
	const char *error;
	unsigned int pam_flags, pam_max_requests;	/* PAM */
};

/* Watch a listening fd. */
void auth_worker_server_listen(int listen_fd);
void auth_worker_server_deinit(void);
/* Answer one request line (without LF) into reply (without LF); the line
   and every field split from it (passwords) are wiped. Returns false when
   the line has no command or numeric id (auth is broken: drop it); an
   unknown command or a wrong field count gets a FAIL reply. Blocking (PAM,
   NSS, crypt); exposed for tests. */
bool auth_worker_server_handle_line(char *line, struct str *reply);
/* The parse step of auth_worker_server_handle_line(): split line (tmp) into
   *req_r and wipe line. Returns false when the line has no command or
   numeric id (its fields are wiped then too). Never blocks. */
bool auth_worker_request_parse(char *line, struct auth_worker_request *req_r);
/* Wipe the fields after the id (passwords) of a parsed request. */
void auth_worker_request_wipe(struct auth_worker_request *req);
/* True once a PAM request's max_requests was reached: the worker then
   sends "BYE", answers what auth already sent and exits when auth closes
   the connection. */
bool auth_worker_server_restart_requested(void);

#endif
