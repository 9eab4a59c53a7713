/* Copyright (c) dovecot-like authors. mail-storage-service.h: the post-login
   bootstrap both workers (imap, pop3) share: take one client from a login
   process, verify it with auth-master, become the user, open its storage. */
#ifndef MAIL_STORAGE_SERVICE_H
#define MAIL_STORAGE_SERVICE_H

struct master_service;
struct login_handoff;
struct mail_user;

/* How long each blocking step of the bootstrap may take. */
#define MAIL_STORAGE_SERVICE_HANDOFF_TIMEOUT_MSECS (10 * 1000)
#define MAIL_STORAGE_SERVICE_AUTH_TIMEOUT_MSECS (30 * 1000)

/* What the protocol's client-create callback gets. Everything lives in pool,
   which the callback now owns (pool_unref it when the session ends). */
struct mail_storage_service_client {
	struct pool *pool;
	struct master_service *service;
	int fd;			/* the client connection, non-blocking */
	const struct login_handoff *handoff;	/* tag, pre-read input, addresses */
	const char *username;	/* canonical, from the userdb reply */
	const char *session_id;
	struct mail_user *mail_user;	/* ref owned by the callback */
	const char *const *userdb_fields;	/* NULL-terminated "key=value" */
};

/* Called once, from the ioloop, after the privilege drop and after the
   storage was opened. It writes the protocol's success reply to the client
   (e.g. "<tag> OK [CAPABILITY ...] Logged in") and starts serving. Returns 0,
   or -1 if the session could not be started (the login process then gets
   FAIL and the process exits); on -1 the callback has already closed fd and
   released mail_user. */
typedef int mail_storage_service_client_callback_t(
	const struct mail_storage_service_client *client, void *context);

/* Start watching the inherited "login/<protocol>" unix listener of service.
   Accepts one connection, reads the handoff, reports BUSY to master, closes
   the listener, finishes the login with auth-master, drops privileges,
   creates the mail_user, calls callback, then answers the login process
   "OK\t<pid>". Any failure: "FAIL\t<reason>" to login, logged, and the
   process exits. Never blocks: everything runs from the ioloop, and each
   step is bounded by the timeouts above. Fatal if there is no listener. */
void mail_storage_service_start(struct master_service *service,
				const char *protocol,
				mail_storage_service_client_callback_t *callback,
				void *context);
/* SIGTERM before a client came: stop watching the listener (so the ioloop
   closes without watched fds). During a handoff the login process gets
   FAIL and the process exits. */
void mail_storage_service_stop(void);

#endif
