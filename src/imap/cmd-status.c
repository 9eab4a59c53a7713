/* Copyright (c) dovecot-like authors. STATUS (RFC 3501 6.3.10): counters of
   a mailbox without selecting it. The selected mailbox answers from its own
   view (what the client was told), any other is opened read-only. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-quote.h"

#include <strings.h>

enum status_items {
	STATUS_MESSAGES = 0x01,
	STATUS_RECENT = 0x02,
	STATUS_UIDNEXT = 0x04,
	STATUS_UIDVALIDITY = 0x08,
	STATUS_UNSEEN = 0x10,
	STATUS_HIGHESTMODSEQ = 0x20,
};

static const struct {
	const char *name;
	enum status_items item;
} status_item_names[] = {
	{ "MESSAGES", STATUS_MESSAGES },
	{ "RECENT", STATUS_RECENT },
	{ "UIDNEXT", STATUS_UIDNEXT },
	{ "UIDVALIDITY", STATUS_UIDVALIDITY },
	{ "UNSEEN", STATUS_UNSEEN },
	{ "HIGHESTMODSEQ", STATUS_HIGHESTMODSEQ },
};

/* The item list. false after sending BAD (Dovecot's texts). */
static bool status_parse_items(struct client_command *cmd,
			       const struct imap_arg *list, unsigned int count,
			       enum status_items *items_r)
{
	const char *item;
	unsigned int i, j;

	*items_r = 0;
	if (count == 0) {
		client_send_command_error(cmd, "Empty status list.");
		return false;
	}
	for (i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&list[i], &item)) {
			client_send_command_error(cmd,
				"Status list contains non-atoms.");
			return false;
		}
		for (j = 0; j < N_ELEMENTS(status_item_names); j++) {
			if (strcasecmp(item, status_item_names[j].name) == 0)
				break;
		}
		if (j == N_ELEMENTS(status_item_names)) {
			/* SIZE, APPENDLIMIT, ...: later */
			client_send_command_error(cmd, tmp_strconcat(
				"Invalid status item ", item, NULL));
			return false;
		}
		*items_r |= status_item_names[j].item;
	}
	return true;
}

/* "* STATUS name (...)" with the items in Dovecot's fixed order. */
static void status_send(struct client *client, const char *name,
			enum status_items items, const struct mailbox_status *st)
{
	struct str *line = t_str_new(128), *values = t_str_new(96);

	if ((items & STATUS_MESSAGES) != 0)
		str_printfa(values, "MESSAGES %u ", st->messages);
	if ((items & STATUS_RECENT) != 0)
		str_printfa(values, "RECENT %u ", st->recent);
	if ((items & STATUS_UIDNEXT) != 0)
		str_printfa(values, "UIDNEXT %u ", st->uidnext);
	if ((items & STATUS_UIDVALIDITY) != 0)
		str_printfa(values, "UIDVALIDITY %u ", st->uidvalidity);
	if ((items & STATUS_UNSEEN) != 0)
		str_printfa(values, "UNSEEN %u ", st->unseen);
	if ((items & STATUS_HIGHESTMODSEQ) != 0) {
		/* RFC 7162 3.1.5: 0 for a NOMODSEQ mailbox */
		str_printfa(values, "HIGHESTMODSEQ %llu ",
			    (unsigned long long)st->highest_modseq);
	}
	str_truncate(values, str_len(values) - 1);	/* the last space */
	str_append(line, "* STATUS ");
	imap_append_astring(line, name);
	str_append(line, " (");
	str_append_str(line, values);
	str_append_c(line, ')');
	client_send_line(client, str_c(line));
}

bool cmd_status(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *list;
	struct mailbox_status st;
	enum mail_storage_error error;
	enum status_items items;
	const char *name, *storage_name, *error_str;
	struct mailbox *box;
	unsigned int count;

	if (imap_arg_as_string(&cmd->args[0]) == NULL ||
	    !imap_arg_get_list(&cmd->args[1], &list, &count) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		imap_mailbox_args_error(cmd, 2);
		return true;
	}
	if (!status_parse_items(cmd, list, count, &items))
		return true;
	if (!imap_mailbox_name_arg(cmd, &cmd->args[0], &name, &storage_name))
		return true;
	if ((items & STATUS_HIGHESTMODSEQ) != 0)
		client_enable_condstore(client);	/* RFC 7162 3.1 */

	if (client->box != NULL &&
	    strcmp(mailbox_get_name(client->box), storage_name) == 0) {
		mailbox_get_status(client->box, &st);
	} else {
		if (mailbox_open(client->user, storage_name,
				 MAILBOX_FLAG_READONLY, &box, &error,
				 &error_str) < 0) {
			client_send_tagline(cmd, client_mailbox_error_reply(
				name, error, error_str, false));
			return true;
		}
		mailbox_get_status(box, &st);
		mailbox_close(&box);
	}
	status_send(client, name, items, &st);
	client_send_tagline(cmd, "OK Status completed.");
	return true;
}
