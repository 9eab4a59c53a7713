/* Copyright (c) dovecot-like authors. userdb.c: the userdb driver table and
   the configured userdb { } chain. */
#include "lib.h"
#include "array.h"
#include "settings.h"
#include "auth-settings.h"
#include "userdb.h"

static const struct userdb_driver *const userdb_drivers[] = {
	&userdb_passwd_file,
	&userdb_static,
	&userdb_passwd,
};

static ARRAY(struct userdb_module *) userdbs;

static const struct userdb_driver *userdb_driver_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(userdb_drivers); i++) {
		if (strcmp(userdb_drivers[i]->name, name) == 0)
			return userdb_drivers[i];
	}
	return NULL;
}

void userdbs_init(const struct settings *set)
{
	unsigned int i, count = settings_count_sections(set, "userdb");

	array_init(&userdbs, system_pool, 4);
	for (i = 0; i < count; i++) {
		const struct settings_section *sec = settings_get_section(set, "userdb", i);
		struct auth_db_section db;
		const char *error;
		struct userdb_module *module;

		auth_db_section_read(sec, "userdb", &db);
		module = pool_new(system_pool, struct userdb_module, 1);
		module->id = i;
		module->driver = userdb_driver_find(db.driver);
		if (module->driver == NULL) {
			log_fatal("%s:%u: Unknown userdb driver '%s'",
				  sec->file, sec->line, db.driver);
		}
		module->name = module->driver->name;
		module->default_fields = db.default_fields;
		module->override_fields = db.override_fields;
		if (module->driver->init(module, db.args, &error) < 0) {
			log_fatal("%s:%u: userdb %s: %s", sec->file, sec->line,
				  db.driver, error);
		}
		array_append(&userdbs, &module);
	}
}

unsigned int userdbs_count(void)
{
	return array_is_created(&userdbs) ? array_count(&userdbs) : 0;
}

struct userdb_module *userdb_get(unsigned int idx)
{
	return *array_idx(&userdbs, idx);
}
