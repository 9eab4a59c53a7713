/* Copyright (c) dovecot-like authors. passdb-shadow.c: the shadow passdb:
   /etc/shadow (getspnam) read and checked with crypt(3) in the auth-worker,
   which runs as root; expired accounts and passwords are refused. */
#include "lib.h"
#include "strfuncs.h"
#include "auth-request.h"
#include "db-passwd.h"
#include "passdb.h"

#define SUBSYS "shadow"

static int passdb_shadow_init(struct passdb_module *module, const char *args,
			      const char **error_r)
{
	return db_passwd_parse_args(args, error_r);
}

static void passdb_shadow_verify_plain(struct passdb_module *module,
				       struct auth_request *request,
				       const char *password,
				       verify_plain_callback_t *callback)
{
	const char *fields[3];

	fields[0] = request->user;
	fields[1] = password;
	fields[2] = NULL;
	passdb_worker_verify(request, SUBSYS, "SHADOW", fields, false, callback);
}

const struct passdb_driver passdb_shadow = {
	.name = "shadow",
	.init = passdb_shadow_init,
	.verify_plain = passdb_shadow_verify_plain,
	.lookup = NULL,
};
