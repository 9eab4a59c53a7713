/* Copyright (c) dovecot-like authors. Fuzzes the auth-worker request lines
   (auth_worker_request_parse(), the parse step of
   auth_worker_server_handle_line(): nothing is run, so no PAM or NSS) and
   auth's parser of anvil's PENALTY-GET reply (auth_penalty_parse_reply()),
   since the worker parses as root and a broken anvil reply must not
   become a bogus delay. The input is split on LF; each line goes to both. */
#include "fuzz-common.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "auth-worker-server.h"
#include "auth-penalty-policy.h"
#include "db-pam.h"

/* A decimal number without leading zeros in s[0..len), at most max. */
static bool fuzz_decimal(const char *s, size_t len, uint64_t max,
			 uint64_t *num_r)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (n > (UINT64_MAX - (s[i] - '0')) / 10)
			return false;
		n = n * 10 + (s[i] - '0');
	}
	*num_r = n;
	return n <= max;
}

static const struct {
	const char *name;
	unsigned int argc;
} fuzz_worker_commands[] = {
	{ "VERIFY", 6 }, { "PAM", 8 }, { "SHADOW", 4 }, { "PASSWD", 3 },
};

/* The request: line wiped, fields as tmp_strsplit_tabescaped() gives them,
   the FAIL reason exactly when the command, count or syntax is wrong, and
   every field after the id wiped by auth_worker_request_wipe(). */
static void fuzz_worker_request(const char *data, size_t len)
{
	struct auth_worker_request req;
	const char *const *args;
	char *line = malloc(len + 1);
	unsigned int i, id, argc, cmd;
	size_t line_len;
	bool ok, known = false, valid;

	if (line == NULL)
		abort();
	memcpy(line, data, len);
	line[len] = '\0';
	line_len = strlen(line);	/* the server's line is a C string */
	args = tmp_strsplit_tabescaped(tmp_strdup(line));
	argc = str_array_length(args);

	ok = auth_worker_request_parse(line, &req);
	/* the line (with its password) is wiped, refused or not */
	for (i = 0; i < line_len; i++) {
		if (line[i] != '\0')
			abort();
	}
	if (req.args == NULL || req.argc != argc)
		abort();
	for (i = 0; i < argc; i++) {
		if (strcmp(req.args[i], i < 2 || ok ? args[i] : "") != 0)
			abort();
	}
	if (ok != (argc >= 2 && str_to_uint(args[1], &id) == 0))
		abort();
	if (!ok) {
		free(line);
		return;
	}
	if (req.id != id)
		abort();
	for (cmd = 0; cmd < N_ELEMENTS(fuzz_worker_commands); cmd++) {
		if (strcmp(args[0], fuzz_worker_commands[cmd].name) == 0) {
			known = true;
			break;
		}
	}
	valid = known && argc == fuzz_worker_commands[cmd].argc;
	if (valid && strcmp(args[0], "PAM") == 0) {
		unsigned int flags, max;

		valid = str_to_uint(args[6], &flags) == 0 &&
			(flags & ~DB_PAM_FLAGS_ALL) == 0 &&
			str_to_uint(args[7], &max) == 0 &&
			args[2][0] != '\0' && args[3][0] != '\0';
		if (valid && (req.pam_flags != flags ||
			      req.pam_max_requests != max))
			abort();
	} else if (valid && (strcmp(args[0], "SHADOW") == 0 ||
			     strcmp(args[0], "PASSWD") == 0)) {
		valid = args[2][0] != '\0';
	}
	if (valid != (req.error == NULL))
		abort();
	if (!known && strcmp(req.error, tmp_printf(
			"Unknown auth-worker command %s", args[0])) != 0)
		abort();
	if (known && !valid && strcmp(req.error, tmp_printf(
			"Malformed %s request", args[0])) != 0)
		abort();
	/* the FAIL reply stays one line */
	if (req.error != NULL &&
	    strpbrk(tmp_str_tabescape(req.error), "\t\r\n") != NULL)
		abort();

	auth_worker_request_wipe(&req);
	for (i = 2; i < argc; i++) {
		size_t j, field_len = strlen(args[i]);

		for (j = 0; j < field_len; j++) {
			if (req.args[i][j] != '\0')
				abort();
		}
	}
	free(line);
}

/* "<penalty> <last_penalty>": accepted exactly when both are plain
   decimals in range, and the values are those numbers. */
static void fuzz_penalty_reply(const char *data, size_t len)
{
	char *line = malloc(len == 0 ? 1 : len);	/* exact size */
	const char *sp;
	unsigned int penalty = 0;
	time_t last = 0;
	uint64_t ref_penalty, ref_last;
	bool ref_ok;
	int ret;

	if (line == NULL)
		abort();
	memcpy(line, data, len);
	ret = auth_penalty_parse_reply(line, len, &penalty, &last);
	if (ret != 0 && ret != -1)
		abort();
	sp = memchr(data, ' ', len);
	ref_ok = sp != NULL && len <= 64 &&
		fuzz_decimal(data, sp - data, UINT_MAX, &ref_penalty) &&
		fuzz_decimal(sp + 1, len - (sp + 1 - data), INT64_MAX,
			     &ref_last);
	if (ref_ok && (ret != 0 || penalty != ref_penalty ||
		       (uint64_t)last != ref_last))
		abort();
	if (ret == 0) {
		/* only digits and the one space, and what anvil would
		   write for these values parses the same */
		const char *again;
		unsigned int penalty2;
		time_t last2;

		if (last < 0 || strspn(tmp_strndup(line, len),
				       "0123456789 ") != len ||
		    memchr(sp + 1, ' ', len - (sp + 1 - data)) != NULL)
			abort();
		again = tmp_printf("%u %lld", penalty, (long long)last);
		if (auth_penalty_parse_reply(again, strlen(again), &penalty2,
					     &last2) != 0 ||
		    penalty2 != penalty || last2 != last)
			abort();
		/* and the delay from it is bounded */
		if (auth_penalty_delay_secs(penalty, last, 1700000000) >
		    AUTH_PENALTY_MAX_SECS)
			abort();
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *lf;
	size_t len;

	fuzz_init();
	while (p < end) {
		lf = memchr(p, '\n', end - p);
		len = lf == NULL ? (size_t)(end - p) : (size_t)(lf - p);
		fuzz_worker_request(p, len);
		fuzz_penalty_reply(p, len);
		tmp_reset();
		p += len + 1;
	}
	return 0;
}
