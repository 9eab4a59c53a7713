/* Copyright (c) dovecot-like authors. auth-worker-client.h: auth's side of the
   auth-worker protocol: blocking work (slow password hashes, PAM, passwd and
   shadow lookups) is sent to an auth-worker process over the "auth-worker"
   unix socket, so the auth event loop never stalls.

   Protocol (one line each, TAB-separated, values tab-escaped):
     auth -> worker: VERIFY <id> <user> <password> <crypted> <default-scheme>
     worker -> auth: OK <id> | MISMATCH <id> | FAIL <id> <log-safe error>

     auth -> worker: PAM <id> <service> <user> <password> <rip> <flags>
                     <max_requests>
       (flags: decimal enum db_pam_flags; rip "" when unknown;
        max_requests: 0 or the PAM request count after which the worker
        restarts, see BYE)
     auth -> worker: SHADOW <id> <user> <password>
     worker -> auth: OK <id>
                   | MISMATCH|UNKNOWN|DISABLED|EXPIRED|FAIL <id> <log msg>
                     [<PAM's message for the client>]

     auth -> worker: PASSWD <id> <user>
     worker -> auth: OK <id> <uid> <gid> <home> | UNKNOWN <id>
                   | FAIL <id> <error>

   Any request may get FAIL <id> <error> (unknown command, wrong field
   count). worker -> auth: BYE (no id): the worker exits once auth closes
   the connection; auth sends nothing more on it, closes it when every
   request on it is answered and connects again for new ones (master has
   started another worker). A line without a command and numeric id makes
   the peer drop the connection.
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

/* Generic reply: reply[0] is the reply word, reply[1..] the fields after
   the id. When the worker is unreachable or timed out reply is
   { "TEMPFAIL", <error>, NULL }. Called from the ioloop, never from within
   auth_worker_call(). reply is tmp. */
typedef void auth_worker_reply_callback_t(const char *const *reply,
					  void *context);

void auth_worker_client_init(const char *socket_path);
void auth_worker_client_deinit(void);
/* Queue a password verification. The password is wiped from our buffers
   once sent. */
void auth_worker_verify(const char *user, const char *password,
			const char *crypted, const char *default_scheme,
			auth_worker_callback_t *callback, void *context);
/* Queue the request "<cmd> <id> <fields...>" (fields NULL-terminated;
   password fields are wiped from our buffers once sent). */
void auth_worker_call(const char *cmd, const char *const *fields,
		      auth_worker_reply_callback_t *callback, void *context);

#endif
