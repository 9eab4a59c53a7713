/* Copyright (c) dovecot-like authors. imap-list-entries.c: LIST's set of
   names to show (see imap-list-entries.h). */
#include "imap-common.h"
#include "imap-list-entries.h"

/* strcmp order with INBOX first, as the drivers list it */
static int entry_cmp(const void *p1, const void *p2)
{
	const struct imap_list_entry *e1 = p1, *e2 = p2;
	bool inbox1 = strcmp(e1->name, "INBOX") == 0;
	bool inbox2 = strcmp(e2->name, "INBOX") == 0;

	if (inbox1 != inbox2)
		return inbox1 ? -1 : 1;
	return strcmp(e1->name, e2->name);
}

struct imap_list_entry *
imap_list_entry_add(ARRAY_TYPE(imap_list_entry) *entries, const char *name,
		    bool noselect)
{
	struct imap_list_entry *e = array_append_space(entries);

	e->name = name;
	e->noselect = noselect;
	return e;
}

/* Sorts entries and merges the ones of the same name: a real mailbox wins
   over a parent, a subscription over a CHILDINFO parent. */
void imap_list_entries_sort_unique(ARRAY_TYPE(imap_list_entry) *entries)
{
	struct imap_list_entry *e, *prev;
	unsigned int i, count, dest = 0;

	array_sort(entries, entry_cmp);
	e = array_get_modifiable(entries, &count);
	for (i = 0; i < count; i++) {
		if (dest > 0 && strcmp(e[dest - 1].name, e[i].name) == 0) {
			prev = &e[dest - 1];
			prev->noselect = prev->noselect && e[i].noselect;
			prev->subscribed = prev->subscribed || e[i].subscribed;
			prev->childinfo = prev->childinfo || e[i].childinfo;
			prev->missing_auto = prev->missing_auto ||
				e[i].missing_auto;
			continue;
		}
		e[dest++] = e[i];
	}
	if (dest < count)
		array_delete(entries, dest, count - dest);
}

/* names plus their missing parents, sorted, each once; those in
   missing_auto (may be uncreated) marked as such. */
void imap_list_entries_build(struct pool *pool,
			     const ARRAY_TYPE(string) *names,
			     const ARRAY_TYPE(string) *missing_auto,
			     ARRAY_TYPE(imap_list_entry) *entries_r)
{
	const char *const *np, *p;
	struct imap_list_entry *e;

	array_init(entries_r, pool, array_count(names) + 8);
	array_foreach(names, np) {
		e = imap_list_entry_add(entries_r, *np, false);
		e->missing_auto = array_is_created(missing_auto) &&
			string_array_contains(missing_auto, *np);
		for (p = strchr(*np, '/'); p != NULL; p = strchr(p + 1, '/')) {
			imap_list_entry_add(entries_r, p_strndup(pool, *np,
				(size_t)(p - *np)), true);
		}
	}
	imap_list_entries_sort_unique(entries_r);
}

const struct imap_list_entry *
imap_list_entry_find(const ARRAY_TYPE(imap_list_entry) *entries,
		     const char *name)
{
	const struct imap_list_entry *e;

	array_foreach(entries, e) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

bool imap_list_entries_has_children(const ARRAY_TYPE(imap_list_entry) *entries,
				    const char *name)
{
	const struct imap_list_entry *e;
	size_t len = strlen(name);

	array_foreach(entries, e) {
		if (strncmp(e->name, name, len) == 0 && e->name[len] == '/')
			return true;
	}
	return false;
}
