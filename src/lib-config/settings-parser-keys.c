/* Copyright (c) dovecot-like authors. What a key or a section means where it
   appears (global, filter, service, listener, passdb, namespace...): the
   validation and nesting rules of the config parser. */
#include "lib.h"
#include "str.h"
#include "settings-parser-private.h"

#include <stdlib.h>

static const struct {
	const char *type;
	unsigned int rank;
} filter_ranks[] = {
	{ "local", 1 }, { "local_name", 2 }, { "remote", 3 }, { "protocol", 4 },
};

static unsigned int filter_rank(const char *type)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(filter_ranks); i++) {
		if (strcmp(filter_ranks[i].type, type) == 0)
			return filter_ranks[i].rank;
	}
	return 0;
}

/* Current value of a setting at this point of parsing, for $name. */
static const char *parser_var_lookup(struct settings_parser *p, const char *name)
{
	unsigned int i = array_count(&p->frames);
	const char *value;

	while (i-- > 1) {
		const struct parser_frame *frame = array_idx(&p->frames, i);

		if (frame->kind == PARSER_FRAME_FILTER &&
		    (value = settings_section_get(frame->sec, name)) != NULL)
			return value;
	}
	value = settings_lookup(p->set, NULL, name);
	if (value != NULL)
		return value;
	/* a Dovecot setting we do not implement: its value is ours to give,
	   and unset means empty */
	return settings_is_dovecot_key(name) ? "" : NULL;
}

int parser_expand_vars(struct settings_parser *p, const char *key,
		       const char *value, const char **result_r)
{
	struct str *str;
	const char *s, *name_end, *var;

	if (strchr(value, '$') == NULL) {
		*result_r = value;
		return 0;
	}
	str = t_str_new(strlen(value) + 64);
	for (s = value; *s != '\0'; ) {
		if (*s != '$' || (s != value && s[-1] != ' ' && s[-1] != '\t') ||
		    s[1] == '\0' || s[1] == ' ' || s[1] == '\t') {
			str_append_c(str, *s++);
			continue;
		}
		for (name_end = s + 1; *name_end != '\0' && *name_end != ' ' &&
			     *name_end != '\t'; name_end++) ;
		const char *name = tmp_strndup(s + 1, (size_t)(name_end - s - 1));
		if (strncmp(name, "ENV:", 4) == 0) {
			var = getenv(name + 4);
			if (var == NULL)
				var = "";
		} else if ((var = parser_var_lookup(p, name)) == NULL) {
			parser_error(p, "Setting %s: Unknown variable: $%s", key, name);
			return -1;
		}
		str_append(str, var);
		s = name_end;
	}
	*result_r = str_c(str);
	return 0;
}

static bool parser_check_value(struct settings_parser *p, const struct settings_def *def,
			       const char *key, const char **value)
{
	const char *fixed, *warning, *error;

	if (settings_value_check(def, *value, &fixed, &warning, &error) < 0) {
		parser_error(p, "Invalid value for setting %s: %s", key, error);
		return false;
	}
	if (warning != NULL)
		parser_warning(p, "Setting %s: %s", key, warning);
	if (fixed != NULL)
		*value = fixed;
	return true;
}

bool parser_set_global(struct settings_parser *p, struct settings_section *target,
		       const char *key, const char *value, const char *file_ref)
{
	const struct settings_def *def = settings_def_find(key);

	if (def != NULL && def->default_value != NULL) {
		if (parser_check_value(p, def, key, &value)) {
			settings_section_set(p->set->pool, target, key, value,
					     p->location, file_ref);
		}
		return true;
	}
	if (strchr(key, '/') == NULL && settings_is_dovecot_key(key)) {
		parser_warning_once(p, key, "Setting %s is a Dovecot setting that "
				    "dovecot-like does not implement; ignored", key);
		/* kept, so dumps show what the config says */
		settings_section_set(p->set->pool, target, key, value,
				     p->location, file_ref);
		return true;
	}
	return false;
}

void parser_set_section_key(struct settings_parser *p, struct settings_section *sec,
			    const char *path, const char *key, const char *value,
			    const char *file_ref)
{
	const char *full = tmp_printf("%s/%s", path, key);
	const struct settings_def *def = settings_def_find(full);

	if (def != NULL) {
		if (!parser_check_value(p, def, key, &value))
			return;
	} else if (settings_is_dovecot_key(full)) {
		parser_warning_once(p, full, "Setting %s in %s { } is a Dovecot "
				    "setting that dovecot-like does not "
				    "implement; ignored", key, path);
	} else {
		parser_error(p, "Unknown setting in %s { } section: %s", path, key);
		return;
	}
	settings_section_set(p->set->pool, sec, key, value, p->location, file_ref);
}

void parser_key(struct settings_parser *p, const char *key, const char *value,
		const char *file_ref)
{
	struct parser_frame *frame = parser_frame_top(p);

	switch (frame->kind) {
	case PARSER_FRAME_IGNORE:
		return;
	case PARSER_FRAME_FREEFORM:
		settings_section_set(p->set->pool, frame->sec, key, value,
				     p->location, file_ref);
		return;
	case PARSER_FRAME_LEGACY_AUTH:
	case PARSER_FRAME_LEGACY_SOCKET:
	case PARSER_FRAME_LEGACY_SOCKET_LISTENER:
		settings_legacy_frame_key(p, frame, key, value);
		return;
	case PARSER_FRAME_SECTION:
		parser_set_section_key(p, frame->sec, frame->path, key, value,
				       file_ref);
		return;
	case PARSER_FRAME_ROOT:
	case PARSER_FRAME_FILTER:
		break;
	}
	value = settings_legacy_value(p, frame, key, value);
	if (value == NULL)
		return;
	if (parser_set_global(p, frame->sec, key, value, file_ref))
		return;
	if (settings_legacy_key(p, frame, key, value))
		return;
	parser_error(p, "Unknown setting: %s", key);
}

static void parser_filter_open(struct settings_parser *p, struct parser_frame *parent,
			       const char *type, const char *name)
{
	unsigned int rank = filter_rank(type);
	struct settings_section *sec;
	struct parser_frame *frame;

	if (name[0] == '\0') {
		parser_error(p, "%s { } filter needs a name (e.g. %s imap {)", type, type);
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		return;
	}
	if (rank < parent->filter_rank ||
	    (rank == parent->filter_rank && strcmp(type, "protocol") == 0)) {
		parser_error(p, "%s { %s { .. } } not allowed (use %s { %s { .. } } "
			     "instead)", parent->sec->type, type, type,
			     parent->sec->type);
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		return;
	}
	if (strcmp(type, "protocol") == 0 && strcmp(name, "managesieve") == 0) {
		parser_warning(p, "Obsolete protocol managesieve { }: using "
			       "protocol sieve { } (Dovecot 1.x name)");
		name = "sieve";
	}
	sec = settings_section_get_or_add(p->set->pool, parent->sec, type, name,
					  p->file, p->line);
	frame = parser_frame_push(p, PARSER_FRAME_FILTER, sec, "");
	frame->filter_rank = rank;
	if (strcmp(type, "protocol") == 0)
		frame->protocol = sec->name;
}

static void parser_global_section_open(struct settings_parser *p,
				       struct parser_frame *parent,
				       const char *type, const char *name)
{
	struct pool *pool = p->set->pool;
	struct settings_section *sec;

	if (filter_rank(type) != 0) {
		parser_filter_open(p, parent, type, name);
	} else if (strcmp(type, "service") == 0) {
		if (parent->kind != PARSER_FRAME_ROOT) {
			parser_error(p, "service { } must be at the top level, "
				     "not inside %s { }", parent->sec->type);
		} else if (name[0] == '\0') {
			parser_error(p, "service { } needs a name (e.g. service imap-login {)");
		} else {
			if (!settings_service_is_builtin(name)) {
				parser_warning_once(p, tmp_printf("service/%s", name),
					"service %s is not a service dovecot-like "
					"runs; its settings are ignored", name);
			}
			sec = settings_section_get_or_add(pool, parent->sec, type,
							  name, p->file, p->line);
			(void)parser_frame_push(p, PARSER_FRAME_SECTION, sec, "service");
			return;
		}
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
	} else if (strcmp(type, "passdb") == 0 || strcmp(type, "userdb") == 0) {
		/* repeatable: every block is a new entry, tried in order */
		sec = settings_section_new(pool, type, "", p->file, p->line);
		settings_section_add_child(parent->sec, sec);
		(void)parser_frame_push(p, PARSER_FRAME_SECTION, sec, type);
		if (name[0] != '\0') {
			/* 1.x: passdb pam { } */
			parser_warning(p, "Obsolete %s %s { }: using %s { driver = %s } "
				       "(Dovecot 1.x syntax)", type, name, type, name);
			settings_section_set(pool, sec, "driver", name, p->location, NULL);
		}
	} else if (strcmp(type, "namespace") == 0) {
		if (name[0] == '\0') {
			sec = settings_section_new(pool, type, "", p->file, p->line);
			settings_section_add_child(parent->sec, sec);
		} else {
			sec = settings_section_get_or_add(pool, parent->sec, type,
							  name, p->file, p->line);
		}
		(void)parser_frame_push(p, PARSER_FRAME_SECTION, sec, type);
	} else if (strcmp(type, "plugin") == 0 || strcmp(type, "dict") == 0) {
		sec = settings_section_get_or_add(pool, parent->sec, type, name,
						  p->file, p->line);
		(void)parser_frame_push(p, PARSER_FRAME_FREEFORM, sec, type);
	} else if (!settings_legacy_section(p, type, name)) {
		parser_error(p, "Unknown section: %s", type);
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
	}
}

static void parser_subsection_open(struct settings_parser *p, struct parser_frame *parent,
				   const char *type, const char *name)
{
	struct pool *pool = p->set->pool;
	struct settings_section *sec;
	const char *path = tmp_printf("%s/%s", parent->path, type);

	if (strcmp(parent->path, "service") == 0 &&
	    (strcmp(type, "inet_listener") == 0 || strcmp(type, "unix_listener") == 0 ||
	     strcmp(type, "fifo_listener") == 0)) {
		if (name[0] == '\0' && strcmp(type, "inet_listener") != 0) {
			parser_error(p, "%s { } needs a path as its name", type);
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
			return;
		}
		if (strcmp(type, "fifo_listener") == 0) {
			parser_warning_once(p, "fifo_listener", "fifo_listener %s: "
					    "dovecot-like does not implement "
					    "fifo listeners; ignored", name);
			path = "service/unix_listener";
		}
	} else if (strcmp(parent->path, "namespace") == 0 &&
		   strcmp(type, "mailbox") == 0) {
		if (name[0] == '\0') {
			parser_error(p, "mailbox { } needs a mailbox name");
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
			return;
		}
	} else {
		parser_error(p, "Section %s { } is not allowed inside %s { }",
			     type, parent->sec->type);
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		return;
	}
	if (name[0] == '\0') {
		sec = settings_section_new(pool, type, "", p->file, p->line);
		settings_section_add_child(parent->sec, sec);
	} else {
		sec = settings_section_get_or_add(pool, parent->sec, type, name,
						  p->file, p->line);
	}
	(void)parser_frame_push(p, PARSER_FRAME_SECTION, sec, path);
}

void parser_section_open(struct settings_parser *p, const char *type,
			 const char *name)
{
	struct parser_frame *parent = parser_frame_top(p);

	switch (parent->kind) {
	case PARSER_FRAME_IGNORE:
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		return;
	case PARSER_FRAME_FREEFORM:
		parser_error(p, "Section %s { } is not allowed inside %s { }",
			     type, parent->sec->type);
		(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		return;
	case PARSER_FRAME_LEGACY_AUTH:
	case PARSER_FRAME_LEGACY_SOCKET:
	case PARSER_FRAME_LEGACY_SOCKET_LISTENER:
		if (!settings_legacy_section(p, type, name)) {
			parser_error(p, "Section %s { } is not allowed inside %s { }",
				     type, parent->sec->type);
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
		}
		return;
	case PARSER_FRAME_SECTION:
		parser_subsection_open(p, parent, type, name);
		return;
	case PARSER_FRAME_ROOT:
	case PARSER_FRAME_FILTER:
		parser_global_section_open(p, parent, type, name);
		return;
	}
}

/* 1.x namespace private/shared/public { } named the type. */
static void parser_namespace_close(struct settings_parser *p, struct settings_section *sec)
{
	if (settings_section_get(sec, "type") != NULL)
		return;
	if (strcmp(sec->name, "private") != 0 && strcmp(sec->name, "shared") != 0 &&
	    strcmp(sec->name, "public") != 0)
		return;
	p->location = tmp_printf("%s:%u", sec->file, sec->line);
	parser_warning(p, "Obsolete namespace %s { }: using type = %s "
		       "(Dovecot 1.x syntax; add type = explicitly)",
		       sec->name, sec->name);
	settings_section_set(p->set->pool, sec, "type", sec->name, p->location, NULL);
}

void parser_section_close(struct settings_parser *p)
{
	struct parser_frame frame = *parser_frame_top(p);

	/* a '}' may only close a section opened in the same file */
	if (array_count(&p->frames) <= 1 || strcmp(frame.file, p->file) != 0) {
		parser_error(p, "Unexpected '}' (no open section)");
		return;
	}
	array_delete(&p->frames, array_count(&p->frames) - 1, 1);
	if (frame.kind == PARSER_FRAME_LEGACY_AUTH ||
	    frame.kind == PARSER_FRAME_LEGACY_SOCKET ||
	    frame.kind == PARSER_FRAME_LEGACY_SOCKET_LISTENER)
		settings_legacy_section_close(p, &frame);
	else if (frame.kind == PARSER_FRAME_SECTION &&
		 strcmp(frame.path, "namespace") == 0) {
		const char *location = p->location;

		parser_namespace_close(p, frame.sec);
		p->location = location;
	}
}
