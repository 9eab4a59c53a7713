/* Copyright (c) dovecot-like authors. NAMESPACE (RFC 2342): the user's
   personal namespaces (prefix and separator), none shared or public. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "str.h"

/* (("prefix" "sep")...) of the namespaces not hidden, or NIL */
static void namespace_append_personal(struct str *dest,
				      const struct mail_namespaces *nss)
{
	struct mail_namespace *const *nsp;
	char sep[2] = { '\0', '\0' };
	size_t start = str_len(dest);

	str_append_c(dest, '(');
	array_foreach(&nss->list, nsp) {
		if ((*nsp)->hidden)
			continue;
		str_append_c(dest, '(');
		imap_append_string(dest, (*nsp)->prefix);
		str_append_c(dest, ' ');
		sep[0] = (*nsp)->separator;
		imap_append_string(dest, sep);
		str_append_c(dest, ')');
	}
	if (str_len(dest) == start + 1) {
		str_truncate(dest, start);
		str_append(dest, "NIL");
	} else {
		str_append_c(dest, ')');
	}
}

bool cmd_namespace(struct client_command *cmd)
{
	struct str *line;

	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	line = t_str_new(128);
	str_append(line, "* NAMESPACE ");
	namespace_append_personal(line, imap_mailbox_names_get());
	str_append(line, " NIL NIL");
	client_send_line(cmd->client, str_c(line));
	client_send_tagline(cmd, "OK Namespace completed.");
	return true;
}
