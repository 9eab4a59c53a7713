/* Copyright (c) dovecot-like authors. mail-namespace.c: namespace { } and
   mailbox { } settings, their checks, and client name <-> storage name
   mapping through a namespace's prefix and separator. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-namespace.h"

#include <strings.h>

static const struct {
	const char *name;
	enum mail_special_use flag;
} special_use_names[] = {
	{ "\\All", MAIL_SPECIAL_USE_ALL },
	{ "\\Archive", MAIL_SPECIAL_USE_ARCHIVE },
	{ "\\Drafts", MAIL_SPECIAL_USE_DRAFTS },
	{ "\\Flagged", MAIL_SPECIAL_USE_FLAGGED },
	{ "\\Junk", MAIL_SPECIAL_USE_JUNK },
	{ "\\Sent", MAIL_SPECIAL_USE_SENT },
	{ "\\Trash", MAIL_SPECIAL_USE_TRASH },
};
#define SPECIAL_USE_COUNT \
	(sizeof(special_use_names) / sizeof(special_use_names[0]))

struct mail_namespaces *mail_namespaces_new(struct pool *pool)
{
	struct mail_namespaces *nss = pool_new(pool, struct mail_namespaces, 1);

	nss->pool = pool;
	array_init(&nss->list, pool, 4);
	return nss;
}

struct mail_namespace *mail_namespace_add(struct mail_namespaces *nss,
					  const char *name)
{
	struct mail_namespace *ns = pool_new(nss->pool, struct mail_namespace, 1);

	ns->name = p_strdup(nss->pool, name == NULL ? "" : name);
	ns->prefix = "";
	ns->separator = MAIL_NAMESPACE_DEFAULT_SEPARATOR;
	ns->list = true;
	ns->subscriptions = true;
	array_init(&ns->mailboxes, nss->pool, 4);
	array_append(&nss->list, &ns);
	return ns;
}

/* A boolean key as mail_namespace_set() takes it: "yes" or "no" (config
   values are normalised by mail-namespace-settings.c with the config
   parser's settings_parse_bool() first). */
static int ns_parse_bool(const char *key, const char *value, bool *result_r,
			 const char **error_r)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
		*result_r = value[0] == 'y';
		return 0;
	}
	*error_r = tmp_printf("%s: Invalid boolean value: %s", key, value);
	return -1;
}

/* list = yes | no | children (children: listed where it has mailboxes). */
static int ns_parse_list(const char *value, bool *result_r,
			 const char **error_r)
{
	if (strcmp(value, "children") == 0) {
		*result_r = true;
		return 0;
	}
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)
		return ns_parse_bool("list", value, result_r, error_r);
	*error_r = tmp_printf("list: Invalid value: %s "
			      "(use yes, no or children)", value);
	return -1;
}

int mail_namespace_set(struct mail_namespaces *nss, struct mail_namespace *ns,
		       const char *key, const char *value,
		       const char **error_r)
{
	if (strcmp(key, "separator") == 0) {
		if (strlen(value) > 1) {
			*error_r = tmp_printf("Namespace '%s': "
				"Hierarchy separator must be only one "
				"character long", ns->name);
			return -1;
		}
		ns->separator = value[0] != '\0' ? value[0] :
			MAIL_NAMESPACE_DEFAULT_SEPARATOR;
		return 0;
	}
	if (strcmp(key, "prefix") == 0) {
		ns->prefix = p_strdup(nss->pool, value);
		ns->prefix_len = strlen(value);
		return 0;
	}
	if ((strcmp(key, "location") == 0 || strcmp(key, "alias_for") == 0) &&
	    value[0] != '\0') {
		/* refused rather than silently showing the user's own mail */
		*error_r = tmp_printf("Namespace '%s': %s is not supported yet "
				      "(all namespaces use mail_location)",
				      ns->name, key);
		return -1;
	}
	if (strcmp(key, "type") == 0 && value[0] != '\0' &&
	    strcmp(value, "private") != 0) {
		*error_r = tmp_printf("Namespace '%s': type = %s is not "
				      "supported yet (only private)",
				      ns->name, value);
		return -1;
	}
	if (strcmp(key, "inbox") == 0)
		return ns_parse_bool(key, value, &ns->inbox, error_r);
	if (strcmp(key, "hidden") == 0)
		return ns_parse_bool(key, value, &ns->hidden, error_r);
	if (strcmp(key, "list") == 0)
		return ns_parse_list(value, &ns->list, error_r);
	if (strcmp(key, "subscriptions") == 0)
		return ns_parse_bool(key, value, &ns->subscriptions, error_r);
	return 0;
}

int mail_special_use_parse(const char *str, enum mail_special_use *flags_r,
			   const char **error_r)
{
	const char *const *words = tmp_strsplit_spaces(str, " \t");
	unsigned int i;

	*flags_r = 0;
	for (; *words != NULL; words++) {
		for (i = 0; i < SPECIAL_USE_COUNT; i++) {
			if (strcasecmp(special_use_names[i].name, *words) == 0)
				break;
		}
		if (i == SPECIAL_USE_COUNT) {
			*error_r = tmp_printf("Unknown SPECIAL-USE flag: %s",
					      *words);
			return -1;
		}
		*flags_r |= special_use_names[i].flag;
	}
	return 0;
}

const char *mail_special_use_to_str(enum mail_special_use flags)
{
	struct str *str = t_str_new(64);
	unsigned int i;

	for (i = 0; i < SPECIAL_USE_COUNT; i++) {
		if ((flags & special_use_names[i].flag) == 0)
			continue;
		if (str_len(str) > 0)
			str_append_c(str, ' ');
		str_append(str, special_use_names[i].name);
	}
	return str_c(str);
}

int mail_namespace_add_mailbox(struct mail_namespaces *nss,
			       struct mail_namespace *ns, const char *name,
			       const char *special_use, const char *autocreate,
			       const char **error_r)
{
	struct mail_namespace_mailbox *box;
	enum mail_special_use flags = 0;
	enum mail_namespace_auto au;
	const char *error;

	if (name == NULL || name[0] == '\0') {
		*error_r = tmp_printf("Namespace '%s': mailbox { } without a "
				      "name", ns->name);
		return -1;
	}
	if (special_use != NULL &&
	    mail_special_use_parse(special_use, &flags, &error) < 0) {
		*error_r = tmp_printf("mailbox %s: special_use: %s", name, error);
		return -1;
	}
	if (autocreate == NULL || strcmp(autocreate, "no") == 0)
		au = MAIL_NAMESPACE_AUTO_NO;
	else if (strcmp(autocreate, "create") == 0)
		au = MAIL_NAMESPACE_AUTO_CREATE;
	else if (strcmp(autocreate, "subscribe") == 0)
		au = MAIL_NAMESPACE_AUTO_SUBSCRIBE;
	else {
		*error_r = tmp_printf("mailbox %s: auto: Invalid value: %s",
				      name, autocreate);
		return -1;
	}
	box = array_append_space(&ns->mailboxes);
	box->name = p_strdup(nss->pool, name);
	box->special_use = flags;
	box->autocreate = au;
	return 0;
}

static int ns_check_one(const struct mail_namespace *ns, const char **error_r)
{
	if (ns->prefix_len > 0 &&
	    ns->prefix[ns->prefix_len - 1] != ns->separator) {
		*error_r = tmp_printf("Namespace '%s': prefix '%s' doesn't end "
				      "with the hierarchy separator '%c'",
				      ns->name, ns->prefix, ns->separator);
		return -1;
	}
	if (ns->prefix_len > 0 && ns->prefix[0] == ns->separator) {
		*error_r = tmp_printf("Namespace '%s': prefix can't begin "
				      "with the hierarchy separator", ns->name);
		return -1;
	}
	return 0;
}

/* Each mailbox { }'s storage name, once (LIST asks for it per line). */
static void ns_mailboxes_finish(struct mail_namespaces *nss,
				struct mail_namespace *ns)
{
	struct mail_namespace_mailbox *boxes;
	unsigned int i, count;

	boxes = array_get_modifiable(&ns->mailboxes, &count);
	for (i = 0; i < count; i++) {
		boxes[i].storage_name = p_strdup(nss->pool,
			mail_namespace_to_storage(ns, tmp_strconcat(ns->prefix,
						  boxes[i].name, NULL)));
	}
}

int mail_namespaces_finish(struct mail_namespaces *nss, const char **error_r)
{
	struct mail_namespace *const *nsp, *inbox = NULL, *ns;
	unsigned int i, j, count;

	if (array_count(&nss->list) == 0) {
		ns = mail_namespace_add(nss, "");
		ns->inbox = true;
	}
	nsp = array_get(&nss->list, &count);
	for (i = 0; i < count; i++) {
		if (ns_check_one(nsp[i], error_r) < 0)
			return -1;
		if (nsp[i]->inbox) {
			if (inbox != NULL) {
				*error_r = "namespace configuration error: "
					"There can be only one namespace with "
					"inbox=yes";
				return -1;
			}
			inbox = nsp[i];
		}
		for (j = 0; j < i; j++) {
			if (strcmp(nsp[j]->prefix, nsp[i]->prefix) == 0) {
				*error_r = tmp_printf("Duplicate namespace "
					"prefix: \"%s\"", nsp[i]->prefix);
				return -1;
			}
		}
	}
	if (inbox == NULL) {
		*error_r = "namespace configuration error: "
			"inbox=yes namespace missing";
		return -1;
	}
	for (i = 0; i < count; i++)
		ns_mailboxes_finish(nss, nsp[i]);
	return 0;
}

void mail_namespaces_set_storage_sep(struct mail_namespaces *nss,
				     char storage_sep)
{
	struct mail_namespace *const *nsp;

	array_foreach(&nss->list, nsp) {
		(*nsp)->storage_forbidden_char =
			(*nsp)->separator == storage_sep ? '\0' : storage_sep;
	}
}

bool mail_namespaces_have_special_use(const struct mail_namespaces *nss)
{
	struct mail_namespace *const *nsp;
	const struct mail_namespace_mailbox *box;

	array_foreach(&nss->list, nsp) {
		array_foreach(&(*nsp)->mailboxes, box) {
			if (box->special_use != 0)
				return true;
		}
	}
	return false;
}

struct mail_namespace *mail_namespaces_get_inbox(const struct mail_namespaces *nss)
{
	struct mail_namespace *const *nsp;

	array_foreach(&nss->list, nsp) {
		if ((*nsp)->inbox)
			return *nsp;
	}
	return NULL;
}

/* "INBOX", "inbox" or "Inbox<sep>..." */
static bool vname_is_inbox(const char *vname, char sep, bool *children_r)
{
	if (strncasecmp(vname, "INBOX", 5) != 0)
		return false;
	*children_r = vname[5] == sep;
	return vname[5] == '\0' || vname[5] == sep;
}

/* Does vname start with the first len bytes of ns's prefix? An "INBOX"
   first prefix level is case-insensitive ("inbox.Sent"), in any
   namespace (a compat "INBOX/" one too), as in Dovecot. */
static bool ns_prefix_matches(const struct mail_namespace *ns,
			      const char *vname, size_t len)
{
	if (len >= 5 && strncmp(ns->prefix, "INBOX", 5) == 0 &&
	    (ns->prefix[5] == ns->separator || ns->prefix[5] == '\0')) {
		/* only a whole "INBOX" level: "INBOXES." stays exact */
		if (strncasecmp(vname, "INBOX", 5) != 0)
			return false;
		return strncmp(vname + 5, ns->prefix + 5, len - 5) == 0;
	}
	return strncmp(vname, ns->prefix, len) == 0;
}

struct mail_namespace *mail_namespaces_find(const struct mail_namespaces *nss,
					    const char *vname)
{
	struct mail_namespace *const *nsp, *best = NULL;
	struct mail_namespace *inbox = mail_namespaces_get_inbox(nss);
	const struct mail_namespace *ns;
	bool children;

	/* INBOX itself; its children go by prefix like any name (a
	   namespace with prefix "INBOX/" owns "INBOX/foo") */
	if (inbox != NULL && vname_is_inbox(vname, inbox->separator, &children) &&
	    !children)
		return inbox;
	array_foreach(&nss->list, nsp) {
		ns = *nsp;
		if (best != NULL && best->prefix_len >= ns->prefix_len)
			continue;
		if (ns_prefix_matches(ns, vname, ns->prefix_len) ||
		    (ns->prefix_len > 0 &&
		     strlen(vname) == ns->prefix_len - 1 &&
		     ns_prefix_matches(ns, vname, ns->prefix_len - 1)))
			best = *nsp;
	}
	return best;
}

static char *name_replace_sep(const char *name, char from, char to)
{
	char *copy = p_strdup(tmp_pool, name), *p;

	if (from == to)
		return copy;
	for (p = copy; *p != '\0'; p++) {
		if (*p == from)
			*p = to;
	}
	return copy;
}

const char *mail_namespace_to_storage(const struct mail_namespace *ns,
				      const char *vname)
{
	bool children;
	char *name;

	if (ns->inbox && vname_is_inbox(vname, ns->separator, &children) &&
	    !children)
		return "INBOX";
	if (ns_prefix_matches(ns, vname, ns->prefix_len))
		vname += ns->prefix_len;
	else if (ns->prefix_len > 0)
		return "INBOX";	/* the prefix alone: the location's root */
	name = name_replace_sep(vname, ns->separator, '/');
	if (ns->inbox && vname_is_inbox(name, '/', &children))
		memcpy(name, "INBOX", 5);
	return name;
}

const char *mail_namespace_from_storage(const struct mail_namespace *ns,
					const char *storage_name)
{
	if (ns->inbox && strcmp(storage_name, "INBOX") == 0)
		return "INBOX";
	return tmp_strconcat(ns->prefix,
			     name_replace_sep(storage_name, '/', ns->separator),
			     NULL);
}

enum mail_special_use
mail_namespace_get_special_use(const struct mail_namespace *ns,
			       const char *storage_name)
{
	const struct mail_namespace_mailbox *box;
	enum mail_special_use flags = 0;

	array_foreach(&ns->mailboxes, box) {
		if (box->special_use != 0 &&
		    strcmp(box->storage_name, storage_name) == 0)
			flags |= box->special_use;
	}
	return flags;
}

struct mail_namespace *
mail_namespaces_find_subscribable(const struct mail_namespaces *nss,
				  const char *vname)
{
	struct mail_namespace *const *nsp, *best = NULL;

	array_foreach(&nss->list, nsp) {
		if (!(*nsp)->subscriptions ||
		    (best != NULL && best->prefix_len >= (*nsp)->prefix_len))
			continue;
		if (ns_prefix_matches(*nsp, vname, (*nsp)->prefix_len))
			best = *nsp;
	}
	return best;
}

struct mail_namespace *
mail_namespace_subscriptions_parent(const struct mail_namespaces *nss,
				    const struct mail_namespace *ns)
{
	if (ns->subscriptions)
		return (struct mail_namespace *)ns;
	return mail_namespaces_find_subscribable(nss, ns->prefix);
}

const char *mail_namespace_subscription_prefix(const struct mail_namespace *ns)
{
	char *prefix = p_strdup(tmp_pool, ns->prefix);

	for (char *p = prefix; *p != '\0'; p++) {
		if (*p == ns->separator)
			*p = '/';
	}
	return prefix;
}

const char *mail_namespace_subscription_name(const struct mail_namespace *ns,
					     const char *storage_name)
{
	if (ns->subscriptions)
		return storage_name;
	return tmp_strconcat(mail_namespace_subscription_prefix(ns),
			     storage_name, NULL);
}

const char *
mail_namespace_subscription_to_storage(const struct mail_namespace *ns,
				       const char *file_name)
{
	const char *prefix = mail_namespace_subscription_prefix(ns);
	size_t len = strlen(prefix);

	if (len == 0 || strncmp(file_name, prefix, len) != 0 ||
	    file_name[len] == '\0')
		return NULL;
	return file_name + len;
}
