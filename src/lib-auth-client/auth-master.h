/* Copyright (c) dovecot-like authors. auth-master.h: the client side of the
   auth-master/userdb protocol 1.1 (shared/reference/auth-protocol.md s.5):
   REQUEST (finish a login, by a post-login worker) and USER (userdb lookup,
   by doveadm-like). */
#ifndef AUTH_MASTER_H
#define AUTH_MASTER_H

enum auth_master_result {
	AUTH_MASTER_RESULT_OK = 1,
	AUTH_MASTER_RESULT_NOTFOUND = 0,
	AUTH_MASTER_RESULT_FAIL = -1,
};

/* fields: NULL-terminated "key=value" userdb fields (uid, gid, home, mail...),
   in pool, and *user_r the canonical user name. */
typedef void auth_master_callback_t(enum auth_master_result result,
				    const char *user, const char *const *fields,
				    const char *error, void *context);

/* Non-blocking on the ioloop: connect, handshake, REQUEST, one reply, close.
   The callback is always called exactly once (never from within this call). */
void auth_master_request(const char *socket_path, pid_t auth_pid,
			 unsigned int auth_id, const char *cookie,
			 auth_master_callback_t *callback, void *context);
/* Blocking USER lookup for tools (doveadm-like). Returns result; fields in
   pool. */
enum auth_master_result
auth_master_user_lookup(const char *socket_path, const char *user,
			const char *service, struct pool *pool,
			const char **user_r, const char *const **fields_r,
			const char **error_r);

/* Added: blocking LIST of every user the userdbs can iterate (doveadm-like
   "-A"). Returns 0 with a NULL-terminated *users_r in pool, or -1 with
   *error_r (tmp). */
int auth_master_user_list(const char *socket_path, struct pool *pool,
			  const char *const **users_r, const char **error_r);

#endif
