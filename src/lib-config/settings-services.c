/* Copyright (c) dovecot-like authors. The built-in services master always runs
   (login, workers, auth, log, anvil) with their default listeners, merged with
   whatever service { } sections the config has. */
#include "lib.h"
#include "settings-private.h"

/* One line per key: service, listener type, listener name (both NULL for a
   service key), key, value. Values may use $global_setting. */
struct builtin_key {
	const char *service;
	const char *ltype;
	const char *lname;
	const char *key;
	const char *value;
};

#define SVC(s, k, v) { s, NULL, NULL, k, v }
#define INET(s, l, k, v) { s, "inet_listener", l, k, v }
#define UNIX(s, l, k, v) { s, "unix_listener", l, k, v }

static const char *const builtin_services[] = {
	"imap-login", "pop3-login", "imap", "pop3", "auth", "auth-worker",
	"log", "anvil",
};

static const struct builtin_key builtin_keys[] = {
	SVC("imap-login", "executable", "imap-login"),
	SVC("imap-login", "protocol", "imap"),
	SVC("imap-login", "user", "$default_login_user"),
	SVC("imap-login", "chroot", "login"),
	/* many clients per process (Dovecot's "high-performance mode"):
	   TLS connections then cost far less memory than a process each */
	SVC("imap-login", "service_count", "0"),
	INET("imap-login", "imap", "port", "143"),
	INET("imap-login", "imap", "ssl", "no"),
	INET("imap-login", "imaps", "port", "993"),
	INET("imap-login", "imaps", "ssl", "yes"),

	SVC("pop3-login", "executable", "pop3-login"),
	SVC("pop3-login", "protocol", "pop3"),
	SVC("pop3-login", "user", "$default_login_user"),
	SVC("pop3-login", "chroot", "login"),
	SVC("pop3-login", "service_count", "0"),
	INET("pop3-login", "pop3", "port", "110"),
	INET("pop3-login", "pop3", "ssl", "no"),
	INET("pop3-login", "pop3s", "port", "995"),
	INET("pop3-login", "pop3s", "ssl", "yes"),

	SVC("imap", "executable", "imap"),
	SVC("imap", "protocol", "imap"),
	SVC("imap", "client_limit", "1"),
	SVC("imap", "service_count", "1"),
	SVC("imap", "process_limit", "1024"),
	UNIX("imap", "login/imap", "mode", "0666"),

	SVC("pop3", "executable", "pop3"),
	SVC("pop3", "protocol", "pop3"),
	SVC("pop3", "client_limit", "1"),
	SVC("pop3", "service_count", "1"),
	SVC("pop3", "process_limit", "1024"),
	UNIX("pop3", "login/pop3", "mode", "0666"),

	SVC("auth", "executable", "auth"),
	SVC("auth", "user", "$default_internal_user"),
	SVC("auth", "process_limit", "1"),
	UNIX("auth", "login/login", "mode", "0666"),
	UNIX("auth", "auth-client", "mode", "0600"),
	UNIX("auth", "auth-master", "mode", "0600"),
	UNIX("auth", "auth-userdb", "mode", "0666"),
	UNIX("auth", "auth-userdb", "user", "$default_internal_user"),

	SVC("auth-worker", "executable", "auth -w"),
	SVC("auth-worker", "user", "root"),
	SVC("auth-worker", "client_limit", "1"),
	UNIX("auth-worker", "auth-worker", "mode", "0600"),
	UNIX("auth-worker", "auth-worker", "user", "$default_internal_user"),

	SVC("log", "executable", "log"),
	SVC("log", "process_limit", "1"),

	SVC("anvil", "executable", "anvil"),
	SVC("anvil", "user", "$default_internal_user"),
	SVC("anvil", "chroot", "empty"),
	SVC("anvil", "process_limit", "1"),
	SVC("anvil", "process_min_avail", "1"),
	UNIX("anvil", "anvil", "mode", "0600"),
	UNIX("anvil", "anvil-auth-penalty", "mode", "0600"),
	UNIX("anvil", "anvil-auth-penalty", "user", "$default_internal_user"),
};

bool settings_service_is_builtin(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(builtin_services); i++) {
		if (strcmp(builtin_services[i], name) == 0)
			return true;
	}
	return false;
}

static bool str_eq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const char *settings_service_builtin_value(const char *service,
					   const char *listener_type,
					   const char *listener_name,
					   const char *key)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(builtin_keys); i++) {
		const struct builtin_key *b = &builtin_keys[i];

		if (strcmp(b->service, service) == 0 &&
		    str_eq_null(b->ltype, listener_type) &&
		    str_eq_null(b->lname, listener_name) &&
		    strcmp(b->key, key) == 0)
			return b->value;
	}
	return NULL;
}

/* "$default_login_user" -> its current global value. Built-in values are a
   single variable or none. */
static const char *builtin_value_resolve(const struct settings *set, const char *value)
{
	const char *v;

	if (value[0] != '$')
		return value;
	v = settings_lookup(set, NULL, value + 1);
	ASSERT(v != NULL);
	return v;
}

static struct settings_section *
builtin_service_create(const struct settings *set, const char *name)
{
	struct settings_section *sec, *listener;
	unsigned int i;

	sec = settings_section_new(set->pool, "service", name, "", 0);
	for (i = 0; i < N_ELEMENTS(builtin_keys); i++) {
		const struct builtin_key *b = &builtin_keys[i];
		struct settings_section *target = sec;

		if (strcmp(b->service, name) != 0)
			continue;
		if (b->ltype != NULL) {
			listener = settings_section_get_or_add(set->pool, sec,
				b->ltype, b->lname, "", 0);
			target = listener;
		}
		settings_section_set(set->pool, target, b->key,
				     builtin_value_resolve(set, b->value),
				     NULL, NULL);
	}
	return sec;
}

void settings_services_build(struct settings *set)
{
	struct settings_section *const *childp, *sec;
	unsigned int i;

	array_init(&set->services, set->pool, 16);
	for (i = 0; i < N_ELEMENTS(builtin_services); i++) {
		sec = builtin_service_create(set, builtin_services[i]);
		array_append(&set->services, &sec);
	}
	array_foreach(&set->root->children, childp) {
		if (strcmp((*childp)->type, "service") != 0)
			continue;
		if (settings_service_is_builtin((*childp)->name)) {
			struct settings_section *const *svcp;

			array_foreach(&set->services, svcp) {
				if (strcmp((*svcp)->name, (*childp)->name) == 0)
					settings_section_merge(set->pool, *svcp, *childp);
			}
		} else {
			sec = settings_section_copy(set->pool, *childp);
			array_append(&set->services, &sec);
		}
	}
}
