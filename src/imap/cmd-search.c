/* Copyright (c) dovecot-like authors. SEARCH and UID SEARCH (RFC 3501
   6.4.4): [CHARSET name] search keys; replies "* SEARCH" with the matching
   sequence numbers (or UIDs). */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"
#include "mail-search-build.h"

#include <strings.h>

/* The "* SEARCH ..." line. */
static void search_send_result(struct client *client,
			       const ARRAY_TYPE(uint32) *result)
{
	struct str *line = t_str_new(128);
	const uint32_t *nums;
	unsigned int i, count;

	str_append(line, "* SEARCH");
	nums = array_get(result, &count);
	for (i = 0; i < count; i++)
		str_printfa(line, " %u", nums[i]);
	client_send_line(client, str_c(line));
}

bool cmd_search(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *args = cmd->args;
	struct mail_search_arg *sargs;
	const char *charset = NULL, *error;
	ARRAY_TYPE(uint32) result;
	int ret;

	if (args[0].type == IMAP_ARG_ATOM &&
	    strcasecmp(args[0].u.str, "CHARSET") == 0) {
		if (args[1].type != IMAP_ARG_ATOM &&
		    args[1].type != IMAP_ARG_STRING) {
			client_send_command_error(cmd, "Invalid charset argument.");
			return true;
		}
		charset = args[1].u.str;
		args += 2;
	}
	switch (mail_search_build(cmd->pool, args, charset, &sargs, &error)) {
	case MAIL_SEARCH_BUILD_OK:
		break;
	case MAIL_SEARCH_BUILD_BADCHARSET:
		client_send_tagline(cmd, "NO [BADCHARSET (UTF-8 US-ASCII)] "
				    "Unknown charset");
		return true;
	case MAIL_SEARCH_BUILD_BAD:
		client_send_command_error(cmd, error);
		return true;
	}
	array_init(&result, cmd->pool, 64);
	ret = mail_search_run(client->box, sargs, cmd->uid, &result);
	if (ret < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	search_send_result(client, &result);
	/* RFC 3501 7.4.1: EXPUNGE may only follow the UID version */
	if (cmd->uid && imap_sync(client, true) < 0) {
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	client_send_tagline(cmd, "OK Search completed.");
	return true;
}
