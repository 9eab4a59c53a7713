/* Copyright (c) dovecot-like authors. mbox-lock.h: locking an mbox file the
   way Dovecot and MTAs do (mbox_read_locks / mbox_write_locks: fcntl, flock,
   dotlock, dotlock_try, applied in order), with one overall timeout. */
#ifndef MBOX_LOCK_H
#define MBOX_LOCK_H

#include <sys/types.h>

enum mbox_lock_method {
	MBOX_LOCK_FCNTL = 1,
	MBOX_LOCK_FLOCK,
	MBOX_LOCK_DOTLOCK,
	MBOX_LOCK_DOTLOCK_TRY,
};
#define MBOX_LOCK_MAX_METHODS 4

struct mbox_lock_settings {
	/* space separated method lists */
	const char *read_locks;		/* default "fcntl" */
	const char *write_locks;	/* default "dotlock fcntl" */
	unsigned int lock_timeout_secs;	/* default 300 */
	unsigned int dotlock_change_timeout_secs;	/* default 120 */
	/* mail_privileged_group's gid for creating dotlocks in a directory
	   we can't write to; (gid_t)-1 = none */
	gid_t privileged_gid;
};

enum mbox_lock_type { MBOX_LOCK_UNLOCKED = 0, MBOX_LOCK_READ, MBOX_LOCK_WRITE };

struct mbox_lock {
	const char *path;	/* the mbox; the dotlock is path + ".lock" */
	int fd;
	struct mbox_lock_settings set;
	/* set's read_locks / write_locks, parsed by mbox_lock_init() */
	enum mbox_lock_method read_methods[MBOX_LOCK_MAX_METHODS];
	enum mbox_lock_method write_methods[MBOX_LOCK_MAX_METHODS];
	unsigned int read_count, write_count;
	bool methods_invalid;	/* mbox_lock() fails with the parse error */
	enum mbox_lock_type type;
	bool fcntl_locked, flock_locked, dotlocked;
	bool dotlock_failed_logged;
};

void mbox_lock_settings_default(struct mbox_lock_settings *set_r);
/* Parses a method list. 0, or -1 with *error_r. */
int mbox_lock_methods_parse(const char *str, enum mbox_lock_method *methods_r,
			    unsigned int *count_r, const char **error_r);

/* Inits the lock state for path/fd (path is not copied) and parses set's
   method lists once. */
void mbox_lock_init(struct mbox_lock *lock, const char *path, int fd,
		    const struct mbox_lock_settings *set);
/* Takes the read or write locks within the lock timeout. Blocks (polling)
   at most lock_timeout_secs. Returns 1 locked, 0 timeout (*error_r), -1
   error (*error_r, logged). Upgrading READ -> WRITE releases and retakes. */
int mbox_lock(struct mbox_lock *lock, enum mbox_lock_type type,
	      const char **error_r);
/* Releases all locks. */
void mbox_unlock(struct mbox_lock *lock);

/* Dotlock alone (for MTA-like callers and tests): 1, 0 timeout, -1 error.
   Where the directory refuses us (EACCES), the create is retried with
   set->privileged_gid as the effective gid; so is the unlink. */
int mbox_dotlock_create(const char *path, const struct mbox_lock_settings *set,
			time_t deadline, const char **error_r);
void mbox_dotlock_delete(const char *path, const struct mbox_lock_settings *set);

#endif
