/* Copyright (c) dovecot-like authors. imap-login-client.h: the IMAP half of
   imap-login: a pre-login IMAP client and its command table. */
#ifndef IMAP_LOGIN_CLIENT_H
#define IMAP_LOGIN_CLIENT_H

#include "login-client.h"

struct imap_arg;

struct imap_client {
	struct client common;
	struct imap_parser *parser;
	/* current command; both point into the parser's pool and live until
	   the command finishes (imap_client_command_finish()) */
	const char *cmd_tag, *cmd_name;
	bool cmd_running;	/* LOGIN/AUTHENTICATE waiting for auth */
	bool skip_line;		/* rest of a bad line is being skipped */
};

/* A command returns 1 when done (it replied), 0 when it continues
   asynchronously (auth), -1 for bad arguments (caller answers BAD). */
typedef int imap_login_command_t(struct imap_client *client,
				 const struct imap_arg *args);

extern const struct login_binary imap_login_binary;

/* imap-login-commands.c */
imap_login_command_t *imap_login_command_find(const char *name);

/* imap-login-client.c */
/* "<tag> <text>" */
void imap_client_send_tagline(struct imap_client *client, const char *text);
const char *imap_client_get_capability(struct imap_client *client);
/* The running command is over: forget its tag and parser state. */
void imap_client_command_finish(struct imap_client *client);

#endif
