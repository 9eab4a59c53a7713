/* Copyright (c) dovecot-like authors. userdb-passwd.c: the passwd userdb:
   uid, gid and home of a system user (getpwnam_r), looked up in the
   auth-worker because NSS may block (LDAP, NIS). */
#include "lib.h"
#include "strfuncs.h"
#include "auth-request.h"
#include "db-passwd.h"
#include "auth-worker-client.h"
#include "userdb.h"

#define SUBSYS "passwd"

struct userdb_passwd_context {
	struct auth_request *request;
	userdb_callback_t *callback;
};

static int userdb_passwd_init(struct userdb_module *module, const char *args,
			      const char **error_r)
{
	return db_passwd_parse_args(args, error_r);
}

/* reply: OK <uid> <gid> <home> | UNKNOWN | FAIL <error> | TEMPFAIL <error> */
static enum userdb_result userdb_passwd_reply_apply(struct auth_request *request,
						    const char *const *reply)
{
	unsigned int n;

	if (strcmp(reply[0], "UNKNOWN") == 0) {
		auth_request_log_info(request, SUBSYS, "unknown user");
		return USERDB_RESULT_USER_UNKNOWN;
	}
	if (strcmp(reply[0], "OK") != 0) {
		auth_request_log_error(request, SUBSYS, "%s",
			reply[1] != NULL ? reply[1] : "auth-worker failed");
		return USERDB_RESULT_INTERNAL_FAILURE;
	}
	if (str_array_length(reply) != 4 || str_to_uint(reply[1], &n) < 0 ||
	    str_to_uint(reply[2], &n) < 0) {
		auth_request_log_error(request, SUBSYS,
				       "auth-worker sent a broken PASSWD reply");
		return USERDB_RESULT_INTERNAL_FAILURE;
	}
	auth_request_set_userdb_field(request, "uid", reply[1]);
	auth_request_set_userdb_field(request, "gid", reply[2]);
	if (reply[3][0] != '\0')
		auth_request_set_userdb_field(request, "home", reply[3]);
	return USERDB_RESULT_OK;
}

static void userdb_passwd_reply(const char *const *reply, void *context)
{
	struct userdb_passwd_context *ctx = context;
	struct auth_request *request = ctx->request;

	ctx->callback(userdb_passwd_reply_apply(request, reply), request);
	auth_request_unref(&request);
}

static void userdb_passwd_lookup(struct userdb_module *module,
				 struct auth_request *request,
				 userdb_callback_t *callback)
{
	struct userdb_passwd_context *ctx;
	const char *fields[2] = { request->user, NULL };

	ctx = pool_new(request->pool, struct userdb_passwd_context, 1);
	ctx->request = request;
	ctx->callback = callback;
	auth_request_ref(request);
	auth_worker_call("PASSWD", fields, userdb_passwd_reply, ctx);
}

const struct userdb_driver userdb_passwd = {
	.name = "passwd",
	.init = userdb_passwd_init,
	.lookup = userdb_passwd_lookup,
	/* listing every system user is not offered */
	.iterate = NULL,
};
