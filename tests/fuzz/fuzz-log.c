/* Copyright (c) dovecot-like authors. Fuzzes the log service's pipe line
   parser, since every child (including ones running as a user, or after
   being compromised) writes the lines it reads. */
#include "fuzz-common.h"

#include <stdio.h>

static const char level_chars[] = "DIWEFP";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum log_level level, level2;
	const char *prefix, *message, *prefix2, *message2;
	char *line, *again;
	long pid, pid2;
	int len;

	fuzz_init();
	line = fuzz_strndup(data, size);
	if (log_line_parse(line, &level, &pid, &prefix, &message) == 0) {
		if (level > LOG_LEVEL_PANIC || pid <= 0 ||
		    strchr(prefix, '\t') != NULL)
			abort();
		if (log_level_name(level) == NULL)
			abort();
		/* what was parsed formats back to a line that parses the same */
		len = snprintf(NULL, 0, "%c\t%ld\t%s\t%s", level_chars[level],
			       pid, prefix, message);
		again = malloc((size_t)len + 1);
		if (again == NULL)
			abort();
		snprintf(again, (size_t)len + 1, "%c\t%ld\t%s\t%s",
			 level_chars[level], pid, prefix, message);
		if (log_line_parse(again, &level2, &pid2, &prefix2, &message2) != 0 ||
		    level2 != level || pid2 != pid || strcmp(prefix2, prefix) != 0 ||
		    strcmp(message2, message) != 0)
			abort();
		free(again);
	}
	free(line);
	tmp_reset();
	return 0;
}
