/* Copyright (c) dovecot-like authors. `dovecot-like -n` / `-a`: the settings
   printed back in config syntax (sorted like doveconf, filters last), so an
   admin sees what a config, 1.x keys included, really means. */
#include "lib.h"
#include "str.h"
#include "settings-private.h"

#include <stdlib.h>
#include <unistd.h>

struct dump_item {
	const char *sort_name;
	unsigned int order;	/* keeps config order among equal names */
	const char *key;	/* a key ... */
	const char *value;
	const char *file_ref;
	const struct settings_section *sec;	/* ... or a section */
};

struct dump_items {
	ARRAY(struct dump_item) items;
};

static int dump_item_cmp(const struct dump_item *a, const struct dump_item *b)
{
	int ret = strcmp(a->sort_name, b->sort_name);

	if (ret != 0)
		return ret;
	return a->order < b->order ? -1 : (a->order > b->order ? 1 : 0);
}

static void dump_add_key(struct dump_items *d, const char *key, const char *value,
			 const char *file_ref)
{
	struct dump_item *item = array_append_space(&d->items);

	item->sort_name = key;
	item->order = array_count(&d->items);
	item->key = key;
	item->value = value;
	item->file_ref = file_ref;
}

static void dump_add_section(struct dump_items *d, const struct settings_section *sec)
{
	struct dump_item *item = array_append_space(&d->items);

	/* services sort by name; passdb/userdb/namespace/mailbox keep their
	   (meaningful) config order */
	item->sort_name = strcmp(sec->type, "service") == 0 ?
		tmp_printf("%s %s", sec->type, sec->name) : sec->type;
	item->order = array_count(&d->items);
	item->sec = sec;
}

static bool is_filter(const char *type)
{
	return strcmp(type, "protocol") == 0 || strcmp(type, "local") == 0 ||
		strcmp(type, "remote") == 0 || strcmp(type, "local_name") == 0;
}

/* -n leaves out sections that only exist to be merged with built-ins or
   to select (services, listeners, filters) when nothing is set in them. */
static bool dump_section_skip(const struct settings_section *sec, bool only_changed)
{
	static const char *const skippable[] = {
		"service", "inet_listener", "unix_listener", "fifo_listener",
		"protocol", "local", "remote", "local_name",
	};
	struct settings_section *const *childp;
	unsigned int i;

	if (!only_changed || array_count(&sec->keys) > 0)
		return false;
	for (i = 0; i < N_ELEMENTS(skippable); i++) {
		if (strcmp(sec->type, skippable[i]) == 0)
			break;
	}
	if (i == N_ELEMENTS(skippable))
		return false;
	array_foreach(&sec->children, childp) {
		if (!dump_section_skip(*childp, only_changed))
			return false;
	}
	return true;
}

static void dump_indent(struct str *out, unsigned int depth)
{
	unsigned int i;

	for (i = 0; i < depth; i++)
		str_append(out, "  ");
}

static void dump_section(struct str *out, const struct settings_section *sec,
			 unsigned int depth, bool only_changed);

static void dump_items(struct str *out, struct dump_items *d, unsigned int depth,
		       bool only_changed)
{
	const struct dump_item *item;

	array_sort(&d->items, dump_item_cmp);
	array_foreach(&d->items, item) {
		if (item->sec != NULL) {
			dump_section(out, item->sec, depth, only_changed);
			continue;
		}
		dump_indent(out, depth);
		str_printfa(out, "%s = ", item->key);
		if (item->file_ref != NULL)
			str_append(out, item->file_ref);
		else
			settings_value_append_quoted(out, item->value);
		str_append_c(out, '\n');
	}
}

static void dump_section_name(struct str *out, const char *name)
{
	if (name[0] == '\0')
		return;
	str_append_c(out, ' ');
	if (strpbrk(name, " \t\"'{}#") == NULL) {
		str_append(out, name);
		return;
	}
	str_append_c(out, '"');
	for (; *name != '\0'; name++) {
		if (*name == '"' || *name == '\\')
			str_append_c(out, '\\');
		str_append_c(out, *name);
	}
	str_append_c(out, '"');
}

static void dump_section(struct str *out, const struct settings_section *sec,
			 unsigned int depth, bool only_changed)
{
	struct settings_section *const *childp;
	struct dump_items d;
	unsigned int i;

	dump_indent(out, depth);
	str_append(out, sec->type);
	dump_section_name(out, sec->name);
	str_append(out, " {\n");
	array_init(&d.items, tmp_pool, 16);
	for (i = 0; i < array_count(&sec->keys); i++) {
		dump_add_key(&d, *array_idx(&sec->keys, i), *array_idx(&sec->values, i),
			     *array_idx(&sec->key_files, i));
	}
	array_foreach(&sec->children, childp) {
		if (!dump_section_skip(*childp, only_changed))
			dump_add_section(&d, *childp);
	}
	dump_items(out, &d, depth + 1, only_changed);
	dump_indent(out, depth);
	str_append(out, "}\n");
}

static void dump_global_keys(const struct settings *set, bool only_changed,
			     struct dump_items *d)
{
	const struct settings_section *root = set->root;
	unsigned int i;

	for (i = 0; i < array_count(&root->keys); i++) {
		const char *key = *array_idx(&root->keys, i);
		const char *value = *array_idx(&root->values, i);
		const char *file_ref = *array_idx(&root->key_files, i);
		const struct settings_def *def = settings_def_find(key);

		if (only_changed && def != NULL && file_ref == NULL &&
		    strcmp(value, def->default_value) == 0)
			continue;
		dump_add_key(d, key, value, file_ref);
	}
	if (only_changed)
		return;
	for (i = 0; i < settings_defs_count; i++) {
		const struct settings_def *def = &settings_defs[i];

		if (def->default_value == NULL ||
		    settings_section_key_idx(root, def->name) >= 0)
			continue;
		dump_add_key(d, def->name, def->default_value, NULL);
	}
}

void settings_dump(const struct settings *set, bool only_changed, int fd)
{
	struct settings_section *const *childp;
	struct pool *pool = pool_create("settings dump", 8192, POOL_FLAG_NONE);
	struct str *out = str_new(pool, 8192);
	struct dump_items d;
	const unsigned char *data;
	size_t pos = 0, len;
	ssize_t ret;

	array_init(&d.items, pool, 128);
	dump_global_keys(set, only_changed, &d);
	array_foreach(&set->root->children, childp) {
		if (is_filter((*childp)->type))
			continue;
		if (strcmp((*childp)->type, "service") == 0 && !only_changed)
			continue;	/* the merged list below */
		if (!dump_section_skip(*childp, only_changed))
			dump_add_section(&d, *childp);
	}
	if (!only_changed) {
		array_foreach(&set->services, childp)
			dump_add_section(&d, *childp);
	}
	dump_items(out, &d, 0, only_changed);
	/* filters last: they override what is above */
	array_foreach(&set->root->children, childp) {
		if (is_filter((*childp)->type) &&
		    !dump_section_skip(*childp, only_changed))
			dump_section(out, *childp, 0, only_changed);
	}

	data = str_data(out);
	len = str_len(out);
	while (pos < len) {
		ret = write(fd, data + pos, len - pos);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			log_error("settings_dump: write() failed: %s", strerror(errno));
			break;
		}
		pos += (size_t)ret;
	}
	pool_unref(&pool);
}
