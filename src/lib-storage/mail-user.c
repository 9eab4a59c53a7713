/* Copyright (c) dovecot-like authors. mail-user.c: the mail user of a worker:
   turns the userdb's mail_location into a storage location, autodetecting
   ~/Maildir like Dovecot when it is empty. */
#include "lib.h"
#include "str.h"
#include "mail-storage-private.h"
#include "mbox-lock.h"
#include "mail-namespace.h"

#include <sys/stat.h>

static const char *
location_expand(struct pool *pool, const char *home, const char *path,
		const char **error_r)
{
	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return p_strdup(pool, path);
	if (home == NULL || home[0] == '\0') {
		*error_r = "mail_location uses ~ but home directory is not set";
		return NULL;
	}
	return p_strconcat(pool, home, path + 1, NULL);
}

/* Splits at ':' where "::" stands for a literal ':'. */
static const char **location_split(struct pool *pool, const char *str)
{
	ARRAY(const char *) parts;
	struct str *cur = t_str_new(128);
	const char *part, **ret;
	unsigned int i, count;

	array_init(&parts, tmp_pool, 8);
	for (; *str != '\0'; str++) {
		if (*str == ':' && str[1] == ':') {
			str_append_c(cur, ':');
			str++;
		} else if (*str == ':') {
			part = p_strdup(pool, str_c(cur));
			array_append(&parts, &part);
			str_reset(cur);
		} else {
			str_append_c(cur, *str);
		}
	}
	part = p_strdup(pool, str_c(cur));
	array_append(&parts, &part);

	count = array_count(&parts);
	ret = pool_new(pool, const char *, count + 1);
	for (i = 0; i < count; i++)
		ret[i] = *array_idx(&parts, i);
	return ret;
}

int mail_storage_location_parse(struct pool *pool, const char *home,
				const char *str,
				struct mail_storage_location *loc_r,
				const char **error_r)
{
	const char **parts, *key, *value, *eq;
	unsigned int i;

	memset(loc_r, 0, sizeof(*loc_r));
	loc_r->layout = "maildir++";
	if (str == NULL || str[0] == '\0') {
		/* autodetect like Dovecot: ~/Maildir */
		if (home == NULL || home[0] == '\0') {
			*error_r = "mail_location not set and home directory "
				"not set: can't autodetect mail";
			return -1;
		}
		loc_r->driver = "maildir";
		loc_r->root = p_strconcat(pool, home, "/Maildir", NULL);
		return 0;
	}

	parts = location_split(pool, str);
	if (strcmp(parts[0], "maildir") == 0 && parts[1] != NULL) {
		loc_r->driver = "maildir";
		parts++;
	} else if (strcmp(parts[0], "mbox") == 0 && parts[1] != NULL) {
		loc_r->driver = "mbox";
		parts++;
	} else if (parts[1] != NULL && strchr(parts[0], '/') == NULL &&
		   strchr(parts[0], '=') == NULL && parts[0][0] != '~') {
		*error_r = p_printf(pool, "Unknown mail storage driver %s",
				    parts[0]);
		return -1;
	} else {
		/* no driver: a path, assumed to be a Maildir */
		loc_r->driver = "maildir";
	}
	if (parts[0][0] == '\0') {
		*error_r = "mail_location has an empty root directory";
		return -1;
	}
	loc_r->root = location_expand(pool, home, parts[0], error_r);
	if (loc_r->root == NULL)
		return -1;

	for (i = 1; parts[i] != NULL; i++) {
		eq = strchr(parts[i], '=');
		if (eq == NULL) {
			*error_r = p_printf(pool, "mail_location: "
					    "option without value: %s", parts[i]);
			return -1;
		}
		key = p_strndup(pool, parts[i], (size_t)(eq - parts[i]));
		value = eq + 1;
		if (strcmp(key, "INDEX") == 0 || strcmp(key, "CONTROL") == 0 ||
		    strcmp(key, "INBOX") == 0) {
			if (strcmp(value, "MEMORY") != 0) {
				value = location_expand(pool, home, value,
							error_r);
				if (value == NULL)
					return -1;
			}
			if (strcmp(key, "INDEX") == 0)
				loc_r->index_dir = value;
			else if (strcmp(key, "CONTROL") == 0)
				loc_r->control_dir = value;
			else
				loc_r->inbox_path = value;
		} else if (strcmp(key, "LAYOUT") == 0) {
			if (strcmp(value, "maildir++") != 0 &&
			    strcmp(value, "fs") != 0) {
				*error_r = p_printf(pool, "mail_location: "
						    "unknown LAYOUT=%s", value);
				return -1;
			}
			loc_r->layout = value;
		} else if (strcmp(key, "DIRNAME") == 0) {
			loc_r->dirname = value;
		} else {
			/* Dovecot has more keys (VOLATILEDIR, FULLDIRNAME,
			   ...); they don't change where mail is */
			log_debug("mail_location: ignoring %s", key);
		}
	}
	return 0;
}

void mail_user_mbox_settings_default(struct mail_user_mbox_settings *set_r)
{
	struct mbox_lock_settings lock_set;

	mbox_lock_settings_default(&lock_set);
	memset(set_r, 0, sizeof(*set_r));
	set_r->read_locks = lock_set.read_locks;
	set_r->write_locks = lock_set.write_locks;
	set_r->lock_timeout_secs = lock_set.lock_timeout_secs;
	set_r->dotlock_change_timeout_secs =
		lock_set.dotlock_change_timeout_secs;
	set_r->privileged_gid = (gid_t)-1;
	set_r->lazy_writes = true;
}

/* Copies set (or the defaults) into the user, checking the lock method
   lists so that a typo fails the login instead of every later lock. */
static int mail_user_mbox_settings_copy(struct mail_user *user,
					const struct mail_user_mbox_settings *set,
					const char **error_r)
{
	enum mbox_lock_method methods[MBOX_LOCK_MAX_METHODS];
	unsigned int count;
	const char *error;

	if (set == NULL) {
		mail_user_mbox_settings_default(&user->mbox_set);
		return 0;
	}
	if (mbox_lock_methods_parse(set->read_locks, methods, &count,
				    &error) < 0) {
		*error_r = tmp_printf("mbox_read_locks: %s", error);
		return -1;
	}
	if (mbox_lock_methods_parse(set->write_locks, methods, &count,
				    &error) < 0) {
		*error_r = tmp_printf("mbox_write_locks: %s", error);
		return -1;
	}
	user->mbox_set = *set;
	user->mbox_set.read_locks = p_strdup(user->pool, set->read_locks);
	user->mbox_set.write_locks = p_strdup(user->pool, set->write_locks);
	return 0;
}

/* The separator Maildir++ puts between levels on disk ('.'); none for the
   layouts where levels are directories. */
static char mail_user_storage_sep(const struct mail_user *user)
{
	return strcmp(user->location.driver, "maildir") == 0 &&
		strcmp(user->location.layout, "maildir++") == 0 ? '.' : '\0';
}

int mail_user_create(const struct mail_user_settings *set,
		     struct mail_user **user_r, const char **error_r)
{
	struct pool *pool;
	struct mail_user *user;
	const char *error;

	pool = pool_create("mail user", 1024, POOL_FLAG_NONE);
	user = pool_new(pool, struct mail_user, 1);
	user->pool = pool;
	user->refcount = 1;
	user->username = p_strdup(pool, set->username);
	user->home = p_strdup(pool, set->home);
	user->cache_fields = p_strdup(pool, set->cache_fields == NULL ? "" :
				      set->cache_fields);
	user->always_cache_fields = p_strdup(pool,
		set->always_cache_fields == NULL ? "" :
		set->always_cache_fields);
	user->never_cache_fields = p_strdup(pool,
		set->never_cache_fields == NULL ? "" :
		set->never_cache_fields);
	if (mail_user_mbox_settings_copy(user, set->mbox, &error) < 0) {
		log_error("user %s: %s", set->username, error);
		*error_r = "Internal error occurred";
		pool_unref(&pool);
		return -1;
	}

	if (mail_storage_location_parse(pool, user->home, set->mail_location,
					&user->location, &error) < 0) {
		log_error("user %s: %s", set->username, error);
		*error_r = tmp_strdup(error);
		pool_unref(&pool);
		return -1;
	}
	user->driver = mail_storage_driver_find(user->location.driver);
	ASSERT(user->driver != NULL);	/* the location parser knows them all */
	if (user->driver->create_root(user->location.root, &error) < 0) {
		log_error("user %s: %s", set->username, error);
		*error_r = "Internal error occurred";
		pool_unref(&pool);
		return -1;
	}
	user->namespaces = mail_namespaces_new(pool);
	if (mail_namespaces_finish(user->namespaces, &error) < 0)
		ASSERT(false);	/* the default one is always valid */
	mail_namespaces_set_storage_sep(user->namespaces,
					mail_user_storage_sep(user));
	*user_r = user;
	return 0;
}

void mail_user_ref(struct mail_user *user)
{
	ASSERT(user->refcount > 0);
	user->refcount++;
}

void mail_user_unref(struct mail_user **_user)
{
	struct mail_user *user = *_user;
	struct pool *pool;

	if (user == NULL)
		return;
	*_user = NULL;
	ASSERT(user->refcount > 0);
	if (--user->refcount > 0)
		return;
	if (user->namespaces->pool != user->pool)
		pool_unref(&user->namespaces->pool);
	pool = user->pool;
	pool_unref(&pool);
}

const char *mail_user_get_name(const struct mail_user *user)
{
	return user->username;
}

const char *mail_user_get_mail_root(const struct mail_user *user)
{
	return user->location.root;
}

struct mail_namespaces *mail_user_get_namespaces(const struct mail_user *user)
{
	return user->namespaces;
}

void mail_user_set_namespaces(struct mail_user *user,
			      struct mail_namespaces *nss)
{
	if (user->namespaces->pool != user->pool)
		pool_unref(&user->namespaces->pool);
	user->namespaces = nss;
	mail_namespaces_set_storage_sep(nss, mail_user_storage_sep(user));
}
