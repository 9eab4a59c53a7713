/* Copyright (c) dovecot-like authors. ENABLE (RFC 5161): CONDSTORE and
   QRESYNC (RFC 7162) can be enabled, when CAPABILITY advertises them;
   other names are ignored. */
#include "imap-common.h"
#include "imap-commands.h"

#include <strings.h>

static const char *const enable_names[] = { "CONDSTORE", "QRESYNC" };

/* The canonical name of an extension ENABLE knows and CAPABILITY
   advertises, or NULL. */
static const char *enable_lookup(const char *name)
{
	for (unsigned int i = 0; i < N_ELEMENTS(enable_names); i++) {
		if (strcasecmp(name, enable_names[i]) == 0)
			return imap_capability_has(enable_names[i]) ?
				enable_names[i] : NULL;
	}
	return NULL;
}

bool cmd_enable(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct str *reply = t_str_new(64);
	bool seen[N_ELEMENTS(enable_names)] = { false };
	const char *str, *name;

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
		if ((name = enable_lookup(str)) == NULL)
			continue;	/* RFC 5161 3.1: silently ignored */
		for (unsigned int i = 0; i < N_ELEMENTS(enable_names); i++) {
			if (name != enable_names[i] || seen[i])
				continue;
			/* listed in the client's order even if it was on
			   already (as Dovecot) */
			seen[i] = true;
			str_append_c(reply, ' ');
			str_append(reply, name);
		}
	}
	/* enabling CONDSTORE with a mailbox selected sends its HIGHESTMODSEQ
	   first (RFC 7162 3.1.2.1; Dovecot's order) */
	if (seen[1])
		client_enable_qresync(client);
	else if (seen[0])
		client_enable_condstore(client);
	client_send_line(client, str_c(reply));
	client_send_tagline(cmd, "OK Enabled.");
	return true;
}
