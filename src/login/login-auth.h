/* Copyright (c) dovecot-like authors. login-auth.h: SASL authentication of a
   login client through the auth server (login/login socket): mechanism
   checks, initial responses, the challenge/response dance and the mapping of
   auth replies to protocol results. */
#ifndef LOGIN_AUTH_H
#define LOGIN_AUTH_H

#include "login-common.h"

struct client;

/* Connect to the auth server (reconnecting as needed). */
void login_auth_init(const char *socket_path);
void login_auth_deinit(void);

/* Starts authenticating with mech (any case) and an initial response in
   base64 ("" = empty response, NULL = none). Blocks client input until the
   auth server answers; the outcome arrives through the protocol's
   auth_send_challenge/auth_result callbacks, or a handoff on success. */
/* Auth (re)connected: start an AUTH that was waiting for it. */
void client_auth_resume(struct client *client);
/* The client goes away: drop (and wipe) a waiting AUTH. */
void client_auth_abort_wait(struct client *client);
void client_auth_begin(struct client *client, const char *mech,
		       const char *initial_resp_base64);
/* While client->auth_waiting_client: consume one buffered response line
   ("*" cancels). Returns FALSE if no complete line is buffered yet. */
bool client_auth_read_response(struct client *client);
/* Report a result to the protocol, count failures (closing the connection
   after too many) and resume reading input. */
void client_auth_result(struct client *client, enum client_auth_result result,
			const char *text);

/* Mechanisms to advertise to this client (tmp, NULL-terminated, upper
   case): offered by auth, not private, and not plaintext unless plaintext
   auth is allowed on the connection. */
const char *const *client_auth_get_mechs(const struct client *client);
bool login_auth_mech_is_plaintext(const char *mech);

#endif
