/* Copyright (c) dovecot-like authors. Fuzzes anvil's request lines (the
   anvil and anvil-auth-penalty sockets) through anvil_request_parse() into
   the registry and the penalty table, answered the way anvil-connection.c
   answers, because any worker (and auth) may write anything there.

   The input is split on LF. A line "#<digit>" switches to connection
   <digit> % 4, "#c" closes the current connection (its registration goes),
   "#t<n>" moves the injected clock by n seconds (also backwards) and runs
   the expiry; every other line is a request. One registry and one penalty
   table per input. */
#include "fuzz-common.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "net.h"
#include "anvil-request.h"
#include "anvil-registry.h"
#include "anvil-penalty.h"

#define FUZZ_ANVIL_CONNS 4
#define FUZZ_ANVIL_START_TIME 1700000000

struct fuzz_anvil {
	struct anvil_registry *reg;
	struct anvil_penalty *penalty;
	char *idents[FUZZ_ANVIL_CONNS];	/* registration per connection */
	unsigned int conn;
	time_t now, max_now;
};

/* A reply line: no control characters but TAB, or (escaped: a LIST ident
   is a tab-escaped string of the worker's bytes) none that ends a line. */
static void fuzz_anvil_check_line(const char *line, size_t len, bool escaped)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = line[i];

		if (c == '\0' || c == '\n' || c == '\r')
			abort();
		if (!escaped && ((c < 0x20 && c != '\t') || c == 0x7f))
			abort();
	}
}

/* A reply that must be one line: exactly one LF, at its end. */
static void fuzz_anvil_check_single(struct str *reply)
{
	const char *data = str_c(reply);
	size_t len = str_len(reply);

	if (len < 2 || data[len - 1] != '\n')
		abort();
	fuzz_anvil_check_line(data, len - 1, false);
}

/* LIST / PENALTY-DUMP: lines of nfields tab-escaped fields, then an empty
   line; each line agrees with the registry / the penalty bounds. Returns
   the number of lines before the empty one. */
static unsigned int fuzz_anvil_check_multi(struct str *reply,
					   unsigned int nfields,
					   struct fuzz_anvil *fa, bool dump)
{
	const char *data = str_c(reply), *p, *end = data + str_len(reply);
	const char *const *args;
	unsigned int lines = 0, n;
	uint64_t num[3];

	if (str_len(reply) == 0 || end[-1] != '\n')
		abort();
	for (p = data; p < end; p++) {
		const char *lf = memchr(p, '\n', end - p);

		if (lf == NULL)
			abort();
		if (lf == p) {
			/* the terminating empty line is the last one */
			if (lf + 1 != end)
				abort();
			return lines;
		}
		fuzz_anvil_check_line(p, lf - p, !dump);
		args = tmp_strsplit_tabescaped(tmp_strndup(p, lf - p));
		if (str_array_length(args) != nfields || args[0][0] == '\0')
			abort();
		for (n = 1; n < nfields; n++) {
			if (str_to_uint64(args[n], &num[n - 1]) < 0)
				abort();
		}
		if (!dump) {
			/* "<ident>\t<count>": a live registration */
			if (num[0] == 0 ||
			    num[0] != anvil_registry_count(fa->reg, args[0]))
				abort();
		} else {
			/* "<ip>\t<penalty>\t<last_penalty>\t<last_update>" */
			if (num[0] == 0 || num[0] > ANVIL_PENALTY_MAX_VALUE ||
			    num[1] > (uint64_t)fa->max_now ||
			    num[2] > (uint64_t)fa->max_now ||
			    num[1] < FUZZ_ANVIL_START_TIME / 2)
				abort();
		}
		lines++;
		p = lf;
	}
	abort();
}

static void fuzz_anvil_connect(struct fuzz_anvil *fa,
			       const struct anvil_request *req,
			       struct str *reply)
{
	unsigned int count, before = anvil_registry_count(fa->reg, req->ident);

	if (fa->idents[fa->conn] != NULL) {
		str_append(reply, "ERROR\tconnection already registered\n");
		return;
	}
	if (!anvil_registry_connect(fa->reg, req->ident, req->limit, &count)) {
		if (req->limit == 0 || count < req->limit || count != before)
			abort();
		str_printfa(reply, "FULL\t%u\n", count);
		return;
	}
	if (count != before + 1 || (req->limit != 0 && count > req->limit) ||
	    anvil_registry_count(fa->reg, req->ident) != count)
		abort();
	fa->idents[fa->conn] = strdup(req->ident);
	if (fa->idents[fa->conn] == NULL)
		abort();
	str_printfa(reply, "OK\t%u\n", count);
}

static void fuzz_anvil_penalty(struct fuzz_anvil *fa,
			       const struct anvil_request *req,
			       struct str *reply)
{
	unsigned int value, count_before;
	time_t last_penalty;

	switch (req->type) {
	case ANVIL_REQUEST_PENALTY_GET:
		value = anvil_penalty_get(fa->penalty, req->ident, fa->now,
					  &last_penalty);
		if (value > ANVIL_PENALTY_MAX_VALUE ||
		    (value == 0) != (last_penalty == 0) ||
		    last_penalty > fa->max_now)
			abort();
		str_printfa(reply, "%u %lld\n", value, (long long)last_penalty);
		break;
	case ANVIL_REQUEST_PENALTY_INC:
		if (req->value > ANVIL_PENALTY_MAX_VALUE)
			abort();
		count_before = anvil_penalty_count(fa->penalty);
		anvil_penalty_inc(fa->penalty, req->ident, req->checksum,
				  req->value, fa->now);
		value = anvil_penalty_get(fa->penalty, req->ident, fa->now,
					  &last_penalty);
		if (req->value == 0 && (value != 0 || last_penalty != 0))
			abort();	/* a success forgives */
		if (req->value > 0 && (value == 0 || last_penalty == 0))
			abort();
		if (req->value > 0 && req->checksum == 0 &&
		    (value != req->value || last_penalty != fa->now))
			abort();	/* no checksum: always a new failure */
		if (anvil_penalty_count(fa->penalty) > count_before + 1 ||
		    anvil_penalty_count(fa->penalty) > ANVIL_PENALTY_MAX_ENTRIES)
			abort();
		str_append(reply, "OK\n");
		break;
	case ANVIL_REQUEST_PENALTY_DUMP:
		anvil_penalty_dump(fa->penalty, fa->now, reply);
		str_append_c(reply, '\n');
		break;
	default:
		abort();
	}
}

static void fuzz_anvil_request(struct fuzz_anvil *fa, const char *line,
			       size_t len)
{
	struct str *reply = t_str_new(128);
	struct anvil_request req;
	const char *error = NULL;
	unsigned int lines;

	if (anvil_request_parse(line, len, &req, &error) < 0) {
		if (error == NULL)
			abort();
		str_printfa(reply, "ERROR\t%s\n", error);
		fuzz_anvil_check_single(reply);
		return;
	}
	switch (req.type) {
	case ANVIL_REQUEST_CONNECT:
		if (req.ident == NULL || req.ident[0] == '\0' ||
		    strlen(req.ident) > ANVIL_IDENT_MAX_LEN)
			abort();
		fuzz_anvil_connect(fa, &req, reply);
		fuzz_anvil_check_single(reply);
		break;
	case ANVIL_REQUEST_LIST:
		anvil_registry_list(fa->reg, reply);
		str_append_c(reply, '\n');
		(void)fuzz_anvil_check_multi(reply, 2, fa, false);
		break;
	case ANVIL_REQUEST_PENALTY_DUMP:
		fuzz_anvil_penalty(fa, &req, reply);
		lines = fuzz_anvil_check_multi(reply, 4, fa, true);
		if (lines > anvil_penalty_count(fa->penalty))
			abort();
		break;
	case ANVIL_REQUEST_PENALTY_GET:
	case ANVIL_REQUEST_PENALTY_INC:
		/* the ident is the canonical IP: it parses to itself */
		if (req.ident == NULL ||
		    strcmp(req.ident, "*") == 0) {
			abort();
		} else {
			struct ip_addr ip;

			if (net_addr2ip(req.ident, &ip) < 0 ||
			    strcmp(net_ip2addr(&ip), req.ident) != 0)
				abort();
		}
		fuzz_anvil_penalty(fa, &req, reply);
		fuzz_anvil_check_single(reply);
		break;
	default:
		abort();
	}
}

static void fuzz_anvil_disconnect(struct fuzz_anvil *fa, unsigned int conn)
{
	unsigned int before;

	if (fa->idents[conn] == NULL)
		return;
	before = anvil_registry_count(fa->reg, fa->idents[conn]);
	if (before == 0)
		abort();
	anvil_registry_disconnect(fa->reg, fa->idents[conn]);
	if (anvil_registry_count(fa->reg, fa->idents[conn]) != before - 1)
		abort();
	free(fa->idents[conn]);
	fa->idents[conn] = NULL;
}

/* "#..." lines steer the simulation; returns false for a request line. */
static bool fuzz_anvil_directive(struct fuzz_anvil *fa, const char *line,
				 size_t len)
{
	int secs;

	if (len < 2 || line[0] != '#')
		return false;
	if (line[1] >= '0' && line[1] <= '9') {
		fa->conn = (line[1] - '0') % FUZZ_ANVIL_CONNS;
	} else if (line[1] == 'c') {
		fuzz_anvil_disconnect(fa, fa->conn);
	} else if (line[1] == 't') {
		/* at most 999999 s either way per step */
		secs = atoi(tmp_strndup(line + 2, MIN(len - 2, 6)));
		fa->now += secs;
		if (fa->now < FUZZ_ANVIL_START_TIME / 2)
			fa->now = FUZZ_ANVIL_START_TIME / 2;
		if (fa->now > fa->max_now)
			fa->max_now = fa->now;
		anvil_penalty_expire(fa->penalty, fa->now);
	} else {
		return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_anvil fa;
	const char *p = (const char *)data, *end = p + size, *lf;
	unsigned int i;
	char *line;
	size_t len;

	fuzz_init();
	memset(&fa, 0, sizeof(fa));
	fa.reg = anvil_registry_create();
	fa.penalty = anvil_penalty_create();
	fa.now = fa.max_now = FUZZ_ANVIL_START_TIME;
	while (p < end) {
		lf = memchr(p, '\n', end - p);
		len = lf == NULL ? (size_t)(end - p) : (size_t)(lf - p);
		/* exact-size copy, as istream_next_line() hands it over
		   (the NUL after it is not part of the line) */
		line = malloc(len + 1);
		if (line == NULL)
			abort();
		memcpy(line, p, len);
		line[len] = '\0';
		if (!fuzz_anvil_directive(&fa, line, len))
			fuzz_anvil_request(&fa, line, len);
		free(line);
		tmp_reset();
		p += len + 1;
	}
	for (i = 0; i < FUZZ_ANVIL_CONNS; i++)
		fuzz_anvil_disconnect(&fa, i);
	/* every registration gone: the registry is empty again */
	{
		struct str *list = t_str_new(16);

		anvil_registry_list(fa.reg, list);
		if (str_len(list) != 0)
			abort();
	}
	anvil_registry_destroy(&fa.reg);
	anvil_penalty_destroy(&fa.penalty);
	tmp_reset();
	return 0;
}
