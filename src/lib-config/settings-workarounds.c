/* Copyright (c) dovecot-like authors. Dovecot 2.3's *_client_workarounds
   lists (imap, pop3): one parser for the config check at start-up and the
   worker that acts on them, so both accept exactly the same values. */
#include "lib.h"
#include "strfuncs.h"
#include "settings.h"

#include <strings.h>

/* Index of word in names (NULL-terminated), case-insensitively as
   Dovecot; -1 if absent. */
static int workaround_find(const char *const *names, const char *word)
{
	unsigned int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcasecmp(names[i], word) == 0)
			return (int)i;
	}
	return -1;
}

int settings_parse_workarounds(const char *value, const char *const *names,
			       unsigned int *mask_r, const char **error_r)
{
	const char **words;
	unsigned int mask = 0;
	int idx;

	/* Dovecot separates the words with spaces or commas and lets one
	   repeat */
	words = tmp_strsplit_spaces(value, " ,\t");
	for (; *words != NULL; words++) {
		idx = workaround_find(names, *words);
		if (idx < 0 || idx >= 32) {
			*error_r = tmp_printf("Unknown workaround: %s", *words);
			return -1;
		}
		mask |= 1U << idx;
	}
	*mask_r = mask;
	return 0;
}
