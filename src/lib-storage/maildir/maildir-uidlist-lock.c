/* Copyright (c) dovecot-like authors. maildir-uidlist-lock.c: the
   dovecot-uidlist.lock dotlock (O_EXCL), shared with Dovecot itself, with its
   stale-lock rules: dead holder on this host, or untouched for 2 minutes. */
#include "lib.h"
#include "maildir-uidlist.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *my_hostname(void)
{
	static char hostname[256];

	if (hostname[0] == '\0') {
		if (gethostname(hostname, sizeof(hostname) - 1) < 0)
			memcpy(hostname, "localhost", sizeof("localhost"));
		hostname[sizeof(hostname) - 1] = '\0';
	}
	return hostname;
}

/* true if the lock file names a process on this host that no longer exists.
   Content is "<pid>:<host>" like Dovecot's dotlocks. */
static bool lock_holder_is_dead(const char *path)
{
	char buf[300], *colon, *end;
	ssize_t ret;
	long pid;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd == -1)
		return false;
	ret = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (ret <= 0)
		return false;
	buf[ret] = '\0';
	colon = strchr(buf, ':');
	if (colon == NULL)
		return false;
	*colon = '\0';
	if (strcmp(colon + 1, my_hostname()) != 0)
		return false;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* A locker writes "<pid>:<host>" right after creating the file; an empty
   one that old was left by a process killed in between. */
static bool lock_is_empty_and_old(const struct stat *st)
{
	return st->st_size == 0 &&
		time(NULL) - st->st_mtime > MAILDIR_UIDLIST_LOCK_EMPTY_STALE_SECS;
}

static int lock_try_create(struct maildir_uidlist *uidlist)
{
	char content[300];
	struct stat st;
	int fd, len;

	fd = open(uidlist->lock_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd == -1)
		return errno == EEXIST ? 0 : -1;
	len = snprintf(content, sizeof(content), "%ld:%s", (long)getpid(),
		       my_hostname());
	if (len < 0 || (size_t)len >= sizeof(content))
		len = 0;
	if ((len > 0 && write(fd, content, (size_t)len) != len) ||
	    fstat(fd, &st) < 0) {
		log_error("write(%s) failed: %m", uidlist->lock_path);
		(void)close(fd);
		(void)unlink(uidlist->lock_path);
		errno = EIO;
		return -1;
	}
	(void)close(fd);
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
		if (lock_holder_is_dead(uidlist->lock_path) ||
		    time(NULL) - st.st_mtime > MAILDIR_UIDLIST_LOCK_STALE_SECS ||
		    lock_is_empty_and_old(&st)) {
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
