/* Copyright (c) dovecot-like authors. CREATE (RFC 3501 6.3.3): a new mailbox;
   a trailing hierarchy separator only declares that children will follow. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"

bool cmd_create(struct client_command *cmd)
{
	enum mail_storage_error error;
	const char *name, *storage_name, *error_str;
	bool directory;

	/* RFC 3501 6.3.3: "foo." creates foo, ready for children */
	if (!imap_mailbox_name_only_arg(cmd, &name, &storage_name, &directory))
		return true;
	if (mail_user_mailbox_create(cmd->client->user, storage_name, directory,
				     &error, &error_str) < 0) {
		client_send_storage_error_str(cmd, error, error_str);
		return true;
	}
	client_send_tagline(cmd, "OK Create completed.");
	return true;
}
