/* Copyright (c) dovecot-like authors. passdb-pam.c: the pam passdb: system
   users checked by PAM (pam_authenticate + pam_acct_mgmt) in the
   auth-worker, with Dovecot's args (session, setcred, failure_show_msg,
   max_requests, cache_key, service name or %s). */
#include "lib.h"
#include "net.h"
#include "strfuncs.h"
#include "auth-request.h"
#include "db-pam.h"
#include "passdb.h"

#define SUBSYS "pam"

static int passdb_pam_init(struct passdb_module *module, const char *args,
			   const char **error_r)
{
	struct db_pam_args *pargs = pool_new(system_pool, struct db_pam_args, 1);

	if (db_pam_parse_args(system_pool, args, pargs, error_r) < 0)
		return -1;
	module->context = pargs;
	return 0;
}

static void passdb_pam_verify_plain(struct passdb_module *module,
				    struct auth_request *request,
				    const char *password,
				    verify_plain_callback_t *callback)
{
	const struct db_pam_args *args = module->context;
	const char *service, *fields[7];

	service = auth_request_var_expand(request, args->service);
	if (service == NULL || service[0] == '\0') {
		auth_request_log_error(request, SUBSYS,
				       "PAM service name '%s' expands to nothing",
				       args->service);
		callback(PASSDB_RESULT_INTERNAL_FAILURE, request);
		return;
	}
	fields[0] = service;
	fields[1] = request->user;
	fields[2] = password;
	fields[3] = request->params.remote_ip.family == 0 ? "" :
		net_ip2addr(&request->params.remote_ip);
	fields[4] = tmp_printf("%u", args->flags);
	fields[5] = tmp_printf("%u", args->max_requests);
	fields[6] = NULL;
	passdb_worker_verify(request, SUBSYS, "PAM", fields,
			     args->failure_show_msg, callback);
}

const struct passdb_driver passdb_pam = {
	.name = "pam",
	.init = passdb_pam_init,
	.verify_plain = passdb_pam_verify_plain,
	/* PAM cannot look a user up without the password */
	.lookup = NULL,
};
