/* Copyright (c) dovecot-like authors. SORT and UID SORT (RFC 5256 3, with
   RFC 5957's DISPLAYFROM/DISPLAYTO): "(criteria) charset search-keys";
   replies "* SORT" with the matches in the program's order, and with a
   MODSEQ key "(MODSEQ n)" as SEARCH does (RFC 7162 3.1.5). RETURN
   (options) first gives "* ESEARCH" in sort order (ESORT, RFC 5267 3). */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-search.h"
#include "mail-sort.h"

#include <strings.h>

/* The sort criteria list: false after sending the BAD (Dovecot's texts).
   A key repeated later in the program can't change the order (equal
   values under its first use mean equal values again), so repeats are
   dropped and the program never holds more than one key per type. */
static bool sort_parse_program(struct client_command *cmd,
			       const struct imap_arg *list,
			       struct mail_sort_key *keys,
			       unsigned int *count_r)
{
	const struct imap_arg *arg;
	enum mail_sort_type type;
	unsigned int i, count = 0, list_count;
	bool reverse = false;

	if (!imap_arg_get_list(list, &arg, &list_count)) {
		client_send_command_error(cmd, "Invalid sort argument");
		return false;
	}
	for (; !IMAP_ARG_IS_EOL(arg); arg++) {
		if (arg->type != IMAP_ARG_ATOM) {
			client_send_command_error(cmd,
				"Invalid sort list argument");
			return false;
		}
		if (strcasecmp(arg->u.str, "REVERSE") == 0) {
			reverse = true;
			continue;
		}
		if (!mail_sort_type_parse(arg->u.str, &type)) {
			client_send_command_error(cmd, tmp_printf(
				"Unknown sort argument: %s", arg->u.str));
			return false;
		}
		for (i = 0; i < count && keys[i].type != type; i++) ;
		if (i == count) {
			keys[count].type = type;
			keys[count++].reverse = reverse;
		}
		reverse = false;
	}
	if (reverse) {
		client_send_command_error(cmd, "Sort list ends with REVERSE");
		return false;
	}
	if (count == 0) {
		client_send_command_error(cmd, "Empty sort program");
		return false;
	}
	*count_r = count;
	return true;
}

bool cmd_sort(struct client_command *cmd)
{
	struct client *client = cmd->client;
	const struct imap_arg *args = cmd->args;
	struct mail_sort_key keys[MAIL_SORT_MAX_KEYS];
	ARRAY_TYPE(uint32) seqs;
	unsigned int count;
	struct imap_search_return ret;
	bool with_modseq;

	if (!imap_search_parse_return(cmd, &args, &ret))
		return true;
	if (!sort_parse_program(cmd, &args[0], keys, &count))
		return true;
	if (args[1].type != IMAP_ARG_ATOM && args[1].type != IMAP_ARG_STRING) {
		client_send_command_error(cmd, "Invalid charset argument");
		return true;
	}
	if (!imap_search_run_opts(cmd, args + 2, args[1].u.str, ret.flags,
				  &seqs, &with_modseq))
		return true;
	if (mail_sort(client->box, keys, count, &seqs) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	imap_search_reply(cmd, "SORT", &ret, &seqs, with_modseq);
	imap_search_finish(cmd, "OK Sort completed.");
	return true;
}
