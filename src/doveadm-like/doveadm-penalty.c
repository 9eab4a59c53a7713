/* Copyright (c) dovecot-like authors. doveadm-penalty.c: asks anvil for its
   penalty table (PENALTY-DUMP on base_dir/anvil, as doveadm does) and
   prints it the way Dovecot's doveadm penalty does. */
#include "lib.h"
#include "array.h"
#include "istream.h"
#include "net.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "write-full.h"
#include "settings.h"
#include "doveadm-penalty.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#define EXIT_USAGE 64
#define EXIT_TEMPFAIL 75
/* anvil answers from memory; a silent anvil is stuck */
#define DOVEADM_PENALTY_TIMEOUT_SECS 10
/* An escaped ident and three numbers fit easily. */
#define DOVEADM_PENALTY_MAX_LINE 4096
/* Dovecot's table width when stdout is not a terminal. */
#define DOVEADM_PENALTY_COLUMNS 80

static const char *const penalty_titles[] = {
	"IP", "penalty", "last_penalty", "last_update"
};
#define PENALTY_COLUMN_COUNT N_ELEMENTS(penalty_titles)

typedef ARRAY(struct doveadm_penalty_row) ARRAY_TYPE(penalty_row);

int doveadm_penalty_parse_net(const char *str, struct ip_addr *net_r,
			      unsigned int *bits_r)
{
	const char *slash = strchr(str, '/');
	unsigned int max_bits;

	if (net_addr2ip(slash == NULL ? str : tmp_strndup(str, slash - str),
			net_r) < 0 || strcmp(str, "*") == 0)
		return -1;
	max_bits = net_r->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*bits_r = max_bits;
		return 0;
	}
	if (str_to_uint(slash + 1, bits_r) < 0 || *bits_r > max_bits)
		return -1;
	return 0;
}

static int parse_time(const char *str, time_t *time_r)
{
	uint64_t n;

	if (str_to_uint64(str, &n) < 0 || n > INT64_MAX)
		return -1;
	*time_r = (time_t)n;
	return 0;
}

int doveadm_penalty_parse_row(const char *line, size_t len,
			      struct doveadm_penalty_row *row_r)
{
	const char *const *args;

	if (len == 0 || memchr(line, '\0', len) != NULL)
		return -1;
	args = tmp_strsplit_tabescaped(tmp_strndup(line, len));
	if (str_array_length(args) != 4 || args[0][0] == '\0')
		return -1;
	row_r->ip = args[0];
	if (str_to_uint(args[1], &row_r->penalty) < 0 ||
	    parse_time(args[2], &row_r->last_penalty) < 0 ||
	    parse_time(args[3], &row_r->last_update) < 0)
		return -1;
	return 0;
}

static const char *format_time(time_t t, const char *fmt)
{
	struct tm tm;
	char buf[64];

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), fmt, &tm) == 0)
		return tmp_printf("%lld", (long long)t);
	return tmp_strdup(buf);
}

void doveadm_penalty_format(const struct doveadm_penalty_row *rows,
			    unsigned int count, struct str *dest)
{
	const char **cells = t_new(const char *, (count + 1) * PENALTY_COLUMN_COUNT);
	size_t widths[PENALTY_COLUMN_COUNT], total = 0, len;
	unsigned int row, col;

	for (col = 0; col < PENALTY_COLUMN_COUNT; col++)
		cells[col] = penalty_titles[col];
	for (row = 0; row < count; row++) {
		const char **r = cells + (row + 1) * PENALTY_COLUMN_COUNT;

		r[0] = rows[row].ip;
		r[1] = tmp_printf("%u", rows[row].penalty);
		r[2] = format_time(rows[row].last_penalty, "%Y-%m-%d %H:%M:%S");
		r[3] = format_time(rows[row].last_update, "%H:%M:%S");
	}
	for (col = 0; col < PENALTY_COLUMN_COUNT; col++) {
		widths[col] = 0;
		for (row = 0; row <= count; row++) {
			len = strlen(cells[row * PENALTY_COLUMN_COUNT + col]);
			if (len > widths[col])
				widths[col] = len;
		}
		total += widths[col] + (col > 0 ? 1 : 0);
	}
	/* doveadm gives the last column half of the room left; our columns
	   never exceed 80 (IPv6 is at most 39 wide), so no shrinking */
	if (total < DOVEADM_PENALTY_COLUMNS)
		widths[PENALTY_COLUMN_COUNT - 1] += (DOVEADM_PENALTY_COLUMNS - total) / 2;
	for (row = 0; row <= count; row++) {
		for (col = 0; col < PENALTY_COLUMN_COUNT; col++) {
			str_printfa(dest, "%s%-*s", col > 0 ? " " : "",
				    (int)widths[col],
				    cells[row * PENALTY_COLUMN_COUNT + col]);
		}
		str_append_c(dest, '\n');
	}
}

/* A reply line for an error message: printable ASCII, at most 200. */
static const char *penalty_printable(const char *line, size_t len)
{
	struct str *str = t_str_new(64);
	size_t i;

	for (i = 0; i < len && i < 200; i++)
		str_append_c(str, line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?');
	return str_c(str);
}

static int penalty_connect(const char *path)
{
	struct timeval tv = { .tv_sec = DOVEADM_PENALTY_TIMEOUT_SECS };
	int fd = net_connect_unix(path);

	if (fd < 0) {
		fprintf(stderr, "doveadm-like: net_connect_unix(%s) failed: %m\n", path);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		fprintf(stderr, "doveadm-like: setsockopt(%s) failed: %m\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Read the dump up to its empty line, keeping the rows that pass the
   filter (net == NULL: all). Returns 0, or -1 (reported). */
static int penalty_read(struct istream *input, const char *path,
			const struct ip_addr *net, unsigned int bits,
			ARRAY_TYPE(penalty_row) *rows)
{
	struct doveadm_penalty_row row;
	struct ip_addr ip;
	const char *line;
	size_t len;

	while ((line = istream_read_next_line(input, &len)) != NULL) {
		if (len == 0)
			return 0;
		if (doveadm_penalty_parse_row(line, len, &row) < 0) {
			fprintf(stderr, "doveadm-like: %s: invalid PENALTY-DUMP "
				"line: %s\n", path, penalty_printable(line, len));
			return -1;
		}
		if (net_addr2ip(row.ip, &ip) < 0)
			continue;	/* not an IP: nothing doveadm shows */
		if (net == NULL || net_is_in_network(&ip, net, bits))
			array_append(rows, &row);
	}
	fprintf(stderr, "doveadm-like: %s: %s\n", path,
		input->stream_errno == ENOBUFS ? "reply line too long" :
		input->stream_errno != 0 ? istream_get_error(input) :
		"PENALTY-DUMP reply ended early or timed out");
	return -1;
}

int doveadm_penalty_cmd(const struct settings *set, const char *filter)
{
	const char *path = tmp_printf("%s/anvil", settings_get(set, NULL, "base_dir"));
	ARRAY_TYPE(penalty_row) rows;
	struct ip_addr net;
	unsigned int bits = 0, count;
	struct istream *input;
	struct str *out;
	int fd, ret;

	if (filter != NULL && doveadm_penalty_parse_net(filter, &net, &bits) < 0) {
		fprintf(stderr, "Error: Invalid netmask '%s' given\n", filter);
		return EXIT_USAGE;
	}
	fd = penalty_connect(path);
	if (fd < 0)
		return EXIT_TEMPFAIL;
	if (write_full(fd, "PENALTY-DUMP\n", 13) < 0) {
		fprintf(stderr, "doveadm-like: write(%s) failed: %m\n", path);
		close(fd);
		return EXIT_TEMPFAIL;
	}
	array_init(&rows, tmp_pool, 16);
	input = istream_create_fd(fd, DOVEADM_PENALTY_MAX_LINE, true);
	ret = penalty_read(input, path, filter == NULL ? NULL : &net, bits, &rows);
	istream_unref(&input);
	if (ret < 0)
		return EXIT_TEMPFAIL;
	out = t_str_new(256);
	count = array_count(&rows);
	doveadm_penalty_format(count == 0 ? NULL : array_idx(&rows, 0), count, out);
	fwrite(str_data(out), 1, str_len(out), stdout);
	return fflush(stdout) == 0 ? 0 : EXIT_TEMPFAIL;
}
