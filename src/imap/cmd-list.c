/* Copyright (c) dovecot-like authors. LIST and LSUB (RFC 3501 6.3.8-9): the
   user's mailboxes matching a reference + pattern, with the hierarchy
   separator, child and special-use (RFC 6154) attributes. Storage names
   ('/') are shown through each listed namespace's prefix and separator
   (mail-namespace.h); a namespace with subscriptions = no shows the
   subscriptions its parent keeps for it. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-match.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "str.h"

/* A name to show: a mailbox, or a parent that only exists because of its
   children (Maildir++ ".a.b" without ".a", an mbox directory). */
struct list_entry {
	const char *name;	/* storage name */
	bool noselect;
};
typedef ARRAY(struct list_entry) ARRAY_TYPE(list_entry);

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

static void list_entry_add(ARRAY_TYPE(list_entry) *entries, const char *name,
			   bool noselect)
{
	struct list_entry *e = array_append_space(entries);

	e->name = name;
	e->noselect = noselect;
}

/* names plus their missing parents, sorted, each once (a real mailbox wins
   over a parent of the same name). */
static void list_entries_build(struct pool *pool,
			       const ARRAY_TYPE(string) *names,
			       ARRAY_TYPE(list_entry) *entries_r)
{
	const char *const *np, *p;
	struct list_entry *e;
	unsigned int i, count, dest = 0;

	array_init(entries_r, pool, array_count(names) + 8);
	array_foreach(names, np) {
		list_entry_add(entries_r, *np, false);
		for (p = strchr(*np, '/'); p != NULL; p = strchr(p + 1, '/')) {
			list_entry_add(entries_r, p_strndup(pool, *np,
				(size_t)(p - *np)), true);
		}
	}
	array_sort(entries_r, list_entry_cmp);
	e = array_get_modifiable(entries_r, &count);
	for (i = 0; i < count; i++) {
		if (dest > 0 && strcmp(e[dest - 1].name, e[i].name) == 0) {
			e[dest - 1].noselect = e[dest - 1].noselect &&
				e[i].noselect;
			continue;
		}
		e[dest++] = e[i];
	}
	if (dest < count)
		array_delete(entries_r, dest, count - dest);
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

static void list_send_line(struct client_command *cmd,
			   const struct mail_namespace *ns, const char *name,
			   const char *attrs)
{
	struct str *line = t_str_new(128);

	str_printfa(line, "* LIST (%s) \"%c\" ", attrs, ns->separator);
	imap_append_astring(line, name);
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

static void list_send_prefix(struct client_command *cmd,
			     const struct mail_namespace *ns,
			     const ARRAY_TYPE(list_entry) *entries,
			     const char *pattern)
{
	const char *name;

	if (ns->prefix_len == 0)
		return;
	name = tmp_strndup(ns->prefix, ns->prefix_len - 1);
	if ((ns->inbox && strcasecmp(name, "INBOX") == 0) ||
	    !imap_match(pattern, name, ns->separator))
		return;
	list_send_line(cmd, ns, name, list_has_non_inbox(entries) ?
		       "\\HasChildren" : "\\HasNoChildren");
}

static void list_send_ns(struct client_command *cmd,
			 const struct mail_namespace *ns,
			 const ARRAY_TYPE(list_entry) *entries,
			 const char *pattern)
{
	const struct list_entry *e;
	enum mail_special_use special;
	const char *name;
	struct str *attrs;

	list_send_prefix(cmd, ns, entries, pattern);
	array_foreach(entries, e) {
		if (!ns->inbox && strcmp(e->name, "INBOX") == 0)
			continue;
		name = mail_namespace_from_storage(ns, e->name);
		if (!imap_match(pattern, name, ns->separator))
			continue;
		attrs = t_str_new(64);
		if (e->noselect)
			str_append(attrs, "\\Noselect ");
		str_append(attrs, entry_has_children(ns, entries, e->name) ?
			   "\\HasChildren" : "\\HasNoChildren");
		special = mail_namespace_get_special_use(ns, e->name);
		if (special != 0) {
			str_append_c(attrs, ' ');
			str_append(attrs, mail_special_use_to_str(special));
		}
		list_send_line(cmd, ns, name, str_c(attrs));
	}
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

static void list_send(struct client_command *cmd,
		      const ARRAY_TYPE(string) *names, const char *pattern)
{
	const struct mail_namespaces *nss = imap_mailbox_names_get();
	struct mail_namespace *const *nsp;
	ARRAY_TYPE(list_entry) entries;

	list_entries_build(cmd->pool, names, &entries);
	array_foreach(&nss->list, nsp) {
		if (list_ns_visible(*nsp, pattern))
			list_send_ns(cmd, *nsp, &entries, pattern);
	}
}

static bool name_in(const ARRAY_TYPE(string) *names, const char *name)
{
	const char *const *np;

	array_foreach(names, np) {
		if (strcmp(*np, name) == 0)
			return true;
	}
	return false;
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
	imap_append_astring(line, name);
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
		if (!imap_match(pattern, name, ns->separator) ||
		    name_in(subs, parent) || name_in(sent, parent))
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
		if (imap_match(pattern, name, ns->separator))
			lsub_send_line(cmd, ns, name, *np, false);
		else
			lsub_send_parents(cmd, ns, subs, &sent, *np, pattern);
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
	const char *vname = mail_namespace_from_storage(parent, file_name);
	const struct mail_namespace *owner = mail_namespaces_find(nss, vname);

	if (ns == parent) {
		if (owner != NULL && owner != ns && !owner->subscriptions)
			return NULL;
		return file_name;
	}
	return owner == ns ? mail_namespace_to_storage(ns, vname) : NULL;
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

static bool cmd_list_full(struct client_command *cmd, bool lsub)
{
	const char *ref, *pattern, *error;
	ARRAY_TYPE(string) names;
	int ret;

	ref = imap_arg_as_string(&cmd->args[0]);
	pattern = imap_arg_as_string(&cmd->args[1]);
	if (ref == NULL || pattern == NULL || !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		/* (LIST-EXTENDED selection and return options are not offered) */
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (*pattern == '\0' && !lsub) {
		/* RFC 3501 6.3.8: the hierarchy delimiter and root name */
		list_send_root(cmd, ref);
		client_send_tagline(cmd, "OK List completed.");
		return true;
	}
	if (strlen(ref) + strlen(pattern) > IMAP_MATCH_MAX_LEN) {
		client_send_command_error(cmd, "Pattern too long.");
		return true;
	}
	pattern = tmp_strconcat(ref, pattern, NULL);
	ret = lsub ? mail_user_list_subscriptions(cmd->client->user, cmd->pool,
						  &names, &error) :
		mail_user_list_mailboxes(cmd->client->user, cmd->pool, &names, &error);
	if (ret < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	if (lsub)
		lsub_send(cmd, &names, pattern);
	else
		list_send(cmd, &names, pattern);
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
