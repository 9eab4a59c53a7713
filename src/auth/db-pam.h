/* Copyright (c) dovecot-like authors. db-pam.h: the PAM passdb's args
   (parsed in auth at start-up) and the PAM conversation itself (run in the
   auth-worker process, since PAM modules block). */
#ifndef DB_PAM_H
#define DB_PAM_H

#include "passdb.h"

struct pool;

/* The PAM service when args name none: an existing /etc/pam.d/dovecot keeps
   working. */
#define DB_PAM_DEFAULT_SERVICE "dovecot"

enum db_pam_flags {
	DB_PAM_FLAG_SESSION = 0x01,	/* pam_open_session + close */
	DB_PAM_FLAG_SETCRED = 0x02,	/* pam_setcred(PAM_ESTABLISH_CRED) */
};
#define DB_PAM_FLAGS_ALL (DB_PAM_FLAG_SESSION | DB_PAM_FLAG_SETCRED)

struct db_pam_args {
	/* may contain %variables ("%s" = the protocol); "*" in args means
	   "%s" as in Dovecot 1.x */
	const char *service;
	unsigned int flags;	/* enum db_pam_flags */
	bool failure_show_msg;
	/* the auth-worker restarts after this many PAM requests (0 = never) */
	unsigned int max_requests;
	const char *cache_key;	/* NULL: unset */
};

/* Parse "[session=yes] [setcred=yes] [failure_show_msg=yes]
   [max_requests=N] [cache_key=...] [blocking=yes|no] [<service>]" into
   args_r (strings in pool). Returns 0, or -1 with *error_r naming the bad
   arg. */
int db_pam_parse_args(struct pool *pool, const char *args,
		      struct db_pam_args *args_r, const char **error_r);

/* Runs pam_authenticate and pam_acct_mgmt (and the session/setcred calls
   flags ask for) for user with password; rip may be "" for none. Blocking:
   only the auth-worker calls it. Returns the result; unless OK,
   *log_msg_r says why for the log and *client_msg_r is PAM's message for
   failure_show_msg (tmp). Never logs the password. */
enum passdb_result db_pam_authenticate(const char *service, const char *user,
				       const char *password, const char *rip,
				       unsigned int flags, const char **log_msg_r,
				       const char **client_msg_r);

/* Read PAM service files from dir instead of /etc/pam.d (unit tests);
   NULL restores the default. dir must outlive the calls. */
void db_pam_set_confdir(const char *dir);

#endif
