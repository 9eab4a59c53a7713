/* Copyright (c) dovecot-like authors. mail-namespace-auto.c: auto = create
   / subscribe mailboxes, listed while missing and created on first open
   (see mail-namespace-auto.h). */
#include "lib.h"
#include "array.h"
#include "strfuncs.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mail-namespace-auto.h"

const struct mail_namespace_mailbox *
mail_namespaces_find_auto(const struct mail_namespaces *nss, const char *name,
			  const struct mail_namespace **ns_r)
{
	struct mail_namespace *const *nsp;
	const struct mail_namespace_mailbox *box;

	*ns_r = NULL;
	if (nss == NULL)
		return NULL;
	array_foreach(&nss->list, nsp) {
		array_foreach(&(*nsp)->mailboxes, box) {
			if (box->autocreate != MAIL_NAMESPACE_AUTO_NO &&
			    strcmp(box->storage_name, name) == 0) {
				*ns_r = *nsp;
				return box;
			}
		}
	}
	*ns_r = NULL;
	return NULL;
}

const char *
mail_namespace_auto_subscription_name(const struct mail_namespaces *nss,
				      const struct mail_namespace *ns,
				      const struct mail_namespace_mailbox *box)
{
	if (mail_namespace_subscriptions_parent(nss, ns) == NULL)
		return NULL;
	return mail_namespace_subscription_name(ns, box->storage_name);
}

static void names_add_missing(struct pool *pool, ARRAY_TYPE(string) *names,
			      const char *name, ARRAY_TYPE(string) *added_r)
{
	if (name != NULL && !string_array_contains(names, name)) {
		name = p_strdup(pool, name);
		array_append(names, &name);
		if (added_r != NULL)
			array_append(added_r, &name);
	}
}

bool mail_namespace_has_auto(const struct mail_namespace *ns,
			     const char *storage_name)
{
	const struct mail_namespace_mailbox *box;

	array_foreach(&ns->mailboxes, box) {
		if (box->autocreate != MAIL_NAMESPACE_AUTO_NO &&
		    strcmp(box->storage_name, storage_name) == 0)
			return true;
	}
	return false;
}

void mail_namespaces_auto_add_missing(const struct mail_namespaces *nss,
				      struct pool *pool,
				      ARRAY_TYPE(string) *names,
				      ARRAY_TYPE(string) *added_r)
{
	struct mail_namespace *const *nsp;
	const struct mail_namespace_mailbox *box;

	array_foreach(&nss->list, nsp) {
		array_foreach(&(*nsp)->mailboxes, box) {
			if (box->autocreate != MAIL_NAMESPACE_AUTO_NO)
				names_add_missing(pool, names,
						  box->storage_name, added_r);
		}
	}
}

void mail_namespaces_auto_add_subscribed(const struct mail_namespaces *nss,
					 struct pool *pool,
					 ARRAY_TYPE(string) *names)
{
	struct mail_namespace *const *nsp;
	const struct mail_namespace_mailbox *box;

	array_foreach(&nss->list, nsp) {
		array_foreach(&(*nsp)->mailboxes, box) {
			if (box->autocreate == MAIL_NAMESPACE_AUTO_SUBSCRIBE)
				names_add_missing(pool, names,
					mail_namespace_auto_subscription_name(
						nss, *nsp, box), NULL);
		}
	}
}

int mail_user_auto_create(struct mail_user *user, const char *name)
{
	const struct mail_namespaces *nss = mail_user_get_namespaces(user);
	const struct mail_namespace_mailbox *box;
	const struct mail_namespace *ns;
	enum mail_storage_error error;
	const char *error_str, *subs_name;

	if (nss == NULL)
		return 0;
	box = mail_namespaces_find_auto(nss, name, &ns);
	if (box == NULL)
		return 0;
	if (mail_user_mailbox_create(user, name, false, &error,
				     &error_str) < 0 &&
	    error != MAIL_ERROR_EXISTS) {
		log_error("autocreate mailbox %s failed: %s", name, error_str);
		return -1;
	}
	if (box->autocreate != MAIL_NAMESPACE_AUTO_SUBSCRIBE)
		return 1;
	/* as Dovecot: subscribed when created (not at every open) */
	subs_name = mail_namespace_auto_subscription_name(nss, ns, box);
	if (subs_name != NULL &&
	    mail_user_set_subscribed(user, subs_name, true, &error_str) < 0)
		log_error("autosubscribe mailbox %s failed: %s", name,
			  error_str);
	return 1;
}
