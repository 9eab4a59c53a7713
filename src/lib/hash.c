/* Copyright (c) dovecot-like authors. Chained hash tables for caller-owned
   keys and values; allocated from the caller's pool so tmp tables need no
   destroy. */
#include "lib.h"
#include "hash.h"

#include <strings.h>
#include <ctype.h>

struct hash_node {
	struct hash_node *next;
	void *key, *value;
	unsigned int hash;
};

struct hash_table {
	struct pool *pool;
	hash_callback_t *hash_cb;
	hash_cmp_callback_t *key_cmp_cb;
	struct hash_node **buckets;
	unsigned int size;	/* buckets, power of 2 */
	unsigned int count;
	struct hash_node *free_nodes;	/* reused: pool may not free */
	unsigned int iterators;
};

struct hash_iterate {
	struct hash_table *table;
	unsigned int bucket;
	struct hash_node *next;
};

static unsigned int hash_round_size(unsigned int n)
{
	unsigned int size = 16;

	while (size < n && size < (1U << 30))
		size <<= 1;
	return size;
}

struct hash_table *hash_table_create(struct pool *pool, unsigned int initial_size,
				     hash_callback_t *hash_cb,
				     hash_cmp_callback_t *key_cmp_cb)
{
	struct hash_table *table = pool_new(pool, struct hash_table, 1);

	table->pool = pool;
	table->hash_cb = hash_cb;
	table->key_cmp_cb = key_cmp_cb;
	table->size = hash_round_size(initial_size);
	table->buckets = pool_new(pool, struct hash_node *, table->size);
	return table;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int strcase_cmp(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

static unsigned int direct_hash(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;

	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned int)v;
}

static int direct_cmp(const void *a, const void *b)
{
	return a == b ? 0 : 1;
}

struct hash_table *hash_table_create_str(struct pool *pool, unsigned int initial_size)
{
	return hash_table_create(pool, initial_size, str_hash, str_cmp);
}

struct hash_table *hash_table_create_strcase(struct pool *pool, unsigned int initial_size)
{
	return hash_table_create(pool, initial_size, strcase_hash, strcase_cmp);
}

struct hash_table *hash_table_create_direct(struct pool *pool, unsigned int initial_size)
{
	return hash_table_create(pool, initial_size, direct_hash, direct_cmp);
}

static void hash_nodes_free(struct hash_table *table, struct hash_node *node)
{
	struct hash_node *next;

	for (; node != NULL; node = next) {
		next = node->next;
		p_free(table->pool, node);
	}
}

void hash_table_clear(struct hash_table *table)
{
	unsigned int i;

	ASSERT(table->iterators == 0);
	for (i = 0; i < table->size; i++) {
		hash_nodes_free(table, table->buckets[i]);
		table->buckets[i] = NULL;
	}
	table->count = 0;
}

void hash_table_destroy(struct hash_table **_table)
{
	struct hash_table *table = *_table;

	if (table == NULL)
		return;
	*_table = NULL;
	hash_table_clear(table);
	hash_nodes_free(table, table->free_nodes);
	p_free(table->pool, table->buckets);
	p_free(table->pool, table);
}

static struct hash_node **
hash_table_find(const struct hash_table *table, const void *key,
		unsigned int hash)
{
	struct hash_node **nodep = &table->buckets[hash & (table->size - 1)];

	for (; *nodep != NULL; nodep = &(*nodep)->next) {
		if ((*nodep)->hash == hash &&
		    table->key_cmp_cb((*nodep)->key, key) == 0)
			break;
	}
	return nodep;
}

void *hash_table_lookup(const struct hash_table *table, const void *key)
{
	struct hash_node *node =
		*hash_table_find(table, key, table->hash_cb(key));

	return node == NULL ? NULL : node->value;
}

bool hash_table_lookup_full(const struct hash_table *table, const void *lookup_key,
			    void **orig_key_r, void **value_r)
{
	struct hash_node *node =
		*hash_table_find(table, lookup_key, table->hash_cb(lookup_key));

	if (node == NULL)
		return false;
	if (orig_key_r != NULL)
		*orig_key_r = node->key;
	if (value_r != NULL)
		*value_r = node->value;
	return true;
}

static void hash_table_grow(struct hash_table *table)
{
	unsigned int i, new_size = table->size * 2;
	struct hash_node **new_buckets, *node, *next;

	new_buckets = pool_new(table->pool, struct hash_node *, new_size);
	for (i = 0; i < table->size; i++) {
		for (node = table->buckets[i]; node != NULL; node = next) {
			next = node->next;
			node->next = new_buckets[node->hash & (new_size - 1)];
			new_buckets[node->hash & (new_size - 1)] = node;
		}
	}
	p_free(table->pool, table->buckets);
	table->buckets = new_buckets;
	table->size = new_size;
}

void hash_table_insert(struct hash_table *table, void *key, void *value)
{
	unsigned int hash = table->hash_cb(key);
	struct hash_node **nodep = hash_table_find(table, key, hash), *node;

	if (*nodep != NULL) {
		(*nodep)->key = key;
		(*nodep)->value = value;
		return;
	}
	/* a resize would make a running iteration skip or repeat keys */
	ASSERT(table->iterators == 0);
	if (table->free_nodes != NULL) {
		node = table->free_nodes;
		table->free_nodes = node->next;
		memset(node, 0, sizeof(*node));
	} else {
		node = pool_new(table->pool, struct hash_node, 1);
	}
	node->key = key;
	node->value = value;
	node->hash = hash;
	*nodep = node;
	table->count++;
	if (table->count > table->size && table->size < (1U << 30))
		hash_table_grow(table);
}

bool hash_table_remove(struct hash_table *table, const void *key)
{
	struct hash_node **nodep =
		hash_table_find(table, key, table->hash_cb(key));
	struct hash_node *node = *nodep;

	if (node == NULL)
		return false;
	*nodep = node->next;
	node->next = table->free_nodes;
	node->key = node->value = NULL;
	table->free_nodes = node;
	table->count--;
	return true;
}

unsigned int hash_table_count(const struct hash_table *table)
{
	return table->count;
}

struct hash_iterate *hash_table_iterate_init(struct hash_table *table)
{
	struct hash_iterate *iter = p_malloc(system_pool, sizeof(*iter));

	iter->table = table;
	iter->bucket = 0;
	iter->next = table->buckets[0];
	table->iterators++;
	return iter;
}

bool hash_table_iterate(struct hash_iterate *iter, void **key_r, void **value_r)
{
	struct hash_table *table = iter->table;
	struct hash_node *node;

	while (iter->next == NULL) {
		if (++iter->bucket >= table->size)
			return false;
		iter->next = table->buckets[iter->bucket];
	}
	node = iter->next;
	/* remember the successor now: the caller may remove this node */
	iter->next = node->next;
	*key_r = node->key;
	*value_r = node->value;
	return true;
}

void hash_table_iterate_deinit(struct hash_iterate **_iter)
{
	struct hash_iterate *iter = *_iter;

	if (iter == NULL)
		return;
	*_iter = NULL;
	iter->table->iterators--;
	p_free(system_pool, iter);
}

unsigned int str_hash(const void *p)
{
	const unsigned char *s = p;
	unsigned int h = 2166136261U;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= *s;
		h *= 16777619U;
	}
	return h;
}

unsigned int strcase_hash(const void *p)
{
	const unsigned char *s = p;
	unsigned int h = 2166136261U;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)tolower(*s);
		h *= 16777619U;
	}
	return h;
}
