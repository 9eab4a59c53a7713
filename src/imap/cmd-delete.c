/* Copyright (c) dovecot-like authors. DELETE (RFC 3501 6.3.4). As Dovecot:
   INBOX can't be deleted, a mailbox with children is refused, and deleting
   the selected mailbox closes it and ends the session after the reply. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"

static void delete_send_error(struct client_command *cmd, const char *name,
			      enum mail_storage_error error, const char *str)
{
	if (error == MAIL_ERROR_EXISTS) {
		/* Dovecot: "NO Mailbox has children, delete them first" */
		client_send_tagline(cmd, tmp_strconcat("NO ", str, NULL));
	} else {
		client_send_tagline(cmd, client_mailbox_error_reply(name, error,
								    str, false));
	}
}

bool cmd_delete(struct client_command *cmd)
{
	struct client *client = cmd->client;
	enum mail_storage_error error;
	const char *name, *storage_name, *error_str;
	bool closed = false;

	if (!imap_mailbox_name_arg(cmd, &cmd->args[0], &name, &storage_name))
		return true;
	if (!IMAP_ARG_IS_EOL(&cmd->args[1])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (strcmp(storage_name, "INBOX") == 0) {
		client_send_tagline(cmd, "NO INBOX can't be deleted.");
		return true;
	}
	if (client->box != NULL &&
	    strcmp(mailbox_get_name(client->box), storage_name) == 0) {
		/* the backend can't delete what we hold open */
		client_close_mailbox(client);
		closed = true;
	}
	if (mail_user_mailbox_delete(client->user, storage_name,
				     &error, &error_str) < 0)
		delete_send_error(cmd, name, error, error_str);
	else
		client_send_tagline(cmd, "OK Delete completed.");
	if (closed) {
		/* the client still thinks it is selected: Dovecot ends the
		   session rather than leave it in an undefined state */
		client_send_line(client, "* BYE Selected mailbox was deleted, "
				 "have to disconnect.");
		client_disconnect(client, "Disconnected: Selected mailbox was "
				  "deleted, have to disconnect.");
	}
	return true;
}
