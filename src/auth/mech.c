/* Copyright (c) dovecot-like authors. mech.c: which SASL mechanisms are
   configured and how the handshake announces them. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "mech.h"

static const struct mech_module *const all_mechs[] = {
	&mech_plain, &mech_login, &mech_external,
};
static ARRAY(const struct mech_module *) configured_mechs;

static const char *const mech_flag_names[] = {
	"private", "anonymous", "plaintext", "dictionary", "active",
	"forward-secrecy", "mutual-auth",
};

static const struct mech_module *mech_find_any(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(all_mechs); i++) {
		if (strcasecmp(all_mechs[i]->name, name) == 0)
			return all_mechs[i];
	}
	return NULL;
}

const struct mech_module *mech_find(const char *name)
{
	const struct mech_module *const *mechp;

	array_foreach(&configured_mechs, mechp) {
		if (strcasecmp((*mechp)->name, name) == 0)
			return *mechp;
	}
	return NULL;
}

int mechs_init(const char *const *names, const char **error_r)
{
	const struct mech_module *mech;
	unsigned int i;

	array_init(&configured_mechs, system_pool, 4);
	for (i = 0; names[i] != NULL; i++) {
		mech = mech_find_any(names[i]);
		if (mech == NULL) {
			*error_r = tmp_printf("Unknown authentication mechanism '%s'",
					      names[i]);
			return -1;
		}
		if (mech_find(mech->name) == NULL)
			array_append(&configured_mechs, &mech);
	}
	if (array_count(&configured_mechs) == 0) {
		*error_r = "No authentication mechanisms configured";
		return -1;
	}
	return 0;
}

void mechs_append_handshake(struct str *dest)
{
	const struct mech_module *const *mechp;
	unsigned int i;

	array_foreach(&configured_mechs, mechp) {
		str_printfa(dest, "MECH\t%s", (*mechp)->name);
		for (i = 0; i < N_ELEMENTS(mech_flag_names); i++) {
			if (((*mechp)->flags & (1U << i)) != 0)
				str_printfa(dest, "\t%s", mech_flag_names[i]);
		}
		str_append_c(dest, '\n');
	}
}
