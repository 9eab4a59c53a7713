/* Copyright (c) dovecot-like authors. The section tree every other lib-config
   module builds and reads: keys with their source, child sections, merging. */
#include "lib.h"
#include "settings-private.h"

struct settings_section *
settings_section_new(struct pool *pool, const char *type, const char *name,
		     const char *file, unsigned int line)
{
	struct settings_section *sec = pool_new(pool, struct settings_section, 1);

	sec->type = p_strdup(pool, type);
	sec->name = p_strdup(pool, name == NULL ? "" : name);
	sec->file = p_strdup(pool, file == NULL ? "" : file);
	sec->line = line;
	array_init(&sec->keys, pool, 8);
	array_init(&sec->values, pool, 8);
	array_init(&sec->key_locations, pool, 8);
	array_init(&sec->key_files, pool, 8);
	array_init(&sec->children, pool, 4);
	return sec;
}

int settings_section_key_idx(const struct settings_section *sec, const char *key)
{
	unsigned int i, count = array_count(&sec->keys);

	for (i = 0; i < count; i++) {
		if (strcmp(*array_idx(&sec->keys, i), key) == 0)
			return (int)i;
	}
	return -1;
}

void settings_section_set(struct pool *pool, struct settings_section *sec,
			  const char *key, const char *value,
			  const char *location, const char *file_ref)
{
	int idx = settings_section_key_idx(sec, key);
	const char *v = p_strdup(pool, value);
	const char *loc = p_strdup(pool, location);
	const char *fr = p_strdup(pool, file_ref);

	if (idx >= 0) {
		/* the last assignment wins */
		*array_idx_modifiable(&sec->values, idx) = v;
		*array_idx_modifiable(&sec->key_locations, idx) = loc;
		*array_idx_modifiable(&sec->key_files, idx) = fr;
		return;
	}
	const char *k = p_strdup(pool, key);
	array_append(&sec->keys, &k);
	array_append(&sec->values, &v);
	array_append(&sec->key_locations, &loc);
	array_append(&sec->key_files, &fr);
}

void settings_section_add_child(struct settings_section *sec,
				struct settings_section *child)
{
	array_append(&sec->children, &child);
}

struct settings_section *
settings_section_find_child(struct settings_section *sec, const char *type,
			    const char *name)
{
	struct settings_section *const *childp;

	array_foreach(&sec->children, childp) {
		if (strcmp((*childp)->type, type) == 0 &&
		    strcmp((*childp)->name, name) == 0)
			return *childp;
	}
	return NULL;
}

struct settings_section *
settings_section_get_or_add(struct pool *pool, struct settings_section *sec,
			    const char *type, const char *name,
			    const char *file, unsigned int line)
{
	struct settings_section *child;

	child = settings_section_find_child(sec, type, name);
	if (child == NULL) {
		child = settings_section_new(pool, type, name, file, line);
		settings_section_add_child(sec, child);
	}
	return child;
}

static void
settings_section_copy_keys(struct pool *pool, struct settings_section *dst,
			   const struct settings_section *src)
{
	unsigned int i, count = array_count(&src->keys);

	for (i = 0; i < count; i++) {
		settings_section_set(pool, dst, *array_idx(&src->keys, i),
				     *array_idx(&src->values, i),
				     *array_idx(&src->key_locations, i),
				     *array_idx(&src->key_files, i));
	}
}

struct settings_section *
settings_section_copy(struct pool *pool, const struct settings_section *src)
{
	struct settings_section *dst, *const *childp;

	dst = settings_section_new(pool, src->type, src->name, src->file, src->line);
	settings_section_copy_keys(pool, dst, src);
	array_foreach(&src->children, childp)
		settings_section_add_child(dst, settings_section_copy(pool, *childp));
	return dst;
}

void settings_section_merge(struct pool *pool, struct settings_section *dst,
			    const struct settings_section *src)
{
	struct settings_section *const *childp, *match;

	settings_section_copy_keys(pool, dst, src);
	if (src->file[0] != '\0') {
		/* errors about the merged section point at the config */
		dst->file = p_strdup(pool, src->file);
		dst->line = src->line;
	}
	array_foreach(&src->children, childp) {
		match = (*childp)->name[0] == '\0' ? NULL :
			settings_section_find_child(dst, (*childp)->type,
						    (*childp)->name);
		if (match != NULL)
			settings_section_merge(pool, match, *childp);
		else {
			settings_section_add_child(dst,
				settings_section_copy(pool, *childp));
		}
	}
}

const char *settings_section_get(const struct settings_section *sec, const char *key)
{
	int idx = settings_section_key_idx(sec, key);

	return idx < 0 ? NULL : *array_idx(&sec->values, idx);
}

unsigned int settings_section_count_children(const struct settings_section *sec,
					     const char *type)
{
	struct settings_section *const *childp;
	unsigned int count = 0;

	array_foreach(&sec->children, childp) {
		if (strcmp((*childp)->type, type) == 0)
			count++;
	}
	return count;
}

const struct settings_section *
settings_section_get_child(const struct settings_section *sec, const char *type,
			   unsigned int idx)
{
	struct settings_section *const *childp;

	array_foreach(&sec->children, childp) {
		if (strcmp((*childp)->type, type) == 0) {
			if (idx == 0)
				return *childp;
			idx--;
		}
	}
	return NULL;
}
