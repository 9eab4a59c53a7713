/* Copyright (c) dovecot-like authors. anvil-client.h: a worker's side of the
   anvil protocol (doc/internals.md "anvil"): registering this session's
   user+IP for mail_max_userip_connections. */
#ifndef ANVIL_CLIENT_H
#define ANVIL_CLIENT_H

struct str;

/* How long a worker waits for anvil's reply before letting the login in. */
#define ANVIL_CLIENT_TIMEOUT_MSECS 5000

enum anvil_client_result {
	ANVIL_CLIENT_RESULT_ERROR = -1,	/* anvil unreachable or broken */
	ANVIL_CLIENT_RESULT_FULL = 0,	/* over the limit, not registered */
	ANVIL_CLIENT_RESULT_OK = 1,	/* registered while the fd is open */
};

/* Append "CONNECT\t<limit>\t<ident>\n", ident "<service>/<ip>/<user>"
   tab-escaped. */
void anvil_client_append_connect(struct str *dest, const char *service,
				 const char *ip, const char *user,
				 unsigned int limit);
/* Parse one reply line (without LF): OK or FULL with the count, else
   ERROR. */
enum anvil_client_result anvil_client_parse_reply(const char *line,
						  unsigned int *count_r);
/* Connect to the anvil socket at path, send CONNECT and wait (blocking,
   at most timeout_msecs) for the reply. OK: *fd_r is the connection, which
   the caller keeps open for the session (closing it ends the registration).
   FULL: nothing to keep. ERROR: *error_r says why. *count_r is anvil's
   count on OK/FULL. */
enum anvil_client_result
anvil_client_connect(const char *path, const char *service, const char *ip,
		     const char *user, unsigned int limit,
		     unsigned int timeout_msecs, int *fd_r,
		     unsigned int *count_r, const char **error_r);

#endif
