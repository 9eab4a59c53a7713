/* Copyright (c) dovecot-like authors. db-passwd.h: the system user
   databases behind userdb passwd and passdb shadow: getpwnam_r() and
   getspnam_r() lookups, run in the auth-worker because NSS may block (LDAP). */
#ifndef DB_PASSWD_H
#define DB_PASSWD_H

#include "passdb.h"
#include <sys/types.h>
#include <time.h>

/* The args of userdb passwd and passdb shadow: only Dovecot's
   "blocking=yes|no" (both always run in the worker). 0, or -1 with
   *error_r naming the unknown arg. */
int db_passwd_parse_args(const char *args, const char **error_r);

/* Blocking. Returns 1 with uid, gid and home (tmp) when found, 0 for an
   unknown user, -1 with *error_r on a lookup failure. */
int db_passwd_lookup(const char *user, uid_t *uid_r, gid_t *gid_r,
		     const char **home_r, const char **error_r);

/* Blocking, needs root for /etc/shadow. Checks the account's expiry
   (sp_expire -> USER_DISABLED, sp_lstchg/sp_max -> PASS_EXPIRED, as
   shadow(5) describes) at now, and the password with crypt(3). Returns the
   result; unless OK, *log_msg_r says why (tmp, never the password). */
enum passdb_result db_shadow_verify(const char *user, const char *password,
				    time_t now, const char **log_msg_r);

struct spwd;
/* The expiry part of db_shadow_verify(): OK, USER_DISABLED (account expired
   or inactive) or PASS_EXPIRED, with *log_msg_r unless OK. Exposed for
   tests. */
enum passdb_result db_shadow_check_expiry(const struct spwd *sp, time_t now,
					  const char **log_msg_r);

#endif
