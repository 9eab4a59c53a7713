/* Copyright (c) dovecot-like authors. imap-match.c: LIST pattern matching as
   a dynamic program over (pattern, name) positions, so a hostile pattern full
   of wildcards costs at most O(len^2), never exponential backtracking. */

#include "lib.h"
#include "imap-match.h"

#include <strings.h>

/* "inbox" (any case) as the first hierarchy level means INBOX. */
static const char *imap_match_canonical_inbox(const char *str, char separator)
{
	if (strncasecmp(str, "INBOX", 5) == 0 &&
	    (str[5] == '\0' || str[5] == separator))
		return tmp_strconcat("INBOX", str + 5, NULL);
	return str;
}

bool imap_match(const char *pattern, const char *name, char separator)
{
	size_t plen, nlen, i, j;
	bool *prev, *cur, *tmp;

	pattern = imap_match_canonical_inbox(pattern, separator);
	name = imap_match_canonical_inbox(name, separator);
	plen = strlen(pattern);
	nlen = strlen(name);
	if (plen > IMAP_MATCH_MAX_LEN || nlen > IMAP_MATCH_MAX_LEN)
		return false;

	/* prev[j]: pattern[0..i) matches name[0..j) */
	prev = t_new(bool, nlen + 1);
	cur = t_new(bool, nlen + 1);
	prev[0] = true;
	for (i = 0; i < plen; i++) {
		char pc = pattern[i];

		cur[0] = (pc == '*' || pc == '%') && prev[0];
		for (j = 1; j <= nlen; j++) {
			char nc = name[j - 1];

			if (pc == '*')
				cur[j] = prev[j] || cur[j - 1];
			else if (pc == '%')
				cur[j] = prev[j] || (cur[j - 1] && nc != separator);
			else
				cur[j] = prev[j - 1] && pc == nc;
		}
		tmp = prev; prev = cur; cur = tmp;
	}
	return prev[nlen];
}
