/* Copyright (c) dovecot-like authors. mkdir-parents.c: mkdir -p, for mail
   roots and mailbox directories. */
#include "lib.h"
#include "mkdir-parents.h"

#include <sys/stat.h>

static int mkdir_one(const char *path, mode_t mode, const char **error_r)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	*error_r = tmp_printf("mkdir(%s) failed: %m", path);
	return -1;
}

int mkdir_parents(const char *path, mode_t mode, const char **error_r)
{
	char *copy, *p;

	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT) {
		*error_r = tmp_printf("mkdir(%s) failed: %m", path);
		return -1;
	}
	copy = p_strdup(tmp_pool, path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir_one(copy, mode, error_r) < 0)
			return -1;
		*p = '/';
	}
	return mkdir_one(path, mode, error_r);
}
