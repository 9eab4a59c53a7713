/* Copyright (c) dovecot-like authors. master-pidfile.h: the master's pid file. */
#ifndef MASTER_PIDFILE_H
#define MASTER_PIDFILE_H

const char *master_pidfile_path(const char *base_dir);
/* 1 = *pid_r read, 0 = no (valid) pid file, -1 = error */
int master_pidfile_read(const char *path, pid_t *pid_r);
/* -1 with *error_r if another live master owns base_dir. */
int master_pidfile_check(const char *base_dir, const char **error_r);
int master_pidfile_write(const char *base_dir, const char **error_r);
void master_pidfile_remove(const char *base_dir);

#endif
