/* Copyright (c) dovecot-like authors. Tests for istreams: line reading across
   partial reads, CRLF, the line limit, EOF, and exact-length reads. */
#include "test-lib.h"
#include "istream.h"
#include "net.h"
#include "str.h"

#include <unistd.h>
#include <sys/socket.h>

/* Input arrives in the given chunks; the expected lines are joined by '|'. */
static const struct {
	const char *chunks[4];
	size_t max_size;
	const char *lines;
	int final_errno;	/* after EOF */
} line_tests[] = {
	{ { "a\nb\n", NULL }, 64, "a|b", 0 },
	{ { "a\r\nb\r\n", NULL }, 64, "a|b", 0 },
	{ { "ab", "c\r", "\nd\n", NULL }, 64, "abc|d", 0 },
	{ { "\n\r\n", NULL }, 64, "|", 0 },
	{ { "x\ry\n", NULL }, 64, "x\ry", 0 },
	{ { "partial", NULL }, 64, "", 0 },
	{ { "12345678", "9", NULL }, 8, "", ENOBUFS },
	{ { "1234567\n", "89\n", NULL }, 8, "1234567|89", 0 },
	{ { "123456", "7\n", NULL }, 8, "1234567", 0 },
	{ { "1234", "5678", "\n", NULL }, 8, "", ENOBUFS },
	{ { "ok\n", "toolongline", NULL }, 8, "ok", ENOBUFS },
};

START_TEST(test_istream_lines)
{
	struct istream *input;
	struct str *result = t_str_new(64);
	const char *line;
	unsigned int i;
	size_t len;
	int fds[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	fd_set_nonblock(fds[0], true);
	input = istream_create_fd(fds[0], line_tests[_i].max_size, true);
	ck_assert(!input->blocking);
	ck_assert_int_eq(istream_get_fd(input), fds[0]);
	ck_assert_uint_eq(istream_get_max_buffer_size(input),
			  line_tests[_i].max_size);

	/* nothing yet: would block */
	ck_assert_ptr_null(istream_read_next_line(input, &len));
	ck_assert_int_eq(istream_read(input), 0);
	ck_assert(!input->eof);

	for (i = 0; line_tests[_i].chunks[i] != NULL; i++) {
		const char *c = line_tests[_i].chunks[i];

		ck_assert_int_eq(write(fds[1], c, strlen(c)), (ssize_t)strlen(c));
		while ((line = istream_read_next_line(input, &len)) != NULL) {
			ck_assert_uint_eq(len, strlen(line));
			if (str_len(result) > 0 || line_tests[_i].lines[0] == '|')
				str_append_c(result, '|');
			str_append(result, line);
		}
		if (input->stream_errno != 0)
			break;
	}
	close(fds[1]);
	while ((line = istream_read_next_line(input, &len)) != NULL) {
		str_append_c(result, '|');
		str_append(result, line);
	}
	if (line_tests[_i].lines[0] == '|')
		ck_assert_str_eq(str_c(result), tmp_strconcat("|", line_tests[_i].lines, NULL));
	else
		ck_assert_str_eq(str_c(result), line_tests[_i].lines);
	ck_assert(input->eof);
	ck_assert_int_eq(input->stream_errno, line_tests[_i].final_errno);
	if (line_tests[_i].final_errno == ENOBUFS)
		ck_assert_str_eq(istream_get_error(input), "Line too long");
	else
		ck_assert_str_eq(istream_get_error(input), "EOF");
	ck_assert_int_eq(istream_read(input), -1);
	istream_unref(&input);
	ck_assert_ptr_null(input);
	tmp_reset();
}
END_TEST

/* IMAP-literal style: read exactly N bytes through get_data/skip, then
   continue with lines. */
START_TEST(test_istream_literal)
{
	static const char data[] = "A1 APPEND {10}\r\n0123456789 rest\r\nA2 NOOP\r\n";
	struct istream *input;
	const unsigned char *p;
	const char *line;
	size_t size, want = 10, len;
	struct str *lit = t_str_new(16);
	int fds[2];
	unsigned int i;
	ssize_t ret;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	fd_set_nonblock(fds[0], true);
	input = istream_create_fd(fds[0], 4, false);	/* smaller than the literal */
	/* write one byte at a time to force many partial reads */
	for (i = 0; i < strlen("A1 APPEND {10}\r\n"); i++)
		ck_assert_int_eq(write(fds[1], data + i, 1), 1);
	istream_set_max_buffer_size(input, 64);
	line = istream_read_next_line(input, &len);
	ck_assert_str_eq(line, "A1 APPEND {10}");
	ck_assert_uint_eq(input->v_offset, 16);
	for (; data[i] != '\0'; i++) {
		ck_assert_int_eq(write(fds[1], data + i, 1), 1);
		if (want == 0)
			continue;
		ret = istream_read(input);
		ck_assert(ret == 1 || ret == -2);
		p = istream_get_data(input, &size);
		size = MIN(size, want);
		str_append_n(lit, p, size);
		istream_skip(input, size);
		want -= size;
	}
	ck_assert_str_eq(str_c(lit), "0123456789");
	line = istream_read_next_line(input, &len);
	ck_assert_str_eq(line, " rest");
	line = istream_read_next_line(input, &len);
	ck_assert_str_eq(line, "A2 NOOP");
	ck_assert_uint_eq(input->v_offset, strlen(data));
	ck_assert_ptr_null(istream_read_next_line(input, &len));
	ck_assert(!input->eof);
	istream_unref(&input);
	close(fds[0]);
	close(fds[1]);
	tmp_reset();
}
END_TEST

START_TEST(test_istream_buffer_full)
{
	struct istream *input;
	const unsigned char *p;
	size_t size;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	fd_set_nonblock(fds[0], true);
	input = istream_create_fd(fds[0], 5, true);
	ck_assert_int_eq(write(fds[1], "0123456789", 10), 10);
	ck_assert_int_eq(istream_read(input), 5);
	ck_assert_int_eq(istream_read(input), -2);
	ck_assert_int_eq(input->stream_errno, 0);
	p = istream_get_data(input, &size);
	ck_assert_uint_eq(size, 5);
	ck_assert(memcmp(p, "01234", 5) == 0);
	istream_skip(input, 2);
	ck_assert_int_eq(istream_read(input), 2);
	p = istream_get_data(input, &size);
	ck_assert(memcmp(p, "23456", 5) == 0);
	istream_skip(input, 5);
	ck_assert_int_eq(istream_read(input), 3);
	close(fds[1]);
	istream_skip(input, 3);
	ck_assert_int_eq(istream_read(input), -1);
	ck_assert(input->eof);
	ck_assert_int_eq(input->stream_errno, 0);
	ck_assert_uint_eq(input->v_offset, 10);
	istream_unref(&input);
}
END_TEST

START_TEST(test_istream_data_prepend)
{
	struct istream *input = istream_create_from_data("b\nc", 3);
	const char *line;
	size_t len;

	istream_prepend(input, "a\n", 2);
	line = istream_read_next_line(input, &len);
	ck_assert_str_eq(line, "a");
	/* prepend after something was skipped reuses the space */
	istream_prepend(input, "z", 1);
	line = istream_read_next_line(input, &len);
	ck_assert_str_eq(line, "zb");
	ck_assert_ptr_null(istream_read_next_line(input, &len));
	ck_assert(input->eof);
	ck_assert_int_eq(input->stream_errno, 0);
	/* the unterminated tail is still there */
	ck_assert_uint_eq(istream_get_data(input, &len)[0], 'c');
	ck_assert_uint_eq(len, 1);
	struct istream *input2 = input;
	istream_ref(input);
	istream_unref(&input2);
	ck_assert_ptr_null(input2);
	istream_unref(&input2);	/* NULL-safe */
	istream_unref(&input);

	input = istream_create_from_data("", 0);
	ck_assert_int_eq(istream_read(input), -1);
	ck_assert(input->eof);
	istream_unref(&input);
}
END_TEST

Suite *istream_suite(void)
{
	Suite *s = suite_create("istream");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_istream_lines, 0, N_ELEMENTS(line_tests));
	tcase_add_test(tc, test_istream_literal);
	tcase_add_test(tc, test_istream_buffer_full);
	tcase_add_test(tc, test_istream_data_prepend);
	suite_add_tcase(s, tc);
	return s;
}
