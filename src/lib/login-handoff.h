/* Copyright (c) dovecot-like authors. login-handoff.h: the message a login
   process sends a post-login worker (imap/pop3) with the client fd, and the
   worker's reply. Our own format (shared/reference/auth-protocol.md section 6
   keeps the security properties): the worker trusts nothing in it but uses
   auth_pid/auth_id/cookie in a one-use REQUEST to auth-master, whose USER reply
   decides who the session is.

   Wire (one write on a SOCK_STREAM unix socket, client fd attached with
   SCM_RIGHTS, at most LOGIN_HANDOFF_MAX_SIZE bytes, fields tab-escaped):
     HANDOFF\t1\t<protocol>\t<auth_pid>\t<auth_id>\t<cookie>\t<user>\t
       <local_ip>\t<local_port>\t<remote_ip>\t<remote_port>\t<flags>\t<tag>\t
       <base64 of pre-read input>\n
   flags: 's' secured (TLS or localhost), 't' TLS. Reply from the worker on the
   same socket: "OK\t<worker pid>\n" after it has taken over the client (it has
   written the protocol's success reply itself), "FAIL\t<reason>\n" (the
   login process answers the client with an internal-error reply), or
   "REFUSED\t<reason>\n": a session limit (mail_max_userip_connections) was
   reached; the worker wrote nothing to the client and closed its copy, the
   login process sends the protocol's limit reply with <reason> as its text
   (IMAP "NO [LIMIT]", POP3 "-ERR [IN-USE]"), logs "Disconnected: <reason>"
   and closes the connection. */
#ifndef LOGIN_HANDOFF_H
#define LOGIN_HANDOFF_H

#include "net.h"

#define LOGIN_HANDOFF_MAX_SIZE 16384
/* bounded pre-read client input carried along */
#define LOGIN_HANDOFF_MAX_INPUT 4096

struct login_handoff {
	const char *protocol;	/* "imap" or "pop3" */
	pid_t auth_pid;
	unsigned int auth_id;
	const char *cookie;	/* hex, from the auth handshake */
	const char *user;	/* as auth returned it (informational) */
	struct ip_addr local_ip, remote_ip;
	unsigned int local_port, remote_port;
	bool secured, tls;
	const char *tag;	/* IMAP tag of LOGIN/AUTHENTICATE; "" for POP3 */
	const unsigned char *input;
	size_t input_len;
};

/* Blocking-safe small write. 0 or -1 (errno). */
int login_handoff_send(int sock, int client_fd, const struct login_handoff *h);
/* Parse a complete message (without the final "\n"). Strings point into pool.
   0, or -1 with *error_r. */
int login_handoff_parse(struct pool *pool, const char *line, size_t len,
			struct login_handoff *h_r, const char **error_r);

/* Worker side: read one whole message from sock (waits at most timeout_msecs
   for the rest of it), parse it into pool. Returns 0 with the passed client
   fd in *client_fd_r (cloexec), or -1 with *error_r (no fd left open). */
int login_handoff_recv(int sock, struct pool *pool, unsigned int timeout_msecs,
		       struct login_handoff *h_r, int *client_fd_r,
		       const char **error_r);
/* Worker's reply: "OK\t<pid>\n" (reason == NULL) or "FAIL\t<reason>\n".
   0 or -1 (errno). */
int login_handoff_reply(int sock, const char *fail_reason);
/* Worker's reply when it refuses the session: "REFUSED\t<reason>\n".
   reason is one line of text for the client. 0 or -1 (errno). */
int login_handoff_reply_refused(int sock, const char *reason);
/* Login side: parse a reply line (without "\n"). Returns 1 for OK with
   *pid_r, 0 for FAIL with *reason_r (tmp pool), -1 if malformed (also for
   a REFUSED line: check login_handoff_parse_refused() first). */
int login_handoff_parse_reply(const char *line, pid_t *pid_r,
			      const char **reason_r);
/* Login side: 1 for a valid REFUSED line with *reason_r (tmp pool, never
   empty, no control characters), 0 if line is not a REFUSED reply, -1 for
   a malformed one. */
int login_handoff_parse_refused(const char *line, const char **reason_r);

#endif
