/* Copyright (c) dovecot-like authors. auth-settings.h: the global auth_*
   settings the auth process reads once from the master's snapshot. */
#ifndef AUTH_SETTINGS_H
#define AUTH_SETTINGS_H

struct settings;
struct settings_section;

struct auth_settings {
	const struct settings *set;
	const char *const *mechanisms;	/* upper-case, config order */
	unsigned int failure_delay_msecs;
	const char *username_format;
	const char *username_chars;	/* "" = any */
	const char *username_translation;
	const char *base_dir;
	bool debug, debug_passwords, verbose, disable_plaintext_auth;
	/* auth_ssl_require_client_cert, auth_ssl_username_from_cert */
	bool ssl_require_client_cert, ssl_username_from_cert;
};

extern const struct auth_settings *auth_set;

/* What passdb { } and userdb { } sections share. driver and args live as
   long as the settings; the fields are copied into system_pool (the module
   owns them); NULL when unset or empty (args: "" when unset). */
struct auth_db_section {
	const char *driver, *args;
	const char *default_fields, *override_fields;
};

/* Reads sec (kind "passdb" or "userdb"); a missing driver is fatal with
   file:line, as every config error at start-up. */
void auth_db_section_read(const struct settings_section *sec, const char *kind,
			  struct auth_db_section *db_r);

/* Reads the settings into system_pool and sets auth_set. */
void auth_settings_init(const struct settings *set);

#endif
