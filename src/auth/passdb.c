/* Copyright (c) dovecot-like authors. passdb.c: the passdb driver table, the
   configured passdb { } chain, and the one place a plaintext password meets a
   stored hash (inline when cheap, in auth-worker when slow). */
#include "lib.h"
#include "array.h"
#include "settings.h"
#include "auth-settings.h"
#include "auth-request.h"
#include "auth-worker-client.h"
#include "auth-fields.h"
#include "password-scheme.h"
#include "passdb.h"

#include <sodium.h>

static const struct passdb_driver *const passdb_drivers[] = {
	&passdb_passwd_file,
	&passdb_static,
	&passdb_pam,
	&passdb_shadow,
};

static ARRAY(struct passdb_module *) passdbs;

static const struct passdb_driver *passdb_driver_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(passdb_drivers); i++) {
		if (strcmp(passdb_drivers[i]->name, name) == 0)
			return passdb_drivers[i];
	}
	return NULL;
}

void passdbs_init(const struct settings *set)
{
	unsigned int i, count = settings_count_sections(set, "passdb");

	array_init(&passdbs, system_pool, 4);
	for (i = 0; i < count; i++) {
		const struct settings_section *sec = settings_get_section(set, "passdb", i);
		struct auth_db_section db;
		const char *value, *error;
		struct passdb_module *module;

		auth_db_section_read(sec, "passdb", &db);
		module = pool_new(system_pool, struct passdb_module, 1);
		module->id = i;
		module->driver = passdb_driver_find(db.driver);
		if (module->driver == NULL) {
			log_fatal("%s:%u: Unknown passdb driver '%s'",
				  sec->file, sec->line, db.driver);
		}
		module->name = module->driver->name;
		module->default_fields = db.default_fields;
		module->override_fields = db.override_fields;
		value = settings_section_get(sec, "deny");
		module->deny = value != NULL && strcmp(value, "yes") == 0;
		if (module->driver->init(module, db.args, &error) < 0) {
			log_fatal("%s:%u: passdb %s: %s", sec->file, sec->line,
				  db.driver, error);
		}
		array_append(&passdbs, &module);
	}
}

unsigned int passdbs_count(void)
{
	return array_is_created(&passdbs) ? array_count(&passdbs) : 0;
}

struct passdb_module *passdb_get(unsigned int idx)
{
	return *array_idx(&passdbs, idx);
}

struct passdb_verify_context {
	struct auth_request *request;
	const char *subsystem;
	verify_plain_callback_t *callback;
};

static void passdb_verify_finish(struct auth_request *request, const char *subsystem,
				 int ret, const char *error,
				 verify_plain_callback_t *callback)
{
	enum passdb_result result;

	if (ret > 0) {
		result = PASSDB_RESULT_OK;
	} else if (ret == 0) {
		auth_request_log_info(request, subsystem, "Password mismatch");
		result = PASSDB_RESULT_PASSWORD_MISMATCH;
	} else if (ret == AUTH_WORKER_RESULT_TEMP_FAIL) {
		auth_request_log_error(request, subsystem, "%s", error);
		result = PASSDB_RESULT_INTERNAL_FAILURE;
	} else {
		/* s.2.1: bad scheme or data: logged, the client just fails */
		auth_request_log_error(request, subsystem, "%s", error);
		result = PASSDB_RESULT_SCHEME_NOT_AVAILABLE;
	}
	callback(result, request);
}

static void passdb_worker_callback(enum auth_worker_result result,
				   const char *error, void *context)
{
	struct passdb_verify_context *ctx = context;
	struct auth_request *request = ctx->request;

	passdb_verify_finish(request, ctx->subsystem, (int)result, error, ctx->callback);
	auth_request_unref(&request);
}

void passdb_verify_password(struct auth_request *request, const char *subsystem,
			    const char *password, const char *crypted,
			    const char *default_scheme,
			    verify_plain_callback_t *callback)
{
	struct passdb_verify_context *ctx;
	const char *error = NULL;
	int ret;

	if (auth_set->debug_passwords) {
		auth_request_log_debug(request, subsystem, "Stored password: %s",
				       crypted);
	}
	if (!password_verify_is_blocking(crypted, default_scheme)) {
		ret = password_verify(password, request->user, crypted,
				      default_scheme, &error);
		passdb_verify_finish(request, subsystem, ret, error, callback);
		return;
	}
	ctx = pool_new(request->pool, struct passdb_verify_context, 1);
	ctx->request = request;
	ctx->subsystem = subsystem;
	ctx->callback = callback;
	auth_request_ref(request);
	auth_worker_verify(request->user, password, crypted, default_scheme,
			   passdb_worker_callback, ctx);
}

enum passdb_result passdb_result_from_worker(const char *word)
{
	static const struct {
		const char *word;
		enum passdb_result result;
	} words[] = {
		{ "OK", PASSDB_RESULT_OK },
		{ "MISMATCH", PASSDB_RESULT_PASSWORD_MISMATCH },
		{ "UNKNOWN", PASSDB_RESULT_USER_UNKNOWN },
		{ "DISABLED", PASSDB_RESULT_USER_DISABLED },
		{ "EXPIRED", PASSDB_RESULT_PASS_EXPIRED },
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(words); i++) {
		if (strcmp(words[i].word, word) == 0)
			return words[i].result;
	}
	return PASSDB_RESULT_INTERNAL_FAILURE;
}

struct passdb_worker_context {
	struct auth_request *request;
	const char *subsystem;
	bool show_msg;
	verify_plain_callback_t *callback;
};

static void passdb_worker_reply(const char *const *reply, void *context)
{
	struct passdb_worker_context *ctx = context;
	struct auth_request *request = ctx->request;
	enum passdb_result result = passdb_result_from_worker(reply[0]);
	const char *log_msg = reply[1] == NULL || reply[1][0] == '\0' ?
		NULL : reply[1];

	if (result == PASSDB_RESULT_INTERNAL_FAILURE) {
		auth_request_log_error(request, ctx->subsystem, "%s",
			log_msg != NULL ? log_msg : "auth-worker failed");
	} else if (log_msg != NULL) {
		auth_request_log_info(request, ctx->subsystem, "%s", log_msg);
	}
	if (result != PASSDB_RESULT_OK && result != PASSDB_RESULT_INTERNAL_FAILURE &&
	    ctx->show_msg && reply[1] != NULL && reply[2] != NULL &&
	    reply[2][0] != '\0')
		auth_fields_add(request->extra_fields, "reason", reply[2]);
	ctx->callback(result, request);
	auth_request_unref(&request);
}

void passdb_worker_verify(struct auth_request *request, const char *subsystem,
			  const char *cmd, const char *const *fields,
			  bool show_msg, verify_plain_callback_t *callback)
{
	struct passdb_worker_context *ctx;

	ctx = pool_new(request->pool, struct passdb_worker_context, 1);
	ctx->request = request;
	ctx->subsystem = subsystem;
	ctx->show_msg = show_msg;
	ctx->callback = callback;
	auth_request_ref(request);
	auth_worker_call(cmd, fields, passdb_worker_reply, ctx);
}
