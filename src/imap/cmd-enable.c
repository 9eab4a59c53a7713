/* Copyright (c) dovecot-like authors. ENABLE (RFC 5161): we have no
   extension that needs enabling yet, so the ENABLED list is always empty. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_enable(struct client_command *cmd)
{
	const char *str;

	if (IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Missing arguments.");
		return true;
	}
	for (const struct imap_arg *arg = cmd->args; !IMAP_ARG_IS_EOL(arg); arg++) {
		if (!imap_arg_get_atom(arg, &str)) {
			client_send_command_error(cmd, "Invalid arguments.");
			return true;
		}
	}
	/* RFC 5161 3.1: unknown extensions are silently ignored */
	client_send_line(cmd->client, "* ENABLED");
	client_send_tagline(cmd, "OK Enabled.");
	return true;
}
