/* Copyright (c) dovecot-like authors. mail-namespace-settings.c: the
   namespace { } sections of a parsed config (lib-config) as a checked
   mail_namespaces set. Apart from mail-namespace.c so that the namespace
   logic doesn't need lib-config, and so that the master can check the
   sections at startup with nothing more of lib-storage. */
#include "lib.h"
#include "settings.h"
#include "mail-namespace.h"

/* The keys of one namespace { } section and its mailbox { } children. */
static int namespace_read(struct mail_namespaces *nss,
			  const struct settings_section *sec,
			  const char **error_r)
{
	static const char *const keys[] = {
		"separator", "prefix", "inbox", "hidden", "list",
		"subscriptions", NULL
	};
	const struct settings_section *box;
	struct mail_namespace *ns;
	const char *value;
	unsigned int i, count;

	ns = mail_namespace_add(nss, sec->name);
	for (i = 0; keys[i] != NULL; i++) {
		value = settings_section_get(sec, keys[i]);
		if (value != NULL &&
		    mail_namespace_set(nss, ns, keys[i], value, error_r) < 0)
			return -1;
	}
	count = settings_section_count_children(sec, "mailbox");
	for (i = 0; i < count; i++) {
		box = settings_section_get_child(sec, "mailbox", i);
		if (mail_namespace_add_mailbox(nss, ns, box->name,
				settings_section_get(box, "special_use"),
				settings_section_get(box, "auto"), error_r) < 0)
			return -1;
	}
	return 0;
}

struct mail_namespaces *
mail_namespaces_from_settings(struct pool *pool, const struct settings *set,
			      const char **error_r)
{
	struct mail_namespaces *nss = mail_namespaces_new(pool);
	const struct settings_section *sec;
	const char *disabled;
	unsigned int i, count = settings_count_sections(set, "namespace");

	for (i = 0; i < count; i++) {
		sec = settings_get_section(set, "namespace", i);
		disabled = settings_section_get(sec, "disabled");
		if (disabled != NULL && strcmp(disabled, "yes") == 0)
			continue;
		if (namespace_read(nss, sec, error_r) < 0)
			return NULL;
	}
	if (mail_namespaces_finish(nss, error_r) < 0)
		return NULL;
	return nss;
}
