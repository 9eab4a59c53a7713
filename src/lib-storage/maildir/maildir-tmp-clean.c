/* Copyright (c) dovecot-like authors. maildir-tmp-clean.c: deleting stale
   files from a Maildir's tmp/. A delivery or save that crashed leaves its
   half-written file there; anything untouched for 36 hours (as Dovecot and
   the Maildir convention say) is no longer being written by anyone. */
#include "lib.h"
#include "maildir-storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file is stale when none of its times moved for this long. */
#define MAILDIR_TMP_DELETE_SECS (36 * 60 * 60)
/* Bound on the entries looked at per open: a huge tmp/ is cleaned over
   several opens instead of stalling one session. */
#define MAILDIR_TMP_SCAN_MAX 10000

static bool maildir_tmp_is_stale(const struct stat *st, time_t now)
{
	time_t newest = st->st_mtime;

	if (st->st_atime > newest)
		newest = st->st_atime;
	if (st->st_ctime > newest)
		newest = st->st_ctime;
	return S_ISREG(st->st_mode) && newest + MAILDIR_TMP_DELETE_SECS < now;
}

unsigned int maildir_tmp_cleanup(const char *path)
{
	return maildir_tmp_cleanup_at(path, time(NULL));
}

unsigned int maildir_tmp_cleanup_at(const char *path, time_t now)
{
	const char *tmp_dir = tmp_strconcat(path, "/tmp", NULL);
	unsigned int scanned = 0, deleted = 0;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int dfd;

	dir = opendir(tmp_dir);
	if (dir == NULL) {
		if (errno != ENOENT)
			log_error("opendir(%s) failed: %m", tmp_dir);
		return 0;
	}
	dfd = dirfd(dir);
	while ((d = readdir(dir)) != NULL && scanned < MAILDIR_TMP_SCAN_MAX) {
		if (d->d_name[0] == '.')
			continue;
		scanned++;
		/* lstat: a symlink is never followed out of the Maildir */
		if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !maildir_tmp_is_stale(&st, now))
			continue;
		if (unlinkat(dfd, d->d_name, 0) == 0)
			deleted++;
		else if (errno != ENOENT)
			log_error("unlink(%s/%s) failed: %m", tmp_dir, d->d_name);
	}
	(void)closedir(dir);
	if (deleted > 0)
		log_info("Deleted %u stale file(s) from %s", deleted, tmp_dir);
	return deleted;
}
