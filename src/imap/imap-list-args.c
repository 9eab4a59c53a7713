/* Copyright (c) dovecot-like authors. LIST's argument parser: selection
   options, one pattern or a parenthesized list, RETURN options (with
   STATUS items). The BAD texts are Dovecot 2.3's. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-list-args.h"
#include "imap-match.h"

#include <strings.h>

/* An option name and its flag (an imap_list_select or imap_list_return
   bit). */
struct list_option {
	const char *name;
	unsigned int flag;
};

static const struct list_option select_names[] = {
	{ "SUBSCRIBED", IMAP_LIST_SELECT_SUBSCRIBED },
	{ "REMOTE", IMAP_LIST_SELECT_REMOTE },
	{ "RECURSIVEMATCH", IMAP_LIST_SELECT_RECURSIVEMATCH },
	{ "SPECIAL-USE", IMAP_LIST_SELECT_SPECIAL_USE },
};

static const struct list_option return_names[] = {
	{ "SUBSCRIBED", IMAP_LIST_RETURN_SUBSCRIBED },
	{ "CHILDREN", IMAP_LIST_RETURN_CHILDREN },
	{ "SPECIAL-USE", IMAP_LIST_RETURN_SPECIAL_USE },
};

/* The flag of the option called name (any case) in opts, 0 if none. */
static unsigned int list_option_flag(const struct list_option *opts,
				     unsigned int count, const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcasecmp(name, opts[i].name) == 0)
			return opts[i].flag;
	}
	return 0;
}

static bool list_select_parse(struct client_command *cmd,
			      const struct imap_arg *list, unsigned int count,
			      struct imap_list_args *args)
{
	const char *str;
	unsigned int i, flag;

	for (i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&list[i], &str)) {
			client_send_command_error(cmd,
				"List options contains non-atoms.");
			return false;
		}
		flag = list_option_flag(select_names,
					N_ELEMENTS(select_names), str);
		if (flag == 0) {
			client_send_command_error(cmd, "Unknown select options.");
			return false;
		}
		args->select |= (enum imap_list_select)flag;
	}
	if ((args->select & IMAP_LIST_SELECT_RECURSIVEMATCH) != 0 &&
	    (args->select & (IMAP_LIST_SELECT_SUBSCRIBED |
			     IMAP_LIST_SELECT_SPECIAL_USE)) == 0) {
		client_send_command_error(cmd,
			"RECURSIVEMATCH must not be the only selection.");
		return false;
	}
	return true;
}

/* STATUS (items) at list[*i]; *i is left on the item list. */
static bool list_return_status_parse(struct client_command *cmd,
				     const struct imap_arg *list,
				     unsigned int count, unsigned int *i,
				     struct imap_list_args *args)
{
	const struct imap_arg *items;
	unsigned int items_count;

	if (*i + 1 >= count ||
	    !imap_arg_get_list(&list[*i + 1], &items, &items_count)) {
		client_send_command_error(cmd, "Unknown return options.");
		return false;
	}
	*i += 1;
	/* a later STATUS replaces an earlier one, as in Dovecot */
	if (!imap_status_parse_items(cmd, items, items_count,
				     &args->status_items))
		return false;
	args->ret |= IMAP_LIST_RETURN_STATUS;
	return true;
}

static bool list_return_parse(struct client_command *cmd,
			      const struct imap_arg *list, unsigned int count,
			      struct imap_list_args *args)
{
	const char *str;
	unsigned int i, flag;

	for (i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&list[i], &str)) {
			client_send_command_error(cmd,
				"List options contains non-atoms.");
			return false;
		}
		if (strcasecmp(str, "STATUS") == 0) {
			if (!list_return_status_parse(cmd, list, count, &i,
						      args))
				return false;
			continue;
		}
		flag = list_option_flag(return_names,
					N_ELEMENTS(return_names), str);
		if (flag == 0) {
			client_send_command_error(cmd, "Unknown return options.");
			return false;
		}
		args->ret |= (enum imap_list_return)flag;
	}
	return true;
}

/* One pattern, or a list of them (astrings). *arg moves past it. */
static bool list_patterns_parse(struct client_command *cmd,
				const struct imap_arg **arg, bool lsub,
				struct imap_list_args *args)
{
	const struct imap_arg *list;
	const char *pattern;
	unsigned int i, count;

	array_init(&args->patterns, cmd->pool, 4);
	if (!lsub && imap_arg_get_list(*arg, &list, &count)) {
		for (i = 0; i < count; i++) {
			pattern = imap_arg_as_string(&list[i]);
			if (pattern == NULL) {
				client_send_command_error(cmd,
					"Invalid pattern list.");
				return false;
			}
			array_append(&args->patterns, &pattern);
		}
		args->extended = true;
	} else {
		pattern = imap_arg_as_string(*arg);
		if (pattern == NULL) {
			client_send_command_error(cmd, "Invalid pattern.");
			return false;
		}
		array_append(&args->patterns, &pattern);
	}
	*arg += 1;
	return true;
}

bool imap_list_args_parse(struct client_command *cmd, bool lsub,
			  struct imap_list_args *args_r)
{
	const struct imap_arg *arg = cmd->args, *list;
	const char *str;
	unsigned int count;

	memset(args_r, 0, sizeof(*args_r));
	if (!lsub && imap_arg_get_list(arg, &list, &count)) {
		if (!list_select_parse(cmd, list, count, args_r))
			return false;
		args_r->extended = true;
		arg++;
	}
	args_r->ref = imap_arg_as_string(arg);
	if (args_r->ref == NULL) {
		client_send_command_error(cmd, "Invalid reference.");
		return false;
	}
	arg++;
	if (!list_patterns_parse(cmd, &arg, lsub, args_r))
		return false;
	if (!lsub && imap_arg_get_atom(arg, &str) &&
	    strcasecmp(str, "RETURN") == 0 &&
	    imap_arg_get_list(&arg[1], &list, &count)) {
		if (!list_return_parse(cmd, list, count, args_r))
			return false;
		args_r->extended = true;
		arg += 2;
	}
	if (!IMAP_ARG_IS_EOL(arg)) {
		client_send_command_error(cmd, "Extra arguments.");
		return false;
	}
	return true;
}

bool imap_list_args_full_patterns(struct client_command *cmd,
				  const struct imap_list_args *args,
				  ARRAY_TYPE(string) *patterns_r)
{
	const char *const *pp, *full;

	array_init(patterns_r, cmd->pool, array_count(&args->patterns));
	array_foreach(&args->patterns, pp) {
		/* imap_match() matches nothing longer: refuse it up front */
		if (strlen(args->ref) + strlen(*pp) > IMAP_MATCH_MAX_LEN) {
			client_send_command_error(cmd, "Pattern too long.");
			return false;
		}
		full = p_strconcat(cmd->pool, args->ref, *pp, NULL);
		array_append(patterns_r, &full);
	}
	return true;
}
