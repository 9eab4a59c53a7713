/* Copyright (c) dovecot-like authors. Fuzzes the login -> worker handoff
   message and the worker's replies (OK/FAIL and REFUSED), since the worker parses the message as
   root before it has verified anything. */
#include "fuzz-common.h"
#include "login-handoff.h"

/* A reason the client may see: non-empty, no control characters. */
static bool fuzz_handoff_reason_is_safe(const char *reason)
{
	size_t i;

	if (reason == NULL || reason[0] == '\0')
		return false;
	for (i = 0; reason[i] != '\0'; i++) {
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct login_handoff h;
	struct pool *pool;
	const char *error, *reason;
	char *line;
	pid_t pid;
	int ret;

	fuzz_init();
	/* exact-size copy, as recv() hands it over (len excludes the NUL) */
	line = fuzz_strndup(data, size);
	pool = pool_create("fuzz handoff", 1024, POOL_FLAG_NONE);
	error = NULL;
	if (login_handoff_parse(pool, line, size, &h, &error) == 0) {
		if (h.protocol == NULL || h.cookie == NULL || h.user == NULL ||
		    h.tag == NULL)
			abort();
		if (h.input_len > LOGIN_HANDOFF_MAX_INPUT ||
		    (h.input_len > 0 && h.input == NULL))
			abort();
		(void)net_ip2addr(&h.local_ip);
		(void)net_ip2addr(&h.remote_ip);
		if (h.local_port > 65535 || h.remote_port > 65535)
			abort();
	} else if (error == NULL) {
		abort();
	}

	reason = NULL;
	ret = login_handoff_parse_reply(line, &pid, &reason);
	if (ret == 1 && pid <= 0)
		abort();
	if (ret == 0 && reason == NULL)
		abort();
	if (ret < -1 || ret > 1)
		abort();

	/* the worker's refusal, which the login process sends on to the
	   client as the rest of a reply line */
	reason = NULL;
	ret = login_handoff_parse_refused(line, &reason);
	if (ret == 1 && !fuzz_handoff_reason_is_safe(reason))
		abort();
	if (ret != 1 && reason != NULL)
		abort();
	if (ret < -1 || ret > 1)
		abort();
	pool_unref(&pool);
	free(line);
	tmp_reset();
	return 0;
}
