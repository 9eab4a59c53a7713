/* Copyright (c) dovecot-like authors. Tests for log lines: the pipe wire
   format, raw mode, truncation, and log_line_parse on good and bad input. */
#include "test-lib.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static const struct {
	const char *line;
	int ret;
	enum log_level level;
	long pid;
	const char *prefix, *message;
} parse_tests[] = {
	{ "I\t123\timap(u)\thello", 0, LOG_LEVEL_INFO, 123, "imap(u)", "hello" },
	{ "E\t1\t\tmsg\twith tab", 0, LOG_LEVEL_ERROR, 1, "", "msg\twith tab" },
	{ "D\t9\tp\t", 0, LOG_LEVEL_DEBUG, 9, "p", "" },
	{ "P\t2147483647\tx\ty", 0, LOG_LEVEL_PANIC, 2147483647L, "x", "y" },
	{ "W\t5\tx\ty", 0, LOG_LEVEL_WARNING, 5, "x", "y" },
	{ "F\t5\tx\ty", 0, LOG_LEVEL_FATAL, 5, "x", "y" },
	{ "", -1, 0, 0, NULL, NULL },
	{ "I", -1, 0, 0, NULL, NULL },
	{ "I\t", -1, 0, 0, NULL, NULL },
	{ "X\t1\tp\tm", -1, 0, 0, NULL, NULL },
	{ "II\t1\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\tabc\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\t-1\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\t0\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\t12x\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\t99999999999\tp\tm", -1, 0, 0, NULL, NULL },
	{ "I\t1\tprefix-only", -1, 0, 0, NULL, NULL },
	{ "I\t1", -1, 0, 0, NULL, NULL },
};

START_TEST(test_log_line_parse)
{
	char *line = p_strdup(tmp_pool, parse_tests[_i].line);
	enum log_level level;
	long pid;
	const char *prefix, *message;

	ck_assert_int_eq(log_line_parse(line, &level, &pid, &prefix, &message),
			 parse_tests[_i].ret);
	if (parse_tests[_i].ret == 0) {
		ck_assert_int_eq(level, parse_tests[_i].level);
		ck_assert_int_eq(pid, parse_tests[_i].pid);
		ck_assert_str_eq(prefix, parse_tests[_i].prefix);
		ck_assert_str_eq(message, parse_tests[_i].message);
	}
	tmp_reset();
}
END_TEST

/* Read what one log call wrote to a pipe. */
static const char *read_log(int fd)
{
	static char buf[LOG_LINE_MAX * 2];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_log_write)
{
	char expected[256], *line, *big;
	enum log_level level;
	const char *prefix, *message, *out;
	long pid;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	log_set_fd(fds[1]);
	log_set_prefix("imap(u\tx)");
	ck_assert_str_eq(log_get_prefix(), "imap(u x)");

	log_info("hello\tworld\nnext");
	snprintf(expected, sizeof(expected), "I\t%ld\timap(u x)\thello world next\n",
		 (long)getpid());
	ck_assert_str_eq(read_log(fds[0]), expected);

	errno = EACCES;
	log_error("open(%s) failed: %m", "/x");
	out = read_log(fds[0]);
	line = p_strndup(tmp_pool, out, strlen(out) - 1);
	ck_assert_int_eq(log_line_parse(line, &level, &pid, &prefix, &message), 0);
	ck_assert_int_eq(level, LOG_LEVEL_ERROR);
	ck_assert_str_eq(message, tmp_printf("open(/x) failed: %s", strerror(EACCES)));
	ck_assert_int_eq(errno, EACCES);	/* preserved */

	/* debug is off by default */
	log_debug("hidden");
	log_set_debug(true);
	log_debug("shown");
	out = read_log(fds[0]);
	ck_assert(out[0] == 'D' && strstr(out, "shown") != NULL &&
		  strstr(out, "hidden") == NULL);
	log_set_debug(false);

	/* too long: truncated to one LOG_LINE_MAX write, still LF-ended */
	big = p_malloc(tmp_pool, LOG_LINE_MAX * 2);
	memset(big, 'a', LOG_LINE_MAX * 2 - 1);
	log_warning("%s", big);
	out = read_log(fds[0]);
	ck_assert_uint_eq(strlen(out), LOG_LINE_MAX);
	ck_assert_int_eq(out[LOG_LINE_MAX - 1], '\n');
	ck_assert_int_eq(out[0], 'W');

	log_set_raw_stderr(true);
	log_warning("careful");
	ck_assert_str_eq(read_log(fds[0]), "imap(u x): Warning: careful\n");
	log_set_prefix("");
	log_info("x");
	ck_assert_str_eq(read_log(fds[0]), "Info: x\n");
	log_set_raw_stderr(false);

	ck_assert_str_eq(log_level_name(LOG_LEVEL_PANIC), "Panic");
	ck_assert_str_eq(log_level_name(LOG_LEVEL_INFO), "Info");
	log_set_fd(2);
	close(fds[0]);
	close(fds[1]);
	tmp_reset();
}
END_TEST

START_TEST(test_log_fatal_exit)
{
	log_set_fd(-1);
	log_fatal("bye");
}
END_TEST

START_TEST(test_assert_abort)
{
	log_set_fd(-1);
	ASSERT(1 == 2);
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_log_line_parse, 0, N_ELEMENTS(parse_tests));
	tcase_add_test(tc, test_log_write);
	tcase_add_exit_test(tc, test_log_fatal_exit, FATAL_EXIT_CODE);
	tcase_add_test_raise_signal(tc, test_assert_abort, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
