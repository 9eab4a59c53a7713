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
	/* Added: parallel to keys. "file:line" where each key was set (NULL for
	   a built-in default), and "<path" when the value was read from a file
	   (NULL otherwise; dumps print "<path" instead of the contents). */
	ARRAY(const char *) key_locations;
	ARRAY(const char *) key_files;
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

/* Added: every warning the parse produced (also logged), one per line,
   "" if none. Owned by set. Not carried by snapshots. */
const char *settings_get_warnings(const struct settings *set);
/* Added: "file:line" where key got its value for protocol (NULL = global),
   or NULL when it is the built-in default. Owned by set. */
const char *settings_get_location(const struct settings *set, const char *protocol,
				  const char *key);
/* Added: the whole config tree as written (type "", name ""): top-level keys,
   sections and filters (type "protocol", "local", "remote", "local_name")
   before built-in services are merged in. Owned by set. */
const struct settings_section *settings_get_root(const struct settings *set);

/* Added: value parsers for section keys (port, mode, vsz_limit, idle_kill...),
   same rules as the config parser. Return 0, or -1 with *error_r (tmp). */
int settings_parse_bool(const char *value, bool *result_r, const char **error_r);
/* Decimal unsigned int. */
int settings_parse_uint(const char *value, unsigned int *result_r, const char **error_r);
/* File mode: octal when it starts with 0 ("0600"), else decimal. */
int settings_parse_mode(const char *value, unsigned int *result_r, const char **error_r);
/* "256M", "64 k", "1 G", plain bytes. */
int settings_parse_size(const char *value, uoff_t *result_r, const char **error_r);
/* "30 secs", "5m", "1 hour", "100 ms"; "0" needs no unit. Result in msecs. */
int settings_parse_time(const char *value, uint64_t *msecs_r, const char **error_r);
/* A Dovecot *_client_workarounds list: words separated by spaces or
   commas, each one of names (NULL-terminated, at most 32), compared
   case-insensitively, repeats allowed. *mask_r gets bit i for names[i];
   -1 with *error_r "Unknown workaround: <word>" (tmp) for any other word. */
int settings_parse_workarounds(const char *value, const char *const *names,
			       unsigned int *mask_r, const char **error_r);

#endif
