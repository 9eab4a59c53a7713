/* Copyright (c) dovecot-like authors. CAPABILITY (RFC 3501 6.1.1). */
#include "imap-common.h"
#include "imap-commands.h"

#include <strings.h>

bool imap_capability_has(const char *name)
{
	size_t len = strlen(name), wlen;
	const char *p = imap_set.capability, *end;

	while (*p != '\0') {
		end = strchr(p, ' ');
		wlen = end == NULL ? strlen(p) : (size_t)(end - p);
		if (wlen == len && strncasecmp(p, name, len) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

bool cmd_capability(struct client_command *cmd)
{
	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	client_send_line(cmd->client, tmp_strconcat("* CAPABILITY ",
						    imap_set.capability, NULL));
	client_send_tagline(cmd, "OK Capability completed.");
	return true;
}
