/* Copyright (c) dovecot-like authors. lock-file.h: dotlock files holding
   "<pid>:<hostname>" (Dovecot's format), created so that nobody ever sees
   one empty, and the dead-owner test every stale-lock rule starts with. */
#ifndef LOCK_FILE_H
#define LOCK_FILE_H

#include <sys/stat.h>

/* Creates path exclusively with this process's "<pid>:<hostname>": the
   content goes into a hidden temp file beside it that is then hard-linked
   to path, so a process killed at any point leaves either no lock or a
   complete one (where hard links don't work: O_EXCL and write). 0 with
   *st_r (may be NULL) describing the lock, or -1 with errno (EEXIST:
   someone holds it). */
int lock_file_create(const char *path, struct stat *st_r);
/* true if path names a process on this host that no longer exists. */
bool lock_file_owner_is_dead(const char *path);

#endif
