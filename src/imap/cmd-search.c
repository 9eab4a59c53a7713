/* Copyright (c) dovecot-like authors. SEARCH and UID SEARCH (RFC 3501
   6.4.4): [CHARSET name] search keys; replies "* SEARCH" with the matching
   sequence numbers (or UIDs), and with a MODSEQ key (RFC 7162 3.1.5) the
   highest modseq of the matches as "(MODSEQ n)". */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"
#include "mail-search-build.h"

#include <strings.h>

/* true if the tree has a MODSEQ key (depth bounded by the builder) */
static bool search_args_have_modseq(const struct mail_search_arg *arg)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_MODSEQ)
			return true;
		if ((arg->type == SEARCH_SUB || arg->type == SEARCH_OR) &&
		    search_args_have_modseq(arg->value.subargs))
			return true;
	}
	return false;
}

/* The "* SEARCH ..." line; with_modseq: "(MODSEQ n)" after a non-empty
   result, n the highest modseq of the matched messages. */
static void search_send_result(struct client_command *cmd,
			       const ARRAY_TYPE(uint32) *result,
			       bool with_modseq)
{
	struct client *client = cmd->client;
	struct str *line = t_str_new(128);
	const uint32_t *nums;
	unsigned int i, count;
	uint64_t modseq, max_modseq = 0;
	uint32_t seq;

	str_append(line, "* SEARCH");
	nums = array_get(result, &count);
	for (i = 0; i < count; i++) {
		str_printfa(line, " %u", nums[i]);
		if (!with_modseq)
			continue;
		seq = cmd->uid ? mailbox_uid_to_seq(client->box, nums[i]) :
			nums[i];
		modseq = mail_get_modseq(client->box, seq);
		if (modseq > max_modseq)
			max_modseq = modseq;
	}
	if (with_modseq && count > 0) {
		str_printfa(line, " (MODSEQ %llu)",
			    (unsigned long long)max_modseq);
	}
	client_send_line(client, str_c(line));
}

/* A MODSEQ key enables CONDSTORE; in a NOMODSEQ mailbox it is a BAD
   (RFC 7162 3.1.2). false after sending it. */
static bool search_modseq_allowed(struct client_command *cmd)
{
	struct mailbox_status status;

	client_enable_condstore(cmd->client);
	mailbox_get_status(cmd->client->box, &status);
	if (status.highest_modseq != 0)
		return true;
	client_send_command_error(cmd, "Search MODSEQ can't be used with "
				  "non-permanent modseqs");
	return false;
}

bool cmd_search(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *args = cmd->args;
	struct mail_search_arg *sargs;
	const char *charset = NULL, *error;
	ARRAY_TYPE(uint32) result;
	bool with_modseq;
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
	with_modseq = search_args_have_modseq(sargs);
	if (with_modseq && !search_modseq_allowed(cmd))
		return true;
	array_init(&result, cmd->pool, 64);
	ret = mail_search_run(client->box, sargs, cmd->uid, &result);
	if (ret < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	search_send_result(cmd, &result, with_modseq);
	/* RFC 3501 7.4.1: EXPUNGE may only follow the UID version */
	if (cmd->uid && imap_sync(client, true) < 0) {
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	client_send_tagline(cmd, "OK Search completed.");
	return true;
}
