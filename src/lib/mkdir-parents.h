/* Copyright (c) dovecot-like authors. mkdir-parents.h: mkdir -p. */
#ifndef MKDIR_PARENTS_H
#define MKDIR_PARENTS_H

#include <sys/types.h>

/* Creates path and any missing parents with mode; an existing directory is
   success. 0, or -1 with errno set and *error_r ("mkdir(<path>) failed:
   ...", tmp). */
int mkdir_parents(const char *path, mode_t mode, const char **error_r);

#endif
