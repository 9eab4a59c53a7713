/* Copyright (c) dovecot-like authors. db-passwd.c: blocking system user
   lookups (passwd, shadow) for the auth-worker: the NSS calls with their
   grow-the-buffer retry, and the shadow(5) expiry rules. */
#include "lib.h"
#include "mempool.h"
#include "strfuncs.h"
#include "password-scheme.h"
#include "db-passwd.h"

#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <sodium.h>

/* getpwnam_r/getspnam_r buffer: starts here, doubles on ERANGE up to the
   maximum (a passwd entry is a few hundred bytes). */
#define DB_PASSWD_BUF_INITIAL 1024
#define DB_PASSWD_BUF_MAX (1024 * 1024)
#define DB_SHADOW_DAY_SECS (24 * 60 * 60)

int db_passwd_lookup(const char *user, uid_t *uid_r, gid_t *gid_r,
		     const char **home_r, const char **error_r)
{
	struct passwd pw, *result;
	size_t size = DB_PASSWD_BUF_INITIAL;
	char *buf;
	int err;

	for (;;) {
		buf = t_new(char, size);
		err = getpwnam_r(user, &pw, buf, size, &result);
		if (err != ERANGE || size >= DB_PASSWD_BUF_MAX)
			break;
		size *= 2;
	}
	if (result == NULL) {
		/* NSS says "not found" with 0, ENOENT, ESRCH, EBADF or EPERM */
		if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF ||
		    err == EPERM)
			return 0;
		errno = err;
		*error_r = tmp_printf("getpwnam_r(%s) failed: %m", user);
		return -1;
	}
	*uid_r = pw.pw_uid;
	*gid_r = pw.pw_gid;
	*home_r = tmp_strdup(pw.pw_dir == NULL ? "" : pw.pw_dir);
	return 1;
}

/* shadow(5): day numbers since 1970-01-01; -1 disables a rule. */
enum passdb_result db_shadow_check_expiry(const struct spwd *sp, time_t now,
					  const char **log_msg_r)
{
	long today = (long)(now / DB_SHADOW_DAY_SECS);

	if (sp->sp_expire != -1 && today >= sp->sp_expire) {
		*log_msg_r = "Account expired";
		return PASSDB_RESULT_USER_DISABLED;
	}
	if (sp->sp_lstchg == 0) {
		*log_msg_r = "Password change required (last change 0)";
		return PASSDB_RESULT_PASS_EXPIRED;
	}
	if (sp->sp_max != -1 && sp->sp_lstchg > 0 &&
	    today - sp->sp_lstchg > sp->sp_max) {
		if (sp->sp_inact != -1 &&
		    today - sp->sp_lstchg > sp->sp_max + sp->sp_inact) {
			*log_msg_r = "Account inactive (password expired too long ago)";
			return PASSDB_RESULT_USER_DISABLED;
		}
		*log_msg_r = "Password expired";
		return PASSDB_RESULT_PASS_EXPIRED;
	}
	return PASSDB_RESULT_OK;
}

static int db_shadow_lookup(const char *user, struct spwd *sp,
			    const char **error_r)
{
	struct spwd *result;
	size_t size = DB_PASSWD_BUF_INITIAL;
	char *buf;
	int err;

	for (;;) {
		buf = t_new(char, size);
		err = getspnam_r(user, sp, buf, size, &result);
		if (err != ERANGE || size >= DB_PASSWD_BUF_MAX)
			break;
		size *= 2;
	}
	if (result != NULL)
		return 1;
	if (err == 0 || err == ENOENT || err == ESRCH)
		return 0;
	errno = err;
	*error_r = tmp_printf("getspnam_r(%s) failed: %m%s", user,
			      err == EACCES ? " (shadow needs the auth-worker "
			      "to run as root)" : "");
	return -1;
}

enum passdb_result db_shadow_verify(const char *user, const char *password,
				    time_t now, const char **log_msg_r)
{
	struct spwd sp;
	enum passdb_result result;
	const char *hash, *error;
	int ret;

	ret = db_shadow_lookup(user, &sp, log_msg_r);
	if (ret <= 0) {
		if (ret == 0)
			*log_msg_r = "unknown user";
		return ret == 0 ? PASSDB_RESULT_USER_UNKNOWN :
			PASSDB_RESULT_INTERNAL_FAILURE;
	}
	hash = sp.sp_pwdp == NULL ? "" : sp.sp_pwdp;
	if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*') {
		/* no password or a locked one: never matches */
		*log_msg_r = "Password mismatch (account has no usable password)";
		result = PASSDB_RESULT_PASSWORD_MISMATCH;
	} else {
		/* the hash is crypt(3) as is: {...} means nothing here */
		ret = password_verify_crypt(password, user,
					    (const unsigned char *)hash,
					    strlen(hash), &error);
		if (ret < 0) {
			*log_msg_r = tmp_printf("Invalid hash in shadow: %s", error);
			result = PASSDB_RESULT_INTERNAL_FAILURE;
		} else if (ret == 0) {
			*log_msg_r = "Password mismatch";
			result = PASSDB_RESULT_PASSWORD_MISMATCH;
		} else {
			/* expiry only tells a right password apart */
			result = db_shadow_check_expiry(&sp, now, log_msg_r);
		}
	}
	if (sp.sp_pwdp != NULL)
		sodium_memzero(sp.sp_pwdp, strlen(sp.sp_pwdp));
	return result;
}

int db_passwd_parse_args(const char *args, const char **error_r)
{
	const char *const *words = tmp_strsplit_spaces(args, " \t");
	const char *value;
	unsigned int i;

	for (i = 0; words[i] != NULL; i++) {
		/* Dovecot 1.x/2.0 "blocking=yes|no": always in the worker */
		if (str_begins(words[i], "blocking=", &value) &&
		    (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0))
			continue;
		*error_r = tmp_printf("Unknown arg '%s'", words[i]);
		return -1;
	}
	return 0;
}
