/* Copyright (c) dovecot-like authors. log-writer.h: where the log service
   writes: log_path/info_log_path/debug_log_path files, syslog, or stderr. */
#ifndef LOG_WRITER_H
#define LOG_WRITER_H

#include "log.h"

struct settings;
struct log_writer;

/* to_stderr: master runs in the foreground with log_path = syslog. */
struct log_writer *log_writer_create(const struct settings *set, bool to_stderr);
void log_writer_destroy(struct log_writer **writer);
/* One line, already parsed from the pipe. */
void log_writer_write(struct log_writer *writer, enum log_level level, long pid,
		      const char *prefix, const char *message);
/* Reopen files (after logrotate: SIGUSR1). */
void log_writer_reopen(struct log_writer *writer);

#endif
