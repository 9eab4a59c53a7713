/* Copyright (c) dovecot-like authors. ID (RFC 2971): we take the client's
   list (validated, not logged) and name ourselves. */
#include "imap-common.h"
#include "imap-commands.h"

#define ID_MAX_PAIRS 30

bool cmd_id(struct client_command *cmd)
{
	const struct imap_arg *list;
	unsigned int i, count;

	/* id = "ID" SP id-params-list; id-params-list = "(" *(string SP
	   nstring) ")" / nil */
	if (cmd->args[0].type == IMAP_ARG_NIL) {
		/* nothing */
	} else if (imap_arg_get_list(&cmd->args[0], &list, &count)) {
		if (count % 2 != 0 || count / 2 > ID_MAX_PAIRS) {
			client_send_command_error(cmd, "Invalid ID parameters.");
			return true;
		}
		for (i = 0; i < count; i++) {
			if (list[i].type == IMAP_ARG_LIST ||
			    (i % 2 == 0 && list[i].type == IMAP_ARG_NIL)) {
				client_send_command_error(cmd, "Invalid ID parameters.");
				return true;
			}
		}
	} else {
		client_send_command_error(cmd, "Invalid ID parameters.");
		return true;
	}
	if (!IMAP_ARG_IS_EOL(&cmd->args[1])) {
		client_send_command_error(cmd, "Invalid ID parameters.");
		return true;
	}
	client_send_line(cmd->client, "* ID (\"name\" \"dovecot-like\")");
	client_send_tagline(cmd, "OK ID completed.");
	return true;
}
