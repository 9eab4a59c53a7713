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

/* 1 if storage_name is an existing mailbox (or a missing auto mailbox of
   name's namespace, listed as existing: mail-namespace-auto.h), 0 if not,
   -1 (logged) */
static int subscribe_mailbox_exists(struct client_command *cmd,
				    const char *name, const char *storage_name)
{
	const struct mail_namespace *ns =
		mail_namespaces_find(imap_mailbox_names_get(), name);
	ARRAY_TYPE(string) names, missing;
	const char *const *np, *error;

	if (mail_user_list_mailboxes_auto(cmd->client->user, cmd->pool,
					  &names, &missing, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		return -1;
	}
	array_foreach(&missing, np) {
		if (strcmp(*np, storage_name) == 0)
			return ns != NULL && mail_namespace_has_auto(ns, *np);
	}
	/* only a selectable mailbox: Dovecot's Maildir++ refuses a parent
	   that exists only through its children, too */
	array_foreach(&names, np) {
		if (strcmp(*np, storage_name) == 0)
			return 1;
	}
	return 0;
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

	/* clients that SUBSCRIBE "foo.": as Dovecot, the separator is ignored */
	if (!imap_mailbox_name_only_arg(cmd, &name, &storage_name, &trailing_sep))
		return true;
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
