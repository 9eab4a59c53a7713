/* Copyright (c) dovecot-like authors. STORE and UID STORE (RFC 3501 6.4.6,
   6.4.8): change system flags and report the result unless .SILENT. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-flags.h"
#include "imap-sync.h"

static int store_parse_item(const char *item, enum modify_type *type_r,
			    bool *silent_r)
{
	const char *p = item;

	*type_r = MODIFY_REPLACE;
	if (*p == '+') {
		*type_r = MODIFY_ADD;
		p++;
	} else if (*p == '-') {
		*type_r = MODIFY_REMOVE;
		p++;
	}
	if (strcasecmp(p, "FLAGS") == 0)
		*silent_r = false;
	else if (strcasecmp(p, "FLAGS.SILENT") == 0)
		*silent_r = true;
	else
		return -1;
	return 0;
}

bool cmd_store(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct seq_range_array seqs;
	const struct seq_range *ranges;
	enum modify_type type;
	enum mail_flags flags;
	struct mail_keywords keywords;
	const char *const *keyword_names;
	const char *set, *item, *error, *str;
	unsigned int i, n;
	bool silent, failed = false, expunged = false;
	struct str *line;
	uint32_t seq;

	set = imap_arg_as_string(&cmd->args[0]);
	if (set == NULL || cmd->args[0].type != IMAP_ARG_ATOM ||
	    !imap_arg_get_atom(&cmd->args[1], &item) ||
	    IMAP_ARG_IS_EOL(&cmd->args[2])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (store_parse_item(item, &type, &silent) < 0) {
		client_send_command_error(cmd, tmp_strconcat(
			"Invalid STORE parameter ", item, NULL));
		return true;
	}
	if (imap_parse_flags(&cmd->args[2], &flags, &keyword_names, &error) < 0) {
		client_send_command_error(cmd, error);
		return true;
	}
	if (imap_cmd_parse_seqset(cmd, set, &seqs) < 0)
		return true;
	if (client->box_readonly) {
		client_send_tagline(cmd, "NO Mailbox is read-only.");
		return true;
	}
	/* removing a keyword the mailbox doesn't have is a no-op */
	if (mailbox_keywords_create(client->box, keyword_names,
				    str_array_length(keyword_names),
				    type != MODIFY_REMOVE, &keywords) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	imap_send_mailbox_flags_if_changed(client);

	ranges = seq_range_array_get(&seqs, &n);
	for (i = 0; i < n && !failed; i++) {
		for (seq = ranges[i].seq1; seq <= ranges[i].seq2; seq++) {
			enum mail_flags old = mail_get_flags(client->box, seq);

			if (mail_update_flags(client->box, seq, type, flags,
					      &keywords) < 0) {
				enum mail_storage_error err =
					mailbox_get_last_error(client->box, &str);
				if (err == MAIL_ERROR_EXPUNGED ||
				    err == MAIL_ERROR_NOTFOUND) {
					expunged = true;
					continue;
				}
				log_error("STORE failed: %s",
					  str == NULL ? "unknown error" : str);
				failed = true;
				break;
			}
			enum mail_flags new_flags = mail_get_flags(client->box, seq);
			if ((new_flags & MAIL_DELETED) != 0 && (old & MAIL_DELETED) == 0)
				client->stats.deleted++;
			if (silent)
				continue;
			line = t_str_new(128);
			str_printfa(line, "* %u FETCH (", seq);
			if (cmd->uid)
				str_printfa(line, "UID %u ",
					    mailbox_seq_to_uid(client->box, seq));
			str_append(line, "FLAGS ");
			imap_write_flags(line, new_flags, client->box,
					 mail_get_keywords(client->box, seq));
			str_append_c(line, ')');
			client_send_line(client, str_c(line));
		}
	}
	/* once for the whole command (mbox_lazy_writes = no: one rewrite) */
	if (mailbox_changes_commit(client->box) < 0) {
		log_error("STORE: writing the flag changes failed");
		failed = true;
	}
	if (!failed && cmd->uid && imap_sync(client, true) < 0)
		failed = true;
	if (failed)
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
	else if (expunged)
		client_send_tagline(cmd, "NO [EXPUNGEISSUED] "
				    "Some of the requested messages no longer exist.");
	else
		client_send_tagline(cmd, "OK Store completed.");
	return true;
}
