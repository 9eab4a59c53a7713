/* Copyright (c) dovecot-like authors. var-expand.h: %-variables in settings
   (see shared/reference/config-syntax.md section 3): %u, %{user}, modifiers
   such as %Lu, %n, %d, width and hex (%08Xu). */
#ifndef VAR_EXPAND_H
#define VAR_EXPAND_H

#include "str.h"

struct var_expand_table {
	char key;		/* single-letter name, or '\0' */
	const char *value;	/* NULL = unknown at this point */
	const char *long_key;	/* %{long_key}, or NULL */
};

/* table ends with an entry whose key is '\0' and long_key NULL. Returns 1 on
   success, 0 if an unknown variable was used (still expanded as empty, and
   *error_r says which), -1 on a syntax error. "%%" is '%'. Modifiers (any
   order, before the key): L lower, U upper, N/n user part (before @), D/d
   domain, X hex of a decimal value, a [0-]width. */
int var_expand(struct str *dest, const char *str,
	       const struct var_expand_table *table, const char **error_r);
/* Returns true if str uses the given variable. */
bool var_has_key(const char *str, char key, const char *long_key);

#endif
