/* Copyright (c) dovecot-like authors. mail-namespace.h: the user's
   namespaces (Dovecot's namespace { } sections): how a client's mailbox
   name ("INBOX.Sent" with prefix "INBOX." and separator '.') maps to a
   storage name ("Sent", '/' between levels, see mail-storage.h), plus the
   special-use mailboxes (RFC 6154) each namespace declares. */
#ifndef MAIL_NAMESPACE_H
#define MAIL_NAMESPACE_H

#include "array.h"

struct pool;
struct settings;

/* RFC 6154 attributes, in the order LIST shows them */
enum mail_special_use {
	MAIL_SPECIAL_USE_ALL = 0x01,
	MAIL_SPECIAL_USE_ARCHIVE = 0x02,
	MAIL_SPECIAL_USE_DRAFTS = 0x04,
	MAIL_SPECIAL_USE_FLAGGED = 0x08,
	MAIL_SPECIAL_USE_JUNK = 0x10,
	MAIL_SPECIAL_USE_SENT = 0x20,
	MAIL_SPECIAL_USE_TRASH = 0x40,
};

/* mailbox { auto = } */
enum mail_namespace_auto {
	MAIL_NAMESPACE_AUTO_NO = 0,
	/* listed while missing, created when first opened
	   (mail-namespace-auto.h) */
	MAIL_NAMESPACE_AUTO_CREATE,
	MAIL_NAMESPACE_AUTO_SUBSCRIBE,	/* also subscribed (when created) */
};

/* a mailbox { } section of a namespace */
struct mail_namespace_mailbox {
	const char *name;	/* as the client sees it, without the prefix */
	/* name as a storage name (mail_namespace_to_storage()), set by
	   mail_namespaces_finish() */
	const char *storage_name;
	enum mail_special_use special_use;
	enum mail_namespace_auto autocreate;
};

struct mail_namespace {
	const char *name;	/* the section's name; "" if unnamed */
	const char *prefix;	/* "" or ends with separator */
	size_t prefix_len;
	char separator;		/* the client's hierarchy separator */
	bool inbox;		/* holds INBOX */
	bool hidden;		/* not shown by NAMESPACE */
	bool list;		/* its mailboxes are listed by LIST "" "*" */
	/* keeps its own subscriptions; with no, they are kept by the
	   subscriptions = yes namespace with the longest prefix of this one's
	   (mail_namespace_subscriptions_parent()), prefix included
	   (Dovecot's subscriptions = no: mail_namespace_subscription_name()) */
	bool subscriptions;
	/* the storage's own separator when a client's name can't hold it
	   (Maildir++'s '.' under another separator); '\0' if none */
	char storage_forbidden_char;
	ARRAY(struct mail_namespace_mailbox) mailboxes;
};

struct mail_namespaces {
	struct pool *pool;
	ARRAY(struct mail_namespace *) list;	/* config order */
};

/* Default separator when the config leaves it empty (Maildir++'s '.') */
#define MAIL_NAMESPACE_DEFAULT_SEPARATOR '.'

/* An empty set in pool (everything below allocates from it). */
struct mail_namespaces *mail_namespaces_new(struct pool *pool);
/* A namespace with Dovecot's defaults (separator '.', prefix "",
   inbox=no, hidden=no, list=yes, subscriptions=yes), appended. */
struct mail_namespace *mail_namespace_add(struct mail_namespaces *nss,
					  const char *name);
/* One key of a namespace { } section: separator, prefix, inbox, hidden,
   subscriptions ("yes" or "no"), list (yes/no/children); location and
   alias_for (only empty) and type (only private) are refused until they're
   supported; other keys are ignored. -1 with *error_r (tmp) for a bad
   value. */
int mail_namespace_set(struct mail_namespaces *nss, struct mail_namespace *ns,
		       const char *key, const char *value,
		       const char **error_r);
/* A mailbox { } section: special_use (space-separated flags, may be NULL)
   and auto (no/create/subscribe, NULL = no). -1 with *error_r (tmp). */
int mail_namespace_add_mailbox(struct mail_namespaces *nss,
			       struct mail_namespace *ns, const char *name,
			       const char *special_use, const char *autocreate,
			       const char **error_r);
/* After every section was added: with none, adds the default one (inbox,
   '.', empty prefix: the behaviour without a namespace block). Checks
   the set like Dovecot: one inbox=yes namespace, one-character
   separators, each prefix ending with its separator, no duplicate
   prefixes. -1 with *error_r (tmp). */
int mail_namespaces_finish(struct mail_namespaces *nss, const char **error_r);

/* mail-namespace-settings.c: the config's namespace { } sections (those
   without disabled = yes), finished (see above). NULL with *error_r (tmp)
   on a configuration error. */
struct mail_namespaces *
mail_namespaces_from_settings(struct pool *pool, const struct settings *set,
			      const char **error_r);

/* "\Sent \Junk" -> flags; -1 with *error_r (tmp) for an unknown flag. */
int mail_special_use_parse(const char *str, enum mail_special_use *flags_r,
			   const char **error_r);
/* flags -> "\Junk \Sent" in RFC 6154 order ("" for none); tmp. */
const char *mail_special_use_to_str(enum mail_special_use flags);

/* Sets storage_forbidden_char of every namespace for a storage whose
   on-disk separator is storage_sep ('\0': none, names are paths). */
void mail_namespaces_set_storage_sep(struct mail_namespaces *nss,
				     char storage_sep);

/* Does any namespace declare a special_use mailbox? (Dovecot then
   advertises the SPECIAL-USE capability, RFC 6154.) */
bool mail_namespaces_have_special_use(const struct mail_namespaces *nss);

/* The inbox=yes namespace (always one after finish). */
struct mail_namespace *mail_namespaces_get_inbox(const struct mail_namespaces *nss);
/* The namespace a client's name belongs to: INBOX (any case) is the
   inbox namespace's; otherwise the longest prefix the name starts with
   (an "INBOX" first level in any case), or whose prefix without the
   trailing separator it equals. NULL if none (no namespace with an empty prefix). */
struct mail_namespace *mail_namespaces_find(const struct mail_namespaces *nss,
					    const char *vname);
/* A client's name in ns -> storage name (tmp): prefix removed, the
   separator turned into '/', "INBOX" fixed case. Doesn't check the name.
   The prefix alone (without the separator) is the root of the namespace's
   location, its "INBOX", as in Dovecot. */
const char *mail_namespace_to_storage(const struct mail_namespace *ns,
				      const char *vname);
/* A storage name -> the client's name in ns (tmp). */
const char *mail_namespace_from_storage(const struct mail_namespace *ns,
					const char *storage_name);
/* The subscriptions = yes namespace with the longest prefix vname starts
   with: the one whose subscriptions hold vname. NULL if none. */
struct mail_namespace *
mail_namespaces_find_subscribable(const struct mail_namespaces *nss,
				  const char *vname);
/* ns itself if it keeps its own subscriptions, else the namespace that
   keeps them (see subscriptions above); NULL if none does. */
struct mail_namespace *
mail_namespace_subscriptions_parent(const struct mail_namespaces *nss,
				    const struct mail_namespace *ns);
/* A subscriptions = no namespace's names are kept by its parent's file
   as Dovecot keeps them: its prefix, each separator a level break ("/" in
   a storage name), then the storage name ("INBOX.foo.bar" of the prefix
   "INBOX." -> "INBOX/foo/bar"; written "INBOX\tfoo\tbar", or with a
   prefix whose separator isn't the storage's "INBOX/foo\tbar": see
   mailbox_subscriptions_append_v2_flat()). The prefix's form (tmp). */
const char *mail_namespace_subscription_prefix(const struct mail_namespace *ns);
/* storage_name of ns -> the name its subscriptions file keeps (tmp):
   itself with subscriptions = yes, else as above. */
const char *mail_namespace_subscription_name(const struct mail_namespace *ns,
					     const char *storage_name);
/* The reverse for a subscriptions = no ns: its storage name, or NULL when
   file_name isn't one of ns's (tmp). */
const char *
mail_namespace_subscription_to_storage(const struct mail_namespace *ns,
				       const char *file_name);
/* The special-use flags of a storage name in ns (0 if none). */
enum mail_special_use
mail_namespace_get_special_use(const struct mail_namespace *ns,
			       const char *storage_name);

#endif
