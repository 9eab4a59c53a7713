/* Copyright (c) dovecot-like authors. mail-namespace-settings.c: the
   namespace { } sections of a parsed config (lib-config) as a checked
   mail_namespaces set. Apart from mail-namespace.c so that the namespace
   logic doesn't need lib-config, and so that the master can check the
   sections at startup with nothing more of lib-storage. */
#include "lib.h"
#include "settings.h"
#include "mail-namespace.h"

/* A value of sec for mail_namespace_set(): booleans parsed as the config
   parser does (yes/Yes/y/1/no) and passed on as "yes" or "no". */
static int namespace_value(const struct settings_section *sec,
			   const char *key, const char **value_r,
			   const char **error_r)
{
	const char *value = settings_section_get(sec, key);
	const char *error;
	bool b;

	*value_r = value;
	if (value == NULL || (strcmp(key, "inbox") != 0 &&
			      strcmp(key, "hidden") != 0 &&
			      strcmp(key, "subscriptions") != 0))
		return 0;
	if (settings_parse_bool(value, &b, &error) < 0) {
		*error_r = tmp_printf("Namespace '%s': %s: %s",
				      sec->name, key, error);
		return -1;
	}
	*value_r = b ? "yes" : "no";
	return 0;
}

/* The keys of one namespace { } section and its mailbox { } children. */
static int namespace_read(struct mail_namespaces *nss,
			  const struct settings_section *sec,
			  const char **error_r)
{
	static const char *const keys[] = {
		"separator", "prefix", "inbox", "hidden", "list",
		"subscriptions", "location", "alias_for", "type", NULL
	};
	const struct settings_section *box;
	struct mail_namespace *ns;
	const char *value;
	unsigned int i, count;

	ns = mail_namespace_add(nss, sec->name);
	for (i = 0; keys[i] != NULL; i++) {
		if (namespace_value(sec, keys[i], &value, error_r) < 0)
			return -1;
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
	const char *disabled, *error;
	bool skip;
	unsigned int i, count = settings_count_sections(set, "namespace");

	for (i = 0; i < count; i++) {
		sec = settings_get_section(set, "namespace", i);
		disabled = settings_section_get(sec, "disabled");
		skip = false;
		if (disabled != NULL &&
		    settings_parse_bool(disabled, &skip, &error) < 0) {
			*error_r = tmp_printf("Namespace '%s': disabled: %s",
					      sec->name, error);
			return NULL;
		}
		if (skip)
			continue;
		if (namespace_read(nss, sec, error_r) < 0)
			return NULL;
	}
	if (mail_namespaces_finish(nss, error_r) < 0)
		return NULL;
	return nss;
}
