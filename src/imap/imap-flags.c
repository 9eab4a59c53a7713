/* Copyright (c) dovecot-like authors. IMAP flags (RFC 3501 2.3.2): system
   flags and keywords in flag lists, and the selected mailbox's FLAGS and
   PERMANENTFLAGS. */
#include "imap-common.h"
#include "imap-client.h"
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

/* The flags without the parentheses. */
static void imap_write_flag_names(struct str *dest, enum mail_flags flags,
				  struct mailbox *box,
				  const struct mail_keywords *kw)
{
	const char *const *names;
	unsigned int i, count;
	bool first = true;

	for (i = 0; i < N_ELEMENTS(imap_system_flags); i++) {
		if ((flags & imap_system_flags[i].flag) == 0)
			continue;
		if (!first)
			str_append_c(dest, ' ');
		str_append(dest, imap_system_flags[i].name);
		first = false;
	}
	if (box == NULL || kw == NULL)
		return;
	names = mailbox_get_keywords(box, &count);
	for (i = 0; i < count; i++) {
		if (!mail_keywords_has(kw, i))
			continue;
		if (!first)
			str_append_c(dest, ' ');
		str_append(dest, names[i]);
		first = false;
	}
}

void imap_write_flags(struct str *dest, enum mail_flags flags,
		      const struct client *client, const struct mail_keywords *kw)
{
	/* RFC 9051 2.3.2: \Recent is gone from IMAP4rev2 */
	if (client->imap4rev2_enabled)
		flags &= ~MAIL_RECENT;
	str_append_c(dest, '(');
	imap_write_flag_names(dest, flags, client->box, kw);
	str_append_c(dest, ')');
}

/* One flag: a system flag into *flags, a keyword appended to keywords. */
static int imap_parse_flag(const char *atom, enum mail_flags *flags,
			   ARRAY_TYPE(string) *keywords, const char **error_r)
{
	if (atom[0] != '\\') {
		if (!mail_keyword_is_valid(atom, error_r))
			return -1;
		/* a name listed twice is kept twice: mailbox_keywords_create()
		   creates it once and sets one bit */
		array_append(keywords, &atom);
		return 0;
	}
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
		     const char *const **keywords_r, const char **error_r)
{
	const struct imap_arg *list;
	ARRAY_TYPE(string) keywords;
	unsigned int count;
	const char *atom, *end = NULL;

	*flags_r = 0;
	array_init(&keywords, tmp_pool, 8);
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
		if (imap_parse_flag(atom, flags_r, &keywords, error_r) < 0)
			return -1;
	}
	array_append(&keywords, &end);
	*keywords_r = array_idx(&keywords, 0);
	return 0;
}

void imap_send_mailbox_flags(struct client *client)
{
	struct mailbox *box = client->box;
	struct mail_keywords all;
	unsigned int i, count;
	struct str *line;

	memset(&all, 0, sizeof(all));
	(void)mailbox_get_keywords(box, &count);
	for (i = 0; i < count; i++)
		mail_keywords_set(&all, i, true);
	client->keywords_sent = count;

	line = t_str_new(256);
	str_append(line, "* FLAGS ");
	imap_write_flags(line, MAIL_FLAGS_MASK, client, &all);
	client_send_line(client, str_c(line));
	if (client->box_readonly) {
		client_send_line(client, "* OK [PERMANENTFLAGS ()] Read-only mailbox.");
		return;
	}
	str_truncate(line, 0);
	str_append(line, "* OK [PERMANENTFLAGS (");
	imap_write_flag_names(line, MAIL_FLAGS_MASK, box, &all);
	if (mailbox_can_create_keywords(box))
		str_append(line, " \\*");
	str_append(line, ")] Flags permitted.");
	client_send_line(client, str_c(line));
}

void imap_send_mailbox_flags_if_changed(struct client *client)
{
	unsigned int count;

	if (client->box == NULL)
		return;
	(void)mailbox_get_keywords(client->box, &count);
	if (count != client->keywords_sent)
		imap_send_mailbox_flags(client);
}
