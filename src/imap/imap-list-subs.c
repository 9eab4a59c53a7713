/* Copyright (c) dovecot-like authors. imap-list-subs.c: which names of
   the subscriptions file belong to which namespace (see
   imap-list-subs.h). */
#include "imap-common.h"
#include "imap-list-subs.h"
#include "mail-namespace.h"

void imap_list_subs_init(struct imap_list_subs *subs_r, struct pool *pool,
			 const struct mail_namespaces *nss)
{
	struct mail_namespace *const *nsp;
	struct imap_list_subs_ns *sns;

	array_init(&subs_r->list, pool, array_count(&nss->list) + 1);
	array_foreach(&nss->list, nsp) {
		sns = array_append_space(&subs_r->list);
		sns->ns = *nsp;
		sns->parent = mail_namespace_subscriptions_parent(nss, *nsp);
		sns->prefix = p_strdup(pool,
			mail_namespace_subscription_prefix(*nsp));
		sns->prefix_len = strlen(sns->prefix);
	}
}

const struct imap_list_subs_ns *
imap_list_subs_find(const struct imap_list_subs *subs,
		    const struct mail_namespace *ns)
{
	const struct imap_list_subs_ns *sns;

	array_foreach(&subs->list, sns) {
		if (sns->ns == ns)
			return sns;
	}
	ASSERT(false);	/* ns is one of the namespaces subs was made of */
	return NULL;
}

/* mail_namespace_subscription_to_storage() with the prefix computed
   once: file_name's storage name in the subscriptions = no sns->ns, or
   NULL when it isn't one of its names. */
static const char *subs_prefix_strip(const struct imap_list_subs_ns *sns,
				     const char *file_name)
{
	if (sns->prefix_len == 0 ||
	    strncmp(file_name, sns->prefix, sns->prefix_len) != 0 ||
	    file_name[sns->prefix_len] == '\0')
		return NULL;
	return file_name + sns->prefix_len;
}

/* Does file_name of the file sns->ns keeps stand for a mailbox of
   sns->ns? Then its storage name there, else NULL. The names of a
   subscriptions = no namespace kept in sns->ns's file are that
   namespace's, not sns->ns's (Dovecot lists "INBOX/foo" of a hidden
   "INBOX/" namespace only through that one). */
static const char *subs_name_in_ns(const struct imap_list_subs *subs,
				   const struct imap_list_subs_ns *sns,
				   const char *file_name)
{
	const struct imap_list_subs_ns *other;

	if (sns->ns != sns->parent)
		return subs_prefix_strip(sns, file_name);
	array_foreach(&subs->list, other) {
		if (other->ns != sns->ns && !other->ns->subscriptions &&
		    other->parent == sns->ns &&
		    subs_prefix_strip(other, file_name) != NULL)
			return NULL;
	}
	return file_name;
}

void imap_list_subs_ns_names(const struct imap_list_subs *subs,
			     const struct imap_list_subs_ns *sns,
			     struct pool *pool,
			     const ARRAY_TYPE(string) *file_names,
			     ARRAY_TYPE(string) *names_r)
{
	const char *const *np, *name;

	array_init(names_r, pool, array_count(file_names) + 1);
	if (sns->parent == NULL)
		return;
	array_foreach(file_names, np) {
		name = subs_name_in_ns(subs, sns, *np);
		if (name != NULL) {
			name = p_strdup(pool, name);
			array_append(names_r, &name);
		}
	}
}
