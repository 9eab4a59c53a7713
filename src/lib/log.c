/* Copyright (c) dovecot-like authors. Logging: one atomic line per message on
   stderr (the log service's pipe), or human-readable when run by hand. */
#include "lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LOG_PREFIX_MAX 256

static char log_prefix[LOG_PREFIX_MAX];
static bool log_debug_enabled = false;
static bool log_raw = false;
static int log_fd = 2;

static const char log_level_chars[] = { 'D', 'I', 'W', 'E', 'F', 'P' };
static const char *const log_level_names[] = {
	"Debug", "Info", "Warning", "Error", "Fatal", "Panic"
};

void log_set_prefix(const char *prefix)
{
	size_t i;

	if (prefix == NULL)
		prefix = "";
	/* the prefix is a field of the wire format: no tabs or newlines */
	for (i = 0; prefix[i] != '\0' && i < sizeof(log_prefix) - 1; i++) {
		char c = prefix[i];
		log_prefix[i] = (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
	}
	log_prefix[i] = '\0';
}

const char *log_get_prefix(void)
{
	return log_prefix;
}

void log_set_debug(bool debug)
{
	log_debug_enabled = debug;
}

void log_set_raw_stderr(bool raw)
{
	log_raw = raw;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned int)level >= N_ELEMENTS(log_level_names))
		return "Unknown";
	return log_level_names[level];
}

static void log_write_full(int fd, const char *data, size_t len)
{
	ssize_t ret;

	/* one write() keeps lines from different processes apart (PIPE_BUF) */
	do {
		ret = write(fd, data, len);
	} while (ret < 0 && errno == EINTR);
}

void log_write(enum log_level level, const char *fmt, va_list args)
{
	char line[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t pos, i, msg_start;
	int n;

	if (level == LOG_LEVEL_DEBUG && !log_debug_enabled)
		return;
	if ((unsigned int)level >= N_ELEMENTS(log_level_chars))
		level = LOG_LEVEL_ERROR;

	if (log_raw) {
		if (log_prefix[0] != '\0')
			n = snprintf(line, sizeof(line), "%s: %s: ",
				     log_prefix, log_level_names[level]);
		else
			n = snprintf(line, sizeof(line), "%s: ",
				     log_level_names[level]);
	} else {
		n = snprintf(line, sizeof(line), "%c\t%ld\t%s\t",
			     log_level_chars[level], (long)getpid(), log_prefix);
	}
	if (n < 0)
		n = 0;
	msg_start = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 1;

	errno = saved_errno;	/* for %m */
	n = vsnprintf(line + msg_start, sizeof(line) - msg_start, fmt, args);
	if (n < 0)
		n = 0;
	pos = msg_start + (size_t)n;
	/* truncate so the line with its LF fits in LOG_LINE_MAX */
	if (pos > sizeof(line) - 1)
		pos = sizeof(line) - 1;
	for (i = msg_start; i < pos; i++) {
		if (line[i] == '\t' || line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	}
	line[pos++] = '\n';
	log_write_full(log_fd, line, pos);
	errno = saved_errno;
}

#define LOG_FUNC(name, level) \
void name(const char *fmt, ...) \
{ \
	va_list args; \
	va_start(args, fmt); \
	log_write(level, fmt, args); \
	va_end(args); \
}
LOG_FUNC(log_debug, LOG_LEVEL_DEBUG)
LOG_FUNC(log_info, LOG_LEVEL_INFO)
LOG_FUNC(log_warning, LOG_LEVEL_WARNING)
LOG_FUNC(log_error, LOG_LEVEL_ERROR)

void log_fatal(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_write(LOG_LEVEL_FATAL, fmt, args);
	va_end(args);
	exit(FATAL_EXIT_CODE);
}

void panic(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_write(LOG_LEVEL_PANIC, fmt, args);
	va_end(args);
	abort();
}

int log_line_parse(char *line, enum log_level *level_r, long *pid_r,
		   const char **prefix_r, const char **message_r)
{
	char *p, *prefix, *end;
	unsigned int i;
	long pid = 0;

	for (i = 0; i < N_ELEMENTS(log_level_chars); i++) {
		if (line[0] == log_level_chars[i])
			break;
	}
	if (i == N_ELEMENTS(log_level_chars) || line[1] != '\t')
		return -1;
	p = line + 2;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (pid > (2147483647L - (*p - '0')) / 10)
			return -1;
		pid = pid * 10 + (*p - '0');
	}
	if (*p != '\t' || pid == 0)
		return -1;
	prefix = p + 1;
	end = strchr(prefix, '\t');
	if (end == NULL)
		return -1;
	*end = '\0';
	*level_r = (enum log_level)i;
	*pid_r = pid;
	*prefix_r = prefix;
	*message_r = end + 1;
	return 0;
}
