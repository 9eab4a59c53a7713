/* Copyright (c) dovecot-like authors. THREAD and UID THREAD (RFC 5256 4):
   "algorithm charset search-keys"; replies "* THREAD" with each thread
   as a parenthesized list: a message followed by its only child in the
   same list, several children each in their own parentheses, a dummy
   parent only as the parentheses around its children. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-search.h"
#include "mail-thread.h"


/* A thread's content from node on (node's number, then its children). */
static void thread_write_list(struct client_command *cmd, struct str *dest,
			      const struct mail_thread_node *node)
{
	const struct mail_thread_node *child;

	for (;;) {
		if (node->seq != 0) {
			str_printfa(dest, "%u", cmd->uid ?
				    mailbox_seq_to_uid(cmd->client->box,
						       node->seq) : node->seq);
		}
		child = node->first_child;
		if (child == NULL)
			return;
		if (node->seq != 0)
			str_append_c(dest, ' ');
		if (child->next != NULL)
			break;
		/* an only child continues the same list (no recursion for
		   long reply chains) */
		node = child;
	}
	for (; child != NULL; child = child->next) {
		str_append_c(dest, '(');
		thread_write_list(cmd, dest, child);
		str_append_c(dest, ')');
	}
}

static void thread_send(struct client_command *cmd,
			const struct mail_thread_node *roots)
{
	struct str *line = str_new(cmd->pool, 256);

	str_append(line, "* THREAD");
	if (roots != NULL)
		str_append_c(line, ' ');
	for (; roots != NULL; roots = roots->next) {
		str_append_c(line, '(');
		thread_write_list(cmd, line, roots);
		str_append_c(line, ')');
	}
	client_send_line(cmd->client, str_c(line));
}

bool cmd_thread(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *args = cmd->args;
	enum mail_thread_type type;
	struct mail_thread_node *roots;
	ARRAY_TYPE(uint32) seqs;
	bool with_modseq;

	/* Dovecot's texts */
	if (args[0].type != IMAP_ARG_ATOM ||
	    (args[1].type != IMAP_ARG_ATOM &&
	     args[1].type != IMAP_ARG_STRING)) {
		client_send_command_error(cmd, "Invalid arguments");
		return true;
	}
	if (!mail_thread_type_parse(args[0].u.str, &type)) {
		client_send_command_error(cmd, "Unknown thread algorithm");
		return true;
	}
	if (!imap_search_run(cmd, args + 2, args[1].u.str, &seqs,
			     &with_modseq))
		return true;
	if (mail_thread(client->box, type, &seqs, cmd->pool, &roots) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	thread_send(cmd, roots);
	imap_search_finish(cmd, "OK Thread completed.");
	return true;
}
