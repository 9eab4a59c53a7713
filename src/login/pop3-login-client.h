/* Copyright (c) dovecot-like authors. pop3-login-client.h: the POP3 half of
   pop3-login: a pre-login POP3 client and its commands. */
#ifndef POP3_LOGIN_CLIENT_H
#define POP3_LOGIN_CLIENT_H

#include "login-client.h"

struct pop3_client {
	struct client common;
	struct str *user;	/* from USER, for PASS; NULL until then */
	bool cmd_running;	/* PASS/AUTH waiting for auth */
};

extern const struct login_binary pop3_login_binary;

/* pop3-login-commands.c: run one command line (args after the first
   space, or ""). Returns FALSE if the client was disconnected. */
bool pop3_client_command(struct pop3_client *client, const char *cmd,
			 char *args, size_t args_len);

#endif
