/* Copyright (c) dovecot-like authors. LIST (RFC 3501 6.3.8): the
   user's mailboxes matching a reference + pattern, with the hierarchy
   separator, child (RFC 3348) and special-use (RFC 6154) attributes, and
   LIST-EXTENDED (RFC 5258: selection and return options, several
   patterns, \NonExistent, \Subscribed, CHILDINFO) with LIST-STATUS
   (RFC 5819). The arguments are parsed by imap-list-args.c. Storage names
   ('/') are shown through each listed namespace's prefix and separator
   (mail-namespace.h); a namespace with subscriptions = no shows the
   subscriptions its parent keeps for it (imap-list-subs.h). LSUB is
   cmd-lsub.c. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-list-args.h"
#include "imap-list-entries.h"
#include "imap-list-reply.h"
#include "imap-list-subs.h"
#include "imap-match.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "imap-status.h"
#include "mail-namespace.h"
#include "str.h"
#include "mail-namespace-auto.h"

#include <strings.h>

struct list_context {
	struct client_command *cmd;
	const struct imap_list_args *args;
	ARRAY_TYPE(string) patterns;	/* ref + each pattern */
	ARRAY_TYPE(imap_list_entry) mailboxes;	/* all, with missing parents */
	ARRAY_TYPE(string) subs;	/* the subscriptions file's names */
	struct imap_list_subs subs_ns;	/* which of them each ns has */
	/* missing auto mailboxes (listed only through their namespace) */
	ARRAY_TYPE(string) missing_auto;
};

/* INBOX of a namespace with a prefix ("INBOX.") has every other mailbox
   of it as children. */
static bool entry_has_children(const struct mail_namespace *ns,
			       const ARRAY_TYPE(imap_list_entry) *entries,
			       const char *name)
{
	if (ns->prefix_len > 0 && strcmp(name, "INBOX") == 0)
		return true;	/* as Dovecot, even before any child exists */
	return imap_list_entries_has_children(entries, name);
}

/* Does vname (a name in ns, mUTF-7) match one of the patterns? Its
   client form, converted once for matching and writing, in *cname_r.
   (All patterns apply once one shows ns, as in Dovecot.) */
static bool list_match(const struct list_context *ctx,
		       const struct mail_namespace *ns, const char *vname,
		       struct imap_mailbox_client_name *cname_r)
{
	const char *const *pp;

	imap_mailbox_name_client_form(vname, cname_r);
	array_foreach(&ctx->patterns, pp) {
		if (imap_match(*pp, cname_r->name, ns->separator))
			return true;
	}
	return false;
}

/* list_match() of storage_name shown in ns */
static bool list_match_storage(const struct list_context *ctx,
			       const struct mail_namespace *ns,
			       const char *storage_name,
			       struct imap_mailbox_client_name *cname_r)
{
	return list_match(ctx, ns,
			  mail_namespace_from_storage(ns, storage_name),
			  cname_r);
}

/* The prefix without its separator ("Other" for "Other."): the root of
   the namespace's location (its INBOX, as Dovecot lists it), when the
   pattern wants it. */
static bool list_has_non_inbox(const ARRAY_TYPE(imap_list_entry) *entries)
{
	const struct imap_list_entry *e;

	array_foreach(entries, e) {
		if (strcmp(e->name, "INBOX") != 0)
			return true;
	}
	return false;
}

/* Has ns a subscription (storage names)? Its INBOX counts only when ns
   shows it. */
static bool list_ns_has_subs(const struct mail_namespace *ns,
			     const ARRAY_TYPE(string) *ns_subs)
{
	const char *const *np;

	array_foreach(ns_subs, np) {
		if (ns->inbox || strcmp(*np, "INBOX") != 0)
			return true;
	}
	return false;
}

/* The prefix root line: with SUBSCRIBED selection only as a RECURSIVEMATCH
   parent of ns's subscriptions (CHILDINFO), never with SPECIAL-USE
   selection, nor for a list = no namespace. */
static void list_send_prefix(struct list_context *ctx,
			     const struct mail_namespace *ns,
			     const ARRAY_TYPE(string) *ns_subs)
{
	const struct imap_list_args *args = ctx->args;
	struct imap_mailbox_client_name cname;
	const char *name, *attrs;
	bool childinfo = false;

	if (ns->prefix_len == 0 || !ns->list ||
	    (args->select & IMAP_LIST_SELECT_SPECIAL_USE) != 0)
		return;
	if ((args->select & IMAP_LIST_SELECT_SUBSCRIBED) != 0) {
		if ((args->select & IMAP_LIST_SELECT_RECURSIVEMATCH) == 0 ||
		    !list_ns_has_subs(ns, ns_subs))
			return;
		childinfo = true;
	}
	name = tmp_strndup(ns->prefix, ns->prefix_len - 1);
	if ((ns->inbox && strcasecmp(name, "INBOX") == 0) ||
	    !list_match(ctx, ns, name, &cname))
		return;
	attrs = list_has_non_inbox(&ctx->mailboxes) ?
		"\\HasChildren" : "\\HasNoChildren";
	if (args->extended && (args->ret & IMAP_LIST_RETURN_CHILDREN) == 0)
		attrs = "";
	imap_list_reply_send(ctx->cmd->client, "LIST", attrs, ns->separator,
			     &cname, childinfo);
}

/* The attributes of e, in Dovecot's order. */
static const char *list_entry_attrs(struct list_context *ctx,
				    const struct mail_namespace *ns,
				    const struct imap_list_entry *e,
				    enum mail_special_use special)
{
	const struct imap_list_args *args = ctx->args;
	struct str *attrs = t_str_new(64);

	if (e->subscribed)
		str_append(attrs, "\\Subscribed ");
	if (e->noselect)
		str_append(attrs, args->extended ? "\\NonExistent " :
			   "\\Noselect ");
	if (!args->extended || (args->ret & IMAP_LIST_RETURN_CHILDREN) != 0) {
		str_append(attrs, entry_has_children(ns, &ctx->mailboxes,
						     e->name) ?
			   "\\HasChildren " : "\\HasNoChildren ");
	}
	if (special != 0 &&
	    (!args->extended || (args->ret & IMAP_LIST_RETURN_SPECIAL_USE) != 0 ||
	     (args->select & IMAP_LIST_SELECT_SPECIAL_USE) != 0)) {
		str_append(attrs, mail_special_use_to_str(special));
		str_append_c(attrs, ' ');
	}
	if (str_len(attrs) > 0)
		str_truncate(attrs, str_len(attrs) - 1);
	return str_c(attrs);
}

/* RFC 5819: "* STATUS" right after a selectable mailbox's LIST line. */
static void list_send_status(struct list_context *ctx, const char *name,
			     const char *storage_name)
{
	struct imap_status_result result;
	enum mail_storage_error error;
	const char *error_str;
	bool selected;

	if (imap_status_get(ctx->cmd->client, name, storage_name,
			    ctx->args->status_items, &result, &selected,
			    &error, &error_str) < 0) {
		/* gone meanwhile, or unreadable: no STATUS for it */
		if (error != MAIL_ERROR_NOTFOUND)
			log_error("LIST-STATUS %s: %s", storage_name, error_str);
		return;
	}
	imap_status_send(ctx->cmd->client, name, ctx->args->status_items,
			 &result);
}

/* A missing auto mailbox another namespace declares (as Dovecot:
   "INBOX/Sent" of a hidden "INBOX/" namespace over the same storage is
   listed once Sent exists, not before)? A subscription is shown anyway. */
static bool list_entry_foreign_auto(const struct mail_namespace *ns,
				    const struct imap_list_entry *e)
{
	return e->missing_auto && !e->subscribed &&
		!mail_namespace_has_auto(ns, e->name);
}

static void list_send_entries(struct list_context *ctx,
			      const struct mail_namespace *ns,
			      const ARRAY_TYPE(imap_list_entry) *entries)
{
	const struct imap_list_args *args = ctx->args;
	struct imap_mailbox_client_name cname;
	const struct imap_list_entry *e;
	enum mail_special_use special;
	const char *name;

	array_foreach(entries, e) {
		if ((!ns->inbox && strcmp(e->name, "INBOX") == 0) ||
		    list_entry_foreign_auto(ns, e))
			continue;
		name = mail_namespace_from_storage(ns, e->name);
		if (!list_match(ctx, ns, name, &cname))
			continue;
		special = e->noselect ? 0 :
			mail_namespace_get_special_use(ns, e->name);
		if ((args->select & IMAP_LIST_SELECT_SPECIAL_USE) != 0 &&
		    special == 0)
			continue;
		imap_list_reply_send(ctx->cmd->client, "LIST",
				     list_entry_attrs(ctx, ns, e, special),
				     ns->separator, &cname, e->childinfo);
		if ((args->ret & IMAP_LIST_RETURN_STATUS) != 0 && !e->noselect)
			list_send_status(ctx, name, e->name);
	}
}

/* The subscriptions of ns (storage names); empty when nothing keeps
   them or they were not read (no SUBSCRIBED option). */
static void list_ns_subs(struct list_context *ctx,
			 const struct mail_namespace *ns,
			 ARRAY_TYPE(string) *names_r)
{
	if (!array_is_created(&ctx->subs)) {
		array_init(names_r, ctx->cmd->pool, 1);
		return;
	}
	imap_list_subs_ns_names(&ctx->subs_ns,
				imap_list_subs_find(&ctx->subs_ns, ns),
				ctx->cmd->pool, &ctx->subs, names_r);
}

/* RECURSIVEMATCH: the parents of a subscription the patterns don't
   match that they do match get CHILDINFO ("SUBSCRIBED"). */
static void list_add_childinfo_parents(struct list_context *ctx,
				       const struct mail_namespace *ns,
				       ARRAY_TYPE(imap_list_entry) *entries,
				       const char *sub)
{
	struct imap_mailbox_client_name cname;
	const struct imap_list_entry *mbox;
	struct imap_list_entry *e;
	const char *p, *parent;

	if (list_match_storage(ctx, ns, sub, &cname))
		return;
	for (p = strchr(sub, '/'); p != NULL; p = strchr(p + 1, '/')) {
		parent = p_strndup(ctx->cmd->pool, sub, (size_t)(p - sub));
		if (!list_match_storage(ctx, ns, parent, &cname))
			continue;
		mbox = imap_list_entry_find(&ctx->mailboxes, parent);
		e = imap_list_entry_add(entries, parent,
					mbox == NULL || mbox->noselect);
		e->childinfo = true;
		e->missing_auto = mbox != NULL && mbox->missing_auto;
	}
}

/* SUBSCRIBED selection: the subscriptions of ns, \NonExistent where no
   such mailbox is, plus the CHILDINFO parents. */
static void list_subscribed_entries(struct list_context *ctx,
				    const struct mail_namespace *ns,
				    const ARRAY_TYPE(string) *names,
				    ARRAY_TYPE(imap_list_entry) *entries_r)
{
	const struct imap_list_entry *mbox;
	const char *const *np;
	struct imap_list_entry *e;

	array_init(entries_r, ctx->cmd->pool, array_count(names) + 4);
	array_foreach(names, np) {
		mbox = imap_list_entry_find(&ctx->mailboxes, *np);
		e = imap_list_entry_add(entries_r, *np,
					mbox == NULL || mbox->noselect);
		e->subscribed = true;
		e->missing_auto = mbox != NULL && mbox->missing_auto;
		if ((ctx->args->select & IMAP_LIST_SELECT_RECURSIVEMATCH) != 0)
			list_add_childinfo_parents(ctx, ns, entries_r, *np);
	}
	imap_list_entries_sort_unique(entries_r);
}

/* All mailboxes, \Subscribed marked with RETURN (SUBSCRIBED). */
static void list_all_entries(struct list_context *ctx,
			     const ARRAY_TYPE(string) *names,
			     ARRAY_TYPE(imap_list_entry) *entries_r)
{
	const struct imap_list_entry *e;
	struct imap_list_entry *copy;

	if ((ctx->args->ret & IMAP_LIST_RETURN_SUBSCRIBED) == 0) {
		*entries_r = ctx->mailboxes;
		return;
	}
	array_init(entries_r, ctx->cmd->pool, array_count(&ctx->mailboxes));
	array_foreach(&ctx->mailboxes, e) {
		copy = array_append_space(entries_r);
		*copy = *e;
		copy->subscribed = string_array_contains(names, e->name);
	}
}

static void list_send_ns(struct list_context *ctx,
			 const struct mail_namespace *ns)
{
	ARRAY_TYPE(imap_list_entry) entries;
	ARRAY_TYPE(string) ns_subs;

	list_ns_subs(ctx, ns, &ns_subs);
	list_send_prefix(ctx, ns, &ns_subs);
	if ((ctx->args->select & IMAP_LIST_SELECT_SUBSCRIBED) != 0)
		list_subscribed_entries(ctx, ns, &ns_subs, &entries);
	else
		list_all_entries(ctx, &ns_subs, &entries);
	list_send_entries(ctx, ns, &entries);
}

static bool list_ns_visible_any(const struct list_context *ctx,
				const struct mail_namespace *ns)
{
	const char *const *pp;

	array_foreach(&ctx->patterns, pp) {
		if (imap_list_ns_visible(ns, *pp))
			return true;
	}
	return false;
}

static void list_send(struct list_context *ctx,
		      const ARRAY_TYPE(string) *names)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	struct mail_namespace *const *nsp;

	imap_list_entries_build(ctx->cmd->pool, names, &ctx->missing_auto,
				&ctx->mailboxes);
	array_foreach(&nss->list, nsp) {
		if (list_ns_visible_any(ctx, *nsp))
			list_send_ns(ctx, *nsp);
	}
}

/* LIST ref "": the separator of ref's namespace, and its prefix as the
   root name when ref is in a namespace with one ("" otherwise). */
static void list_send_root(struct client_command *cmd, const char *ref)
{
	const struct mail_namespace *ns = *ref == '\0' ? NULL :
		mail_namespaces_find(imap_mailbox_names_get(), ref);
	struct str *line = t_str_new(128);

	if (ns == NULL)
		ns = mail_namespaces_get_inbox(imap_mailbox_names_get());
	str_printfa(line, "* LIST (\\Noselect) \"%c\" ", ns->separator);
	if (ns->prefix_len > 0 && strncmp(ref, ns->prefix, ns->prefix_len) == 0)
		imap_append_astring(line, ns->prefix);
	else
		str_append(line, "\"\"");
	client_send_line(cmd->client, str_c(line));
}

/* The names LIST starts from (ctx->subs too when needed). */
static int list_read_names(struct list_context *ctx,
			   ARRAY_TYPE(string) *names_r, const char **error_r)
{
	struct client_command *cmd = ctx->cmd;
	const struct imap_list_args *args = ctx->args;

	if ((args->select & IMAP_LIST_SELECT_SUBSCRIBED) != 0 ||
	    (args->ret & IMAP_LIST_RETURN_SUBSCRIBED) != 0) {
		if (mail_user_list_subscriptions(cmd->client->user, cmd->pool,
						 &ctx->subs, error_r) < 0)
			return -1;
		imap_list_subs_init(&ctx->subs_ns, cmd->pool,
				    imap_mailbox_names_get());
	}
	return mail_user_list_mailboxes_auto(cmd->client->user, cmd->pool,
					     names_r, &ctx->missing_auto,
					     error_r);
}

bool cmd_list(struct client_command *cmd)
{
	struct imap_list_args args;
	struct list_context ctx;
	const char *error;
	ARRAY_TYPE(string) names;

	if (!imap_list_args_parse(cmd, false, &args))
		return true;
	if (!args.extended && **array_idx(&args.patterns, 0) == '\0') {
		/* RFC 3501 6.3.8: the hierarchy delimiter and root name */
		list_send_root(cmd, args.ref);
		client_send_tagline(cmd, "OK List completed.");
		return true;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	ctx.args = &args;
	if (!imap_list_args_full_patterns(cmd, &args, &ctx.patterns))
		return true;
	if ((args.status_items & IMAP_STATUS_HIGHESTMODSEQ) != 0)
		client_enable_condstore(cmd->client);	/* RFC 7162 3.1 */
	if (list_read_names(&ctx, &names, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	list_send(&ctx, &names);
	client_send_tagline(cmd, "OK List completed.");
	return true;
}
