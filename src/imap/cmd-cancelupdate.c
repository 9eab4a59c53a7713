/* Copyright (c) dovecot-like authors. CANCELUPDATE (RFC 5267 4.3): ends
   the RETURN (UPDATE) searches of the quoted tags; Dovecot's replies. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-search-update.h"

bool cmd_cancelupdate(struct client_command *cmd)
{
	const struct imap_arg *args = cmd->args;
	bool all_found = true;

	/* tags are strings (RFC 5267 5: "CANCELUPDATE" 1*(SP tag-string)) */
	if (IMAP_ARG_IS_EOL(args)) {
		client_send_command_error(cmd, "Invalid parameters");
		return true;
	}
	for (; !IMAP_ARG_IS_EOL(args); args++) {
		if (args->type != IMAP_ARG_STRING &&
		    args->type != IMAP_ARG_LITERAL) {
			client_send_command_error(cmd, "Invalid parameters");
			return true;
		}
	}
	/* in order, stopping at the first unknown one (as Dovecot) */
	for (args = cmd->args; !IMAP_ARG_IS_EOL(args) && all_found; args++) {
		if (!imap_search_update_cancel(cmd->client, args->u.str))
			all_found = false;
	}
	client_send_tagline(cmd, all_found ? "OK Updates cancelled." :
			    "NO Unknown tag.");
	return true;
}
