/* Copyright (c) dovecot-like authors. COMPRESS (RFC 4978): switch the
   connection to raw deflate in both directions. */
#include "imap-common.h"
#include "imap-commands.h"

bool cmd_compress(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const char *mechanism;

	if (!imap_arg_get_atom(&cmd->args[0], &mechanism) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[1])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	/* RFC 4978 4: a second COMPRESS gets the COMPRESSIONACTIVE code */
	if (client->compress_active) {
		client_send_tagline(cmd,
			"NO [COMPRESSIONACTIVE] COMPRESSION=DEFLATE already enabled.");
		return true;
	}
	if (strcasecmp(mechanism, "DEFLATE") != 0) {
		client_send_tagline(cmd, "NO Unknown compression mechanism.");
		return true;
	}
	client_send_tagline(cmd, "OK Begin compression.");
	client_enable_compression(client);
	return true;
}
