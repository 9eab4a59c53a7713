/* Copyright (c) dovecot-like authors. auth-fields.c: ordered key=value lists
   for passdb/userdb fields; the wire encoding of them lives here too so every
   reply escapes values the same way. */
#include "lib.h"
#include "strescape.h"
#include "auth-fields.h"

struct auth_fields *auth_fields_create(struct pool *pool)
{
	struct auth_fields *fields = pool_new(pool, struct auth_fields, 1);

	fields->pool = pool;
	array_init(&fields->fields, pool, 8);
	return fields;
}

static struct auth_field *
auth_fields_lookup(const struct auth_fields *fields, const char *key,
		   unsigned int *idx_r)
{
	const struct auth_field *f;
	unsigned int i, count;

	f = array_get(&fields->fields, &count);
	for (i = 0; i < count; i++) {
		if (strcmp(f[i].key, key) == 0) {
			if (idx_r != NULL)
				*idx_r = i;
			return (struct auth_field *)&f[i];
		}
	}
	return NULL;
}

void auth_fields_add(struct auth_fields *fields, const char *key, const char *value)
{
	struct auth_field *f;

	if (value == NULL)
		value = "";
	f = auth_fields_lookup(fields, key, NULL);
	if (f == NULL) {
		f = array_append_space(&fields->fields);
		f->key = p_strdup(fields->pool, key);
	}
	f->value = p_strdup(fields->pool, value);
}

void auth_fields_add_pair(struct auth_fields *fields, const char *pair)
{
	const char *eq = strchr(pair, '=');

	if (eq == NULL)
		auth_fields_add(fields, pair, "");
	else
		auth_fields_add(fields, tmp_strndup(pair, eq - pair), eq + 1);
}

void auth_fields_remove(struct auth_fields *fields, const char *key)
{
	unsigned int idx;

	if (auth_fields_lookup(fields, key, &idx) != NULL)
		array_delete(&fields->fields, idx, 1);
}

const char *auth_fields_find(const struct auth_fields *fields, const char *key)
{
	const struct auth_field *f = auth_fields_lookup(fields, key, NULL);

	return f == NULL ? NULL : f->value;
}

bool auth_fields_exists(const struct auth_fields *fields, const char *key)
{
	return auth_fields_lookup(fields, key, NULL) != NULL;
}

unsigned int auth_fields_count(const struct auth_fields *fields)
{
	return array_count(&fields->fields);
}

void auth_fields_append(const struct auth_fields *fields, struct str *dest,
			bool (*skip)(const char *key))
{
	const struct auth_field *f;

	array_foreach(&fields->fields, f) {
		if (skip != NULL && skip(f->key))
			continue;
		str_append_c(dest, '\t');
		str_append_tabescaped(dest, f->key);
		if (f->value[0] != '\0') {
			str_append_c(dest, '=');
			str_append_tabescaped(dest, f->value);
		}
	}
}

const char *const *auth_fields_export(const struct auth_fields *fields,
				      struct pool *pool)
{
	const struct auth_field *f;
	const char **ret;
	unsigned int i = 0;

	ret = pool_new(pool, const char *, array_count(&fields->fields) + 1);
	array_foreach(&fields->fields, f) {
		ret[i++] = f->value[0] == '\0' ? p_strdup(pool, f->key) :
			p_strconcat(pool, f->key, "=", f->value, NULL);
	}
	return ret;
}
