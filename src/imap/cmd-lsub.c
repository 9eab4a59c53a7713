/* Copyright (c) dovecot-like authors. LSUB (RFC 3501 6.3.9): the
   subscriptions matching a reference + pattern, each shown through every
   namespace it belongs to (imap-list-subs.h), with the unsubscribed
   parents a pattern matches as \Noselect, and the special-use attributes
   Dovecot adds. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-list-args.h"
#include "imap-list-reply.h"
#include "imap-list-subs.h"
#include "imap-match.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "str.h"

/* One "* LSUB" line; storage_name: the subscription's, for its
   special-use attributes. */
static void lsub_send_line(struct client_command *cmd,
			   const struct mail_namespace *ns,
			   const struct imap_mailbox_client_name *cname,
			   const char *storage_name, bool noselect)
{
	struct str *attrs = t_str_new(32);
	enum mail_special_use special =
		mail_namespace_get_special_use(ns, storage_name);

	if (noselect)
		str_append(attrs, "\\Noselect");
	if (special != 0) {
		if (noselect)
			str_append_c(attrs, ' ');
		str_append(attrs, mail_special_use_to_str(special));
	}
	imap_list_reply_send(cmd->client, "LSUB", str_c(attrs), ns->separator,
			     cname, false);
}

/* The client's form of storage_name in ns, false if pattern doesn't
   match it (converted once for both). */
static bool lsub_match(const struct mail_namespace *ns, const char *pattern,
		       const char *storage_name,
		       struct imap_mailbox_client_name *cname_r)
{
	imap_mailbox_name_client_form(
		mail_namespace_from_storage(ns, storage_name), cname_r);
	return imap_match(pattern, cname_r->name, ns->separator);
}

/* RFC 3501 6.3.9: a subscription the pattern doesn't match ("a.b" for
   "%") still shows its unsubscribed parent that it matches, \Noselect. */
static void lsub_send_parents(struct client_command *cmd,
			      const struct mail_namespace *ns,
			      const ARRAY_TYPE(string) *subs,
			      ARRAY_TYPE(string) *sent, const char *storage_name,
			      const char *pattern)
{
	struct imap_mailbox_client_name cname;
	const char *p, *parent;

	for (p = strchr(storage_name, '/'); p != NULL; p = strchr(p + 1, '/')) {
		parent = p_strndup(cmd->pool, storage_name,
				   (size_t)(p - storage_name));
		if (!lsub_match(ns, pattern, parent, &cname) ||
		    string_array_contains(subs, parent) ||
		    string_array_contains(sent, parent))
			continue;
		array_append(sent, &parent);
		lsub_send_line(cmd, ns, &cname, parent, true);
	}
}

/* subs: ns's subscriptions as its storage names; existing: the user's
   mailboxes with tb-lsub-flags (a subscription to none of them is
   \Noselect, as Dovecot), else NULL */
static void lsub_send_ns(struct client_command *cmd,
			 const struct mail_namespace *ns,
			 const ARRAY_TYPE(string) *subs, const char *pattern,
			 const ARRAY_TYPE(string) *existing)
{
	struct imap_mailbox_client_name cname;
	ARRAY_TYPE(string) sent;
	const char *const *np;

	array_init(&sent, cmd->pool, 4);
	array_foreach(subs, np) {
		if (!ns->inbox && strcmp(*np, "INBOX") == 0)
			continue;
		if (lsub_match(ns, pattern, *np, &cname))
			lsub_send_line(cmd, ns, &cname, *np, existing != NULL &&
				       !string_array_contains(existing, *np));
		else
			lsub_send_parents(cmd, ns, subs, &sent, *np, pattern);
	}
}

static void lsub_send(struct client_command *cmd,
		      const ARRAY_TYPE(string) *file_names, const char *pattern)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	const struct imap_list_subs_ns *sns;
	struct imap_list_subs subs;
	ARRAY_TYPE(string) names, existing;
	const char *error;
	bool tb_flags = (imap_set.workarounds &
			 IMAP_WORKAROUND_TB_LSUB_FLAGS) != 0;

	if (tb_flags && mail_user_list_mailboxes(cmd->client->user, cmd->pool,
						 &existing, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		tb_flags = false;
	}

	imap_list_subs_init(&subs, cmd->pool, nss);
	array_foreach(&subs.list, sns) {
		if (!imap_list_ns_visible(sns->ns, pattern) ||
		    sns->parent == NULL)
			continue;
		imap_list_subs_ns_names(&subs, sns, cmd->pool, file_names,
					&names);
		lsub_send_ns(cmd, sns->ns, &names, pattern,
			     tb_flags ? &existing : NULL);
	}
}

bool cmd_lsub(struct client_command *cmd)
{
	struct imap_list_args args;
	ARRAY_TYPE(string) patterns, file_names;
	const char *error;

	if (!imap_list_args_parse(cmd, true, &args) ||
	    !imap_list_args_full_patterns(cmd, &args, &patterns))
		return true;
	if (mail_user_list_subscriptions(cmd->client->user, cmd->pool,
					 &file_names, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	lsub_send(cmd, &file_names, *array_idx(&patterns, 0));
	client_send_tagline(cmd, "OK Lsub completed.");
	return true;
}
