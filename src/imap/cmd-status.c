/* Copyright (c) dovecot-like authors. STATUS (RFC 3501 6.3.10): counters of
   a mailbox without selecting it (items: imap-status.h). On the selected
   mailbox it answers from the client's view, with Dovecot's [CLIENTBUG]
   reminder that RFC 3501 says not to do that. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-status.h"

bool cmd_status(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *list;
	struct imap_status_result result;
	enum mail_storage_error error;
	enum imap_status_items items;
	const char *name, *storage_name, *error_str;
	unsigned int count;
	bool selected;

	if (imap_arg_as_string(&cmd->args[0]) == NULL ||
	    !imap_arg_get_list(&cmd->args[1], &list, &count) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		imap_mailbox_args_error(cmd, 2);
		return true;
	}
	if (!imap_status_parse_items(cmd, list, count, &items))
		return true;
	if (!imap_mailbox_name_arg(cmd, &cmd->args[0], &name, &storage_name))
		return true;
	if ((items & IMAP_STATUS_HIGHESTMODSEQ) != 0)
		client_enable_condstore(client);	/* RFC 7162 3.1 */

	if (imap_status_get(client, name, storage_name, items, &result,
			    &selected,
			    &error, &error_str) < 0) {
		client_send_tagline(cmd, client_mailbox_error_reply(
			name, error, error_str, false));
		return true;
	}
	imap_status_send(client, imap_mailbox_name_from_client(name), items,
			 &result);
	client_send_tagline(cmd, selected ?
		"OK [CLIENTBUG] Status on selected mailbox completed." :
		"OK Status completed.");
	return true;
}
