/* Copyright (c) dovecot-like authors. The per-ident connection counts anvil
   keeps; an entry lives exactly as long as its count is non-zero, so the
   table never grows with idents that went away. */
#include "lib.h"
#include "hash.h"
#include "str.h"
#include "strescape.h"
#include "anvil-registry.h"

#include <string.h>

struct anvil_entry {
	unsigned int count;
	char ident[];	/* the hash key */
};

struct anvil_registry {
	struct hash_table *entries;	/* ident -> struct anvil_entry */
};

struct anvil_registry *anvil_registry_create(void)
{
	struct anvil_registry *reg = pool_new(system_pool, struct anvil_registry, 1);

	reg->entries = hash_table_create_str(system_pool, 64);
	return reg;
}

void anvil_registry_destroy(struct anvil_registry **_reg)
{
	struct anvil_registry *reg = *_reg;
	struct hash_iterate *iter;
	void *key, *value;

	*_reg = NULL;
	iter = hash_table_iterate_init(reg->entries);
	while (hash_table_iterate(iter, &key, &value))
		p_free(system_pool, value);
	hash_table_iterate_deinit(&iter);
	hash_table_destroy(&reg->entries);
	p_free(system_pool, reg);
}

bool anvil_registry_connect(struct anvil_registry *reg, const char *ident,
			    unsigned int limit, unsigned int *count_r)
{
	struct anvil_entry *entry = hash_table_lookup(reg->entries, ident);
	size_t len;

	if (entry == NULL) {
		len = strlen(ident);
		entry = p_malloc(system_pool, sizeof(*entry) + len + 1);
		memcpy(entry->ident, ident, len + 1);
		entry->count = 0;
		hash_table_insert(reg->entries, entry->ident, entry);
	}
	if (limit != 0 && entry->count >= limit) {
		/* an entry exists only while count > 0, so none was created */
		*count_r = entry->count;
		return false;
	}
	entry->count++;
	*count_r = entry->count;
	return true;
}

void anvil_registry_disconnect(struct anvil_registry *reg, const char *ident)
{
	struct anvil_entry *entry = hash_table_lookup(reg->entries, ident);

	ASSERT(entry != NULL && entry->count > 0);
	if (--entry->count == 0) {
		hash_table_remove(reg->entries, entry->ident);
		p_free(system_pool, entry);
	}
}

unsigned int anvil_registry_count(const struct anvil_registry *reg,
				  const char *ident)
{
	const struct anvil_entry *entry = hash_table_lookup(reg->entries, ident);

	return entry == NULL ? 0 : entry->count;
}

void anvil_registry_list(struct anvil_registry *reg, struct str *dest)
{
	struct hash_iterate *iter = hash_table_iterate_init(reg->entries);
	void *key, *value;

	while (hash_table_iterate(iter, &key, &value)) {
		const struct anvil_entry *entry = value;

		str_append_tabescaped(dest, entry->ident);
		str_printfa(dest, "\t%u\n", entry->count);
	}
	hash_table_iterate_deinit(&iter);
}
