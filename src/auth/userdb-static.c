/* Copyright (c) dovecot-like authors. userdb-static.c: the static userdb:
   the same uid/gid/home template (args) for every user. */
#include "lib.h"
#include "auth-fields.h"
#include "auth-request.h"
#include "userdb.h"

static int userdb_static_init(struct userdb_module *module, const char *args,
			      const char **error_r)
{
	/* "allow_all_users=yes" is accepted and implied: we have no passdb
	   to ask whether the user exists */
	module->context = p_strdup(system_pool, args);
	return 0;
}

static void userdb_static_lookup(struct userdb_module *module,
				 struct auth_request *request,
				 userdb_callback_t *callback)
{
	const char *args = module->context;

	auth_request_set_fields_str(request, args, true, false);
	auth_fields_remove(request->userdb_fields, "allow_all_users");
	callback(USERDB_RESULT_OK, request);
}

const struct userdb_driver userdb_static = {
	.name = "static",
	.init = userdb_static_init,
	.lookup = userdb_static_lookup,
};
