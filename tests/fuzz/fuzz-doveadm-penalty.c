/* Copyright (c) dovecot-like authors. Fuzzes doveadm-like penalty's reading
   of anvil's PENALTY-DUMP reply (doveadm_penalty_parse_row()), the
   <ip>[/<mask>] filter and the table it prints, since whatever anvil (or
   whoever sits on its socket) answers ends up on an admin's terminal.

   The input is split on LF: the first line is the filter argument (not
   one: no filter), the rest the reply, read as doveadm-penalty.c reads it
   (up to an empty line; a malformed line ends it with an error, non-IP
   rows are skipped). */
#include "fuzz-common.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "net.h"
#include "doveadm-penalty.h"

/* Widest cells: an IP address as inet_pton reads it (at most
   INET6_ADDRSTRLEN - 1, but let a scope id through), a penalty, and two
   times when localtime() gives up and the number is shown. */
#define FUZZ_PENALTY_MAX_IP 64
#define FUZZ_PENALTY_MAX_LINE (FUZZ_PENALTY_MAX_IP + 1 + 10 + 1 + 19 + 1 + 19)

static void fuzz_penalty_filter(const char *line, size_t len,
				struct ip_addr *net_r, unsigned int *bits_r,
				bool *have_r)
{
	const char *str = tmp_strndup(line, len);
	unsigned int max_bits;

	*have_r = false;
	if (memchr(line, '\0', len) != NULL)
		return;
	if (doveadm_penalty_parse_net(str, net_r, bits_r) < 0)
		return;
	max_bits = net_r->family == AF_INET ? 32 : 128;
	if ((net_r->family != AF_INET && net_r->family != AF_INET6) ||
	    *bits_r > max_bits)
		abort();
	/* a network holds its own address at every mask */
	if (!net_is_in_network(net_r, net_r, *bits_r) ||
	    !net_is_in_network(net_r, net_r, 0))
		abort();
	*have_r = true;
}

/* The table: a title line and one line per row, all as wide, bounded,
   printable, each starting with its IP. */
static void fuzz_penalty_check_table(struct str *out,
				     const struct doveadm_penalty_row *rows,
				     unsigned int count)
{
	const char *p = str_c(out), *end = p + str_len(out), *lf;
	size_t width = 0, len, i;
	unsigned int line = 0;

	for (; p < end; p = lf + 1, line++) {
		lf = memchr(p, '\n', end - p);
		if (lf == NULL)
			abort();	/* every line ends in LF */
		len = lf - p;
		if (line == 0)
			width = len;
		if (len != width || len > FUZZ_PENALTY_MAX_LINE ||
		    line > count)
			abort();
		for (i = 0; i < len; i++) {
			if ((unsigned char)p[i] < 0x20 ||
			    (unsigned char)p[i] >= 0x7f)
				abort();
		}
		if (line == 0 ? strncmp(p, "IP ", 3) != 0 :
		    (strncmp(p, rows[line - 1].ip, strlen(rows[line - 1].ip)) != 0 ||
		     p[strlen(rows[line - 1].ip)] != ' '))
			abort();
	}
	if (line != count + 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *lf;
	ARRAY(struct doveadm_penalty_row) rows;
	struct doveadm_penalty_row row;
	struct ip_addr net, ip;
	unsigned int bits = 0, count;
	bool have_filter = false, first = true;
	struct str *out;
	char *line;
	size_t len;

	fuzz_init();
	array_init(&rows, tmp_pool, 16);
	while (p < end) {
		lf = memchr(p, '\n', end - p);
		len = lf == NULL ? (size_t)(end - p) : (size_t)(lf - p);
		if (first) {
			fuzz_penalty_filter(p, len, &net, &bits, &have_filter);
			first = false;
			p += len + 1;
			continue;
		}
		if (len == 0)
			break;
		/* exact-size copy: ASan sees an over-read */
		line = malloc(len);
		if (line == NULL)
			abort();
		memcpy(line, p, len);
		memset(&row, 0, sizeof(row));
		if (doveadm_penalty_parse_row(line, len, &row) < 0) {
			free(line);
			break;	/* doveadm-like reports it and prints nothing */
		}
		free(line);
		if (row.ip == NULL || row.ip[0] == '\0' ||
		    row.last_penalty < 0 || row.last_update < 0)
			abort();
		p += len + 1;
		if (net_addr2ip(row.ip, &ip) < 0)
			continue;
		if (strlen(row.ip) > FUZZ_PENALTY_MAX_IP)
			abort();
		if (have_filter && !net_is_in_network(&ip, &net, bits))
			continue;
		array_append(&rows, &row);
	}
	out = t_str_new(256);
	count = array_count(&rows);
	doveadm_penalty_format(count == 0 ? NULL : array_idx(&rows, 0), count,
			       out);
	fuzz_penalty_check_table(out, count == 0 ? NULL : array_idx(&rows, 0),
				 count);
	tmp_reset();
	return 0;
}
