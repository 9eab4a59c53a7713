/* Copyright (c) dovecot-like authors. master-pidfile.c: base_dir/master.pid,
   which keeps two masters from sharing one base_dir and lets doveadm-like
   signal the running one. */

#include "lib.h"
#include "strfuncs.h"
#include "master-pidfile.h"

#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>

const char *master_pidfile_path(const char *base_dir)
{
	return tmp_printf("%s/master.pid", base_dir);
}

int master_pidfile_read(const char *path, pid_t *pid_r)
{
	char buf[32];
	unsigned long pid;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	ret = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (ret <= 0)
		return 0;
	buf[ret] = '\0';
	if (ret > 0 && buf[ret - 1] == '\n')
		buf[ret - 1] = '\0';
	if (str_to_ulong(buf, &pid) < 0 || pid == 0 || pid > INT32_MAX)
		return 0;
	*pid_r = (pid_t)pid;
	return 1;
}

int master_pidfile_check(const char *base_dir, const char **error_r)
{
	const char *path = master_pidfile_path(base_dir);
	pid_t pid;
	int ret;

	ret = master_pidfile_read(path, &pid);
	if (ret < 0) {
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	if (ret > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)) {
		*error_r = tmp_printf("dovecot-like is already running with PID %ld "
				      "(read from %s)", (long)pid, path);
		return -1;
	}
	return 0;
}

int master_pidfile_write(const char *base_dir, const char **error_r)
{
	const char *path = master_pidfile_path(base_dir);
	const char *tmp_path = tmp_printf("%s.tmp", path);
	const char *line = tmp_printf("%ld\n", (long)getpid());
	int fd;

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    close(fd) < 0 || rename(tmp_path, path) < 0) {
		*error_r = tmp_printf("writing %s failed: %m", path);
		return -1;
	}
	return 0;
}

void master_pidfile_remove(const char *base_dir)
{
	pid_t pid;
	const char *path = master_pidfile_path(base_dir);

	/* only our own: a new master may have replaced it */
	if (master_pidfile_read(path, &pid) > 0 && pid == getpid())
		(void)unlink(path);
}
