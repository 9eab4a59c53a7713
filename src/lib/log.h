/* Copyright (c) dovecot-like authors. log.h: logging for every process.
   A child writes one line per message to stderr, which master points at the log
   service's pipe; the log service adds the timestamp and writes log_path.
   Wire format of a line on the pipe (at most LOG_LINE_MAX bytes, so a write is
   atomic): "<level char>\t<pid>\t<prefix>\t<message>\n", level char one of
   'D' debug, 'I' info, 'W' warning, 'E' error, 'F' fatal, 'P' panic.
   Tabs/newlines inside the message are replaced by spaces.
   With log_set_raw_stderr(TRUE) (foreground master, tools) lines are written
   human-readable instead: "<prefix>: <Level>: <message>\n". */
#ifndef LOG_H
#define LOG_H

#define LOG_LINE_MAX 4000

enum log_level {
	LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR, LOG_LEVEL_FATAL, LOG_LEVEL_PANIC
};

/* prefix e.g. "imap-login" or "imap(demo)<1234><127.0.0.1>" */
void log_set_prefix(const char *prefix);
const char *log_get_prefix(void);
void log_set_debug(bool debug);
void log_set_raw_stderr(bool raw);
/* Where lines go; default 2 (stderr). */
void log_set_fd(int fd);

/* The format may use %m (glibc). */
void log_debug(const char *fmt, ...) ATTR_FORMAT(1, 2);
void log_info(const char *fmt, ...) ATTR_FORMAT(1, 2);
void log_warning(const char *fmt, ...) ATTR_FORMAT(1, 2);
void log_error(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Logs and exits with status FATAL_EXIT_CODE; for start-up and config errors. */
void log_fatal(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;
/* A bug: logs and abort()s. */
void panic(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;
void log_write(enum log_level level, const char *fmt, va_list args) ATTR_FORMAT(2, 0);

#define FATAL_EXIT_CODE 89

/* Parse one pipe line (without "\n"). Returns 0 and pointers into line
   (modified in place), or -1 if malformed. Used by the log service. */
int log_line_parse(char *line, enum log_level *level_r, long *pid_r,
		   const char **prefix_r, const char **message_r);
const char *log_level_name(enum log_level level); /* "Info", "Error", ... */

#endif
