/* Copyright (c) dovecot-like authors. The post-login command table and the
   sequence-set handling every message command shares. */
#include "imap-common.h"
#include "imap-commands.h"

#include <limits.h>
#include <string.h>

static const struct command imap_commands[] = {
	{ "CAPABILITY", cmd_capability, COMMAND_FLAG_NONE },
	{ "NOOP", cmd_noop, COMMAND_FLAG_IGNORE_ARGS },
	{ "LOGOUT", cmd_logout, COMMAND_FLAG_NONE },
	{ "ID", cmd_id, COMMAND_FLAG_NONE },
	{ "ENABLE", cmd_enable, COMMAND_FLAG_NONE },
	{ "IDLE", cmd_idle, COMMAND_FLAG_NONE },
	{ "COMPRESS", cmd_compress, COMMAND_FLAG_NONE },
	{ "LIST", cmd_list, COMMAND_FLAG_NONE },
	{ "LSUB", cmd_lsub, COMMAND_FLAG_NONE },
	{ "NAMESPACE", cmd_namespace, COMMAND_FLAG_NONE },
	{ "SELECT", cmd_select, COMMAND_FLAG_NONE },
	{ "EXAMINE", cmd_examine, COMMAND_FLAG_NONE },
	{ "CHECK", cmd_check, COMMAND_FLAG_REQUIRES_SELECTED },
	{ "FETCH", cmd_fetch, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID |
	  COMMAND_FLAG_NO_EXPUNGES },
	{ "STORE", cmd_store, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID |
	  COMMAND_FLAG_NO_EXPUNGES },
	{ "EXPUNGE", cmd_expunge, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID },
	{ "CLOSE", cmd_close, COMMAND_FLAG_REQUIRES_SELECTED },
	{ "UNSELECT", cmd_unselect, COMMAND_FLAG_REQUIRES_SELECTED },
	{ "CREATE", cmd_create, COMMAND_FLAG_NONE },
	{ "DELETE", cmd_delete, COMMAND_FLAG_NONE },
	{ "RENAME", cmd_rename, COMMAND_FLAG_NONE },
	{ "SUBSCRIBE", cmd_subscribe, COMMAND_FLAG_NONE },
	{ "UNSUBSCRIBE", cmd_unsubscribe, COMMAND_FLAG_NONE },
	{ "STATUS", cmd_status, COMMAND_FLAG_NONE },
	{ "APPEND", cmd_append, COMMAND_FLAG_LITERAL_SIZE },
	{ "COPY", cmd_copy, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID |
	  COMMAND_FLAG_NO_EXPUNGES },
	{ "SEARCH", cmd_search, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID |
	  COMMAND_FLAG_NO_EXPUNGES },
	{ "SORT", cmd_sort, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID |
	  COMMAND_FLAG_NO_EXPUNGES },
	{ "CANCELUPDATE", cmd_cancelupdate, COMMAND_FLAG_NONE },
	{ "THREAD", cmd_thread, COMMAND_FLAG_REQUIRES_SELECTED |
	  COMMAND_FLAG_UID | COMMAND_FLAG_NO_EXPUNGES },
	{ "MOVE", cmd_move, COMMAND_FLAG_REQUIRES_SELECTED | COMMAND_FLAG_UID },
	/* pre-login commands: RFC 3501 6.2 says BAD once authenticated */
	{ "LOGIN", cmd_already_logged_in, COMMAND_FLAG_NONE },
	{ "AUTHENTICATE", cmd_already_logged_in, COMMAND_FLAG_NONE },
	{ "STARTTLS", cmd_already_logged_in, COMMAND_FLAG_NONE },
};

const struct command *command_find(const char *name)
{
	for (unsigned int i = 0; i < N_ELEMENTS(imap_commands); i++) {
		if (strcasecmp(imap_commands[i].name, name) == 0)
			return &imap_commands[i];
	}
	return NULL;
}

const char *imap_arg_as_string(const struct imap_arg *arg)
{
	const char *str;

	if (!imap_arg_get_astring(arg, &str) || strlen(str) != arg->str_len)
		return NULL;
	return str;
}

static void seqs_add(struct seq_range_array *seqs, uint32_t seq1, uint32_t seq2)
{
	struct seq_range *range;
	unsigned int count;

	if (!array_is_created(&seqs->ranges))
		array_init(&seqs->ranges, seqs->pool, 8);
	count = array_count(&seqs->ranges);
	if (count > 0) {
		range = array_idx_modifiable(&seqs->ranges, count - 1);
		if (range->seq2 + 1 >= seq1) {
			/* UID ranges are sorted, so their seqs are too */
			if (seq2 > range->seq2)
				range->seq2 = seq2;
			return;
		}
	}
	range = array_append_space(&seqs->ranges);
	range->seq1 = seq1;
	range->seq2 = seq2;
}

int imap_cmd_parse_seqset(struct client_command *cmd, const char *set,
			  struct seq_range_array *seqs_r)
{
	struct client *client = cmd->client;
	struct seq_range_array uids;
	const struct seq_range *ranges;
	uint32_t count = client->messages_count, max, seq1, seq2;
	unsigned int i, n;
	const char *error;
	bool saved = false;

	memset(seqs_r, 0, sizeof(*seqs_r));
	seqs_r->pool = cmd->pool;
	/* RFC 5182 2.1: "$" is the saved search result, kept as UIDs. No
	   wait for a SEARCH SAVE in progress is needed (2.4): commands run
	   one at a time, in order. */
	if (strcmp(set, "$") == 0) {
		set = client->search_saved == NULL ? "" :
			str_c(client->search_saved);
		if (*set == '\0' || count == 0)
			return 0;
		saved = true;
	}
	if (!cmd->uid && !saved) {
		/* RFC 3501 9: message numbers beyond the mailbox are an error */
		if (imap_seqset_parse(set, strlen(set), count, seqs_r, &error) < 0 ||
		    seq_range_array_count(seqs_r) == 0) {
			client_send_command_error(cmd, "Invalid messageset");
			return -1;
		}
		ranges = seq_range_array_get(seqs_r, &n);
		if (ranges[n - 1].seq2 > count) {
			client_send_command_error(cmd, "Invalid messageset");
			return -1;
		}
		return 0;
	}

	/* RFC 3501 6.4.8: "*" is the highest UID in use; UIDs that do not
	   exist are ignored. In an empty mailbox nothing matches. */
	max = count == 0 ? UINT32_MAX : mailbox_seq_to_uid(client->box, count);
	memset(&uids, 0, sizeof(uids));
	uids.pool = cmd->pool;
	if (imap_seqset_parse_full(set, strlen(set), max,
				   saved ? UINT_MAX : IMAP_SEQSET_DEFAULT_MAX_RANGES,
				   &uids, &error) < 0) {
		client_send_command_error(cmd, "Invalid uidset");
		return -1;
	}
	if (count == 0)
		return 0;
	ranges = seq_range_array_get(&uids, &n);
	for (i = 0; i < n; i++) {
		seq1 = mailbox_uid_to_seq_floor(client->box, ranges[i].seq1 - 1) + 1;
		seq2 = mailbox_uid_to_seq_floor(client->box, ranges[i].seq2);
		if (seq1 <= seq2 && seq2 <= count)
			seqs_add(seqs_r, seq1, seq2);
	}
	return 0;
}
