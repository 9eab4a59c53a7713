/* Copyright (c) dovecot-like authors. LOGOUT (RFC 3501 6.1.3): BYE, the tagged
   OK, and the session ends with Dovecot's "Logged out" statistics line. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_logout(struct client_command *cmd)
{
	struct client *client = cmd->client;

	client_send_line(client, "* BYE Logging out");
	client_send_tagline(cmd, "OK Logout completed.");
	client_close_mailbox(client);
	client_disconnect(client, "Logged out");
	return true;
}
