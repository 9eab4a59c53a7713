/* Copyright (c) dovecot-like authors. mbox-lock.c: the mbox lock methods.
   Everything polls with short sleeps against one deadline, so a stuck MTA
   can delay us at most mbox_lock_timeout (reference mbox-format.md 5). */
#include "lib.h"
#include "strfuncs.h"
#include "restrict-access.h"
#include "lock-file.h"
#include "mbox-lock.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MBOX_LOCK_POLL_USECS (50 * 1000)

void mbox_lock_settings_default(struct mbox_lock_settings *set_r)
{
	set_r->read_locks = "fcntl";
	set_r->write_locks = "dotlock fcntl";
	set_r->lock_timeout_secs = 300;
	set_r->dotlock_change_timeout_secs = 120;
	set_r->privileged_gid = (gid_t)-1;
}

int mbox_lock_methods_parse(const char *str, enum mbox_lock_method *methods_r,
			    unsigned int *count_r, const char **error_r)
{
	const char **words = tmp_strsplit_spaces(str, " ,");
	unsigned int count = 0;

	for (; *words != NULL; words++) {
		enum mbox_lock_method m;

		if (strcmp(*words, "fcntl") == 0)
			m = MBOX_LOCK_FCNTL;
		else if (strcmp(*words, "flock") == 0)
			m = MBOX_LOCK_FLOCK;
		else if (strcmp(*words, "dotlock") == 0)
			m = MBOX_LOCK_DOTLOCK;
		else if (strcmp(*words, "dotlock_try") == 0)
			m = MBOX_LOCK_DOTLOCK_TRY;
		else {
			*error_r = tmp_printf("Unsupported mbox lock method: %s",
					      *words);
			return -1;
		}
		if (count == MBOX_LOCK_MAX_METHODS) {
			*error_r = "Too many mbox lock methods";
			return -1;
		}
		methods_r[count++] = m;
	}
	*count_r = count;
	return 0;
}

void mbox_lock_init(struct mbox_lock *lock, const char *path, int fd,
		    const struct mbox_lock_settings *set)
{
	const char *error;

	memset(lock, 0, sizeof(*lock));
	lock->path = path;
	lock->fd = fd;
	lock->set = *set;
	if (mbox_lock_methods_parse(set->read_locks, lock->read_methods,
				    &lock->read_count, &error) < 0 ||
	    mbox_lock_methods_parse(set->write_locks, lock->write_methods,
				    &lock->write_count, &error) < 0)
		lock->methods_invalid = true;
}

static void lock_sleep(void)
{
	struct timespec ts = { 0, MBOX_LOCK_POLL_USECS * 1000L };

	(void)nanosleep(&ts, NULL);
}

/* 1 locked, 0 timeout, -1 error */
static int lock_fcntl(int fd, bool write, time_t deadline)
{
	struct flock fl;

	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = write ? F_WRLCK : F_RDLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 1;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return -1;
		if (time(NULL) >= deadline)
			return 0;
		lock_sleep();
	}
}

static int lock_flock(int fd, bool write, time_t deadline)
{
	for (;;) {
		if (flock(fd, (write ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
			return 1;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (time(NULL) >= deadline)
			return 0;
		lock_sleep();
	}
}

/* A dotlock is stale if its pid is dead on this host, or if neither it nor
   the mbox has changed for dotlock_change_timeout. */
static bool dotlock_is_stale(const char *path, const char *lock_path,
			     const struct mbox_lock_settings *set)
{
	struct stat st, mst;
	time_t now = time(NULL), newest;

	if (lock_file_owner_is_dead(lock_path))
		return true;
	if (stat(lock_path, &st) < 0)
		return errno == ENOENT;
	newest = st.st_mtime;
	if (stat(path, &mst) == 0 && mst.st_mtime > newest)
		newest = mst.st_mtime;
	return now - newest >= (time_t)set->dotlock_change_timeout_secs;
}

static int dotlock_try_create(const char *lock_path)
{
	return lock_file_create(lock_path, NULL);
}

/* Creating or removing the dotlock in a directory only mail_privileged_group
   can write (/var/mail): switch the effective gid just around the call. The
   worker kept that gid as its saved gid (restrict_access_keep_gid()); only
   this and creating a missing INBOX (mbox-sync.c) ever switch to it. */
static int dotlock_privileged(const char *lock_path,
			      const struct mbox_lock_settings *set,
			      int (*fn)(const char *lock_path))
{
	int ret, saved_errno;

	if (set->privileged_gid == (gid_t)-1) {
		errno = EACCES;
		return -1;
	}
	if (restrict_access_privileged_gid_begin(set->privileged_gid) < 0) {
		log_warning("setegid(%ld) for mail_privileged_group failed: %m",
			    (long)set->privileged_gid);
		errno = EACCES;
		return -1;
	}
	ret = fn(lock_path);
	saved_errno = errno;
	restrict_access_privileged_gid_end();
	errno = saved_errno;
	return ret;
}

/* unlink() as our own gid, else through the privileged gid. */
static int dotlock_unlink(const char *lock_path,
			  const struct mbox_lock_settings *set)
{
	if (unlink(lock_path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EACCES && errno != EPERM)
		return -1;
	if (dotlock_privileged(lock_path, set, unlink) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

int mbox_dotlock_create(const char *path, const struct mbox_lock_settings *set,
			time_t deadline, const char **error_r)
{
	const char *lock_path = tmp_strconcat(path, ".lock", NULL);

	for (;;) {
		if (dotlock_try_create(lock_path) == 0)
			return 1;
		if (errno == EACCES &&
		    dotlock_privileged(lock_path, set, dotlock_try_create) == 0)
			return 1;
		if (errno != EEXIST) {
			int saved_errno = errno;

			*error_r = tmp_printf("open(%s) failed: %m", lock_path);
			errno = saved_errno;
			return -1;
		}
		if (dotlock_is_stale(path, lock_path, set)) {
			log_warning("Overriding stale dotlock %s", lock_path);
			if (dotlock_unlink(lock_path, set) < 0) {
				*error_r = tmp_printf("unlink(%s) failed: %m",
						      lock_path);
				return -1;
			}
			continue;
		}
		if (time(NULL) >= deadline) {
			*error_r = tmp_printf("Timeout while waiting for lock %s",
					      lock_path);
			return 0;
		}
		lock_sleep();
	}
}

void mbox_dotlock_delete(const char *path, const struct mbox_lock_settings *set)
{
	const char *lock_path = tmp_strconcat(path, ".lock", NULL);

	if (dotlock_unlink(lock_path, set) < 0)
		log_error("unlink(%s) failed: %m", lock_path);
}

static int mbox_lock_method(struct mbox_lock *lock, enum mbox_lock_method m,
			    bool write, time_t deadline, const char **error_r)
{
	int ret;

	switch (m) {
	case MBOX_LOCK_FCNTL:
		ret = lock_fcntl(lock->fd, write, deadline);
		if (ret > 0)
			lock->fcntl_locked = true;
		break;
	case MBOX_LOCK_FLOCK:
		ret = lock_flock(lock->fd, write, deadline);
		if (ret > 0)
			lock->flock_locked = true;
		break;
	case MBOX_LOCK_DOTLOCK:
	case MBOX_LOCK_DOTLOCK_TRY:
		if (!write)
			return 1;	/* dotlocks are exclusive: writes only */
		ret = mbox_dotlock_create(lock->path, &lock->set, deadline,
					  error_r);
		if (ret > 0) {
			lock->dotlocked = true;
		} else if (ret < 0 && (errno == EACCES || errno == ENOSPC ||
				       errno == EROFS)) {
			/* dotlock_try, or no privileged group: go on with
			   the other methods, but say so once */
			if (!lock->dotlock_failed_logged) {
				log_warning("mbox %s: can't create dotlock, "
					    "continuing without it: %s",
					    lock->path, *error_r);
				lock->dotlock_failed_logged = true;
			}
			return 1;
		}
		return ret;
	default:
		ret = -1;
		break;
	}
	if (ret == 0)
		*error_r = tmp_printf("Timeout while waiting for lock %s",
				      lock->path);
	else if (ret < 0)
		*error_r = tmp_printf("locking %s failed: %m", lock->path);
	return ret;
}

int mbox_lock(struct mbox_lock *lock, enum mbox_lock_type type,
	      const char **error_r)
{
	enum mbox_lock_method methods[MBOX_LOCK_MAX_METHODS];
	const enum mbox_lock_method *list;
	unsigned int i, count;
	time_t deadline;
	int ret;

	ASSERT(type != MBOX_LOCK_UNLOCKED);
	if (lock->type == type ||
	    (lock->type == MBOX_LOCK_WRITE && type == MBOX_LOCK_READ))
		return 1;
	if (lock->type != MBOX_LOCK_UNLOCKED)
		mbox_unlock(lock);
	if (lock->methods_invalid) {
		/* the settings check should have refused them: the error,
		   or this type's list if only the other one is bad */
		if (mbox_lock_methods_parse(type == MBOX_LOCK_WRITE ?
					    lock->set.write_locks :
					    lock->set.read_locks,
					    methods, &count, error_r) < 0)
			return -1;
		list = methods;
	} else if (type == MBOX_LOCK_WRITE) {
		list = lock->write_methods;
		count = lock->write_count;
	} else {
		list = lock->read_methods;
		count = lock->read_count;
	}
	deadline = time(NULL) + (time_t)lock->set.lock_timeout_secs;
	for (i = 0; i < count; i++) {
		ret = mbox_lock_method(lock, list[i],
				       type == MBOX_LOCK_WRITE, deadline,
				       error_r);
		if (ret <= 0) {
			mbox_unlock(lock);
			if (ret < 0)
				log_error("%s", *error_r);
			return ret;
		}
	}
	lock->type = type;
	return 1;
}

void mbox_unlock(struct mbox_lock *lock)
{
	struct flock fl;

	if (lock->fcntl_locked) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_UNLCK;
		fl.l_whence = SEEK_SET;
		(void)fcntl(lock->fd, F_SETLK, &fl);
		lock->fcntl_locked = false;
	}
	if (lock->flock_locked) {
		(void)flock(lock->fd, LOCK_UN);
		lock->flock_locked = false;
	}
	if (lock->dotlocked) {
		mbox_dotlock_delete(lock->path, &lock->set);
		lock->dotlocked = false;
	}
	lock->type = MBOX_LOCK_UNLOCKED;
}
