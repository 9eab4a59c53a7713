/* Copyright (c) dovecot-like authors. mail-namespace-auto.h: mailbox
   { auto = create / subscribe } mailboxes, lazily as Dovecot 2.3 does:
   nothing is created at login; a missing auto mailbox is listed (LIST,
   LSUB for auto = subscribe) as if it existed and is created (and for
   auto = subscribe subscribed) the moment it is opened (mailbox_open:
   SELECT, EXAMINE, STATUS, APPEND, COPY/MOVE). */
#ifndef MAIL_NAMESPACE_AUTO_H
#define MAIL_NAMESPACE_AUTO_H

#include "array.h"

struct pool;
struct mail_user;
struct mail_namespace;
struct mail_namespaces;
struct mail_namespace_mailbox;

/* The auto = create/subscribe mailbox { } whose storage name is name
   (the first namespace declaring it), NULL if none. *ns_r: its namespace. */
const struct mail_namespace_mailbox *
mail_namespaces_find_auto(const struct mail_namespaces *nss, const char *name,
			  const struct mail_namespace **ns_r);
/* The name box of ns is kept under in the subscriptions file (its storage
   name, or with subscriptions = no its full client name as a storage name
   of the namespace keeping them); tmp. NULL if nobody keeps them. */
const char *
mail_namespace_auto_subscription_name(const struct mail_namespaces *nss,
				      const struct mail_namespace *ns,
				      const struct mail_namespace_mailbox *box);
/* Does ns itself declare the auto mailbox storage_name? (A missing auto
   mailbox is listed only through its own namespace, as in Dovecot.) */
bool mail_namespace_has_auto(const struct mail_namespace *ns,
			     const char *storage_name);
/* Appends (in pool) the storage names of the auto mailboxes missing from
   names: LIST shows them as if they existed. Those appended also go to
   added_r when not NULL (an array in pool). */
void mail_namespaces_auto_add_missing(const struct mail_namespaces *nss,
				      struct pool *pool,
				      ARRAY_TYPE(string) *names,
				      ARRAY_TYPE(string) *added_r);
/* mail_user_list_mailboxes() (mailbox-list.c) with missing_r (may be
   NULL): the missing auto mailboxes it lists, in pool. */
int mail_user_list_mailboxes_auto(struct mail_user *user, struct pool *pool,
				  ARRAY_TYPE(string) *names_r,
				  ARRAY_TYPE(string) *missing_r,
				  const char **error_r);
/* Appends (in pool) the subscription names of the auto = subscribe
   mailboxes missing from names: always listed as subscribed, without
   writing the subscriptions file (as Dovecot, even after UNSUBSCRIBE). */
void mail_namespaces_auto_add_subscribed(const struct mail_namespaces *nss,
					 struct pool *pool,
					 ARRAY_TYPE(string) *names);
/* mailbox_open() found no mailbox name: if it is an auto mailbox, creates
   it (and subscribes an auto = subscribe one). 1 = created (open again),
   0 = not an auto mailbox, -1 = creating failed (logged). */
int mail_user_auto_create(struct mail_user *user, const char *name);

#endif
