/* Copyright (c) dovecot-like authors. LIST and LSUB (RFC 3501 6.3.8-9): the
   user's mailboxes matching a reference + pattern, with the hierarchy
   separator, child (RFC 3348) and special-use (RFC 6154) attributes, and
   LIST-EXTENDED (RFC 5258: selection and return options, several
   patterns, \NonExistent, \Subscribed, CHILDINFO) with LIST-STATUS
   (RFC 5819). The arguments are parsed by imap-list-args.c. Storage names
   ('/') are shown through each listed namespace's prefix and separator
   (mail-namespace.h); a namespace with subscriptions = no shows the
   subscriptions its parent keeps for it. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-list-args.h"
#include "imap-match.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "imap-status.h"
#include "mail-namespace.h"
#include "str.h"
#include "mail-namespace-auto.h"

#include <strings.h>

/* A name to show: a mailbox, or a parent that only exists because of its
   children (Maildir++ ".a.b" without ".a", an mbox directory), or with
   SUBSCRIBED selection a subscription or a parent of one. */
struct list_entry {
	const char *name;	/* storage name */
	bool noselect;		/* not a mailbox (\Noselect, \NonExistent) */
	bool subscribed;
	bool childinfo;		/* RECURSIVEMATCH: a subscribed descendant */
};
typedef ARRAY(struct list_entry) ARRAY_TYPE(list_entry);

struct list_context {
	struct client_command *cmd;
	const struct imap_list_args *args;
	ARRAY_TYPE(string) patterns;	/* ref + each pattern */
	ARRAY_TYPE(list_entry) mailboxes;	/* all, with missing parents */
	ARRAY_TYPE(string) subs;	/* the subscriptions file's names */
	/* missing auto mailboxes (listed only through their namespace) */
	ARRAY_TYPE(string) missing_auto;
};

/* strcmp order with INBOX first, as the drivers list it */
static int list_entry_cmp(const void *p1, const void *p2)
{
	const struct list_entry *e1 = p1, *e2 = p2;
	bool inbox1 = strcmp(e1->name, "INBOX") == 0;
	bool inbox2 = strcmp(e2->name, "INBOX") == 0;

	if (inbox1 != inbox2)
		return inbox1 ? -1 : 1;
	return strcmp(e1->name, e2->name);
}

static struct list_entry *
list_entry_add(ARRAY_TYPE(list_entry) *entries, const char *name,
	       bool noselect)
{
	struct list_entry *e = array_append_space(entries);

	e->name = name;
	e->noselect = noselect;
	return e;
}

/* Sorts entries and merges the ones of the same name: a real mailbox wins
   over a parent, a subscription over a CHILDINFO parent. */
static void list_entries_sort_unique(ARRAY_TYPE(list_entry) *entries)
{
	struct list_entry *e, *prev;
	unsigned int i, count, dest = 0;

	array_sort(entries, list_entry_cmp);
	e = array_get_modifiable(entries, &count);
	for (i = 0; i < count; i++) {
		if (dest > 0 && strcmp(e[dest - 1].name, e[i].name) == 0) {
			prev = &e[dest - 1];
			prev->noselect = prev->noselect && e[i].noselect;
			prev->subscribed = prev->subscribed || e[i].subscribed;
			prev->childinfo = prev->childinfo || e[i].childinfo;
			continue;
		}
		e[dest++] = e[i];
	}
	if (dest < count)
		array_delete(entries, dest, count - dest);
}

/* names plus their missing parents, sorted, each once. */
static void list_entries_build(struct pool *pool,
			       const ARRAY_TYPE(string) *names,
			       ARRAY_TYPE(list_entry) *entries_r)
{
	const char *const *np, *p;

	array_init(entries_r, pool, array_count(names) + 8);
	array_foreach(names, np) {
		list_entry_add(entries_r, *np, false);
		for (p = strchr(*np, '/'); p != NULL; p = strchr(p + 1, '/')) {
			list_entry_add(entries_r, p_strndup(pool, *np,
				(size_t)(p - *np)), true);
		}
	}
	list_entries_sort_unique(entries_r);
}

static const struct list_entry *
list_entry_find(const ARRAY_TYPE(list_entry) *entries, const char *name)
{
	const struct list_entry *e;

	array_foreach(entries, e) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static bool has_children(const ARRAY_TYPE(list_entry) *entries,
			 const char *name)
{
	const struct list_entry *e;
	size_t len = strlen(name);

	array_foreach(entries, e) {
		if (strncmp(e->name, name, len) == 0 && e->name[len] == '/')
			return true;
	}
	return false;
}

/* INBOX of a namespace with a prefix ("INBOX.") has every other mailbox
   of it as children. */
static bool entry_has_children(const struct mail_namespace *ns,
			       const ARRAY_TYPE(list_entry) *entries,
			       const char *name)
{
	if (ns->prefix_len > 0 && strcmp(name, "INBOX") == 0)
		return true;	/* as Dovecot, even before any child exists */
	return has_children(entries, name);
}

/* Does vname (client name in ns) match one of the patterns? (All of them
   apply once one shows ns, as in Dovecot.) */
static bool list_match(const struct list_context *ctx,
		       const struct mail_namespace *ns, const char *vname)
{
	const char *const *pp;

	array_foreach(&ctx->patterns, pp) {
		if (imap_mailbox_name_match(*pp, vname, ns->separator))
			return true;
	}
	return false;
}

static void list_send_line(struct client_command *cmd,
			   const struct mail_namespace *ns, const char *name,
			   const char *attrs, bool childinfo)
{
	struct str *line = t_str_new(128);

	str_printfa(line, "* LIST (%s) \"%c\" ", attrs, ns->separator);
	imap_mailbox_name_append(line, name);
	if (childinfo)
		str_append(line, " (CHILDINFO (\"SUBSCRIBED\"))");
	client_send_line(cmd->client, str_c(line));
}

/* The prefix without its separator ("Other" for "Other."): the root of
   the namespace's location (its INBOX, as Dovecot lists it), when the
   pattern wants it. */
static bool list_has_non_inbox(const ARRAY_TYPE(list_entry) *entries)
{
	const struct list_entry *e;

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
	    !list_match(ctx, ns, name))
		return;
	attrs = list_has_non_inbox(&ctx->mailboxes) ?
		"\\HasChildren" : "\\HasNoChildren";
	if (args->extended && (args->ret & IMAP_LIST_RETURN_CHILDREN) == 0)
		attrs = "";
	list_send_line(ctx->cmd, ns, name, attrs, childinfo);
}

/* The attributes of e, in Dovecot's order. */
static const char *list_entry_attrs(struct list_context *ctx,
				    const struct mail_namespace *ns,
				    const struct list_entry *e,
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

static void list_send_entries(struct list_context *ctx,
			      const struct mail_namespace *ns,
			      const ARRAY_TYPE(list_entry) *entries)
{
	const struct imap_list_args *args = ctx->args;
	const struct list_entry *e;
	enum mail_special_use special;
	const char *name;

	array_foreach(entries, e) {
		if (!ns->inbox && strcmp(e->name, "INBOX") == 0)
			continue;
		name = mail_namespace_from_storage(ns, e->name);
		if (!list_match(ctx, ns, name))
			continue;
		special = e->noselect ? 0 :
			mail_namespace_get_special_use(ns, e->name);
		if ((args->select & IMAP_LIST_SELECT_SPECIAL_USE) != 0 &&
		    special == 0)
			continue;
		list_send_line(ctx->cmd, ns, name,
			       list_entry_attrs(ctx, ns, e, special),
			       e->childinfo);
		if ((args->ret & IMAP_LIST_RETURN_STATUS) != 0 && !e->noselect)
			list_send_status(ctx, name, e->name);
	}
}

/* Does the subscriptions file name of parent (storage name) stand for a
   mailbox of ns? Then its storage name in ns (tmp), else NULL. parent
   keeps ns's subscriptions (mail_namespace_subscriptions_parent()): the
   names of a subscriptions = no namespace under it are its own, not
   parent's (Dovecot lists "INBOX/foo" of a hidden "INBOX/" namespace only
   through that one). */
static const char *lsub_name_in_ns(const struct mail_namespaces *nss,
				   const struct mail_namespace *ns,
				   const struct mail_namespace *parent,
				   const char *file_name)
{
	struct mail_namespace *const *nsp;

	if (ns != parent)
		return mail_namespace_subscription_to_storage(ns, file_name);
	/* not the names of a subscriptions = no namespace kept here */
	array_foreach(&nss->list, nsp) {
		if (*nsp != ns && !(*nsp)->subscriptions &&
		    mail_namespace_subscriptions_parent(nss, *nsp) == ns &&
		    mail_namespace_subscription_to_storage(*nsp,
							   file_name) != NULL)
			return NULL;
	}
	return file_name;
}

/* The subscriptions of ns, as its storage names, in cmd's pool. */
static void lsub_ns_names(struct client_command *cmd,
			  const struct mail_namespaces *nss,
			  const struct mail_namespace *ns,
			  const struct mail_namespace *parent,
			  const ARRAY_TYPE(string) *subs,
			  ARRAY_TYPE(string) *names_r)
{
	const char *const *np, *name;

	array_init(names_r, cmd->pool, array_count(subs) + 1);
	array_foreach(subs, np) {
		name = lsub_name_in_ns(nss, ns, parent, *np);
		if (name != NULL) {
			name = p_strdup(cmd->pool, name);
			array_append(names_r, &name);
		}
	}
}

/* The subscriptions of ns (storage names); empty when nothing keeps
   them or they were not read (no SUBSCRIBED option). */
static void list_ns_subs(struct list_context *ctx,
			 const struct mail_namespace *ns,
			 ARRAY_TYPE(string) *names_r)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	const struct mail_namespace *parent =
		mail_namespace_subscriptions_parent(nss, ns);

	if (parent == NULL || !array_is_created(&ctx->subs)) {
		array_init(names_r, ctx->cmd->pool, 1);
		return;
	}
	lsub_ns_names(ctx->cmd, nss, ns, parent, &ctx->subs, names_r);
}

/* RECURSIVEMATCH: the parents of a subscription the patterns don't
   match that they do match get CHILDINFO ("SUBSCRIBED"). */
static void list_add_childinfo_parents(struct list_context *ctx,
				       const struct mail_namespace *ns,
				       ARRAY_TYPE(list_entry) *entries,
				       const char *sub)
{
	const struct list_entry *mbox;
	struct list_entry *e;
	const char *p, *parent;

	if (list_match(ctx, ns, mail_namespace_from_storage(ns, sub)))
		return;
	for (p = strchr(sub, '/'); p != NULL; p = strchr(p + 1, '/')) {
		parent = p_strndup(ctx->cmd->pool, sub, (size_t)(p - sub));
		if (!list_match(ctx, ns, mail_namespace_from_storage(ns, parent)))
			continue;
		mbox = list_entry_find(&ctx->mailboxes, parent);
		e = list_entry_add(entries, parent,
				   mbox == NULL || mbox->noselect);
		e->childinfo = true;
	}
}

/* SUBSCRIBED selection: the subscriptions of ns, \NonExistent where no
   such mailbox is, plus the CHILDINFO parents. */
static void list_subscribed_entries(struct list_context *ctx,
				    const struct mail_namespace *ns,
				    const ARRAY_TYPE(string) *names,
				    ARRAY_TYPE(list_entry) *entries_r)
{
	const struct list_entry *mbox;
	const char *const *np;
	struct list_entry *e;

	array_init(entries_r, ctx->cmd->pool, array_count(names) + 4);
	array_foreach(names, np) {
		mbox = list_entry_find(&ctx->mailboxes, *np);
		e = list_entry_add(entries_r, *np,
				   mbox == NULL || mbox->noselect);
		e->subscribed = true;
		if ((ctx->args->select & IMAP_LIST_SELECT_RECURSIVEMATCH) != 0)
			list_add_childinfo_parents(ctx, ns, entries_r, *np);
	}
	list_entries_sort_unique(entries_r);
}

/* All mailboxes, \Subscribed marked with RETURN (SUBSCRIBED). */
static void list_all_entries(struct list_context *ctx,
			     const ARRAY_TYPE(string) *names,
			     ARRAY_TYPE(list_entry) *entries_r)
{
	const struct list_entry *e;
	struct list_entry *copy;

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

/* Without the missing auto mailboxes another namespace declares (as
   Dovecot: "INBOX/Sent" of a hidden "INBOX/" namespace over the same
   storage is listed once Sent exists, not before). */
static void list_drop_foreign_auto(struct list_context *ctx,
				   const struct mail_namespace *ns,
				   ARRAY_TYPE(list_entry) *entries)
{
	ARRAY_TYPE(list_entry) kept;
	const struct list_entry *e;

	if (!array_is_created(&ctx->missing_auto) ||
	    array_count(&ctx->missing_auto) == 0)
		return;
	array_init(&kept, ctx->cmd->pool, array_count(entries));
	array_foreach(entries, e) {
		if (!e->subscribed &&
		    string_array_contains(&ctx->missing_auto, e->name) &&
		    !mail_namespace_has_auto(ns, e->name))
			continue;
		array_append(&kept, e);
	}
	*entries = kept;
}

static void list_send_ns(struct list_context *ctx,
			 const struct mail_namespace *ns)
{
	ARRAY_TYPE(list_entry) entries;
	ARRAY_TYPE(string) ns_subs;

	list_ns_subs(ctx, ns, &ns_subs);
	list_send_prefix(ctx, ns, &ns_subs);
	if ((ctx->args->select & IMAP_LIST_SELECT_SUBSCRIBED) != 0)
		list_subscribed_entries(ctx, ns, &ns_subs, &entries);
	else
		list_all_entries(ctx, &ns_subs, &entries);
	list_drop_foreign_auto(ctx, ns, &entries);
	list_send_entries(ctx, ns, &entries);
}

/* Does LIST/LSUB with pattern show ns? A list = no namespace only when
   the pattern starts with its prefix ("INBOX/%" for prefix "INBOX/"), as
   in Dovecot. */
static bool list_ns_visible(const struct mail_namespace *ns,
			    const char *pattern)
{
	return ns->list || (ns->prefix_len > 0 &&
			    strncmp(pattern, ns->prefix, ns->prefix_len) == 0);
}

static bool list_ns_visible_any(const struct list_context *ctx,
				const struct mail_namespace *ns)
{
	const char *const *pp;

	array_foreach(&ctx->patterns, pp) {
		if (list_ns_visible(ns, *pp))
			return true;
	}
	return false;
}

static void list_send(struct list_context *ctx,
		      const ARRAY_TYPE(string) *names)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	struct mail_namespace *const *nsp;

	list_entries_build(ctx->cmd->pool, names, &ctx->mailboxes);
	array_foreach(&nss->list, nsp) {
		if (list_ns_visible_any(ctx, *nsp))
			list_send_ns(ctx, *nsp);
	}
}

/* storage_name: the subscription's, for its special-use attributes */
static void lsub_send_line(struct client_command *cmd,
			   const struct mail_namespace *ns, const char *name,
			   const char *storage_name, bool noselect)
{
	struct str *line = t_str_new(128);
	enum mail_special_use special =
		mail_namespace_get_special_use(ns, storage_name);

	str_append(line, "* LSUB (");
	if (noselect)
		str_append(line, "\\Noselect");
	if (special != 0) {
		if (noselect)
			str_append_c(line, ' ');
		str_append(line, mail_special_use_to_str(special));
	}
	str_printfa(line, ") \"%c\" ", ns->separator);
	imap_mailbox_name_append(line, name);
	client_send_line(cmd->client, str_c(line));
}

/* RFC 3501 6.3.9: a subscription the pattern doesn't match ("a.b" for
   "%") still shows its unsubscribed parent that it matches, \Noselect. */
static void lsub_send_parents(struct client_command *cmd,
			      const struct mail_namespace *ns,
			      const ARRAY_TYPE(string) *subs,
			      ARRAY_TYPE(string) *sent, const char *storage_name,
			      const char *pattern)
{
	const char *p, *parent, *name;

	for (p = strchr(storage_name, '/'); p != NULL; p = strchr(p + 1, '/')) {
		parent = p_strndup(cmd->pool, storage_name,
				   (size_t)(p - storage_name));
		name = mail_namespace_from_storage(ns, parent);
		if (!imap_mailbox_name_match(pattern, name, ns->separator) ||
		    string_array_contains(subs, parent) ||
		    string_array_contains(sent, parent))
			continue;
		array_append(sent, &parent);
		lsub_send_line(cmd, ns, name, parent, true);
	}
}

static void lsub_send_ns(struct client_command *cmd,
			 const struct mail_namespace *ns,
			 const ARRAY_TYPE(string) *subs, const char *pattern)
{
	ARRAY_TYPE(string) sent;
	const char *const *np, *name;

	array_init(&sent, cmd->pool, 4);
	array_foreach(subs, np) {
		if (!ns->inbox && strcmp(*np, "INBOX") == 0)
			continue;
		name = mail_namespace_from_storage(ns, *np);
		if (imap_mailbox_name_match(pattern, name, ns->separator))
			lsub_send_line(cmd, ns, name, *np, false);
		else
			lsub_send_parents(cmd, ns, subs, &sent, *np, pattern);
	}
}

static void lsub_send(struct client_command *cmd,
		      const ARRAY_TYPE(string) *subs, const char *pattern)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	struct mail_namespace *const *nsp;
	const struct mail_namespace *parent;
	ARRAY_TYPE(string) names;

	array_foreach(&nss->list, nsp) {
		if (!list_ns_visible(*nsp, pattern))
			continue;
		parent = mail_namespace_subscriptions_parent(nss, *nsp);
		if (parent == NULL)
			continue;
		lsub_ns_names(cmd, nss, *nsp, parent, subs, &names);
		lsub_send_ns(cmd, *nsp, &names, pattern);
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

/* ref + each pattern into ctx->patterns. false after sending BAD. */
static bool list_patterns_init(struct list_context *ctx)
{
	const struct imap_list_args *args = ctx->args;
	const char *const *pp, *full;

	array_init(&ctx->patterns, ctx->cmd->pool,
		   array_count(&args->patterns));
	array_foreach(&args->patterns, pp) {
		if (strlen(args->ref) + strlen(*pp) > IMAP_MATCH_MAX_LEN) {
			client_send_command_error(ctx->cmd, "Pattern too long.");
			return false;
		}
		full = p_strconcat(ctx->cmd->pool, args->ref, *pp, NULL);
		array_append(&ctx->patterns, &full);
	}
	return true;
}

/* The names LIST/LSUB starts from (ctx->subs too when needed). */
static int list_read_names(struct list_context *ctx, bool lsub,
			   ARRAY_TYPE(string) *names_r, const char **error_r)
{
	struct client_command *cmd = ctx->cmd;
	const struct imap_list_args *args = ctx->args;

	if (lsub) {
		return mail_user_list_subscriptions(cmd->client->user,
						    cmd->pool, names_r, error_r);
	}
	if ((args->select & IMAP_LIST_SELECT_SUBSCRIBED) != 0 ||
	    (args->ret & IMAP_LIST_RETURN_SUBSCRIBED) != 0) {
		if (mail_user_list_subscriptions(cmd->client->user, cmd->pool,
						 &ctx->subs, error_r) < 0)
			return -1;
	}
	return mail_user_list_mailboxes_auto(cmd->client->user, cmd->pool,
					     names_r, &ctx->missing_auto,
					     error_r);
}

static bool cmd_list_full(struct client_command *cmd, bool lsub)
{
	struct imap_list_args args;
	struct list_context ctx;
	const char *error;
	ARRAY_TYPE(string) names;

	if (!imap_list_args_parse(cmd, lsub, &args))
		return true;
	if (!args.extended && !lsub &&
	    **array_idx(&args.patterns, 0) == '\0') {
		/* RFC 3501 6.3.8: the hierarchy delimiter and root name */
		list_send_root(cmd, args.ref);
		client_send_tagline(cmd, "OK List completed.");
		return true;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	ctx.args = &args;
	if (!list_patterns_init(&ctx))
		return true;
	if ((args.status_items & IMAP_STATUS_HIGHESTMODSEQ) != 0)
		client_enable_condstore(cmd->client);	/* RFC 7162 3.1 */
	if (list_read_names(&ctx, lsub, &names, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	if (lsub)
		lsub_send(cmd, &names, *array_idx(&ctx.patterns, 0));
	else
		list_send(&ctx, &names);
	client_send_tagline(cmd, lsub ? "OK Lsub completed." : "OK List completed.");
	return true;
}

bool cmd_list(struct client_command *cmd)
{
	return cmd_list_full(cmd, false);
}

bool cmd_lsub(struct client_command *cmd)
{
	return cmd_list_full(cmd, true);
}
