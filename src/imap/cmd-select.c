/* Copyright (c) dovecot-like authors. SELECT and EXAMINE (RFC 3501 6.3.1-2,
   RFC 9051 6.3.2): open a mailbox and tell the client its state. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-flags.h"
#include "imap-mailbox-name.h"
#include "imap-list-reply.h"
#include "mail-namespace.h"
#include "imap-qresync.h"
#include "imap-sync.h"
#include "imap-objectid.h"

#include <strings.h>

struct select_params {
	bool condstore, qresync;
	struct imap_qresync_args qresync_args;
};

/* The optional select parameters (RFC 4466 2.1): (CONDSTORE) RFC 7162
   3.1.8, (QRESYNC (...)) 3.2.5. false with a client-safe *error_r. */
static bool select_parse_params(struct client_command *cmd,
				const struct imap_arg *arg,
				struct select_params *params_r,
				const char **error_r)
{
	const struct imap_arg *list;
	const char *str;
	unsigned int i, count;

	memset(params_r, 0, sizeof(*params_r));
	*error_r = "Invalid arguments.";
	if (IMAP_ARG_IS_EOL(arg))
		return true;
	if (!imap_arg_get_list(arg, &list, &count) || !IMAP_ARG_IS_EOL(&arg[1]))
		return false;
	for (i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&list[i], &str))
			return false;
		if (strcasecmp(str, "CONDSTORE") == 0) {
			params_r->condstore = true;
			continue;
		}
		if (strcasecmp(str, "QRESYNC") != 0)
			return false;
		/* RFC 7162 3.2.5: only after ENABLE QRESYNC */
		if (!cmd->client->qresync_enabled) {
			*error_r = "QRESYNC not enabled";
			return false;
		}
		if (!imap_qresync_parse(i + 1 < count ? &list[i + 1] : &list[i],
					cmd->pool, &params_r->qresync_args,
					error_r))
			return false;
		params_r->qresync = true;
		i++;
	}
	return true;
}

/* RFC 9051 6.3.2: an IMAP4rev2 client gets "* LIST (attrs) sep name" for
   the selected mailbox; attrs: its special-use (what a plain LIST shows of
   a selectable mailbox besides the optional child info). The name as the
   client gave it, INBOX in upper case (RFC 9051 5.1). */
static void select_send_list(struct client *client, const char *name,
			     const char *storage_name)
{
	const struct mail_namespace *ns = client->box_ns;
	enum mail_special_use special;
	struct imap_mailbox_client_name cname;

	special = ns == NULL ? 0 :
		mail_namespace_get_special_use(ns, storage_name);
	/* in the client's form, as LIST writes names (RFC 6855 3) */
	imap_mailbox_name_client_form(imap_mailbox_name_from_client(
		strcasecmp(name, "INBOX") == 0 ? "INBOX" : name), &cname);
	imap_list_reply_send(client, "LIST",
			     special == 0 ? "" : mail_special_use_to_str(special),
			     ns == NULL ? '/' : ns->separator, &cname, false);
}

/* The rest of a QRESYNC resync's FETCHes, then the tagged reply. */
static bool cmd_select_qresync_more(struct client_command *cmd)
{
	struct client *client = cmd->client;

	if (!imap_qresync_select_more(cmd->context))
		return false;
	client_send_tagline(cmd, client->box_readonly ?
			    "OK [READ-ONLY] Examine completed." :
			    "OK [READ-WRITE] Select completed.");
	return true;
}

static bool cmd_select_full(struct client_command *cmd, bool readonly)
{
	struct client *client = cmd->client;
	struct mailbox_status status;
	enum mail_storage_error error;
	const char *name, *storage_name, *error_str, *param_error, *code;
	struct mailbox *box;
	struct select_params params;
	struct imap_qresync_select *qctx = NULL;
	bool params_ok;

	name = imap_arg_as_string(&cmd->args[0]);
	if (name == NULL) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	params_ok = select_parse_params(cmd, &cmd->args[1], &params,
					&param_error);
	storage_name = imap_mailbox_name_to_storage(name, &error_str);

	if (client->box != NULL) {
		/* RFC 3501 6.3.1: the old mailbox is closed without expunging,
		   even if the new SELECT fails. RFC 9051/7162: say so. (As
		   Dovecot, a bad parameter closes it too.) */
		client_close_mailbox(client);
		client_send_line(client, "* OK [CLOSED] Previous mailbox closed.");
	}
	if (!params_ok) {
		client_send_command_error(cmd, param_error);
		return true;
	}

	if (storage_name == NULL) {
		/* after the close above, as for any failed SELECT */
		client_send_tagline(cmd, tmp_strconcat("NO ", error_str, NULL));
		return true;
	}
	if (mailbox_open(client->user, storage_name,
			 (readonly ? MAILBOX_FLAG_READONLY : 0) |
			 imap_mailbox_name_auto_flags(name, storage_name),
			 &box, &error, &error_str) < 0) {
		client_send_tagline(cmd, client_mailbox_error_reply(
			name, error, error_str, false));
		return true;
	}
	if (params.condstore)
		client_enable_condstore(client);	/* before box is set */
	client->box = box;
	client->box_ns = mail_namespaces_find(imap_mailbox_names_get(), name);
	client->box_readonly = readonly;
	mailbox_get_status(box, &status);
	client->messages_count = status.messages;

	imap_send_mailbox_flags(client);
	client_send_line(client, tmp_printf("* %u EXISTS", status.messages));
	imap_sync_send_recent(client, status.recent);
	/* RFC 9051 7.1: IMAP4rev2 has no UNSEEN response code (Appendix E) */
	if (status.first_unseen_seq != 0 && !client->imap4rev2_enabled) {
		client_send_line(client, tmp_printf("* OK [UNSEEN %u] First unseen.",
						    status.first_unseen_seq));
	}
	client_send_line(client, tmp_printf("* OK [UIDVALIDITY %u] UIDs valid",
					    status.uidvalidity));
	client_send_line(client, tmp_printf("* OK [UIDNEXT %u] Predicted next UID",
					    status.uidnext));
	if (client->imap4rev2_enabled)
		select_send_list(client, name, storage_name);
	if (client->condstore_enabled)
		client_send_highestmodseq(client);
	/* RFC 8474 4.2 (after HIGHESTMODSEQ, as Cyrus orders them) */
	if ((code = imap_objectid_mailboxid_code(box)) != NULL)
		client_send_line(client, tmp_printf("* OK [%s] Ok", code));
	if (params.qresync &&
	    imap_qresync_select_begin(cmd, &params.qresync_args, &qctx) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	if (qctx != NULL) {
		cmd->context = qctx;
		cmd->func = cmd_select_qresync_more;
		return cmd_select_qresync_more(cmd);
	}
	client_send_tagline(cmd, readonly ?
			    "OK [READ-ONLY] Examine completed." :
			    "OK [READ-WRITE] Select completed.");
	return true;
}

bool cmd_select(struct client_command *cmd)
{
	return cmd_select_full(cmd, false);
}

bool cmd_examine(struct client_command *cmd)
{
	return cmd_select_full(cmd, true);
}
