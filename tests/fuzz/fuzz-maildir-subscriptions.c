/* Copyright (c) dovecot-like authors. Fuzzes the subscriptions file parser
   (mailbox_subscriptions_parse: Dovecot's v1 and v2 formats; the file is
   shared with Dovecot and may be damaged). Every name it returns must be a
   valid storage name, and writing the names back in v2 form must parse to
   the same list. Named maildir-* for build.sh's library mapping; the parser
   serves mbox too (v1 with '/'). */
#include "fuzz-common.h"
#include "array.h"
#include "str.h"
#include "mailbox-mgmt.h"

#include <strings.h>

static void check_names(const ARRAY_TYPE(string) *names)
{
	enum mail_storage_error error;
	const char *const *np, *error_str;

	array_foreach(names, np) {
		if (mailbox_name_check(*np, false, &error, &error_str) < 0)
			abort();
		if (strcasecmp(*np, "INBOX") == 0 && strcmp(*np, "INBOX") != 0)
			abort();
	}
}

static void check_round_trip(const ARRAY_TYPE(string) *names, char v1_sep)
{
	ARRAY_TYPE(string) names2;
	struct str *out = t_str_new(256);
	const char *const *np;
	unsigned int i;

	str_append(out, "V\t2\n\n");
	array_foreach(names, np)
		mailbox_subscriptions_append_v2(out, *np);
	mailbox_subscriptions_parse(str_data(out), str_len(out), v1_sep,
				    tmp_pool, &names2);
	if (array_count(&names2) != array_count(names))
		abort();
	for (i = 0; i < array_count(names); i++) {
		if (strcmp(array_idx(names, i)[0], array_idx(&names2, i)[0]) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seps[] = { '.', '/' };
	ARRAY_TYPE(string) names;
	unsigned char *copy;

	fuzz_init();
	/* exact-size copy: the parser gets a length, no NUL to lean on */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	for (unsigned int i = 0; i < N_ELEMENTS(seps); i++) {
		mailbox_subscriptions_parse(copy, size, seps[i], tmp_pool, &names);
		check_names(&names);
		check_round_trip(&names, seps[i]);
		tmp_reset();
	}
	free(copy);
	return 0;
}
