/* Copyright (c) dovecot-like authors. CREATE (RFC 3501 6.3.3): a new mailbox;
   a trailing hierarchy separator only declares that children will follow.
   An RFC 4466 parameter list after the name (RFC 6154 CREATE-SPECIAL-USE's
   "(USE (\Sent))") is ignored, as Dovecot 2.3 does: we don't advertise
   CREATE-SPECIAL-USE, special-use comes from the namespace's mailbox
   settings only. (Dovecot ignores any other trailing args too; we keep
   answering BAD to those.) */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "mailbox-objectid.h"

/* Drops a parameter list after the name from cmd->args (a copy in the
   command's pool: the name and the EOL). */
static void create_skip_params(struct client_command *cmd)
{
	struct imap_arg *args;

	if (IMAP_ARG_IS_EOL(&cmd->args[0]) ||
	    cmd->args[1].type != IMAP_ARG_LIST ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2]))
		return;
	args = pool_new(cmd->pool, struct imap_arg, 2);
	args[0] = cmd->args[0];
	args[1] = cmd->args[2];
	cmd->args = args;
}

bool cmd_create(struct client_command *cmd)
{
	enum mail_storage_error error;
	const char *name, *storage_name, *error_str, *id;
	bool directory;

	create_skip_params(cmd);
	/* RFC 3501 6.3.3: "foo." creates foo, ready for children */
	if (!imap_mailbox_name_only_arg(cmd, &name, &storage_name, &directory))
		return true;
	if (mail_user_mailbox_create(cmd->client->user, storage_name, directory,
				     &error, &error_str) < 0) {
		client_send_storage_error_str(cmd, error, error_str);
		return true;
	}
	/* RFC 8474 4.1: the new mailbox's id (none for a mere directory),
	   read without opening the mailbox */
	if (!directory && mail_user_get_mailbox_id(cmd->client->user,
						   storage_name, &id) > 0) {
		client_send_tagline(cmd, tmp_printf(
			"OK [MAILBOXID (%s)] Create completed.", id));
		return true;
	}
	client_send_tagline(cmd, "OK Create completed.");
	return true;
}
