/* Copyright (c) dovecot-like authors. NOOP (RFC 3501 6.1.2): the client's way
   to poll, so it is a sync point that reports others' changes. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"

bool cmd_noop(struct client_command *cmd)
{
	if (imap_sync(cmd->client, true) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	client_send_tagline(cmd, "OK NOOP completed.");
	return true;
}
