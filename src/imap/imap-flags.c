/* Copyright (c) dovecot-like authors. IMAP system flags (RFC 3501
   2.3.2). */
#include "imap-common.h"
#include "imap-flags.h"

static const struct {
	enum mail_flags flag;
	const char *name;
} imap_system_flags[] = {
	{ MAIL_ANSWERED, "\\Answered" },
	{ MAIL_FLAGGED, "\\Flagged" },
	{ MAIL_DELETED, "\\Deleted" },
	{ MAIL_SEEN, "\\Seen" },
	{ MAIL_DRAFT, "\\Draft" },
	{ MAIL_RECENT, "\\Recent" },
};

void imap_write_flags(struct str *dest, enum mail_flags flags)
{
	bool first = true;

	str_append_c(dest, '(');
	for (unsigned int i = 0; i < N_ELEMENTS(imap_system_flags); i++) {
		if ((flags & imap_system_flags[i].flag) == 0)
			continue;
		if (!first)
			str_append_c(dest, ' ');
		str_append(dest, imap_system_flags[i].name);
		first = false;
	}
	str_append_c(dest, ')');
}

static int imap_parse_flag(const char *atom, enum mail_flags *flags,
			   const char **error_r)
{
	if (atom[0] != '\\')
		return 0;	/* a keyword: not permanent here, ignored */
	for (unsigned int i = 0; i < N_ELEMENTS(imap_system_flags); i++) {
		if (imap_system_flags[i].flag != MAIL_RECENT &&
		    strcasecmp(atom, imap_system_flags[i].name) == 0) {
			*flags |= imap_system_flags[i].flag;
			return 0;
		}
	}
	/* RFC 3501 2.3.2: \Recent can't be changed; unknown \flags are bad */
	*error_r = tmp_printf("Invalid system flag %s", atom);
	return -1;
}

int imap_parse_flags(const struct imap_arg *args, enum mail_flags *flags_r,
		     const char **error_r)
{
	const struct imap_arg *list;
	unsigned int count;
	const char *atom;

	*flags_r = 0;
	if (imap_arg_get_list(args, &list, &count)) {
		if (!IMAP_ARG_IS_EOL(&args[1])) {
			*error_r = "Invalid arguments.";
			return -1;
		}
		args = list;
	}
	for (; !IMAP_ARG_IS_EOL(args); args++) {
		if (!imap_arg_get_atom(args, &atom) ||
		    args->type == IMAP_ARG_NIL) {
			*error_r = "Flags list contains non-atoms.";
			return -1;
		}
		if (imap_parse_flag(atom, flags_r, error_r) < 0)
			return -1;
	}
	return 0;
}
