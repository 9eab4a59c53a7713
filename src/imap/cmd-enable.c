/* Copyright (c) dovecot-like authors. ENABLE (RFC 5161): CONDSTORE and
   QRESYNC (RFC 7162), IMAP4rev2 (RFC 9051) and UTF8=ACCEPT (RFC 6855) can
   be enabled, when CAPABILITY advertises them; other names are ignored. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"

#include <strings.h>

enum enable_ext {
	ENABLE_CONDSTORE, ENABLE_QRESYNC, ENABLE_IMAP4REV2, ENABLE_UTF8_ACCEPT,
	ENABLE_COUNT
};
static const char *const enable_names[ENABLE_COUNT] = {
	[ENABLE_CONDSTORE] = "CONDSTORE",
	[ENABLE_QRESYNC] = "QRESYNC",
	[ENABLE_IMAP4REV2] = "IMAP4rev2",
	[ENABLE_UTF8_ACCEPT] = "UTF8=ACCEPT",
};

/* The extension ENABLE knows and CAPABILITY advertises, or -1. */
static int enable_lookup(const char *name)
{
	for (int i = 0; i < ENABLE_COUNT; i++) {
		if (strcasecmp(name, enable_names[i]) == 0)
			return imap_capability_has(enable_names[i]) ? i : -1;
	}
	return -1;
}

bool cmd_enable(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct str *reply = t_str_new(64);
	bool seen[ENABLE_COUNT] = { false };
	const char *str;
	int ext;

	if (IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Missing arguments.");
		return true;
	}
	str_append(reply, "* ENABLED");
	for (const struct imap_arg *arg = cmd->args; !IMAP_ARG_IS_EOL(arg); arg++) {
		if (!imap_arg_get_atom(arg, &str)) {
			client_send_command_error(cmd, "Invalid arguments.");
			return true;
		}
		/* RFC 5161 3.1: unknown names are silently ignored; a known
		   one is listed in the client's order even if it was on
		   already (as Dovecot) */
		if ((ext = enable_lookup(str)) < 0 || seen[ext])
			continue;
		seen[ext] = true;
		str_append_c(reply, ' ');
		str_append(reply, enable_names[ext]);
	}
	/* enabling CONDSTORE with a mailbox selected sends its HIGHESTMODSEQ
	   first (RFC 7162 3.1.2.1; Dovecot's order) */
	if (seen[ENABLE_QRESYNC])
		client_enable_qresync(client);
	else if (seen[ENABLE_CONDSTORE])
		client_enable_condstore(client);
	if (seen[ENABLE_IMAP4REV2])
		client->imap4rev2_enabled = true;
	if (seen[ENABLE_UTF8_ACCEPT])
		client->utf8_accept_enabled = true;
	if (client_utf8_names(client)) {
		/* RFC 9051 9 / RFC 6855 3: quoted strings and mailbox names
		   are UTF-8 from the next command on; parser_limits keeps it
		   over COMPRESS */
		client->parser_limits.utf8_quoted = true;
		imap_parser_set_utf8_quoted(client->parser, true);
		imap_mailbox_names_set_utf8(true);
	}
	client_send_line(client, str_c(reply));
	client_send_tagline(cmd, "OK Enabled.");
	return true;
}
