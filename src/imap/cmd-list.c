/* Copyright (c) dovecot-like authors. LIST and LSUB (RFC 3501 6.3.8-9): the
   user's mailboxes matching a reference + pattern, with the hierarchy
   separator and child attributes. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-match.h"
#include "imap-quote.h"
#include "str.h"

#define MAILBOX_LIST_SEPARATOR '.'

static bool has_children(const ARRAY_TYPE(string) *names, const char *name)
{
	const char *const *np;
	size_t len = strlen(name);

	array_foreach(names, np) {
		if (strncmp(*np, name, len) == 0 && (*np)[len] == MAILBOX_LIST_SEPARATOR)
			return true;
	}
	return false;
}

static void list_send(struct client_command *cmd, bool lsub,
		      const ARRAY_TYPE(string) *names, const char *pattern)
{
	const char *const *np;
	struct str *line;

	array_foreach(names, np) {
		if (!imap_match(pattern, *np, MAILBOX_LIST_SEPARATOR))
			continue;
		line = t_str_new(128);
		if (lsub) {
			str_append(line, "* LSUB () \".\" ");
		} else {
			str_printfa(line, "* LIST (%s) \".\" ",
				    has_children(names, *np) ? "\\HasChildren" :
				    "\\HasNoChildren");
		}
		imap_append_astring(line, *np);
		client_send_line(cmd->client, str_c(line));
	}
}

static bool cmd_list_full(struct client_command *cmd, bool lsub)
{
	const char *ref, *pattern, *error;
	ARRAY_TYPE(string) names;
	int ret;

	ref = imap_arg_as_string(&cmd->args[0]);
	pattern = imap_arg_as_string(&cmd->args[1]);
	if (ref == NULL || pattern == NULL || !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		/* (LIST-EXTENDED selection and return options are not offered) */
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (*pattern == '\0' && !lsub) {
		/* RFC 3501 6.3.8: the hierarchy delimiter and root name */
		client_send_line(cmd->client, "* LIST (\\Noselect) \".\" \"\"");
		client_send_tagline(cmd, "OK List completed.");
		return true;
	}
	if (strlen(ref) + strlen(pattern) > IMAP_MATCH_MAX_LEN) {
		client_send_command_error(cmd, "Pattern too long.");
		return true;
	}
	pattern = tmp_strconcat(ref, pattern, NULL);
	ret = lsub ? mail_user_list_subscriptions(cmd->client->user, cmd->pool,
						  MAILBOX_LIST_SEPARATOR, &names, &error) :
		mail_user_list_mailboxes(cmd->client->user, cmd->pool, &names, &error);
	if (ret < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	list_send(cmd, lsub, &names, pattern);
	client_send_tagline(cmd, lsub ? "OK Lsub completed." : "OK List completed.");
	return true;
}

bool cmd_list(struct client_command *cmd)
{
	return cmd_list_full(cmd, false);
}

bool cmd_lsub(struct client_command *cmd)
{
	return cmd_list_full(cmd, true);
}
