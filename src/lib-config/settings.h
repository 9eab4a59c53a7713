/* Copyright (c) dovecot-like authors. settings.h: the resolved, read-only
   configuration every process sees (Dovecot 2.3 syntax, 1.x keys mapped), see
   shared/reference/config-syntax.md. Master parses dovecot-like.conf once and
   hands children a snapshot (master-service.h). */
#ifndef SETTINGS_H
#define SETTINGS_H

#include "array.h"

struct settings;

/* A section such as passdb { }, userdb { }, service imap-login { },
   inet_listener imap { }, namespace inbox { }, mailbox Sent { }. */
struct settings_section {
	const char *type;	/* "passdb", "service", "inet_listener", ... */
	const char *name;	/* "" when unnamed (passdb { }) */
	const char *file;	/* where it was defined, for errors */
	unsigned int line;
	ARRAY(const char *) keys;	/* parallel: key, value */
	ARRAY(const char *) values;
	ARRAY(struct settings_section *) children;
};

/* Parse path (following !include, <file values, 1.x mapping). On error
   returns NULL and *errors_r holds every error, one per line, each
   "file:line: message". Warnings (1.x keys mapped, Dovecot settings we do not
   implement) are logged with log_warning(). */
struct settings *settings_parse_file(const char *path, const char **errors_r);
/* Same on an in-memory config (tests). name is used in messages. */
struct settings *settings_parse_data(const char *name, const char *data, size_t len,
				     const char **errors_r);
/* Embedded defaults only. */
struct settings *settings_defaults(void);
void settings_free(struct settings **set);

/* The value of key for protocol (NULL = global). A `protocol <name> { }` filter
   beats the global value; unset keys give the built-in default; unknown keys
   panic (a bug). Never NULL for a known key. Variables like $default_login_user
   are already resolved; %-variables are left for the user of the value. */
const char *settings_get(const struct settings *set, const char *protocol,
			 const char *key);
bool settings_get_bool(const struct settings *set, const char *protocol, const char *key);
unsigned int settings_get_uint(const struct settings *set, const char *protocol,
			       const char *key);
/* Sizes "10M", "1 G"; times "30 secs", "5m", "1 hour" (returned in msecs). */
uoff_t settings_get_size(const struct settings *set, const char *protocol, const char *key);
unsigned int settings_get_msecs(const struct settings *set, const char *protocol,
				const char *key);

/* Top-level sections of a type, in config order ("passdb", "userdb",
   "namespace", "service"). For service, the list always contains every
   built-in service (imap-login, pop3-login, imap, pop3, auth, auth-worker, log,
   anvil) with its default listeners, merged with what the config says. */
unsigned int settings_count_sections(const struct settings *set, const char *type);
const struct settings_section *
settings_get_section(const struct settings *set, const char *type, unsigned int idx);
const struct settings_section *
settings_find_section(const struct settings *set, const char *type, const char *name);
/* A key of a section, or NULL if unset. */
const char *settings_section_get(const struct settings_section *sec, const char *key);
unsigned int settings_section_count_children(const struct settings_section *sec,
					     const char *type);
const struct settings_section *
settings_section_get_child(const struct settings_section *sec, const char *type,
			   unsigned int idx);

/* `dovecot-like -n`: settings that differ from defaults, in config syntax.
   `-a`: every setting. Written to fd. */
void settings_dump(const struct settings *set, bool only_changed, int fd);

/* Snapshot: serialize to a (sealed memfd) fd children inherit, and load it
   back. Returns fd / settings, or -1 / NULL with *error_r. */
int settings_snapshot_create(const struct settings *set, const char **error_r);
struct settings *settings_snapshot_load(int fd, const char **error_r);

#endif
