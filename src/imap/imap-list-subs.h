/* Copyright (c) dovecot-like authors. imap-list-subs.h: the names of the
   subscriptions file as the storage names of each namespace, for LSUB and
   LIST's SUBSCRIBED options. A namespace with subscriptions = no has its
   names kept in its parent's file under its prefix
   (mail_namespace_subscription_prefix()); the prefixes and parents are
   computed once per command, not once per name. */
#ifndef IMAP_LIST_SUBS_H
#define IMAP_LIST_SUBS_H

#include "array.h"

struct pool;
struct mail_namespace;
struct mail_namespaces;

struct imap_list_subs_ns {
	const struct mail_namespace *ns;
	/* mail_namespace_subscriptions_parent(); NULL: nobody keeps them */
	const struct mail_namespace *parent;
	const char *prefix;	/* the subscription prefix, in the pool */
	size_t prefix_len;
};

struct imap_list_subs {
	ARRAY(struct imap_list_subs_ns) list;	/* nss->list's order */
};

/* Fills subs_r (in pool) for the namespaces nss. */
void imap_list_subs_init(struct imap_list_subs *subs_r, struct pool *pool,
			 const struct mail_namespaces *nss);
/* ns's entry (ns must be one of nss). */
const struct imap_list_subs_ns *
imap_list_subs_find(const struct imap_list_subs *subs,
		    const struct mail_namespace *ns);
/* The file names of file_names that stand for mailboxes of sns->ns, as
   its storage names (in pool, file order). Empty when nobody keeps ns's
   subscriptions. */
void imap_list_subs_ns_names(const struct imap_list_subs *subs,
			     const struct imap_list_subs_ns *sns,
			     struct pool *pool,
			     const ARRAY_TYPE(string) *file_names,
			     ARRAY_TYPE(string) *names_r);

#endif
