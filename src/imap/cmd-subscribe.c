/* Copyright (c) dovecot-like authors. SUBSCRIBE and UNSUBSCRIBE (RFC 3501
   6.3.6-7). As Dovecot: only an existing mailbox can be subscribed;
   unsubscribing a name that isn't subscribed is OK; DELETE and RENAME
   leave subscriptions alone (RFC 3501 6.3.6). A namespace with
   subscriptions = no has its subscriptions kept by its parent's. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "mail-namespace-auto.h"

/* 1 if storage_name is an existing selectable mailbox (or a missing auto
   mailbox of name's namespace, listed as existing: mail-namespace-auto.h),
   0 if not, -1 (logged). Only a selectable mailbox: Dovecot's Maildir++
   refuses a parent that exists only through its children, too. */
static int subscribe_mailbox_exists(struct client_command *cmd,
				    const char *name, const char *storage_name)
{
	const struct mail_namespace *ns =
		mail_namespaces_find(imap_mailbox_names_get(), name);
	const char *error;
	int ret;

	ret = mail_user_mailbox_exists(cmd->client->user, storage_name, &error);
	if (ret < 0) {
		log_error("Looking up mailbox %s failed: %s", storage_name,
			  error);
		return -1;
	}
	if (ret > 0)
		return 1;
	return ns != NULL && mail_namespace_has_auto(ns, storage_name) ? 1 : 0;
}

/* The name the subscriptions file holds for the client's name: its
   storage name, or for a namespace with subscriptions = no its name in
   the file of the namespace keeping its subscriptions, in Dovecot's form
   (mail_namespace_subscription_name()). NULL if no namespace keeps them. */
static const char *subscribe_file_name(const char *name,
				       const char *storage_name)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	const struct mail_namespace *ns = mail_namespaces_find(nss, name);

	if (ns == NULL || ns->subscriptions)
		return storage_name;
	if (mail_namespace_subscriptions_parent(nss, ns) == NULL)
		return NULL;
	return mail_namespace_subscription_name(ns, storage_name);
}

static bool cmd_subscribe_full(struct client_command *cmd, bool subscribe)
{
	const char *name, *storage_name, *file_name, *error;
	bool trailing_sep;
	int ret;

	if (!imap_mailbox_name_only_arg(cmd, &name, &storage_name, &trailing_sep))
		return true;
	if (trailing_sep && (imap_set.workarounds &
			     IMAP_WORKAROUND_TB_EXTRA_MAILBOX_SEP) == 0) {
		/* Dovecot's replies for "foo." without tb-extra-mailbox-sep
		   (SUBSCRIBE names the mailbox with a '/' separator kept,
		   a '.' dropped) */
		client_send_tagline(cmd, subscribe ? tmp_strconcat(
			"NO Mailbox doesn't exist: ", name,
			imap_mailbox_name_separator(name) == '/' ? "/" : "",
			NULL) :
			"NO [CANNOT] Invalid mailbox name: "
			"Ends with hierarchy separator");
		return true;
	}
	file_name = subscribe_file_name(name, storage_name);
	if (file_name == NULL) {
		/* Dovecot's replies: nothing to unsubscribe from */
		client_send_tagline(cmd, subscribe ?
			"NO [CANNOT] This namespace has no subscriptions" :
			"OK Unsubscribe completed.");
		return true;
	}
	if (subscribe) {
		ret = subscribe_mailbox_exists(cmd, name, storage_name);
		if (ret < 0) {
			client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
			return true;
		}
		if (ret == 0) {
			/* Dovecot's text, without a response code */
			client_send_tagline(cmd, tmp_strconcat(
				"NO Mailbox doesn't exist: ", name, NULL));
			return true;
		}
	}
	if (mail_user_set_subscribed(cmd->client->user, file_name,
				     subscribe, &error) < 0) {
		log_error("%s %s failed: %s", subscribe ? "SUBSCRIBE" :
			  "UNSUBSCRIBE", file_name, error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	client_send_tagline(cmd, subscribe ? "OK Subscribe completed." :
			    "OK Unsubscribe completed.");
	return true;
}

bool cmd_subscribe(struct client_command *cmd)
{
	return cmd_subscribe_full(cmd, true);
}

bool cmd_unsubscribe(struct client_command *cmd)
{
	return cmd_subscribe_full(cmd, false);
}
