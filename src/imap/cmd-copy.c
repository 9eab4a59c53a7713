/* Copyright (c) dovecot-like authors. COPY and UID COPY (RFC 3501 6.4.7),
   MOVE and UID MOVE (RFC 6851), with COPYUID (RFC 4315): the messages go
   into the target in one storage transaction, all or none. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-sync.h"
#include "mail-namespace.h"

struct cmd_copy_result {
	ARRAY_TYPE(uint32) src_uids;
	struct mail_transaction_commit_result commit;
};

/* The target's error as a tagged NO; a source message that vanished
   meanwhile is NOTFOUND there and EXPUNGEISSUED here. */
static void cmd_copy_send_error(struct client_command *cmd, struct mailbox *box)
{
	const char *str;
	enum mail_storage_error error = mailbox_get_last_error(box, &str);

	if (error == MAIL_ERROR_NOTFOUND)
		error = MAIL_ERROR_EXPUNGED;
	client_send_tagline(cmd, client_storage_error_reply(error, str));
}

/* Copies every message of seqs into dest. 0, or -1 with the tagged NO
   sent (nothing became visible). */
static int cmd_copy_messages(struct client_command *cmd, struct mailbox *dest,
			     const struct seq_range_array *seqs,
			     struct cmd_copy_result *result_r)
{
	struct mailbox *src = cmd->client->box;
	struct mailbox_transaction *t;
	const struct seq_range *ranges;
	unsigned int i, count;
	uint32_t seq, uid;

	array_init(&result_r->src_uids, cmd->pool, 16);
	t = mailbox_transaction_begin(dest);
	ranges = seq_range_array_get(seqs, &count);
	for (i = 0; i < count; i++) {
		for (seq = ranges[i].seq1; seq <= ranges[i].seq2; seq++) {
			if (mailbox_copy(t, src, seq) < 0) {
				mailbox_transaction_rollback(&t);
				cmd_copy_send_error(cmd, dest);
				return -1;
			}
			uid = mailbox_seq_to_uid(src, seq);
			array_append(&result_r->src_uids, &uid);
		}
	}
	if (mailbox_transaction_commit(&t, cmd->pool, &result_r->commit) < 0) {
		cmd_copy_send_error(cmd, dest);
		return -1;
	}
	return 0;
}

/* Is dest a \Trash special-use mailbox of any namespace? (Dovecot's
   imap_logout_format %{trashed} counts what is copied or moved there.) */
static bool cmd_copy_dest_is_trash(struct mailbox *dest)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	struct mail_namespace *const *nsp;

	array_foreach(&nss->list, nsp) {
		if ((mail_namespace_get_special_use(*nsp,
				mailbox_get_name(dest)) &
		     MAIL_SPECIAL_USE_TRASH) != 0)
			return true;
	}
	return false;
}

/* "[COPYUID <uidvalidity> <src uids> <dest uids>]" */
static const char *cmd_copy_uid_code(const struct cmd_copy_result *result)
{
	struct str *str = t_str_new(128);
	const uint32_t *uids;
	unsigned int count;

	str_printfa(str, "[COPYUID %u ", result->commit.uidvalidity);
	uids = array_get(&result->src_uids, &count);
	imap_write_uid_list(str, uids, count);
	str_append_c(str, ' ');
	uids = array_get(&result->commit.uids, &count);
	imap_write_uid_list(str, uids, count);
	str_append_c(str, ']');
	return str_c(str);
}

/* RFC 6851 3.3: the COPYUID in an untagged OK, then the expunges. */
static void cmd_move_expunge(struct client_command *cmd,
			     const struct cmd_copy_result *result)
{
	struct client *client = cmd->client;
	ARRAY_TYPE(mailbox_expunged) expunged;

	client_send_line(client, tmp_strconcat("* OK ", cmd_copy_uid_code(result),
					       " Moved UIDs.", NULL));
	memset(&expunged, 0, sizeof(expunged));
	if (mailbox_expunge_uids(client->box, cmd->pool, &result->src_uids,
				 &expunged) < 0) {
		/* the copies exist; the originals that stayed are reported
		   by the next sync */
		imap_sync_send_expunges(client, &expunged);
		client_send_storage_error(cmd);
		return;
	}
	client->stats.expunged += array_count(&expunged);
	imap_sync_send_expunges(client, &expunged);
	client_send_tagline(cmd, imap_sync_expunge_reply(
		client, array_count(&expunged), "Move completed."));
}

static bool cmd_copy_full(struct client_command *cmd, bool move)
{
	struct client *client = cmd->client;
	struct seq_range_array seqs;
	struct cmd_copy_result result;
	struct mailbox *dest;
	const char *set, *name, *reply;
	bool into_selected;

	set = imap_arg_as_string(&cmd->args[0]);
	if (set == NULL || cmd->args[0].type != IMAP_ARG_ATOM ||
	    !imap_arg_get_astring(&cmd->args[1], &name) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (move && client->box_readonly) {
		client_send_tagline(cmd, "NO [READ-ONLY] Mailbox is read-only.");
		return true;
	}
	if (imap_cmd_parse_seqset(cmd, set, &seqs) < 0)
		return true;
	if (seq_range_array_count(&seqs) == 0) {
		/* UID COPY of UIDs that no longer exist */
		client_send_tagline(cmd, "OK No messages found.");
		return true;
	}
	if (imap_mailbox_open_target(client, name, 0, &dest, &reply) < 0) {
		client_send_tagline(cmd, reply);
		return true;
	}
	memset(&result, 0, sizeof(result));
	if (cmd_copy_messages(cmd, dest, &seqs, &result) < 0) {
		mailbox_close(&dest);
		return true;
	}
	if (cmd_copy_dest_is_trash(dest))
		client->stats.trashed += array_count(&result.src_uids);
	into_selected = strcmp(mailbox_get_name(dest),
			       mailbox_get_name(client->box)) == 0;
	mailbox_close(&dest);
	if (move) {
		cmd_move_expunge(cmd, &result);
		return true;
	}
	/* a COPY into the selected mailbox syncs at its end (EXISTS, RECENT
	   and RFC 5267 ADDTO before the tagged OK, as Dovecot; RFC 3501
	   7.4.1 allows EXPUNGE during COPY) */
	if (into_selected && imap_sync(client, true) < 0 &&
	    client->disconnected)
		return true;
	client_send_tagline(cmd, tmp_strconcat("OK ", cmd_copy_uid_code(&result),
					       " Copy completed.", NULL));
	return true;
}

bool cmd_copy(struct client_command *cmd)
{
	return cmd_copy_full(cmd, false);
}

bool cmd_move(struct client_command *cmd)
{
	return cmd_copy_full(cmd, true);
}
