/* Copyright (c) dovecot-like authors. login-handoff-client.h: passing an
   authenticated client to an imap/pop3 worker over the handoff socket
   (login-handoff.h wire format) and waiting for the worker's verdict. */
#ifndef LOGIN_HANDOFF_CLIENT_H
#define LOGIN_HANDOFF_CLIENT_H

struct client;
struct login_handoff_client;

/* Client input stays blocked. On "OK" from the worker the client is logged
   ("Login: ...") and forgotten; on FAIL/EOF/timeout the client gets an
   internal-error reply and stays in the pre-login state. auth_id is the auth
   request's id (captured before the request was freed). */
void login_handoff_client_start(struct client *client, const char *user,
				unsigned int auth_id);
/* The client's output buffer became empty (the handoff waits for it, so the
   worker's first reply cannot overtake ours). */
void login_handoff_client_output_flushed(struct login_handoff_client *handoff);
/* Drop a pending handoff (client going away): no callbacks. */
void login_handoff_client_abort(struct login_handoff_client **handoff);

#endif
