/* Copyright (c) dovecot-like authors. LOGIN, AUTHENTICATE and STARTTLS after
   login: RFC 3501 6.2 allows them only in the not-authenticated state. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_already_logged_in(struct client_command *cmd)
{
	client_send_tagline(cmd, "BAD Already logged in.");
	return true;
}
