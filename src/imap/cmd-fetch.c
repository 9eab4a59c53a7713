/* Copyright (c) dovecot-like authors. FETCH and UID FETCH (RFC 3501 6.4.5,
   6.4.8): the command's shell around imap-fetch.c. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"
#include "imap-fetch.h"
#include "imap-qresync.h"
#include "imap-search-update.h"

static bool cmd_fetch_continue(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct imap_fetch *fetch = cmd->context;
	int ret, commit_ret;

	if (!imap_fetch_more(fetch))
		return false;
	/* the implicit \Seen of BODY[] (RFC 3501 6.4.5), written once */
	commit_ret = client->disconnected ? 0 : imap_fetch_commit_seen(fetch);
	ret = imap_fetch_deinit(&fetch);
	if (client->disconnected)
		return true;
	if (commit_ret < 0)
		ret = -1;
	/* RFC 3501 7.4.1: EXPUNGE may only follow the UID version */
	if (cmd->uid && imap_sync(client, true) < 0)
		ret = -1;
	else if (!cmd->uid)	/* RFC 5267 4.3: the implicit \Seen, as Dovecot */
		imap_search_updates_sync(client);
	if (ret < 0)
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
	else if (ret == 2)	/* RFC 3516 4.3, Dovecot's text */
		client_send_tagline(cmd, "NO [UNKNOWN-CTE] "
				    "Unknown Content-Transfer-Encoding.");
	else if (ret > 0)
		client_send_tagline(cmd, "NO [EXPUNGEISSUED] "
				    "Some of the requested messages no longer exist.");
	else
		client_send_tagline(cmd, "OK Fetch completed.");
	return true;
}

/* UID FETCH set (CHANGEDSINCE n VANISHED): "* VANISHED (EARLIER)" of the
   set's UIDs expunged after n, before the FETCHes (RFC 7162 3.2.6). The
   set is parsed again as UIDs: the seqs only have what still exists. */
static int cmd_fetch_send_vanished(struct client_command *cmd, const char *set)
{
	struct client *client = cmd->client;
	struct seq_range_array uids = SEQ_RANGE_ARRAY_INIT;
	uint32_t count = mailbox_get_messages_count(client->box);
	uint64_t changedsince;
	const char *error;

	if (!imap_fetch_get_vanished(cmd->context, &changedsince))
		return 0;
	uids.pool = cmd->pool;
	/* "*" is the highest UID; already checked by imap_cmd_parse_seqset() */
	if (imap_seqset_parse(set, strlen(set), count == 0 ? 0 :
			      mailbox_seq_to_uid(client->box, count),
			      &uids, &error) < 0)
		return 0;
	return imap_qresync_send_vanished(client, changedsince, &uids, 0);
}

bool cmd_fetch(struct client_command *cmd)
{
	struct seq_range_array seqs;
	const char *set, *error;

	set = imap_arg_as_string(&cmd->args[0]);
	if (set == NULL || cmd->args[0].type != IMAP_ARG_ATOM ||
	    IMAP_ARG_IS_EOL(&cmd->args[1])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (imap_cmd_parse_seqset(cmd, set, &seqs) < 0)
		return true;
	cmd->context = imap_fetch_init(cmd, &cmd->args[1], &seqs, &error);
	if (cmd->context == NULL) {
		client_send_command_error(cmd, error);
		return true;
	}
	if (cmd_fetch_send_vanished(cmd, set) < 0) {
		struct imap_fetch *fetch = cmd->context;

		(void)imap_fetch_deinit(&fetch);
		client_send_storage_error(cmd);
		return true;
	}
	cmd->func = cmd_fetch_continue;
	return cmd_fetch_continue(cmd);
}
