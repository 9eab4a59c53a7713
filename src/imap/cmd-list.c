/* Copyright (c) dovecot-like authors. LIST and LSUB (RFC 3501 6.3.8-9): the
   user's mailboxes matching a reference + pattern, with the hierarchy
   separator and child attributes. Storage names ('/') are shown with the
   client's separator (imap-mailbox-name.h). */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-match.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "str.h"

/* A name to show: a mailbox, or a parent that only exists because of its
   children (Maildir++ ".a.b" without ".a", an mbox directory). */
struct list_entry {
	const char *name;	/* storage name */
	bool noselect;
};
typedef ARRAY(struct list_entry) ARRAY_TYPE(list_entry);

/* strcmp order with INBOX first, as the drivers list it */
static int list_entry_cmp(const void *p1, const void *p2)
{
	const struct list_entry *e1 = p1, *e2 = p2;
	bool inbox1 = strcmp(e1->name, "INBOX") == 0;
	bool inbox2 = strcmp(e2->name, "INBOX") == 0;

	if (inbox1 != inbox2)
		return inbox1 ? -1 : 1;
	return strcmp(e1->name, e2->name);
}

static void list_entry_add(ARRAY_TYPE(list_entry) *entries, const char *name,
			   bool noselect)
{
	struct list_entry *e = array_append_space(entries);

	e->name = name;
	e->noselect = noselect;
}

/* names plus their missing parents, sorted, each once (a real mailbox wins
   over a parent of the same name). */
static void list_entries_build(struct pool *pool,
			       const ARRAY_TYPE(string) *names,
			       ARRAY_TYPE(list_entry) *entries_r)
{
	const char *const *np, *p;
	struct list_entry *e;
	unsigned int i, count, dest = 0;

	array_init(entries_r, pool, array_count(names) + 8);
	array_foreach(names, np) {
		list_entry_add(entries_r, *np, false);
		for (p = strchr(*np, '/'); p != NULL; p = strchr(p + 1, '/')) {
			list_entry_add(entries_r, p_strndup(pool, *np,
				(size_t)(p - *np)), true);
		}
	}
	array_sort(entries_r, list_entry_cmp);
	e = array_get_modifiable(entries_r, &count);
	for (i = 0; i < count; i++) {
		if (dest > 0 && strcmp(e[dest - 1].name, e[i].name) == 0) {
			e[dest - 1].noselect = e[dest - 1].noselect &&
				e[i].noselect;
			continue;
		}
		e[dest++] = e[i];
	}
	if (dest < count)
		array_delete(entries_r, dest, count - dest);
}

static bool has_children(const ARRAY_TYPE(list_entry) *entries,
			 const char *name)
{
	const struct list_entry *e;
	size_t len = strlen(name);

	array_foreach(entries, e) {
		if (strncmp(e->name, name, len) == 0 && e->name[len] == '/')
			return true;
	}
	return false;
}

static void list_send(struct client_command *cmd,
		      const ARRAY_TYPE(string) *names, const char *pattern)
{
	ARRAY_TYPE(list_entry) entries;
	const struct list_entry *e;
	const char *name;
	struct str *line;

	list_entries_build(cmd->pool, names, &entries);
	array_foreach(&entries, e) {
		name = imap_mailbox_name_from_storage(e->name);
		if (!imap_match(pattern, name, IMAP_MAILBOX_SEPARATOR))
			continue;
		line = t_str_new(128);
		str_printfa(line, "* LIST (%s%s) \"%c\" ",
			    e->noselect ? "\\Noselect " : "",
			    has_children(&entries, e->name) ? "\\HasChildren" :
			    "\\HasNoChildren", IMAP_MAILBOX_SEPARATOR);
		imap_append_astring(line, name);
		client_send_line(cmd->client, str_c(line));
	}
}

static bool name_in(const ARRAY_TYPE(string) *names, const char *name)
{
	const char *const *np;

	array_foreach(names, np) {
		if (strcmp(*np, name) == 0)
			return true;
	}
	return false;
}

static void lsub_send_line(struct client_command *cmd, const char *name,
			   bool noselect)
{
	struct str *line = t_str_new(128);

	str_printfa(line, "* LSUB (%s) \"%c\" ", noselect ? "\\Noselect" : "",
		    IMAP_MAILBOX_SEPARATOR);
	imap_append_astring(line, name);
	client_send_line(cmd->client, str_c(line));
}

/* RFC 3501 6.3.9: a subscription the pattern doesn't match ("a.b" for
   "%") still shows its unsubscribed parent that it matches, \Noselect. */
static void lsub_send_parents(struct client_command *cmd,
			      const ARRAY_TYPE(string) *subs,
			      ARRAY_TYPE(string) *sent, const char *storage_name,
			      const char *pattern)
{
	const char *p, *parent, *name;

	for (p = strchr(storage_name, '/'); p != NULL; p = strchr(p + 1, '/')) {
		parent = p_strndup(cmd->pool, storage_name,
				   (size_t)(p - storage_name));
		name = imap_mailbox_name_from_storage(parent);
		if (!imap_match(pattern, name, IMAP_MAILBOX_SEPARATOR) ||
		    name_in(subs, parent) || name_in(sent, parent))
			continue;
		array_append(sent, &parent);
		lsub_send_line(cmd, name, true);
	}
}

static void lsub_send(struct client_command *cmd,
		      const ARRAY_TYPE(string) *subs, const char *pattern)
{
	ARRAY_TYPE(string) sent;
	const char *const *np, *name;

	array_init(&sent, cmd->pool, 4);
	array_foreach(subs, np) {
		name = imap_mailbox_name_from_storage(*np);
		if (imap_match(pattern, name, IMAP_MAILBOX_SEPARATOR))
			lsub_send_line(cmd, name, false);
		else
			lsub_send_parents(cmd, subs, &sent, *np, pattern);
	}
}

static bool cmd_list_full(struct client_command *cmd, bool lsub)
{
	const char *ref, *pattern, *error;
	ARRAY_TYPE(string) names;
	int ret;

	ref = imap_arg_as_string(&cmd->args[0]);
	pattern = imap_arg_as_string(&cmd->args[1]);
	if (ref == NULL || pattern == NULL || !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		/* (LIST-EXTENDED selection and return options are not offered) */
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (*pattern == '\0' && !lsub) {
		/* RFC 3501 6.3.8: the hierarchy delimiter and root name */
		client_send_line(cmd->client, tmp_printf(
			"* LIST (\\Noselect) \"%c\" \"\"", IMAP_MAILBOX_SEPARATOR));
		client_send_tagline(cmd, "OK List completed.");
		return true;
	}
	if (strlen(ref) + strlen(pattern) > IMAP_MATCH_MAX_LEN) {
		client_send_command_error(cmd, "Pattern too long.");
		return true;
	}
	pattern = tmp_strconcat(ref, pattern, NULL);
	ret = lsub ? mail_user_list_subscriptions(cmd->client->user, cmd->pool,
						  &names, &error) :
		mail_user_list_mailboxes(cmd->client->user, cmd->pool, &names, &error);
	if (ret < 0) {
		log_error("Listing mailboxes failed: %s", error);
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return true;
	}
	if (lsub)
		lsub_send(cmd, &names, pattern);
	else
		list_send(cmd, &names, pattern);
	client_send_tagline(cmd, lsub ? "OK Lsub completed." : "OK List completed.");
	return true;
}

bool cmd_list(struct client_command *cmd)
{
	return cmd_list_full(cmd, false);
}

bool cmd_lsub(struct client_command *cmd)
{
	return cmd_list_full(cmd, true);
}
