/* Copyright (c) dovecot-like authors. maildir-uidlist-lock.c: the
   dovecot-uidlist.lock dotlock (lock-file.h), shared with Dovecot itself,
   with its stale-lock rules: dead holder on this host, or untouched for 2
   minutes. */
#include "lib.h"
#include "lock-file.h"
#include "maildir-uidlist.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int lock_try_create(struct maildir_uidlist *uidlist)
{
	struct stat st;

	if (lock_file_create(uidlist->lock_path, &st) < 0)
		return errno == EEXIST ? 0 : -1;
	uidlist->lock_ino = st.st_ino;
	return 1;
}

int maildir_uidlist_lock(struct maildir_uidlist *uidlist,
			 unsigned int timeout_secs)
{
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	time_t start = time(NULL);
	struct stat st;
	int ret;

	ASSERT(!uidlist->locked);
	for (;;) {
		ret = lock_try_create(uidlist);
		if (ret > 0) {
			uidlist->locked = true;
			return 1;
		}
		if (ret < 0) {
			log_error("open(%s) failed: %m", uidlist->lock_path);
			return -1;
		}
		if (stat(uidlist->lock_path, &st) < 0) {
			if (errno == ENOENT)
				continue;	/* just released */
			log_error("stat(%s) failed: %m", uidlist->lock_path);
			return -1;
		}
		if (lock_file_owner_is_dead(uidlist->lock_path) ||
		    time(NULL) - st.st_mtime > MAILDIR_UIDLIST_LOCK_STALE_SECS) {
			log_warning("Deleting stale lock file %s",
				    uidlist->lock_path);
			if (unlink(uidlist->lock_path) < 0 && errno != ENOENT) {
				log_error("unlink(%s) failed: %m",
					  uidlist->lock_path);
				return -1;
			}
			continue;
		}
		if (time(NULL) - start >= (time_t)timeout_secs) {
			if (timeout_secs > 0) {
				log_error("Timeout waiting for lock %s",
					  uidlist->lock_path);
			}
			return 0;
		}
		(void)nanosleep(&delay, NULL);
		if (delay.tv_nsec < 100 * 1000 * 1000)
			delay.tv_nsec *= 2;
	}
}

void maildir_uidlist_unlock(struct maildir_uidlist *uidlist)
{
	struct stat st;

	if (!uidlist->locked)
		return;
	uidlist->locked = false;
	/* don't delete a lock someone else took after deciding ours stale */
	if (stat(uidlist->lock_path, &st) < 0) {
		log_warning("Our lock file %s was deleted: %m",
			    uidlist->lock_path);
		return;
	}
	if (st.st_ino != uidlist->lock_ino) {
		log_warning("Our lock file %s was overridden",
			    uidlist->lock_path);
		return;
	}
	if (unlink(uidlist->lock_path) < 0 && errno != ENOENT)
		log_error("unlink(%s) failed: %m", uidlist->lock_path);
}
