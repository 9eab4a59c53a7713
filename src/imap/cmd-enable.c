/* Copyright (c) dovecot-like authors. ENABLE (RFC 5161): CONDSTORE (RFC
   7162) is the only extension that can be enabled; the others are
   ignored. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_enable(struct client_command *cmd)
{
	const char *str;
	bool condstore = false;

	if (IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Missing arguments.");
		return true;
	}
	for (const struct imap_arg *arg = cmd->args; !IMAP_ARG_IS_EOL(arg); arg++) {
		if (!imap_arg_get_atom(arg, &str)) {
			client_send_command_error(cmd, "Invalid arguments.");
			return true;
		}
		/* only what CAPABILITY advertises can be enabled */
		if (strcasecmp(str, "CONDSTORE") == 0 &&
		    imap_capability_has("CONDSTORE"))
			condstore = true;
	}
	/* RFC 5161 3.1: unknown extensions are silently ignored; a known
	   one is listed even if it was on already (as Dovecot) */
	if (condstore) {
		client_send_line(cmd->client, "* ENABLED CONDSTORE");
		client_enable_condstore(cmd->client);
	} else {
		client_send_line(cmd->client, "* ENABLED");
	}
	client_send_tagline(cmd, "OK Enabled.");
	return true;
}
