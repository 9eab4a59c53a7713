/* Copyright (c) dovecot-like authors. db-pam.c: PAM for the pam passdb: the
   args, and the blocking pam_start .. pam_end sequence the auth-worker runs
   with a conversation that answers PAM's prompts with the user and password. */
#include "lib.h"
#include "strfuncs.h"
#include "db-pam.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <security/pam_appl.h>

/* NULL: /etc/pam.d (tests set their own) */
static const char *db_pam_confdir;

struct db_pam_conv_context {
	const char *user, *password, *rip;
	/* last ERROR_MSG/TEXT_INFO (tmp), for failure_show_msg */
	const char *last_msg;
};

static int db_pam_parse_bool(const char *key, const char *value, bool *ret_r,
			     const char **error_r)
{
	if (strcmp(value, "yes") == 0)
		*ret_r = true;
	else if (strcmp(value, "no") == 0)
		*ret_r = false;
	else {
		*error_r = tmp_printf("Invalid value for %s: '%s' (yes or no)",
				      key, value);
		return -1;
	}
	return 0;
}

static int db_pam_parse_arg(struct pool *pool, const char *arg,
			    struct db_pam_args *args, const char **error_r)
{
	const char *eq = strchr(arg, '=');
	const char *key, *value;
	bool set;

	if (eq == NULL) {
		if (args->service != NULL) {
			*error_r = tmp_printf("Unknown arg '%s' (service already "
					      "given as '%s')", arg, args->service);
			return -1;
		}
		args->service = p_strdup(pool, strcmp(arg, "*") == 0 ? "%s" : arg);
		return 0;
	}
	key = tmp_strndup(arg, eq - arg);
	value = eq + 1;
	if (strcmp(key, "cache_key") == 0) {
		args->cache_key = p_strdup(pool, value);
		return 0;
	}
	if (strcmp(key, "max_requests") == 0) {
		if (str_to_uint(value, &args->max_requests) < 0 ||
		    args->max_requests == 0) {
			*error_r = tmp_printf("Invalid max_requests: '%s'", value);
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "session") == 0 || strcmp(key, "setcred") == 0) {
		unsigned int flag = strcmp(key, "session") == 0 ?
			DB_PAM_FLAG_SESSION : DB_PAM_FLAG_SETCRED;

		if (db_pam_parse_bool(key, value, &set, error_r) < 0)
			return -1;
		args->flags = set ? (args->flags | flag) : (args->flags & ~flag);
		return 0;
	}
	if (strcmp(key, "failure_show_msg") == 0)
		return db_pam_parse_bool(key, value, &args->failure_show_msg, error_r);
	if (strcmp(key, "blocking") == 0) {
		/* Dovecot 1.x: PAM always runs in auth-worker here */
		return db_pam_parse_bool(key, value, &set, error_r);
	}
	*error_r = tmp_printf("Unknown arg '%s'", arg);
	return -1;
}

int db_pam_parse_args(struct pool *pool, const char *args,
		      struct db_pam_args *args_r, const char **error_r)
{
	const char *const *words = tmp_strsplit_spaces(args, " \t");
	unsigned int i;

	memset(args_r, 0, sizeof(*args_r));
	for (i = 0; words[i] != NULL; i++) {
		if (db_pam_parse_arg(pool, words[i], args_r, error_r) < 0)
			return -1;
	}
	if (args_r->service == NULL)
		args_r->service = DB_PAM_DEFAULT_SERVICE;
	return 0;
}

/* --- the worker side --- */

void db_pam_set_confdir(const char *dir)
{
	db_pam_confdir = dir;
}

static void db_pam_free_responses(struct pam_response *resp, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		if (resp[i].resp != NULL) {
			sodium_memzero(resp[i].resp, strlen(resp[i].resp));
			free(resp[i].resp);
		}
	}
	free(resp);
}

/* PAM's conversation callback. PAM frees the replies with free(), so they
   are malloc()ed here (the one exception to "only src/lib calls malloc"). */
static int db_pam_conv(int num_msg, const struct pam_message **msg,
		       struct pam_response **resp_r, void *appdata)
{
	struct db_pam_conv_context *ctx = appdata;
	struct pam_response *resp;
	int i;

	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	resp = calloc((size_t)num_msg, sizeof(*resp));
	if (resp == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		const char *text = msg[i]->msg == NULL ? "" : msg[i]->msg;

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			resp[i].resp = strdup(ctx->password);
			break;
		case PAM_PROMPT_ECHO_ON:
			resp[i].resp = strdup(ctx->user);
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			log_info("pam(%s%s%s): %s", ctx->user,
				 ctx->rip[0] == '\0' ? "" : ",", ctx->rip, text);
			ctx->last_msg = tmp_strdup(text);
			continue;
		default:
			db_pam_free_responses(resp, num_msg);
			return PAM_CONV_ERR;
		}
		if (resp[i].resp == NULL) {
			db_pam_free_responses(resp, num_msg);
			return PAM_BUF_ERR;
		}
	}
	*resp_r = resp;
	return PAM_SUCCESS;
}

/* pam_unix asks for a ~2 s delay after a failure; auth_failure_delay
   already delays failures in auth, and this worker serves every request
   in turn, so PAM's own delay is replaced by nothing. */
static void db_pam_no_delay(int retval, unsigned usec_delay, void *appdata)
{
}

static enum passdb_result db_pam_auth_result(int status)
{
	switch (status) {
	case PAM_USER_UNKNOWN:
		return PASSDB_RESULT_USER_UNKNOWN;
	case PAM_AUTH_ERR:
	case PAM_CRED_INSUFFICIENT:
	case PAM_MAXTRIES:
	case PAM_PERM_DENIED:
		return PASSDB_RESULT_PASSWORD_MISMATCH;
	case PAM_ACCT_EXPIRED:
		return PASSDB_RESULT_USER_DISABLED;
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return PASSDB_RESULT_PASS_EXPIRED;
	default:
		return PASSDB_RESULT_INTERNAL_FAILURE;
	}
}

/* The calls after pam_start(). Returns PAM_SUCCESS or the failing call's
   status with *call_r naming it. */
static int db_pam_run(pam_handle_t *pamh, unsigned int flags, const char **call_r)
{
	int status;

	*call_r = "pam_authenticate()";
	if ((status = pam_authenticate(pamh, 0)) != PAM_SUCCESS)
		return status;
	*call_r = "pam_acct_mgmt()";
	if ((status = pam_acct_mgmt(pamh, 0)) != PAM_SUCCESS)
		return status;
	if ((flags & DB_PAM_FLAG_SETCRED) != 0) {
		*call_r = "pam_setcred()";
		if ((status = pam_setcred(pamh, PAM_ESTABLISH_CRED)) != PAM_SUCCESS)
			return status;
	}
	if ((flags & DB_PAM_FLAG_SESSION) != 0) {
		/* the mail process is another process: open and close here */
		*call_r = "pam_open_session()";
		if ((status = pam_open_session(pamh, 0)) != PAM_SUCCESS)
			return status;
		*call_r = "pam_close_session()";
		if ((status = pam_close_session(pamh, 0)) != PAM_SUCCESS)
			return status;
	}
	return PAM_SUCCESS;
}

enum passdb_result db_pam_authenticate(const char *service, const char *user,
				       const char *password, const char *rip,
				       unsigned int flags, const char **log_msg_r,
				       const char **client_msg_r)
{
	struct db_pam_conv_context ctx = {
		.user = user, .password = password, .rip = rip,
	};
	struct pam_conv conv = { .conv = db_pam_conv, .appdata_ptr = &ctx };
	pam_handle_t *pamh = NULL;
	enum passdb_result result;
	const char *call;
	int status;

	*log_msg_r = NULL;
	*client_msg_r = NULL;
	if (db_pam_confdir != NULL) {
		status = pam_start_confdir(service, user, &conv, db_pam_confdir,
					   &pamh);
	} else {
		status = pam_start(service, user, &conv, &pamh);
	}
	if (status != PAM_SUCCESS) {
		*log_msg_r = tmp_printf("pam_start(%s) failed: %s", service,
					pam_strerror(pamh, status));
		if (pamh != NULL)
			(void)pam_end(pamh, status);
		return PASSDB_RESULT_INTERNAL_FAILURE;
	}
	(void)pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)db_pam_no_delay);
	/* pam_access and friends look at the remote host and the tty */
	if (rip[0] != '\0')
		(void)pam_set_item(pamh, PAM_RHOST, rip);
	(void)pam_set_item(pamh, PAM_TTY, "dovecot");

	status = db_pam_run(pamh, flags, &call);
	if (status != PAM_SUCCESS) {
		*log_msg_r = tmp_printf("%s failed: %s", call,
					pam_strerror(pamh, status));
		*client_msg_r = ctx.last_msg != NULL ? ctx.last_msg :
			tmp_strdup(pam_strerror(pamh, status));
	}
	(void)pam_end(pamh, status);
	if (status == PAM_SUCCESS)
		return PASSDB_RESULT_OK;
	if (strcmp(call, "pam_authenticate()") != 0 &&
	    strcmp(call, "pam_acct_mgmt()") != 0) {
		/* user and password were fine: session/setcred is broken */
		return PASSDB_RESULT_INTERNAL_FAILURE;
	}
	result = db_pam_auth_result(status);
	if (result == PASSDB_RESULT_PASSWORD_MISMATCH &&
	    strcmp(call, "pam_authenticate()") != 0) {
		/* the password was right: an account rule refused */
		result = PASSDB_RESULT_USER_DISABLED;
	} else if (result == PASSDB_RESULT_PASSWORD_MISMATCH) {
		/* as Dovecot says it: PAM can't tell us more */
		*log_msg_r = tmp_strconcat(*log_msg_r, " (password mismatch?)", NULL);
	}
	return result;
}
