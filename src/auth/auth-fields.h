/* Copyright (c) dovecot-like authors. auth-fields.h: an ordered key=value list
   for passdb/userdb fields, so replies keep the order the database gave. */
#ifndef AUTH_FIELDS_H
#define AUTH_FIELDS_H

#include "array.h"
#include "str.h"

struct auth_field {
	const char *key;
	const char *value;	/* "" for a bare boolean field */
};

struct auth_fields {
	struct pool *pool;
	ARRAY(struct auth_field) fields;
};

/* Allocated in pool, which must outlive it. */
struct auth_fields *auth_fields_create(struct pool *pool);
/* Adds or replaces key. value NULL means "" (boolean). Both are copied. */
void auth_fields_add(struct auth_fields *fields, const char *key, const char *value);
/* Adds "key=value" or "key" as one string. */
void auth_fields_add_pair(struct auth_fields *fields, const char *pair);
void auth_fields_remove(struct auth_fields *fields, const char *key);
/* NULL if unset. */
const char *auth_fields_find(const struct auth_fields *fields, const char *key);
bool auth_fields_exists(const struct auth_fields *fields, const char *key);
unsigned int auth_fields_count(const struct auth_fields *fields);
/* Appends "\tkey=value" (value tab-escaped; bare "\tkey" when value is "")
   for every field not rejected by skip (NULL = keep all). */
void auth_fields_append(const struct auth_fields *fields, struct str *dest,
			bool (*skip)(const char *key));
/* NULL-terminated "key=value" strings in pool. */
const char *const *auth_fields_export(const struct auth_fields *fields,
				      struct pool *pool);

#endif
