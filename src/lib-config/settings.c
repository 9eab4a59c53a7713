/* Copyright (c) dovecot-like authors. Read access to resolved settings: the
   lookup order (protocol filter, global, default) every process relies on. */
#include "lib.h"
#include "settings-private.h"

#include <limits.h>
#include <stdlib.h>

struct settings *settings_alloc(void)
{
	struct pool *pool = pool_create("settings", 16384, POOL_FLAG_NONE);
	struct settings *set = pool_new(pool, struct settings, 1);

	set->pool = pool;
	set->root = settings_section_new(pool, "", "", "", 0);
	set->warnings = "";
	return set;
}

void settings_finalize(struct settings *set)
{
	settings_services_build(set);
}

struct settings *settings_defaults(void)
{
	struct settings *set = settings_alloc();

	settings_finalize(set);
	return set;
}

void settings_free(struct settings **_set)
{
	struct settings *set = *_set;
	struct pool *pool;

	if (set == NULL)
		return;
	*_set = NULL;
	pool = set->pool;
	pool_unref(&pool);
}

static int dovecot_key_cmp(const void *key, const void *member)
{
	return strcmp(key, *(const char *const *)member);
}

bool settings_is_dovecot_key(const char *path)
{
	return bsearch(path, settings_dovecot_keys, settings_dovecot_keys_count,
		       sizeof(settings_dovecot_keys[0]), dovecot_key_cmp) != NULL;
}

/* Filters that apply to protocol: an exact "protocol imap" first, then
   "protocol !pop3" style negations. */
static const struct settings_section *
protocol_filter_find(const struct settings *set, const char *protocol,
		     const char *key, int *idx_r)
{
	struct settings_section *const *childp;
	unsigned int pass;

	for (pass = 0; pass < 2; pass++) {
		array_foreach(&set->root->children, childp) {
			const struct settings_section *f = *childp;
			bool match;
			int idx;

			if (strcmp(f->type, "protocol") != 0)
				continue;
			if (pass == 0)
				match = strcmp(f->name, protocol) == 0;
			else {
				match = f->name[0] == '!' &&
					strcmp(f->name + 1, protocol) != 0;
			}
			if (match && (idx = settings_section_key_idx(f, key)) >= 0) {
				*idx_r = idx;
				return f;
			}
		}
	}
	return NULL;
}

static const struct settings_section *
settings_find_key(const struct settings *set, const char *protocol,
		  const char *key, int *idx_r)
{
	const struct settings_section *f;

	if (protocol != NULL &&
	    (f = protocol_filter_find(set, protocol, key, idx_r)) != NULL)
		return f;
	*idx_r = settings_section_key_idx(set->root, key);
	return *idx_r < 0 ? NULL : set->root;
}

const char *settings_lookup(const struct settings *set, const char *protocol,
			    const char *key)
{
	const struct settings_section *sec;
	const struct settings_def *def;
	int idx;

	sec = settings_find_key(set, protocol, key, &idx);
	if (sec != NULL)
		return *array_idx(&sec->values, idx);
	def = settings_def_find(key);
	if (def != NULL && def->default_value != NULL)
		return def->default_value;
	return NULL;
}

static const struct settings_def *settings_def_get(const char *key)
{
	const struct settings_def *def = settings_def_find(key);

	if (def == NULL || def->default_value == NULL)
		panic("settings_get(%s): not a setting dovecot-like implements", key);
	return def;
}

const char *settings_get(const struct settings *set, const char *protocol,
			 const char *key)
{
	const char *value;

	(void)settings_def_get(key);
	value = settings_lookup(set, protocol, key);
	ASSERT(value != NULL);
	return value;
}

bool settings_get_bool(const struct settings *set, const char *protocol, const char *key)
{
	const char *error;
	bool b;

	if (settings_def_get(key)->type != SETTINGS_TYPE_BOOL)
		panic("settings_get_bool(%s): not a boolean", key);
	if (settings_parse_bool(settings_get(set, protocol, key), &b, &error) < 0)
		panic("settings_get_bool(%s): %s", key, error);
	return b;
}

unsigned int settings_get_uint(const struct settings *set, const char *protocol,
			       const char *key)
{
	const struct settings_def *def = settings_def_get(key);
	const char *error;
	unsigned int n;
	int ret;

	if (def->type == SETTINGS_TYPE_MODE)
		ret = settings_parse_mode(settings_get(set, protocol, key), &n, &error);
	else if (def->type == SETTINGS_TYPE_UINT || def->type == SETTINGS_TYPE_PORT)
		ret = settings_parse_uint(settings_get(set, protocol, key), &n, &error);
	else
		panic("settings_get_uint(%s): not a number", key);
	if (ret < 0)
		panic("settings_get_uint(%s): %s", key, error);
	return n;
}

uoff_t settings_get_size(const struct settings *set, const char *protocol, const char *key)
{
	const char *error;
	uoff_t size;

	if (settings_def_get(key)->type != SETTINGS_TYPE_SIZE)
		panic("settings_get_size(%s): not a size", key);
	if (settings_parse_size(settings_get(set, protocol, key), &size, &error) < 0)
		panic("settings_get_size(%s): %s", key, error);
	return size;
}

unsigned int settings_get_msecs(const struct settings *set, const char *protocol,
				const char *key)
{
	const char *error;
	uint64_t msecs;

	if (settings_def_get(key)->type != SETTINGS_TYPE_TIME)
		panic("settings_get_msecs(%s): not a time", key);
	if (settings_parse_time(settings_get(set, protocol, key), &msecs, &error) < 0)
		panic("settings_get_msecs(%s): %s", key, error);
	/* "4294967295 secs" style values mean "forever" */
	return msecs > UINT_MAX ? UINT_MAX : (unsigned int)msecs;
}

const char *settings_get_location(const struct settings *set, const char *protocol,
				  const char *key)
{
	const struct settings_section *sec;
	int idx;

	sec = settings_find_key(set, protocol, key, &idx);
	return sec == NULL ? NULL : *array_idx(&sec->key_locations, idx);
}

const char *settings_get_warnings(const struct settings *set)
{
	return set->warnings;
}

const struct settings_section *settings_get_root(const struct settings *set)
{
	return set->root;
}

unsigned int settings_count_sections(const struct settings *set, const char *type)
{
	if (strcmp(type, "service") == 0)
		return array_count(&set->services);
	return settings_section_count_children(set->root, type);
}

const struct settings_section *
settings_get_section(const struct settings *set, const char *type, unsigned int idx)
{
	if (strcmp(type, "service") == 0) {
		if (idx >= array_count(&set->services))
			return NULL;
		return *array_idx(&set->services, idx);
	}
	return settings_section_get_child(set->root, type, idx);
}

const struct settings_section *
settings_find_section(const struct settings *set, const char *type, const char *name)
{
	const struct settings_section *sec;
	unsigned int i;

	for (i = 0; (sec = settings_get_section(set, type, i)) != NULL; i++) {
		if (strcmp(sec->name, name) == 0)
			return sec;
	}
	return NULL;
}
