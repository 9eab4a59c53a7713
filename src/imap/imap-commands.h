/* Copyright (c) dovecot-like authors. imap-commands.h: the post-login command
   table, and helpers the command files share. */
#ifndef IMAP_COMMANDS_H
#define IMAP_COMMANDS_H

#include "imap-client.h"

enum command_flags {
	COMMAND_FLAG_NONE = 0,
	COMMAND_FLAG_REQUIRES_SELECTED = 0x01,
	/* "UID <name>" is valid */
	COMMAND_FLAG_UID = 0x02,
	/* RFC 3501 7.4.1: no untagged EXPUNGE after the non-UID version */
	COMMAND_FLAG_NO_EXPUNGES = 0x04,
	/* the args stop at a top-level literal after the first arg
	   (IMAP_ARG_LITERAL_SIZE): the command reads its data (APPEND) */
	COMMAND_FLAG_LITERAL_SIZE = 0x08,
	/* the rest of the line is discarded unparsed (NOOP, as Dovecot:
	   any length or syntax is fine) */
	COMMAND_FLAG_IGNORE_ARGS = 0x10,
};

struct command {
	const char *name;
	command_func_t *func;
	enum command_flags flags;
};

/* Case-insensitive lookup; NULL if unknown. */
const struct command *command_find(const char *name);

/* Parse a sequence set argument (message numbers, or UIDs when cmd->uid)
   into sequence ranges of the selected mailbox. Returns 0, or -1 after
   sending the tagged BAD. UIDs that do not exist are left out silently. */
int imap_cmd_parse_seqset(struct client_command *cmd, const char *set,
			  struct seq_range_array *seqs_r);
/* The args as a NUL-free atom; NULL if not an atom/string. */
const char *imap_arg_as_string(const struct imap_arg *arg);

bool cmd_capability(struct client_command *cmd);
bool cmd_noop(struct client_command *cmd);
bool cmd_check(struct client_command *cmd);
bool cmd_logout(struct client_command *cmd);
bool cmd_select(struct client_command *cmd);
bool cmd_examine(struct client_command *cmd);
bool cmd_fetch(struct client_command *cmd);
bool cmd_store(struct client_command *cmd);
bool cmd_expunge(struct client_command *cmd);
bool cmd_close(struct client_command *cmd);
bool cmd_unselect(struct client_command *cmd);
bool cmd_id(struct client_command *cmd);
bool cmd_enable(struct client_command *cmd);
bool cmd_idle(struct client_command *cmd);
bool cmd_compress(struct client_command *cmd);
bool cmd_already_logged_in(struct client_command *cmd);
bool cmd_list(struct client_command *cmd);
bool cmd_lsub(struct client_command *cmd);
bool cmd_namespace(struct client_command *cmd);
bool cmd_create(struct client_command *cmd);
bool cmd_delete(struct client_command *cmd);
bool cmd_rename(struct client_command *cmd);
bool cmd_subscribe(struct client_command *cmd);
bool cmd_unsubscribe(struct client_command *cmd);
bool cmd_status(struct client_command *cmd);
bool cmd_append(struct client_command *cmd);
bool cmd_copy(struct client_command *cmd);
bool cmd_move(struct client_command *cmd);
bool cmd_search(struct client_command *cmd);
bool cmd_sort(struct client_command *cmd);
bool cmd_cancelupdate(struct client_command *cmd);
bool cmd_thread(struct client_command *cmd);

#endif
