/* Copyright (c) dovecot-like authors. The per-IP authentication penalty
   table: a hash by ident for lookups plus a list in last_update order, so
   expiry and eviction of the oldest entry never scan the table. Time is
   always passed in, which lets the unit tests drive the clock. */
#include "lib.h"
#include "hash.h"
#include "str.h"
#include "strescape.h"
#include "anvil-penalty.h"

#include <string.h>

struct anvil_penalty_entry {
	/* in last_update order: head = oldest */
	struct anvil_penalty_entry *prev, *next;
	unsigned int penalty;
	time_t last_penalty, last_update;
	/* ring of recent failure checksums; 0 = unused slot */
	uint32_t checksums[ANVIL_PENALTY_CHECKSUM_COUNT];
	unsigned int checksum_next;
	char ident[];	/* the hash key */
};

struct anvil_penalty {
	struct hash_table *entries;	/* ident -> entry */
	struct anvil_penalty_entry *oldest, *newest;
};

struct anvil_penalty *anvil_penalty_create(void)
{
	struct anvil_penalty *penalty = pool_new(system_pool, struct anvil_penalty, 1);

	penalty->entries = hash_table_create_str(system_pool, 64);
	return penalty;
}

static void anvil_penalty_unlink(struct anvil_penalty *penalty,
				 struct anvil_penalty_entry *entry)
{
	if (entry->prev != NULL)
		entry->prev->next = entry->next;
	else
		penalty->oldest = entry->next;
	if (entry->next != NULL)
		entry->next->prev = entry->prev;
	else
		penalty->newest = entry->prev;
	entry->prev = entry->next = NULL;
}

static void anvil_penalty_append(struct anvil_penalty *penalty,
				 struct anvil_penalty_entry *entry)
{
	entry->prev = penalty->newest;
	entry->next = NULL;
	if (penalty->newest != NULL)
		penalty->newest->next = entry;
	else
		penalty->oldest = entry;
	penalty->newest = entry;
}

static void anvil_penalty_remove(struct anvil_penalty *penalty,
				 struct anvil_penalty_entry *entry)
{
	anvil_penalty_unlink(penalty, entry);
	hash_table_remove(penalty->entries, entry->ident);
	p_free(system_pool, entry);
}

void anvil_penalty_destroy(struct anvil_penalty **_penalty)
{
	struct anvil_penalty *penalty = *_penalty;

	*_penalty = NULL;
	while (penalty->oldest != NULL)
		anvil_penalty_remove(penalty, penalty->oldest);
	hash_table_destroy(&penalty->entries);
	p_free(system_pool, penalty);
}

static bool anvil_penalty_entry_expired(const struct anvil_penalty_entry *entry,
					time_t now)
{
	/* a clock that went backwards does not make entries immortal:
	   last_update in the future counts as now */
	return entry->last_update <= now &&
		now - entry->last_update >= ANVIL_PENALTY_EXPIRE_SECS;
}

void anvil_penalty_expire(struct anvil_penalty *penalty, time_t now)
{
	while (penalty->oldest != NULL &&
	       anvil_penalty_entry_expired(penalty->oldest, now))
		anvil_penalty_remove(penalty, penalty->oldest);
}

unsigned int anvil_penalty_count(const struct anvil_penalty *penalty)
{
	return hash_table_count(penalty->entries);
}

unsigned int anvil_penalty_get(struct anvil_penalty *penalty, const char *ident,
			       time_t now, time_t *last_penalty_r)
{
	struct anvil_penalty_entry *entry = hash_table_lookup(penalty->entries, ident);

	if (entry != NULL && anvil_penalty_entry_expired(entry, now)) {
		anvil_penalty_remove(penalty, entry);
		entry = NULL;
	}
	if (entry == NULL) {
		*last_penalty_r = 0;
		return 0;
	}
	*last_penalty_r = entry->last_penalty;
	return entry->penalty;
}

static bool anvil_penalty_has_checksum(const struct anvil_penalty_entry *entry,
				       uint32_t checksum)
{
	unsigned int i;

	for (i = 0; i < ANVIL_PENALTY_CHECKSUM_COUNT; i++) {
		if (entry->checksums[i] == checksum)
			return true;
	}
	return false;
}

static struct anvil_penalty_entry *
anvil_penalty_entry_new(struct anvil_penalty *penalty, const char *ident)
{
	struct anvil_penalty_entry *entry;
	size_t len = strlen(ident);

	if (hash_table_count(penalty->entries) >= ANVIL_PENALTY_MAX_ENTRIES)
		anvil_penalty_remove(penalty, penalty->oldest);
	entry = p_malloc(system_pool, sizeof(*entry) + len + 1);
	memset(entry, 0, sizeof(*entry));
	memcpy(entry->ident, ident, len + 1);
	hash_table_insert(penalty->entries, entry->ident, entry);
	anvil_penalty_append(penalty, entry);
	return entry;
}

void anvil_penalty_inc(struct anvil_penalty *penalty, const char *ident,
		       uint32_t checksum, unsigned int value, time_t now)
{
	struct anvil_penalty_entry *entry = hash_table_lookup(penalty->entries, ident);

	ASSERT(value <= ANVIL_PENALTY_MAX_VALUE);
	if (entry != NULL && anvil_penalty_entry_expired(entry, now)) {
		anvil_penalty_remove(penalty, entry);
		entry = NULL;
	}
	if (value == 0) {
		/* a successful login: the IP is forgiven */
		if (entry != NULL)
			anvil_penalty_remove(penalty, entry);
		return;
	}
	if (entry == NULL)
		entry = anvil_penalty_entry_new(penalty, ident);
	else {
		/* keep the list in last_update order */
		anvil_penalty_unlink(penalty, entry);
		anvil_penalty_append(penalty, entry);
	}
	entry->last_update = now;
	if (checksum != 0 && anvil_penalty_has_checksum(entry, checksum))
		return;	/* the same failure again: not a new guess */
	entry->penalty = value;
	entry->last_penalty = now;
	if (checksum != 0) {
		entry->checksums[entry->checksum_next] = checksum;
		entry->checksum_next = (entry->checksum_next + 1) %
			ANVIL_PENALTY_CHECKSUM_COUNT;
	}
}

void anvil_penalty_dump(struct anvil_penalty *penalty, time_t now,
			struct str *dest)
{
	const struct anvil_penalty_entry *entry;

	for (entry = penalty->oldest; entry != NULL; entry = entry->next) {
		if (anvil_penalty_entry_expired(entry, now))
			continue;
		str_append_tabescaped(dest, entry->ident);
		str_printfa(dest, "\t%u\t%lld\t%lld\n", entry->penalty,
			    (long long)entry->last_penalty,
			    (long long)entry->last_update);
	}
}
