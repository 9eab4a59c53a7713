/* Copyright (c) dovecot-like authors. UNSELECT (RFC 3691, RFC 9051 6.4.2):
   leave selected state without expunging. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_unselect(struct client_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	client_close_mailbox(cmd->client);
	client_send_tagline(cmd, "OK Unselect completed.");
	return true;
}
