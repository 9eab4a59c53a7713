/* Copyright (c) dovecot-like authors. passdb.h: password databases: the driver
   table (passwd-file, static, pam, shadow), the configured passdb { } chain,
   and the shared password check that sends slow schemes to auth-worker. */
#ifndef PASSDB_H
#define PASSDB_H

struct auth_request;
struct settings;

enum passdb_result {
	PASSDB_RESULT_INTERNAL_FAILURE = -1,
	PASSDB_RESULT_SCHEME_NOT_AVAILABLE = -2,
	PASSDB_RESULT_USER_UNKNOWN = -3,
	PASSDB_RESULT_USER_DISABLED = -4,
	PASSDB_RESULT_PASS_EXPIRED = -5,
	PASSDB_RESULT_PASSWORD_MISMATCH = -6,
	PASSDB_RESULT_OK = 1,
};

/* Called exactly once, possibly before the driver call returns. */
typedef void verify_plain_callback_t(enum passdb_result result,
				     struct auth_request *request);

struct passdb_module;

struct passdb_driver {
	const char *name;
	/* Parse args at start-up. Returns 0 or -1 with *error_r. */
	int (*init)(struct passdb_module *module, const char *args,
		    const char **error_r);
	/* Check password for request->user, adding the passdb's fields with
	   auth_request_set_field(). */
	void (*verify_plain)(struct passdb_module *module,
			     struct auth_request *request, const char *password,
			     verify_plain_callback_t *callback);
	/* Fields only, no password check (master PASS). NULL = unsupported. */
	void (*lookup)(struct passdb_module *module, struct auth_request *request,
		       verify_plain_callback_t *callback);
};

struct passdb_module {
	unsigned int id;
	const struct passdb_driver *driver;
	const char *name;	/* driver name, for logs */
	const char *default_fields, *override_fields;
	bool deny;
	void *context;		/* driver's */
};

/* Reads every passdb { } section. Fatal on configuration errors. */
void passdbs_init(const struct settings *set);
unsigned int passdbs_count(void);
struct passdb_module *passdb_get(unsigned int idx);

/* Compare password with the stored crypted value (default_scheme for
   values without {SCHEME}); slow schemes go to an auth-worker. subsystem names
   the passdb in logs. callback gets OK, PASSWORD_MISMATCH,
   SCHEME_NOT_AVAILABLE or INTERNAL_FAILURE. */
void passdb_verify_password(struct auth_request *request, const char *subsystem,
			    const char *password, const char *crypted,
			    const char *default_scheme,
			    verify_plain_callback_t *callback);

/* Runs a passdb request in the auth-worker ("PAM"/"SHADOW": the reply
   is OK, or MISMATCH/UNKNOWN/DISABLED/EXPIRED/FAIL with a log message and
   an optional client message, see auth-worker-client.h). The log message
   is logged with the request's prefix (errors always, the rest with
   auth_verbose); with show_msg the client message becomes the failure
   reason. callback gets the mapped result; fields are wiped once sent. */
void passdb_worker_verify(struct auth_request *request, const char *subsystem,
			  const char *cmd, const char *const *fields,
			  bool show_msg, verify_plain_callback_t *callback);
/* The passdb result of a worker reply word; INTERNAL_FAILURE for unknown
   words (and TEMPFAIL, FAIL). */
enum passdb_result passdb_result_from_worker(const char *word);

struct passwd_user;
struct db_passwd_file_args;
/* passwd-file lookup for request (shared with the userdb): expands the path
   and username_format, reloads a changed file. Returns 1 found, 0 unknown
   user, -1 internal error (logged). */
int passwd_file_request_lookup(struct auth_request *request,
			       const struct db_passwd_file_args *args, bool userdb,
			       const char *subsystem,
			       const struct passwd_user **user_r);

extern const struct passdb_driver passdb_passwd_file;
extern const struct passdb_driver passdb_static;
extern const struct passdb_driver passdb_pam;
extern const struct passdb_driver passdb_shadow;

#endif
