/* Copyright (c) dovecot-like authors. hash.h: open hash tables with caller-owned
   keys and values (pointers). */
#ifndef HASH_H
#define HASH_H

typedef unsigned int hash_callback_t(const void *key);
typedef int hash_cmp_callback_t(const void *key1, const void *key2);

struct hash_table;
struct hash_iterate;

struct hash_table *hash_table_create(struct pool *pool, unsigned int initial_size,
				     hash_callback_t *hash_cb,
				     hash_cmp_callback_t *key_cmp_cb);
/* String-keyed (strcmp) and case-insensitive (strcasecmp) tables. */
struct hash_table *hash_table_create_str(struct pool *pool, unsigned int initial_size);
struct hash_table *hash_table_create_strcase(struct pool *pool, unsigned int initial_size);
/* Pointer/integer identity keys (POINTER_CAST(n) for integers). */
struct hash_table *hash_table_create_direct(struct pool *pool, unsigned int initial_size);
void hash_table_destroy(struct hash_table **table);

void *hash_table_lookup(const struct hash_table *table, const void *key);
bool hash_table_lookup_full(const struct hash_table *table, const void *lookup_key,
			    void **orig_key_r, void **value_r);
/* Inserts or replaces. */
void hash_table_insert(struct hash_table *table, void *key, void *value);
bool hash_table_remove(struct hash_table *table, const void *key);
unsigned int hash_table_count(const struct hash_table *table);
void hash_table_clear(struct hash_table *table);

/* Removing the current key while iterating is allowed. */
struct hash_iterate *hash_table_iterate_init(struct hash_table *table);
bool hash_table_iterate(struct hash_iterate *iter, void **key_r, void **value_r);
void hash_table_iterate_deinit(struct hash_iterate **iter);

unsigned int str_hash(const void *p);
unsigned int strcase_hash(const void *p);
#define POINTER_CAST(i) ((void *)(uintptr_t)(i))
#define POINTER_CAST_TO(p, type) ((type)(uintptr_t)(p))

#endif
