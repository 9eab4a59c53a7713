/* Copyright (c) dovecot-like authors. auth-worker-client.h: auth's side of the
   auth-worker protocol: blocking work (slow password hashes, later PAM) is
   sent to an auth-worker process over the "auth-worker" unix socket, so the
   auth event loop never stalls.

   Protocol (one line each, TAB-separated, values tab-escaped):
     auth -> worker: VERIFY <id> <user> <password> <crypted> <default-scheme>
     worker -> auth: OK <id> | MISMATCH <id> | FAIL <id> <log-safe error>
*/
#ifndef AUTH_WORKER_CLIENT_H
#define AUTH_WORKER_CLIENT_H

enum auth_worker_result {
	AUTH_WORKER_RESULT_OK = 1,
	AUTH_WORKER_RESULT_MISMATCH = 0,
	/* bad hash data: error says why */
	AUTH_WORKER_RESULT_FAIL = -1,
	/* the worker is unreachable or timed out */
	AUTH_WORKER_RESULT_TEMP_FAIL = -2,
};

/* error is NULL unless FAIL/TEMP_FAIL. Called from the ioloop, never from
   within auth_worker_verify(). */
typedef void auth_worker_callback_t(enum auth_worker_result result,
				    const char *error, void *context);

void auth_worker_client_init(const char *socket_path);
void auth_worker_client_deinit(void);
/* Queue a password verification. The password is wiped from our buffers
   once sent. */
void auth_worker_verify(const char *user, const char *password,
			const char *crypted, const char *default_scheme,
			auth_worker_callback_t *callback, void *context);

#endif
