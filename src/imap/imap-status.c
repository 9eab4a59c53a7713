/* Copyright (c) dovecot-like authors. STATUS items: the item list parser,
   the counters of a mailbox (the selected one from its own view, any other
   opened read-only) and the "* STATUS" line. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "imap-quote.h"
#include "imap-status.h"
#include "imap-objectid.h"
#include "str.h"

#include <strings.h>

static const struct {
	const char *name;
	enum imap_status_items item;
} status_item_names[] = {
	{ "MESSAGES", IMAP_STATUS_MESSAGES },
	{ "RECENT", IMAP_STATUS_RECENT },
	{ "UIDNEXT", IMAP_STATUS_UIDNEXT },
	{ "UIDVALIDITY", IMAP_STATUS_UIDVALIDITY },
	{ "UNSEEN", IMAP_STATUS_UNSEEN },
	{ "HIGHESTMODSEQ", IMAP_STATUS_HIGHESTMODSEQ },
	{ "SIZE", IMAP_STATUS_SIZE },
	/* RFC 9051 6.3.11; a plain STATUS item, for IMAP4rev1 too */
	{ "DELETED", IMAP_STATUS_DELETED },
	{ "MAILBOXID", IMAP_STATUS_MAILBOXID },	/* RFC 8474 4.2 */
};

bool imap_status_parse_items(struct client_command *cmd,
			     const struct imap_arg *list, unsigned int count,
			     enum imap_status_items *items_r)
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
			client_send_command_error(cmd, tmp_strconcat(
				"Invalid status item ", item, NULL));
			return false;
		}
		*items_r |= status_item_names[j].item;
	}
	return true;
}

/* RFC 8438: the sum of the messages' RFC822.SIZE. -1 if one can't be read. */
static int status_get_size(struct mailbox *box, uint32_t messages,
			   uint64_t *size_r)
{
	uoff_t size;
	uint32_t seq;

	*size_r = 0;
	for (seq = 1; seq <= messages; seq++) {
		if (mail_get_virtual_size(box, seq, &size) < 0)
			return -1;
		*size_r += size;
	}
	return 0;
}

static int status_get_box(struct mailbox *box, enum imap_status_items items,
			  struct imap_status_result *result_r,
			  enum mail_storage_error *error_r,
			  const char **error_str_r)
{
	mailbox_get_status(box, &result_r->st);
	result_r->size = 0;
	result_r->mailboxid = (items & IMAP_STATUS_MAILBOXID) == 0 ? NULL :
		imap_objectid_mailboxid_code(box);
	if ((items & IMAP_STATUS_SIZE) != 0 &&
	    status_get_size(box, result_r->st.messages, &result_r->size) < 0) {
		*error_r = MAIL_ERROR_TEMP;
		*error_str_r = "Reading message sizes failed";
		return -1;
	}
	return 0;
}

int imap_status_get(struct client *client, const char *vname,
		    const char *storage_name,
		    enum imap_status_items items,
		    struct imap_status_result *result_r, bool *selected_r,
		    enum mail_storage_error *error_r, const char **error_str_r)
{
	struct mailbox *box;
	int ret;

	/* the same mailbox through another namespace is not the selected
	   one for the client (as Dovecot) */
	*selected_r = client->box != NULL &&
		strcmp(mailbox_get_name(client->box), storage_name) == 0 &&
		mail_namespaces_find(imap_mailbox_names_get(), vname) ==
		client->box_ns;
	if (*selected_r) {
		return status_get_box(client->box, items, result_r,
				      error_r, error_str_r);
	}
	if (mailbox_open(client->user, storage_name, MAILBOX_FLAG_READONLY |
			 MAILBOX_FLAG_NO_RECENT |
			 imap_mailbox_name_auto_flags(vname, storage_name),
			 &box, error_r, error_str_r) < 0)
		return -1;
	ret = status_get_box(box, items, result_r, error_r, error_str_r);
	mailbox_close(&box);
	return ret;
}

void imap_status_send(struct client *client, const char *name,
		      enum imap_status_items items,
		      const struct imap_status_result *result)
{
	const struct mailbox_status *st = &result->st;
	struct str *line = t_str_new(128), *values = t_str_new(96);

	if ((items & IMAP_STATUS_MESSAGES) != 0)
		str_printfa(values, "MESSAGES %u ", st->messages);
	if ((items & IMAP_STATUS_RECENT) != 0)
		str_printfa(values, "RECENT %u ", st->recent);
	if ((items & IMAP_STATUS_UIDNEXT) != 0)
		str_printfa(values, "UIDNEXT %u ", st->uidnext);
	if ((items & IMAP_STATUS_UIDVALIDITY) != 0)
		str_printfa(values, "UIDVALIDITY %u ", st->uidvalidity);
	if ((items & IMAP_STATUS_UNSEEN) != 0)
		str_printfa(values, "UNSEEN %u ", st->unseen);
	if ((items & IMAP_STATUS_DELETED) != 0)
		str_printfa(values, "DELETED %u ", result->st.deleted);
	if ((items & IMAP_STATUS_HIGHESTMODSEQ) != 0) {
		/* RFC 7162 3.1.5: 0 for a NOMODSEQ mailbox */
		str_printfa(values, "HIGHESTMODSEQ %llu ",
			    (unsigned long long)st->highest_modseq);
	}
	if ((items & IMAP_STATUS_SIZE) != 0) {
		str_printfa(values, "SIZE %llu ",
			    (unsigned long long)result->size);
	}
	if (result->mailboxid != NULL)
		str_printfa(values, "%s ", result->mailboxid);
	str_truncate(values, str_len(values) - 1);	/* the last space */
	str_append(line, "* STATUS ");
	imap_mailbox_name_append(line, name);
	str_append(line, " (");
	str_append_str(line, values);
	str_append_c(line, ')');
	client_send_line(client, str_c(line));
}
