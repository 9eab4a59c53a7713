/* Copyright (c) dovecot-like authors. auth-request.c: the life of one
   authentication or user lookup: user name rules, the passdb and userdb
   chains, the fields they return and Dovecot-style request logging. */
#include "lib.h"
#include "ioloop.h"
#include "str.h"
#include "strfuncs.h"
#include "net.h"
#include "var-expand.h"
#include "auth-common.h"
#include "auth-settings.h"
#include "auth-fields.h"
#include "auth-request-handler.h"
#include "mech.h"
#include "auth-request.h"

#include <stdio.h>
#include <pwd.h>
#include <grp.h>

struct auth_request *auth_request_new(struct auth_request_handler *handler,
				      const struct mech_module *mech)
{
	struct pool *pool = pool_create("auth request", 2048, POOL_FLAG_WIPE);
	struct auth_request *request = pool_new(pool, struct auth_request, 1);

	request->refcount = 1;
	request->pool = pool;
	request->handler = handler;
	request->mech = mech;
	request->created = ioloop_time;
	request->extra_fields = auth_fields_create(pool);
	request->userdb_fields = auth_fields_create(pool);
	return request;
}

void auth_request_ref(struct auth_request *request)
{
	request->refcount++;
}

void auth_request_unref(struct auth_request **_request)
{
	struct auth_request *request = *_request;
	struct pool *pool;

	*_request = NULL;
	ASSERT(request->refcount > 0);
	if (--request->refcount > 0)
		return;
	timeout_remove(&request->to_abort);
	timeout_remove(&request->to_delay);
	timeout_remove(&request->to_penalty);
	pool = request->pool;
	pool_unref(&pool);	/* wipes the password */
}

/* --- variables and logging --- */

const struct var_expand_table *auth_request_var_table(struct auth_request *request)
{
	struct var_expand_table *tab = t_new(struct var_expand_table, 20);
	const char *user = request->user != NULL ? request->user :
		(request->original_username != NULL ? request->original_username : "");
	const char *at = strrchr(user, '@');
	const char *username = at == NULL ? user : tmp_strndup(user, at - user);
	const char *domain = at == NULL ? "" : at + 1;
	const char *service = request->params.service != NULL ?
		request->params.service : "";
	unsigned int i = 0;

	tab[i++] = (struct var_expand_table){ 'u', user, "user" };
	tab[i++] = (struct var_expand_table){ 'n', username, "username" };
	tab[i++] = (struct var_expand_table){ 'd', domain, "domain" };
	tab[i++] = (struct var_expand_table){ 's', service, "service" };
	tab[i++] = (struct var_expand_table){ 'l', net_ip2addr(&request->params.local_ip), "lip" };
	tab[i++] = (struct var_expand_table){ 'r', net_ip2addr(&request->params.remote_ip), "rip" };
	tab[i++] = (struct var_expand_table){ 'm', request->mech == NULL ? "" :
		request->mech->name, "mech" };
	tab[i++] = (struct var_expand_table){ 'a', tmp_printf("%u", request->params.local_port), "lport" };
	tab[i++] = (struct var_expand_table){ 'b', tmp_printf("%u", request->params.remote_port), "rport" };
	tab[i++] = (struct var_expand_table){ 'c', request->params.secured ? "secured" : "", "secured" };
	tab[i++] = (struct var_expand_table){ 'h', auth_fields_find(request->userdb_fields, "home"), "home" };
	tab[i++] = (struct var_expand_table){ '\0', request->params.session, "session" };
	tab[i++] = (struct var_expand_table){ '\0', request->original_username, "orig_user" };
	tab[i++] = (struct var_expand_table){ '\0', request->original_username, "original_user" };
	tab[i++] = (struct var_expand_table){ '\0', net_ip2addr(&request->params.real_local_ip), "real_lip" };
	tab[i++] = (struct var_expand_table){ '\0', net_ip2addr(&request->params.real_remote_ip), "real_rip" };
	tab[i++] = (struct var_expand_table){ '\0', request->params.client_id, "client_id" };
	tab[i++] = (struct var_expand_table){ '\0', NULL, NULL };
	ASSERT(i <= 20);
	return tab;
}

const char *auth_request_var_expand(struct auth_request *request, const char *str)
{
	struct str *dest;
	const char *error;

	if (strchr(str, '%') == NULL)
		return str;
	dest = t_str_new(128);
	if (var_expand(dest, str, auth_request_var_table(request), &error) < 0) {
		auth_request_log_error(request, "auth", "Failed to expand '%s': %s",
				       str, error);
		return NULL;
	}
	return str_c(dest);
}

static const char *auth_request_log_prefix(struct auth_request *request,
					   const char *subsystem)
{
	const char *user = request->user != NULL ? request->user :
		request->original_username;
	struct str *str = t_str_new(128);

	str_printfa(str, "%s(%s", subsystem, user == NULL ? "?" : user);
	if (request->params.remote_ip.family != 0)
		str_printfa(str, ",%s", net_ip2addr(&request->params.remote_ip));
	if (request->params.session != NULL)
		str_printfa(str, ",<%s>", request->params.session);
	str_append(str, "): ");
	return str_c(str);
}

#define AUTH_LOG_IMPL(level_func, request, subsystem, fmt) \
	do { \
		va_list args; \
		const char *msg; \
		va_start(args, fmt); \
		msg = p_vprintf(tmp_pool, fmt, args); \
		va_end(args); \
		level_func("%s%s", auth_request_log_prefix(request, subsystem), msg); \
	} while (0)

void auth_request_log_debug(struct auth_request *request, const char *subsystem,
			    const char *fmt, ...)
{
	if (!auth_set->debug && !request->params.debug)
		return;
	AUTH_LOG_IMPL(log_debug, request, subsystem, fmt);
}

void auth_request_log_info(struct auth_request *request, const char *subsystem,
			   const char *fmt, ...)
{
	if (!auth_set->verbose && !request->params.debug)
		return;
	AUTH_LOG_IMPL(log_info, request, subsystem, fmt);
}

void auth_request_log_error(struct auth_request *request, const char *subsystem,
			    const char *fmt, ...)
{
	AUTH_LOG_IMPL(log_error, request, subsystem, fmt);
}

/* --- user name --- */

bool auth_request_set_username(struct auth_request *request,
			       const char *username, const char **error_r)
{
	const char *chars = auth_set->username_chars;
	const char *trans = auth_set->username_translation;
	struct str *dest;
	char *user;
	const char *p, *error;
	size_t i;

	if (request->cert_username) {
		/* Dovecot: the certificate's name overrides the one the
		   mechanism gives */
		return true;
	}
	request->original_username = p_strdup(request->pool, username);
	if (username[0] == '\0') {
		*error_r = "Empty username";
		return false;
	}
	if (chars[0] != '\0') {
		for (p = username; *p != '\0'; p++) {
			if (strchr(chars, *p) == NULL) {
				auth_request_log_info(request, "auth",
					"Username character disallowed by "
					"auth_username_chars: 0x%02x",
					(unsigned char)*p);
				*error_r = "Username contains disallowed characters";
				return false;
			}
		}
	}
	user = (char *)tmp_strdup(username);
	/* auth_username_translation: pairs "from to" */
	for (i = 0; trans[i] != '\0' && trans[i + 1] != '\0'; i += 2) {
		char *c;

		for (c = user; *c != '\0'; c++) {
			if (*c == trans[i])
				*c = trans[i + 1];
		}
	}
	request->user = user;
	if (auth_set->username_format[0] != '\0') {
		dest = t_str_new(128);
		if (var_expand(dest, auth_set->username_format,
			       auth_request_var_table(request), &error) < 0) {
			auth_request_log_error(request, "auth",
				"Failed to expand auth_username_format=%s: %s",
				auth_set->username_format, error);
			request->user = NULL;
			*error_r = "Invalid username";
			return false;
		}
		user = (char *)str_c(dest);
	}
	if (user[0] == '\0') {
		request->user = NULL;
		*error_r = "Empty username";
		return false;
	}
	request->user = p_strdup(request->pool, user);
	return true;
}

/* --- fields --- */

static const char *auth_field_expand(struct auth_request *request, const char *value)
{
	const char *expanded = auth_request_var_expand(request, value);

	return expanded == NULL ? value : expanded;
}

static void auth_request_rewrite_user(struct auth_request *request,
				      const char *key, const char *value)
{
	const char *at = strrchr(request->user, '@');
	const char *new_user;

	if (strcmp(key, "user") == 0)
		new_user = value;
	else if (strcmp(key, "username") == 0) {
		new_user = at == NULL || strchr(value, '@') != NULL ? value :
			tmp_strconcat(value, at, NULL);
	} else {
		new_user = at == NULL ? tmp_strconcat(request->user, "@", value, NULL) :
			tmp_strconcat(tmp_strndup(request->user, at - request->user),
				      "@", value, NULL);
	}
	if (new_user[0] == '\0' || strcmp(new_user, request->user) == 0)
		return;
	if (!auth_fields_exists(request->extra_fields, "original_user"))
		auth_fields_add(request->extra_fields, "original_user", request->user);
	request->user = p_strdup(request->pool, new_user);
}

void auth_request_set_field(struct auth_request *request, const char *key,
			    const char *value)
{
	const char *userdb_key;

	if (value == NULL)
		value = "";
	if (str_begins(key, "userdb_", &userdb_key)) {
		auth_request_set_userdb_field(request, userdb_key, value);
		return;
	}
	value = auth_field_expand(request, value);
	if (strcmp(key, "user") == 0 || strcmp(key, "username") == 0 ||
	    strcmp(key, "domain") == 0) {
		auth_request_rewrite_user(request, key, value);
		return;
	}
	auth_fields_add(request->extra_fields, key, value);
}

void auth_request_set_userdb_field(struct auth_request *request,
				   const char *key, const char *value)
{
	unsigned int id;

	if (value == NULL)
		value = "";
	value = auth_field_expand(request, value);
	if (strcmp(key, "uid") == 0 && value[0] != '\0' &&
	    str_to_uint(value, &id) < 0) {
		struct passwd *pw = getpwnam(value);

		if (pw == NULL) {
			auth_request_log_error(request, "userdb",
					       "Invalid uid: %s", value);
			return;
		}
		value = tmp_printf("%lu", (unsigned long)pw->pw_uid);
	} else if (strcmp(key, "gid") == 0 && value[0] != '\0' &&
		   str_to_uint(value, &id) < 0) {
		struct group *gr = getgrnam(value);

		if (gr == NULL) {
			auth_request_log_error(request, "userdb",
					       "Invalid gid: %s", value);
			return;
		}
		value = tmp_printf("%lu", (unsigned long)gr->gr_gid);
	}
	auth_fields_add(request->userdb_fields, key, value);
}

void auth_request_set_fields_str(struct auth_request *request, const char *fields,
				 bool userdb, bool only_unset)
{
	const char *const *pairs = tmp_strsplit_spaces(fields, " ");
	unsigned int i;

	for (i = 0; pairs[i] != NULL; i++) {
		const char *eq = strchr(pairs[i], '=');
		const char *key = eq == NULL ? pairs[i] : tmp_strndup(pairs[i], eq - pairs[i]);
		const char *value = eq == NULL ? "" : eq + 1;
		const struct auth_fields *target = userdb ? request->userdb_fields :
			request->extra_fields;

		if (only_unset && auth_fields_exists(target, key))
			continue;
		if (userdb)
			auth_request_set_userdb_field(request, key, value);
		else
			auth_request_set_field(request, key, value);
	}
}

/* --- passdb chain --- */

static void auth_request_passdb_run(struct auth_request *request);

static void auth_request_passdb_callback(enum passdb_result result,
					 struct auth_request *request)
{
	struct passdb_module *passdb = passdb_get(request->passdb_idx);

	if (result == PASSDB_RESULT_OK) {
		if (passdb->override_fields != NULL)
			auth_request_set_fields_str(request, passdb->override_fields,
						    false, false);
		if (passdb->deny) {
			auth_request_log_info(request, passdb->name,
					      "User found from deny passdb");
			result = PASSDB_RESULT_USER_DISABLED;
		}
	} else if (passdb->deny) {
		/* not in the deny list: go on with the next passdb */
		result = PASSDB_RESULT_USER_UNKNOWN;
	}
	if (result == PASSDB_RESULT_INTERNAL_FAILURE)
		request->passdb_internal_failure = true;
	if (result != PASSDB_RESULT_OK && result != PASSDB_RESULT_USER_DISABLED &&
	    request->passdb_idx + 1 < passdbs_count()) {
		request->passdb_idx++;
		auth_request_passdb_run(request);
		return;
	}
	if (result != PASSDB_RESULT_OK && result != PASSDB_RESULT_USER_DISABLED &&
	    request->passdb_internal_failure)
		result = PASSDB_RESULT_INTERNAL_FAILURE;
	request->passdb_result = result;
	request->private_callback(result, request);
	auth_request_unref(&request);
}

static void auth_request_passdb_run(struct auth_request *request)
{
	struct passdb_module *passdb = passdb_get(request->passdb_idx);

	if (passdb->default_fields != NULL)
		auth_request_set_fields_str(request, passdb->default_fields,
					    false, true);
	if (request->passdb_lookup_only) {
		if (passdb->driver->lookup == NULL) {
			auth_request_passdb_callback(PASSDB_RESULT_SCHEME_NOT_AVAILABLE,
						     request);
		} else {
			passdb->driver->lookup(passdb, request,
					       auth_request_passdb_callback);
		}
	} else {
		passdb->driver->verify_plain(passdb, request, request->mech_password,
					     auth_request_passdb_callback);
	}
}

static void auth_request_passdb_start(struct auth_request *request,
				      verify_plain_callback_t *callback)
{
	request->private_callback = callback;
	request->passdb_idx = 0;
	request->passdb_internal_failure = false;
	if (passdbs_count() == 0) {
		auth_request_log_error(request, "auth", "No passdbs configured");
		callback(PASSDB_RESULT_INTERNAL_FAILURE, request);
		return;
	}
	/* the chain's callback releases this */
	auth_request_ref(request);
	auth_request_passdb_run(request);
}

void auth_request_verify_plain(struct auth_request *request, const char *password,
			       verify_plain_callback_t *callback)
{
	request->mech_password = p_strdup(request->pool, password);
	if (auth_set->debug_passwords) {
		auth_request_log_debug(request, "auth", "Password: %s",
				       request->mech_password);
	}
	request->passdb_lookup_only = false;
	auth_request_passdb_start(request, callback);
}

void auth_request_lookup_credentials(struct auth_request *request,
				     verify_plain_callback_t *callback)
{
	request->passdb_lookup_only = true;
	auth_request_passdb_start(request, callback);
}

/* --- userdb chain --- */

static void auth_request_userdb_run(struct auth_request *request);

static void auth_request_userdb_callback(enum userdb_result result,
					 struct auth_request *request)
{
	struct userdb_module *userdb = userdb_get(request->userdb_idx);

	if (result == USERDB_RESULT_OK) {
		/* default_fields fill what the userdb left unset */
		if (userdb->default_fields != NULL) {
			auth_request_set_fields_str(request, userdb->default_fields,
						    true, true);
		}
		if (userdb->override_fields != NULL) {
			auth_request_set_fields_str(request, userdb->override_fields,
						    true, false);
		}
	}
	if (result == USERDB_RESULT_INTERNAL_FAILURE)
		request->userdb_internal_failure = true;
	if (result != USERDB_RESULT_OK && request->userdb_idx + 1 < userdbs_count()) {
		request->userdb_idx++;
		auth_request_userdb_run(request);
		return;
	}
	if (result != USERDB_RESULT_OK && request->userdb_internal_failure)
		result = USERDB_RESULT_INTERNAL_FAILURE;
	request->userdb_callback(result, request);
	auth_request_unref(&request);
}

static void auth_request_userdb_run(struct auth_request *request)
{
	struct userdb_module *userdb = userdb_get(request->userdb_idx);

	userdb->driver->lookup(userdb, request, auth_request_userdb_callback);
}

void auth_request_lookup_user(struct auth_request *request,
			      userdb_callback_t *callback)
{
	request->userdb_callback = callback;
	request->userdb_idx = 0;
	request->userdb_internal_failure = false;
	if (userdbs_count() == 0) {
		auth_request_log_error(request, "auth", "No userdbs configured");
		callback(USERDB_RESULT_INTERNAL_FAILURE, request);
		return;
	}
	auth_request_ref(request);
	auth_request_userdb_run(request);
}

/* --- results to the client --- */

void auth_request_success(struct auth_request *request)
{
	auth_request_handler_reply(request, AUTH_CLIENT_RESULT_SUCCESS, NULL, 0,
				   NULL, NULL);
}

void auth_request_fail(struct auth_request *request)
{
	auth_request_handler_reply(request, AUTH_CLIENT_RESULT_FAILURE, NULL, 0,
				   NULL, NULL);
}

void auth_request_fail_with_reason(struct auth_request *request,
				   const char *code, const char *reason)
{
	auth_request_handler_reply(request, AUTH_CLIENT_RESULT_FAILURE, NULL, 0,
				   code, reason);
}

void auth_request_internal_failure(struct auth_request *request)
{
	auth_request_handler_reply(request, AUTH_CLIENT_RESULT_FAILURE_TEMP, NULL, 0,
				   "temp_fail", AUTH_TEMP_FAIL_REASON);
}

void auth_request_continue(struct auth_request *request,
			   const unsigned char *data, size_t size)
{
	auth_request_handler_reply(request, AUTH_CLIENT_RESULT_CONTINUE, data, size,
				   NULL, NULL);
}

void auth_request_verify_plain_finish(enum passdb_result result,
				      struct auth_request *request)
{
	switch (result) {
	case PASSDB_RESULT_OK:
		auth_request_success(request);
		break;
	case PASSDB_RESULT_INTERNAL_FAILURE:
		auth_request_internal_failure(request);
		break;
	case PASSDB_RESULT_USER_DISABLED:
		auth_request_fail_with_reason(request, "user_disabled", NULL);
		break;
	case PASSDB_RESULT_PASS_EXPIRED:
		auth_request_fail_with_reason(request, "pass_expired", NULL);
		break;
	case PASSDB_RESULT_SCHEME_NOT_AVAILABLE:
	case PASSDB_RESULT_USER_UNKNOWN:
	case PASSDB_RESULT_PASSWORD_MISMATCH:
		auth_request_fail(request);
		break;
	}
}
