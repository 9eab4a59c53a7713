/* Copyright (c) dovecot-like authors. passdb-passwd-file.c: the passwd-file
   passdb: finds the user's line, applies its extra fields (nopassword,
   allow_nets, fail, userdb_*...) and checks the password. */
#include "lib.h"
#include "strfuncs.h"
#include "var-expand.h"
#include "auth-fields.h"
#include "auth-request.h"
#include "db-passwd-file.h"
#include "passdb.h"

#define SUBSYS "passwd-file"

int passwd_file_request_lookup(struct auth_request *request,
			       const struct db_passwd_file_args *args, bool userdb,
			       const char *subsystem,
			       const struct passwd_user **user_r)
{
	struct passwd_file *file;
	const char *path, *username, *error;

	path = auth_request_var_expand(request, args->path);
	username = auth_request_var_expand(request, args->username_format);
	if (path == NULL || username == NULL)
		return -1;
	file = passwd_file_get(path, userdb);
	if (passwd_file_refresh(file, &error) < 0) {
		auth_request_log_error(request, subsystem, "%s", error);
		return -1;
	}
	*user_r = passwd_file_lookup(file, username);
	if (*user_r == NULL || (userdb && !(*user_r)->userdb_found)) {
		auth_request_log_info(request, subsystem, "unknown user");
		return 0;
	}
	return 1;
}

static int passdb_passwd_file_init(struct passdb_module *module, const char *args,
				   const char **error_r)
{
	struct db_passwd_file_args *pargs =
		pool_new(system_pool, struct db_passwd_file_args, 1);

	if (db_passwd_file_parse_args(system_pool, args, true, pargs, error_r) < 0)
		return -1;
	module->context = pargs;
	if (strchr(pargs->path, '%') == NULL)
		(void)passwd_file_get(pargs->path, false);
	return 0;
}

/* Applies the line's fields. Returns false if the user must fail without
   a password check (fail, allow_nets). */
static bool passwd_file_save_fields(struct auth_request *request,
				    const struct passwd_user *pu)
{
	unsigned int i;
	const char *error;
	int ret;

	if (pu->uid_set) {
		auth_request_set_field(request, "userdb_uid",
				       tmp_printf("%lu", (unsigned long)pu->uid));
	}
	if (pu->gid_set) {
		auth_request_set_field(request, "userdb_gid",
				       tmp_printf("%lu", (unsigned long)pu->gid));
	}
	if (pu->home != NULL)
		auth_request_set_field(request, "userdb_home", pu->home);
	for (i = 0; pu->extra_fields[i] != NULL; i++) {
		const char *eq = strchr(pu->extra_fields[i], '=');
		const char *key = eq == NULL ? pu->extra_fields[i] :
			tmp_strndup(pu->extra_fields[i], eq - pu->extra_fields[i]);

		auth_request_set_field(request, key, eq == NULL ? "" : eq + 1);
	}
	if (auth_fields_exists(request->extra_fields, "fail")) {
		auth_request_log_info(request, SUBSYS, "Forced failure (fail field)");
		return false;
	}
	if (auth_fields_exists(request->extra_fields, "allow_nets")) {
		ret = auth_net_list_match(&request->params.remote_ip,
			auth_fields_find(request->extra_fields, "allow_nets"), &error);
		if (ret < 0)
			auth_request_log_error(request, SUBSYS, "allow_nets: %s", error);
		if (ret <= 0) {
			auth_request_log_info(request, SUBSYS,
				"allow_nets check failed: IP not in allowed networks");
			return false;
		}
	}
	return true;
}

static void passdb_passwd_file_verify_plain(struct passdb_module *module,
					    struct auth_request *request,
					    const char *password,
					    verify_plain_callback_t *callback)
{
	const struct db_passwd_file_args *args = module->context;
	const struct passwd_user *pu;
	const char *crypted;
	int ret;

	ret = passwd_file_request_lookup(request, args, false, SUBSYS, &pu);
	if (ret <= 0) {
		callback(ret < 0 ? PASSDB_RESULT_INTERNAL_FAILURE :
			 PASSDB_RESULT_USER_UNKNOWN, request);
		return;
	}
	if (!passwd_file_save_fields(request, pu)) {
		callback(PASSDB_RESULT_PASSWORD_MISMATCH, request);
		return;
	}
	crypted = pu->password == NULL ? "" : pu->password;
	if (auth_fields_exists(request->extra_fields, "nopassword")) {
		if (crypted[0] == '\0') {
			auth_request_log_debug(request, SUBSYS,
					       "nopassword: any password accepted");
			callback(PASSDB_RESULT_OK, request);
			return;
		}
		auth_request_log_error(request, SUBSYS,
				       "nopassword set but password is not empty");
		callback(PASSDB_RESULT_INTERNAL_FAILURE, request);
		return;
	}
	/* the stored hash lives in the file's pool, which a reload may free
	   before a worker answers: copy it into the request */
	passdb_verify_password(request, SUBSYS, password,
			       p_strdup(request->pool, crypted),
			       args->default_scheme, callback);
}

static void passdb_passwd_file_lookup(struct passdb_module *module,
				      struct auth_request *request,
				      verify_plain_callback_t *callback)
{
	const struct db_passwd_file_args *args = module->context;
	const struct passwd_user *pu;
	int ret;

	ret = passwd_file_request_lookup(request, args, false, SUBSYS, &pu);
	if (ret <= 0) {
		callback(ret < 0 ? PASSDB_RESULT_INTERNAL_FAILURE :
			 PASSDB_RESULT_USER_UNKNOWN, request);
		return;
	}
	callback(passwd_file_save_fields(request, pu) ? PASSDB_RESULT_OK :
		 PASSDB_RESULT_USER_UNKNOWN, request);
}

const struct passdb_driver passdb_passwd_file = {
	.name = "passwd-file",
	.init = passdb_passwd_file_init,
	.verify_plain = passdb_passwd_file_verify_plain,
	.lookup = passdb_passwd_file_lookup,
};
