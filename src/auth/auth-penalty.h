/* Copyright (c) dovecot-like authors. auth-penalty.h: auth's asynchronous
   client of anvil's per-IP failure penalty (anvil-auth-penalty socket).
   Nothing here blocks; when anvil cannot be reached, requests simply get
   no penalty (logged once per outage). */
#ifndef AUTH_PENALTY_H
#define AUTH_PENALTY_H

#include <time.h>

struct auth_request;

/* Called once per lookup with the stored penalty and the time it was last
   raised (both 0 when there is none or anvil could not answer). The
   request is referenced until the callback returns; it may have been
   removed from its client meanwhile (request->handler == NULL). */
typedef void auth_penalty_callback_t(struct auth_request *request,
				     unsigned int penalty, time_t last_penalty);

/* Connect to socket_path now: auth may lose the right to connect when it
   drops privileges (the socket is 0600), so this runs before. Needs no
   ioloop yet. */
void auth_penalty_init(const char *socket_path);
void auth_penalty_deinit(void);

/* Whether the penalty applies to request: it has a remote IP and no
   no-penalty flag (login_trusted_networks). */
bool auth_penalty_is_applicable(const struct auth_request *request);
/* PENALTY-GET for request's IP. callback runs from the ioloop later, or
   before this returns when anvil is unreachable. */
void auth_penalty_lookup(struct auth_request *request,
			 auth_penalty_callback_t *callback);
/* After the request ended: success resets the IP's penalty (if it had
   one); a failure raises it to auth_penalty_next(request->penalty), with
   the checksum of the user name and password. Fire and forget. */
void auth_penalty_update(struct auth_request *request, bool success);

#endif
