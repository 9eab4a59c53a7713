/* Copyright (c) dovecot-like authors. CHECK (RFC 3501 6.4.1; gone in RFC
   9051 but harmless): our writes are already durable, so it is a sync point. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"

bool cmd_check(struct client_command *cmd)
{
	if (imap_sync(cmd->client, true) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	client_send_tagline(cmd, "OK Check completed.");
	return true;
}
