/* Copyright (c) dovecot-like authors. userdb-passwd-file.c: the passwd-file
   userdb: uid, gid, home and userdb_* fields of the user's line, and LIST. */
#include "lib.h"
#include "array.h"
#include "strfuncs.h"
#include "auth-request.h"
#include "db-passwd-file.h"
#include "userdb.h"

#define SUBSYS "passwd-file"

static int userdb_passwd_file_init(struct userdb_module *module, const char *args,
				   const char **error_r)
{
	struct db_passwd_file_args *pargs =
		pool_new(system_pool, struct db_passwd_file_args, 1);

	if (db_passwd_file_parse_args(system_pool, args, false, pargs, error_r) < 0)
		return -1;
	module->context = pargs;
	if (strchr(pargs->path, '%') == NULL)
		(void)passwd_file_get(pargs->path, true);
	return 0;
}

static void userdb_passwd_file_lookup(struct userdb_module *module,
				      struct auth_request *request,
				      userdb_callback_t *callback)
{
	const struct db_passwd_file_args *args = module->context;
	const struct passwd_user *pu;
	const char *userdb_key;
	unsigned int i;
	int ret;

	ret = passwd_file_request_lookup(request, args, true, SUBSYS, &pu);
	if (ret <= 0) {
		callback(ret < 0 ? USERDB_RESULT_INTERNAL_FAILURE :
			 USERDB_RESULT_USER_UNKNOWN, request);
		return;
	}
	if (pu->uid_set) {
		auth_request_set_userdb_field(request, "uid",
			tmp_printf("%lu", (unsigned long)pu->uid));
	}
	if (pu->gid_set) {
		auth_request_set_userdb_field(request, "gid",
			tmp_printf("%lu", (unsigned long)pu->gid));
	}
	if (pu->home != NULL)
		auth_request_set_userdb_field(request, "home", pu->home);
	for (i = 0; pu->extra_fields[i] != NULL; i++) {
		const char *field = pu->extra_fields[i];
		const char *eq = strchr(field, '=');
		const char *key = eq == NULL ? field : tmp_strndup(field, eq - field);

		/* s.1.3: as a userdb only userdb_* fields are used */
		if (str_begins(key, "userdb_", &userdb_key)) {
			auth_request_set_userdb_field(request, userdb_key,
						      eq == NULL ? "" : eq + 1);
		}
	}
	callback(USERDB_RESULT_OK, request);
}

static int userdb_passwd_file_iterate(struct userdb_module *module,
				      struct pool *pool, const char *const **users_r,
				      const char **error_r)
{
	const struct db_passwd_file_args *args = module->context;
	struct passwd_file *file;
	struct passwd_user *const *userp;
	const char **users;
	unsigned int i = 0;

	if (strchr(args->path, '%') != NULL) {
		/* s.5.2: one file per expansion; nothing to list without a user */
		*users_r = pool_new(pool, const char *, 1);
		return 0;
	}
	file = passwd_file_get(args->path, true);
	if (passwd_file_refresh(file, error_r) < 0)
		return -1;
	users = pool_new(pool, const char *, array_count(&file->user_list) + 1);
	array_foreach(&file->user_list, userp) {
		if ((*userp)->userdb_found)
			users[i++] = p_strdup(pool, (*userp)->name);
	}
	*users_r = users;
	return 0;
}

const struct userdb_driver userdb_passwd_file = {
	.name = "passwd-file",
	.init = userdb_passwd_file_init,
	.lookup = userdb_passwd_file_lookup,
	.iterate = userdb_passwd_file_iterate,
};
