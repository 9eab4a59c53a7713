/* Copyright (c) dovecot-like authors. CLOSE (RFC 3501 6.4.2): expunge
   \Deleted messages silently (not when read-only) and leave selected state. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_close(struct client_command *cmd)
{
	struct client *client = cmd->client;
	ARRAY_TYPE(mailbox_expunged) expunged;
	struct pool *pool;

	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (!client->box_readonly) {
		pool = pool_create("imap close", 1024, POOL_FLAG_NONE);
		memset(&expunged, 0, sizeof(expunged));
		if (mailbox_expunge_deleted(client->box, pool, NULL, &expunged) < 0) {
			/* still closed: RFC 3501 6.4.2 leaves no other state */
			const char *str;
			(void)mailbox_get_last_error(client->box, &str);
			log_error("CLOSE: expunging failed: %s",
				  str == NULL ? "unknown error" : str);
		} else if (array_is_created(&expunged)) {
			client->stats.expunged += array_count(&expunged);
		}
		pool_unref(&pool);
	}
	client_close_mailbox(client);
	client_send_tagline(cmd, "OK Close completed.");
	return true;
}
