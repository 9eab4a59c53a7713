/* Copyright (c) dovecot-like authors. userdb.h: user databases (uid, gid,
   home, mail...): the driver table and the configured userdb { } chain. */
#ifndef USERDB_H
#define USERDB_H

struct auth_request;
struct settings;
struct pool;

enum userdb_result {
	USERDB_RESULT_INTERNAL_FAILURE = -1,
	USERDB_RESULT_USER_UNKNOWN = 0,
	USERDB_RESULT_OK = 1,
};

typedef void userdb_callback_t(enum userdb_result result,
			       struct auth_request *request);

struct userdb_module;

struct userdb_driver {
	const char *name;
	int (*init)(struct userdb_module *module, const char *args,
		    const char **error_r);
	/* Adds fields with auth_request_set_userdb_field(). */
	void (*lookup)(struct userdb_module *module, struct auth_request *request,
		       userdb_callback_t *callback);
	/* All user names (LIST), in pool. NULL = cannot iterate. Returns 0 or
	   -1 with *error_r. */
	int (*iterate)(struct userdb_module *module, struct pool *pool,
		       const char *const **users_r, const char **error_r);
};

struct userdb_module {
	unsigned int id;
	const struct userdb_driver *driver;
	const char *name;
	const char *default_fields, *override_fields;
	void *context;
};

void userdbs_init(const struct settings *set);
unsigned int userdbs_count(void);
struct userdb_module *userdb_get(unsigned int idx);

extern const struct userdb_driver userdb_passwd_file;
extern const struct userdb_driver userdb_static;
extern const struct userdb_driver userdb_passwd;

#endif
