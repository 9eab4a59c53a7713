/* Copyright (c) dovecot-like authors. login-proxy.h: after a login on a
   TLS connection the worker gets the plaintext end of a socketpair, and the
   login process stays in between as a thin TLS proxy (DESIGN.md). */
#ifndef LOGIN_PROXY_H
#define LOGIN_PROXY_H

struct client;

/* Takes over client->input/output/ssl/fd (clearing them, so destroying
   the client afterwards leaves them alone) and proxies between them and
   server_fd, the login side of the socketpair. Never calls back. */
void login_proxy_create(struct client *client, int server_fd);
/* Running proxies (they count against client_limit and keep a quitting
   process alive). */
unsigned int login_proxies_count(void);
/* Process shutdown: end every proxy now. */
void login_proxies_destroy_all(void);

#endif
