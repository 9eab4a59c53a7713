/* Copyright (c) dovecot-like authors. RENAME (RFC 3501 6.3.5): children move
   with their parent; renaming INBOX moves its messages into the new mailbox
   and leaves INBOX empty. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"

bool cmd_rename(struct client_command *cmd)
{
	enum mail_storage_error error;
	const char *oldname, *newname, *old_storage, *new_storage, *error_str;
	size_t old_len;

	if (imap_arg_as_string(&cmd->args[0]) == NULL ||
	    imap_arg_as_string(&cmd->args[1]) == NULL ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		imap_mailbox_args_error(cmd, 2);
		return true;
	}
	if (!imap_mailbox_name_arg(cmd, &cmd->args[0], &oldname, &old_storage) ||
	    !imap_mailbox_name_arg(cmd, &cmd->args[1], &newname, &new_storage))
		return true;
	old_len = strlen(old_storage);
	if (strncmp(old_storage, new_storage, old_len) == 0 &&
	    new_storage[old_len] == '/') {
		/* Dovecot refuses box -> box.child before the storage */
		client_send_tagline(cmd,
				    "NO Can't rename mailbox under its own child.");
		return true;
	}
	if (mail_user_mailbox_rename(cmd->client->user, old_storage, new_storage,
				     &error, &error_str) < 0) {
		client_send_tagline(cmd, client_mailbox_error_reply(
			oldname, error, error_str, false));
		return true;
	}
	client_send_tagline(cmd, "OK Rename completed.");
	return true;
}
