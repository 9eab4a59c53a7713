/* Copyright (c) dovecot-like authors. settings-private.h: internals shared by
   the lib-config modules (the settings object, the key schema, section tree
   helpers), never included outside src/lib-config. */
#ifndef SETTINGS_PRIVATE_H
#define SETTINGS_PRIVATE_H

#include "settings.h"

struct str;

enum settings_type {
	SETTINGS_TYPE_STR,
	SETTINGS_TYPE_BOOL,
	SETTINGS_TYPE_UINT,
	SETTINGS_TYPE_MODE,	/* octal with a leading 0 */
	SETTINGS_TYPE_PORT,	/* uint 0..65535 */
	SETTINGS_TYPE_SIZE,
	SETTINGS_TYPE_TIME,
	SETTINGS_TYPE_ENUM,	/* one of enum_values (space-separated) */
	/* space-separated words, each one of enum_values, none twice
	   (mbox_write_locks = dotlock fcntl) */
	SETTINGS_TYPE_ENUM_LIST,
	/* Dovecot's *_client_workarounds: words of enum_values, any case,
	   separated by spaces or commas (settings_parse_workarounds()) */
	SETTINGS_TYPE_WORKAROUNDS,
};

/* A setting we implement. Global settings have a plain name; keys inside
   sections are "service/port", "service/inet_listener/port" etc. and have no
   default (NULL: unset unless the config or a built-in service says so). */
struct settings_def {
	const char *name;
	enum settings_type type;
	const char *default_value;
	const char *enum_values;
};

struct settings {
	struct pool *pool;
	/* The config as written (1.x keys already mapped). */
	struct settings_section *root;
	/* Built-in services merged with root's service sections. */
	ARRAY(struct settings_section *) services;
	const char *warnings;
};

/* settings-defaults.c */
extern const struct settings_def settings_defs[];
extern const unsigned int settings_defs_count;
const struct settings_def *settings_def_find(const char *name);

/* settings-dovecot-keys.c (generated): sorted with strcmp */
extern const char *const settings_dovecot_keys[];
extern const unsigned int settings_dovecot_keys_count;
bool settings_is_dovecot_key(const char *path);

/* settings-value.c: check value against def's type. A time without unit is
   accepted (as seconds) when *fixed_r is set to the normalized value and
   *warning_r explains it; otherwise *fixed_r = NULL. */
int settings_value_check(const struct settings_def *def, const char *value,
			 const char **fixed_r, const char **warning_r,
			 const char **error_r);
/* Value of a key in dump/snapshot syntax: quoted when needed. */
void settings_value_append_quoted(struct str *dest, const char *value);

/* settings-tree.c */
struct settings_section *
settings_section_new(struct pool *pool, const char *type, const char *name,
		     const char *file, unsigned int line);
/* Sets or replaces key. location/file_ref may be NULL. Strings are copied. */
void settings_section_set(struct pool *pool, struct settings_section *sec,
			  const char *key, const char *value,
			  const char *location, const char *file_ref);
/* Index of key in sec, or -1. */
int settings_section_key_idx(const struct settings_section *sec, const char *key);
void settings_section_add_child(struct settings_section *sec,
				struct settings_section *child);
struct settings_section *
settings_section_find_child(struct settings_section *sec, const char *type,
			    const char *name);
/* Find a child with (type, name), or create it at the end. */
struct settings_section *
settings_section_get_or_add(struct pool *pool, struct settings_section *sec,
			    const char *type, const char *name,
			    const char *file, unsigned int line);
struct settings_section *
settings_section_copy(struct pool *pool, const struct settings_section *src);
/* Keys of src override dst's; children with the same (type, name) are merged
   recursively, others are appended (copied). */
void settings_section_merge(struct pool *pool, struct settings_section *dst,
			    const struct settings_section *src);

/* settings-services.c: build set->services from the built-ins and root. */
void settings_services_build(struct settings *set);
bool settings_service_is_builtin(const char *name);
/* Built-in value of key in a service (listener_type/listener_name NULL for a
   service key), or NULL. Used by dump -n. */
const char *settings_service_builtin_value(const char *service,
					   const char *listener_type,
					   const char *listener_name,
					   const char *key);

/* settings.c */
struct settings *settings_alloc(void);
/* After parsing or loading: build services, resolve built-in $variables. */
void settings_finalize(struct settings *set);
/* Value of key (global or in protocol filter) or its default; NULL if
   neither the config nor our defaults know it. */
const char *settings_lookup(const struct settings *set, const char *protocol,
			    const char *key);

#endif
