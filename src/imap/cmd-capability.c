/* Copyright (c) dovecot-like authors. CAPABILITY (RFC 3501 6.1.1). */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_capability(struct client_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	client_send_line(cmd->client, tmp_strconcat("* CAPABILITY ",
						    imap_set.capability, NULL));
	client_send_tagline(cmd, "OK Capability completed.");
	return true;
}
