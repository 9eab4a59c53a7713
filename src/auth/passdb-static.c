/* Copyright (c) dovecot-like authors. passdb-static.c: the static passdb:
   every user has the password (or nopassword) and fields given in args. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "auth-fields.h"
#include "auth-request.h"
#include "passdb.h"

#define SUBSYS "static"

struct passdb_static {
	const char *password;	/* NULL: nopassword */
	const char *fields;	/* the other args, expanded per request */
};

static int passdb_static_init(struct passdb_module *module, const char *args,
			      const char **error_r)
{
	struct passdb_static *ctx = pool_new(system_pool, struct passdb_static, 1);
	const char *const *words = tmp_strsplit_spaces(args, " ");
	struct str *fields = t_str_new(128);
	const char *value;
	bool nopassword = false;
	unsigned int i;

	for (i = 0; words[i] != NULL; i++) {
		if (str_begins(words[i], "password=", &value))
			ctx->password = p_strdup(system_pool, value);
		else if (strcmp(words[i], "nopassword") == 0 ||
			 str_begins(words[i], "nopassword=", &value))
			nopassword = true;
		else {
			if (str_len(fields) > 0)
				str_append_c(fields, ' ');
			str_append(fields, words[i]);
		}
	}
	if (ctx->password == NULL && !nopassword) {
		*error_r = "static: No password given (password= or nopassword)";
		return -1;
	}
	ctx->fields = p_strdup(system_pool, str_c(fields));
	module->context = ctx;
	return 0;
}

static void passdb_static_verify_plain(struct passdb_module *module,
				       struct auth_request *request,
				       const char *password,
				       verify_plain_callback_t *callback)
{
	const struct passdb_static *ctx = module->context;
	const char *crypted;

	auth_request_set_fields_str(request, ctx->fields, false, false);
	if (ctx->password == NULL) {
		callback(PASSDB_RESULT_OK, request);
		return;
	}
	crypted = auth_request_var_expand(request, ctx->password);
	if (crypted == NULL) {
		callback(PASSDB_RESULT_INTERNAL_FAILURE, request);
		return;
	}
	passdb_verify_password(request, SUBSYS, password,
			       p_strdup(request->pool, crypted), "PLAIN", callback);
}

static void passdb_static_lookup(struct passdb_module *module,
				 struct auth_request *request,
				 verify_plain_callback_t *callback)
{
	const struct passdb_static *ctx = module->context;

	auth_request_set_fields_str(request, ctx->fields, false, false);
	callback(PASSDB_RESULT_OK, request);
}

const struct passdb_driver passdb_static = {
	.name = "static",
	.init = passdb_static_init,
	.verify_plain = passdb_static_verify_plain,
	.lookup = passdb_static_lookup,
};
