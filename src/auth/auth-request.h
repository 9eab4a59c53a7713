/* Copyright (c) dovecot-like authors. auth-request.h: one authentication or
   user lookup: its parameters, user name, passdb/userdb fields, the passdb and
   userdb chains, and logging in Dovecot's "driver(user,rip)" form. */
#ifndef AUTH_REQUEST_H
#define AUTH_REQUEST_H

#include "auth-protocol.h"
#include "passdb.h"
#include "userdb.h"

struct auth_fields;
struct auth_request_handler;
struct mech_module;
struct timeout;
struct var_expand_table;

struct auth_request {
	int refcount;
	/* POOL_FLAG_WIPE: holds the plaintext password. */
	struct pool *pool;

	unsigned int id;	/* the client's request id */
	struct auth_request_handler *handler;	/* NULL: no client (master) */
	const struct mech_module *mech;
	struct auth_client_params params;
	struct timeout *to_abort, *to_delay;
	/* the start waits for the IP's failure penalty (auth-penalty.h) */
	struct timeout *to_penalty;
	time_t created;

	/* As the client sent it, and after auth_username_format or a passdb
	   rewrite. */
	const char *original_username;
	const char *user;
	const char *mech_password;	/* wiped with the pool */
	/* passdb fields (sent in OK) and userdb fields (REQUEST/USER). */
	struct auth_fields *extra_fields, *userdb_fields;

	unsigned int passdb_idx, userdb_idx;
	bool passdb_internal_failure, userdb_internal_failure;
	enum passdb_result passdb_result;
	verify_plain_callback_t *private_callback;
	userdb_callback_t *userdb_callback;
	bool passdb_lookup_only;

	/* the user name came from the client certificate (cert_username
	   with auth_ssl_username_from_cert): what the mechanism says does
	   not change it */
	bool cert_username;
	/* mechanism state (LOGIN: got the user name) */
	unsigned int mech_state;
	/* finished with OK/FAIL already sent (or being delayed) */
	bool finished, successful;
	/* a CONT was sent: the client's next CONT is expected */
	bool waiting_continue;
	/* the IP's penalty was looked up (penalty_checked): its value if
	   still in force (0 if worn off), and whether anvil had one at all
	   (a success then resets it) */
	bool penalty_checked, penalty_stored;
	unsigned int penalty;
	/* the final line waiting for auth_failure_delay */
	const char *delayed_reply;
	/* Opaque owner data (master connection of a lookup). */
	void *context;
	unsigned int context_id;
};

struct auth_request *auth_request_new(struct auth_request_handler *handler,
				      const struct mech_module *mech);
void auth_request_ref(struct auth_request *request);
void auth_request_unref(struct auth_request **request);

/* Checks auth_username_chars, applies auth_username_translation and
   auth_username_format. Returns false with *error_r (client-safe). With
   request->cert_username set the user is already decided: returns true and
   changes nothing. */
bool auth_request_set_username(struct auth_request *request,
			       const char *username, const char **error_r);

/* Runs the passdb chain for request->user. */
void auth_request_verify_plain(struct auth_request *request, const char *password,
			       verify_plain_callback_t *callback);
/* Runs the passdb chain without a password check (master PASS). */
void auth_request_lookup_credentials(struct auth_request *request,
				     verify_plain_callback_t *callback);
/* Runs the userdb chain; fields end up in request->userdb_fields. */
void auth_request_lookup_user(struct auth_request *request,
			      userdb_callback_t *callback);

/* Mechanism results, passed to the request handler. */
void auth_request_success(struct auth_request *request);
void auth_request_fail(struct auth_request *request);
void auth_request_internal_failure(struct auth_request *request);
void auth_request_fail_with_reason(struct auth_request *request,
				   const char *code, const char *reason);
void auth_request_continue(struct auth_request *request,
			   const unsigned char *data, size_t size);
/* Sends passdb's verify result (the common tail of plaintext mechs). */
void auth_request_verify_plain_finish(enum passdb_result result,
				      struct auth_request *request);

/* A passdb field: "userdb_x" goes to userdb_fields as "x"; user=,
   username=, domain= rewrite the user name; the value is %-expanded. */
void auth_request_set_field(struct auth_request *request, const char *key,
			    const char *value);
void auth_request_set_userdb_field(struct auth_request *request,
				   const char *key, const char *value);
/* "k=v k2=v2" lists of default_fields/override_fields; protect = only
   fields not set yet. */
void auth_request_set_fields_str(struct auth_request *request, const char *fields,
				 bool userdb, bool only_unset);

/* %-variables of this request (tmp). */
const struct var_expand_table *auth_request_var_table(struct auth_request *request);
/* Expand str with the request's variables; NULL on a syntax error (logged). */
const char *auth_request_var_expand(struct auth_request *request, const char *str);

/* "passwd-file(user,rip): msg" at debug/info(verbose)/error. */
void auth_request_log_debug(struct auth_request *request, const char *subsystem,
			    const char *fmt, ...) ATTR_FORMAT(3, 4);
void auth_request_log_info(struct auth_request *request, const char *subsystem,
			   const char *fmt, ...) ATTR_FORMAT(3, 4);
void auth_request_log_error(struct auth_request *request, const char *subsystem,
			    const char *fmt, ...) ATTR_FORMAT(3, 4);

#endif
