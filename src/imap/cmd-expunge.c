/* Copyright (c) dovecot-like authors. EXPUNGE (RFC 3501 6.4.3) and UID
   EXPUNGE (RFC 4315 2.1): remove \Deleted messages, reporting each. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"

bool cmd_expunge(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct seq_range_array seqs;
	ARRAY_TYPE(uint32) uids;
	ARRAY_TYPE(mailbox_expunged) expunged;
	const struct seq_range *ranges;
	unsigned int i, n;
	const char *set = NULL;
	uint32_t seq;

	if (cmd->uid) {
		set = imap_arg_as_string(&cmd->args[0]);
		if (set == NULL || !IMAP_ARG_IS_EOL(&cmd->args[1])) {
			client_send_command_error(cmd, "Invalid arguments.");
			return true;
		}
	} else if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (client->box_readonly) {
		client_send_tagline(cmd, "NO Mailbox is read-only.");
		return true;
	}
	/* report others' changes first so our seqs match the client's */
	if (imap_sync(client, true) < 0) {
		client_send_storage_error(cmd);
		return true;
	}

	memset(&uids, 0, sizeof(uids));
	if (cmd->uid) {
		if (imap_cmd_parse_seqset(cmd, set, &seqs) < 0)
			return true;
		array_init(&uids, cmd->pool, 16);
		ranges = seq_range_array_get(&seqs, &n);
		for (i = 0; i < n; i++) {
			for (seq = ranges[i].seq1; seq <= ranges[i].seq2; seq++) {
				uint32_t uid = mailbox_seq_to_uid(client->box, seq);
				array_append(&uids, &uid);
			}
		}
		if (array_count(&uids) == 0) {
			client_send_tagline(cmd, "OK Expunge completed.");
			return true;
		}
	}

	memset(&expunged, 0, sizeof(expunged));
	if (mailbox_expunge_deleted(client->box, cmd->pool,
				    cmd->uid ? &uids : NULL, &expunged) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	client->stats.expunged += array_count(&expunged);
	imap_sync_send_expunges(client, &expunged);
	client_send_tagline(cmd, imap_sync_expunge_reply(
		client, array_count(&expunged), "Expunge completed."));
	return true;
}
