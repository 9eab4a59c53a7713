/* Copyright (c) dovecot-like authors. lock-file.c: see lock-file.h. */
#include "lib.h"
#include "lock-file.h"
#include "strfuncs.h"
#include "write-full.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <unistd.h>

#define LOCK_FILE_MAX_CONTENT 300

static const char *lock_file_hostname(void)
{
	static char hostname[256];

	if (hostname[0] == '\0') {
		if (gethostname(hostname, sizeof(hostname) - 1) < 0)
			memcpy(hostname, "localhost", sizeof("localhost"));
		hostname[sizeof(hostname) - 1] = '\0';
	}
	return hostname;
}

/* "<dir>/.<name>.<pid>.tmp": hidden, so no mailbox list shows it */
static const char *lock_file_temp_path(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return tmp_printf(".%s.%ld.tmp", path, (long)getpid());
	return tmp_printf("%.*s/.%s.%ld.tmp", (int)(slash - path), path,
			  slash + 1, (long)getpid());
}

/* Creates path with flags (O_EXCL or O_TRUNC) holding content; on a
   failed write it is removed again. 0 or -1 (errno kept). */
static int lock_file_write(const char *path, int flags, const char *content,
			   struct stat *st_r)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
	int saved_errno;

	if (fd == -1)
		return -1;
	if (write_full(fd, content, strlen(content)) < 0 ||
	    (st_r != NULL && fstat(fd, st_r) < 0)) {
		saved_errno = errno;
		(void)close(fd);
		(void)unlink(path);
		errno = saved_errno;
		return -1;
	}
	(void)close(fd);
	return 0;
}

int lock_file_create(const char *path, struct stat *st_r)
{
	const char *content = tmp_printf("%ld:%s", (long)getpid(),
					 lock_file_hostname());
	const char *temp = lock_file_temp_path(path);
	int ret, saved_errno;

	if (lock_file_write(temp, O_TRUNC, content, st_r) < 0)
		return -1;
	ret = link(temp, path);
	saved_errno = errno;
	(void)unlink(temp);
	if (ret == 0)
		return 0;
	if (saved_errno == EPERM || saved_errno == ENOTSUP ||
	    saved_errno == EOPNOTSUPP || saved_errno == ENOSYS) {
		/* the old way, for file systems without hard links */
		return lock_file_write(path, O_EXCL, content, st_r);
	}
	errno = saved_errno;
	return -1;
}

bool lock_file_owner_is_dead(const char *path)
{
	char buf[LOCK_FILE_MAX_CONTENT], *colon;
	ssize_t ret;
	unsigned long pid;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	colon[strcspn(colon + 1, "\r\n") + 1] = '\0';
	if (strcmp(colon + 1, lock_file_hostname()) != 0)
		return false;
	if (str_to_ulong(buf, &pid) < 0 || pid == 0 || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}
