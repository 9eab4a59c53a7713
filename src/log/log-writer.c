/* Copyright (c) dovecot-like authors. log-writer.c: formats and writes the
   lines every process sends through the log pipe, with log_timestamp, to the
   configured files or syslog. */

#include "lib.h"
#include "str.h"
#include "settings.h"
#include "log-writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <syslog.h>
#include <time.h>

#define LOG_STDERR_FD 1	/* the log service's fd 1 is master's stderr */

struct log_target {
	char *path;		/* NULL = stderr, "syslog" = syslog */
	int fd;
};

struct log_writer {
	struct pool *pool;
	char *timestamp_fmt;
	struct log_target error, info, debug;
};

static void log_target_open(struct log_target *target)
{
	if (target->path == NULL) {
		target->fd = LOG_STDERR_FD;
		return;
	}
	if (strcmp(target->path, "syslog") == 0) {
		target->fd = -1;
		return;
	}
	if (strcmp(target->path, "/dev/stderr") == 0) {
		target->fd = LOG_STDERR_FD;
		return;
	}
	target->fd = open(target->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (target->fd < 0) {
		/* nowhere better to say it than master's stderr */
		dprintf(LOG_STDERR_FD, "log: open(%s) failed: %m\n", target->path);
		target->fd = LOG_STDERR_FD;
	}
}

static void log_target_close(struct log_target *target)
{
	if (target->fd > 2)
		close(target->fd);
	target->fd = -1;
}

static void log_target_init(struct log_writer *writer, struct log_target *target,
			    const char *path, const struct log_target *fallback)
{
	if (path == NULL || *path == '\0')
		target->path = fallback->path;
	else
		target->path = p_strdup(writer->pool, path);
	log_target_open(target);
}

struct log_writer *log_writer_create(const struct settings *set, bool to_stderr)
{
	struct pool *pool = pool_create("log writer", 1024, POOL_FLAG_NONE);
	struct log_writer *writer = pool_new(pool, struct log_writer, 1);
	const char *log_path = settings_get(set, NULL, "log_path");

	writer->pool = pool;
	writer->timestamp_fmt = p_strdup(pool, settings_get(set, NULL, "log_timestamp"));
	writer->error.path = to_stderr ? NULL : p_strdup(pool, log_path);
	log_target_open(&writer->error);
	log_target_init(writer, &writer->info,
			settings_get(set, NULL, "info_log_path"), &writer->error);
	log_target_init(writer, &writer->debug,
			settings_get(set, NULL, "debug_log_path"), &writer->info);
	openlog("dovecot-like", LOG_NDELAY, LOG_MAIL);
	return writer;
}

void log_writer_reopen(struct log_writer *writer)
{
	log_target_close(&writer->error);
	log_target_close(&writer->info);
	log_target_close(&writer->debug);
	log_target_open(&writer->error);
	log_target_open(&writer->info);
	log_target_open(&writer->debug);
}

void log_writer_destroy(struct log_writer **_writer)
{
	struct log_writer *writer = *_writer;
	struct pool *pool = writer->pool;

	*_writer = NULL;
	log_target_close(&writer->error);
	log_target_close(&writer->info);
	log_target_close(&writer->debug);
	closelog();
	pool_unref(&pool);
}

static int log_level_syslog_priority(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG: return LOG_DEBUG;
	case LOG_LEVEL_INFO: return LOG_INFO;
	case LOG_LEVEL_WARNING: return LOG_WARNING;
	case LOG_LEVEL_ERROR: return LOG_ERR;
	case LOG_LEVEL_FATAL: return LOG_CRIT;
	case LOG_LEVEL_PANIC: return LOG_CRIT;
	}
	return LOG_ERR;
}

void log_writer_write(struct log_writer *writer, enum log_level level, long pid,
		      const char *prefix, const char *message)
{
	struct log_target *target = level == LOG_LEVEL_DEBUG ? &writer->debug :
		level == LOG_LEVEL_INFO ? &writer->info : &writer->error;
	struct str *line;
	char stamp[128];
	struct tm tm;
	time_t now;

	if (target->fd == -1) {
		syslog(log_level_syslog_priority(level), "%s: %s: %s", prefix,
		       log_level_name(level), message);
		return;
	}
	now = time(NULL);
	line = t_str_new(256);
	if (writer->timestamp_fmt[0] != '\0' && localtime_r(&now, &tm) != NULL &&
	    strftime(stamp, sizeof(stamp), writer->timestamp_fmt, &tm) > 0)
		str_append(line, stamp);
	str_printfa(line, "%s: %s: %s\n", prefix, log_level_name(level), message);
	/* one write per line keeps lines whole in a shared file */
	if (write(target->fd, str_data(line), str_len(line)) < 0 && errno != EAGAIN)
		dprintf(LOG_STDERR_FD, "log: write(%s) failed: %m\n",
			target->path == NULL ? "stderr" : target->path);
}
