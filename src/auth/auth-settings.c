/* Copyright (c) dovecot-like authors. auth-settings.c: reads the global auth_*
   settings once, so lookups on the hot path never parse strings. */
#include "lib.h"
#include "strfuncs.h"
#include "settings.h"
#include "auth-settings.h"

const struct auth_settings *auth_set;

void auth_settings_init(const struct settings *set)
{
	struct auth_settings *aset = pool_new(system_pool, struct auth_settings, 1);
	const char *const *mechs;
	const char **upper;
	unsigned int i, count;

	aset->set = set;
	mechs = tmp_strsplit_spaces(settings_get(set, NULL, "auth_mechanisms"), " ,");
	count = str_array_length(mechs);
	upper = pool_new(system_pool, const char *, count + 1);
	for (i = 0; i < count; i++)
		upper[i] = p_strdup(system_pool, tmp_str_ucase(mechs[i]));
	aset->mechanisms = upper;
	aset->failure_delay_msecs = settings_get_msecs(set, NULL, "auth_failure_delay");
	aset->username_format = p_strdup(system_pool,
		settings_get(set, NULL, "auth_username_format"));
	aset->username_chars = p_strdup(system_pool,
		settings_get(set, NULL, "auth_username_chars"));
	aset->username_translation = p_strdup(system_pool,
		settings_get(set, NULL, "auth_username_translation"));
	aset->base_dir = p_strdup(system_pool, settings_get(set, NULL, "base_dir"));
	aset->debug = settings_get_bool(set, NULL, "auth_debug");
	aset->debug_passwords = settings_get_bool(set, NULL, "auth_debug_passwords");
	aset->verbose = settings_get_bool(set, NULL, "auth_verbose") || aset->debug;
	aset->disable_plaintext_auth =
		settings_get_bool(set, NULL, "disable_plaintext_auth");
	aset->ssl_require_client_cert =
		settings_get_bool(set, NULL, "auth_ssl_require_client_cert");
	aset->ssl_username_from_cert =
		settings_get_bool(set, NULL, "auth_ssl_username_from_cert");
	if (aset->debug_passwords)
		aset->debug = aset->verbose = true;
	auth_set = aset;
}

/* The value, NULL when unset or empty. */
static const char *auth_db_section_get(const struct settings_section *sec,
				       const char *key)
{
	const char *value = settings_section_get(sec, key);

	return value == NULL || value[0] == '\0' ? NULL : value;
}

void auth_db_section_read(const struct settings_section *sec, const char *kind,
			  struct auth_db_section *db_r)
{
	const char *value;

	db_r->driver = auth_db_section_get(sec, "driver");
	if (db_r->driver == NULL)
		log_fatal("%s:%u: %s { } without driver", sec->file, sec->line, kind);
	db_r->args = auth_db_section_get(sec, "args");
	if (db_r->args == NULL)
		db_r->args = "";
	value = auth_db_section_get(sec, "default_fields");
	db_r->default_fields = p_strdup(system_pool, value);
	value = auth_db_section_get(sec, "override_fields");
	db_r->override_fields = p_strdup(system_pool, value);
}
