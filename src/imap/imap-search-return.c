/* Copyright (c) dovecot-like authors. imap-search-return.c: the RETURN
   options of SEARCH and SORT (ESEARCH, RFC 4731; ESORT, RFC 5267 3): the
   "* ESEARCH" reply and SAVE, the result kept for "$" (SEARCHRES, RFC
   5182). Texts and order as Dovecot 2.3 has them. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-quote.h"
#include "imap-search.h"
#include "imap-search-partial.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum imap_search_return_flags opt;
} search_return_names[] = {
	{ "MIN", IMAP_SEARCH_RETURN_MIN },
	{ "MAX", IMAP_SEARCH_RETURN_MAX },
	{ "ALL", IMAP_SEARCH_RETURN_ALL },
	{ "COUNT", IMAP_SEARCH_RETURN_COUNT },
	{ "SAVE", IMAP_SEARCH_RETURN_SAVE },
	{ "UPDATE", IMAP_SEARCH_RETURN_UPDATE },
	{ "CONTEXT", IMAP_SEARCH_RETURN_CONTEXT },
};

/* "PARTIAL low:high" at *listp (RFC 5267 4.4), advancing past the range:
   false after sending the BAD (Dovecot's texts). */
static bool search_return_parse_partial(struct client_command *cmd,
					const struct imap_arg **listp,
					struct imap_search_return *ret)
{
	const struct imap_arg *range = *listp + 1;

	if ((ret->flags & IMAP_SEARCH_RETURN_PARTIAL) != 0) {
		client_send_command_error(cmd, "PARTIAL can be used only once");
		return false;
	}
	if (range->type != IMAP_ARG_ATOM) {
		client_send_command_error(cmd, "PARTIAL range missing");
		return false;
	}
	if (!imap_search_partial_parse(range->u.str, range->str_len,
				       &ret->partial_low, &ret->partial_high)) {
		client_send_command_error(cmd, "PARTIAL range broken");
		return false;
	}
	ret->flags |= IMAP_SEARCH_RETURN_PARTIAL;
	*listp = range;
	return true;
}

/* One option atom: false if unknown. */
static bool search_return_lookup(const char *name,
				 enum imap_search_return_flags *opt_r)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(search_return_names); i++) {
		if (strcasecmp(name, search_return_names[i].name) == 0) {
			*opt_r = search_return_names[i].opt;
			return true;
		}
	}
	return false;
}

bool imap_search_parse_return(struct client_command *cmd,
			      const struct imap_arg **argsp,
			      struct imap_search_return *ret_r)
{
	const struct imap_arg *args = *argsp, *list;
	enum imap_search_return_flags opt;
	unsigned int count;

	memset(ret_r, 0, sizeof(*ret_r));
	/* not followed by a list, "RETURN" is left for the search keys */
	if (args[0].type != IMAP_ARG_ATOM ||
	    strcasecmp(args[0].u.str, "RETURN") != 0 ||
	    !imap_arg_get_list(&args[1], &list, &count))
		return true;
	ret_r->flags = IMAP_SEARCH_RETURN_ESEARCH;
	for (; !IMAP_ARG_IS_EOL(list); list++) {
		if (list->type != IMAP_ARG_ATOM) {
			client_send_command_error(cmd,
				"SEARCH return options contain non-atoms");
			return false;
		}
		if (strcasecmp(list->u.str, "PARTIAL") == 0) {
			if (!search_return_parse_partial(cmd, &list, ret_r))
				return false;
			continue;
		}
		if (!search_return_lookup(list->u.str, &opt)) {
			client_send_command_error(cmd,
				"Unknown SEARCH return option");
			return false;
		}
		ret_r->flags |= opt;
	}
	if ((ret_r->flags & IMAP_SEARCH_RETURN_PARTIAL) != 0 &&
	    (ret_r->flags & IMAP_SEARCH_RETURN_ALL) != 0) {
		client_send_command_error(cmd, "PARTIAL conflicts with ALL");
		return false;
	}
	/* RFC 4731 3.1: RETURN () means RETURN (ALL); CONTEXT is only a
	   hint, UPDATE alone returns nothing now (as Dovecot) */
	if ((ret_r->flags & ~IMAP_SEARCH_RETURN_CONTEXT) ==
	    IMAP_SEARCH_RETURN_ESEARCH)
		ret_r->flags |= IMAP_SEARCH_RETURN_ALL;
	*argsp = args + 2;
	return true;
}

/* MIN and/or MAX without ALL or COUNT: only those messages count (RFC
   5182 2.4 for SAVE, RFC 7162 3.1.5 for the MODSEQ). */
static bool search_return_minmax_only(enum imap_search_return_flags opts)
{
	return (opts & (IMAP_SEARCH_RETURN_ALL | IMAP_SEARCH_RETURN_COUNT)) == 0 &&
		(opts & (IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX)) != 0;
}

/* RFC 5182 2.4: with MIN and/or MAX but neither ALL nor COUNT only those
   messages are saved, else every match; PARTIAL without ALL or COUNT adds
   its slice (RFC 9394 3.1, as Dovecot). Kept as an ascending UID set. */
static void search_save(struct client_command *cmd,
			const struct imap_search_return *ret,
			const uint32_t *seqs, unsigned int count)
{
	enum imap_search_return_flags opts = ret->flags;
	struct client *client = cmd->client;
	ARRAY_TYPE(uint32) uids;
	const uint32_t *sorted;
	unsigned int i, n, first = 0, slice = 0;
	uint32_t uid;

	/* RFC 9394 3.1 (and Dovecot): without ALL or COUNT, PARTIAL saves
	   its slice (with MIN/MAX's messages) */
	if ((opts & IMAP_SEARCH_RETURN_PARTIAL) != 0 &&
	    (opts & (IMAP_SEARCH_RETURN_ALL | IMAP_SEARCH_RETURN_COUNT)) == 0) {
		imap_search_partial_slice(ret->partial_low, ret->partial_high,
					  count, &first, &slice);
	}
	array_init(&uids, cmd->pool, count + 1);
	for (i = 0; i < count; i++) {
		if ((search_return_minmax_only(opts) ||
		     (opts & (IMAP_SEARCH_RETURN_PARTIAL |
			      IMAP_SEARCH_RETURN_ALL |
			      IMAP_SEARCH_RETURN_COUNT)) ==
		     IMAP_SEARCH_RETURN_PARTIAL) &&
		    !(i >= first && i - first < slice) &&
		    !((opts & IMAP_SEARCH_RETURN_MIN) != 0 && i == 0) &&
		    !((opts & IMAP_SEARCH_RETURN_MAX) != 0 && i == count - 1))
			continue;
		uid = mailbox_seq_to_uid(client->box, seqs[i]);
		array_append(&uids, &uid);
	}
	/* SORT's result is in sort order */
	array_sort(&uids, uint32_cmp);
	sorted = array_get(&uids, &n);
	imap_search_saved_reset(client);
	if (client->search_saved == NULL)
		client->search_saved = str_new(client->pool, 64);
	imap_write_uid_list(client->search_saved, sorted, n);
}

void imap_search_saved_reset(struct client *client)
{
	if (client->search_saved != NULL)
		str_reset(client->search_saved);
}

const char *imap_search_saved_get(struct client *client)
{
	return client->search_saved == NULL ? "" : str_c(client->search_saved);
}

/* The highest modseq of the messages returned: those of MIN/MAX without
   ALL or COUNT, else all (RFC 7162 3.1.5 for ESEARCH; SAVE alone: all). */
static uint64_t search_max_modseq(struct client_command *cmd,
				  enum imap_search_return_flags opts,
				  const uint32_t *seqs, unsigned int count)
{
	struct mailbox *box = cmd->client->box;
	uint64_t modseq, max = 0;
	unsigned int i;

	if (search_return_minmax_only(opts)) {
		if ((opts & IMAP_SEARCH_RETURN_MIN) != 0)
			max = mail_get_modseq(box, seqs[0]);
		if ((opts & IMAP_SEARCH_RETURN_MAX) != 0 &&
		    (modseq = mail_get_modseq(box, seqs[count - 1])) > max)
			max = modseq;
		return max;
	}
	for (i = 0; i < count; i++) {
		if ((modseq = mail_get_modseq(box, seqs[i])) > max)
			max = modseq;
	}
	return max;
}

/* " PARTIAL (low:high set)" (RFC 5267 4.4), "NIL" for an empty slice;
   nums in the reply's order. */
static void search_append_partial(struct str *line,
				  const struct imap_search_return *ret,
				  const uint32_t *nums, unsigned int count)
{
	unsigned int first, n;

	imap_search_partial_slice(ret->partial_low, ret->partial_high, count,
				  &first, &n);
	str_printfa(line, " PARTIAL (%u:%u ", ret->partial_low,
		    ret->partial_high);
	if (n == 0)
		str_append(line, "NIL");
	else
		imap_write_uid_list(line, nums + first, n);
	str_append_c(line, ')');
}

/* "* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n]
   [MODSEQ n]": Dovecot's order; MIN/MAX/ALL left out when nothing
   matched. For SORT, MIN and MAX are the first and last in sort order and
   ALL keeps that order, joining only ascending runs ("1,7,2,8,3:6"). */
static void search_send_esearch(struct client_command *cmd,
				const struct imap_search_return *ret,
				const uint32_t *seqs, unsigned int count,
				bool with_modseq)
{
	enum imap_search_return_flags opts = ret->flags;
	struct client *client = cmd->client;
	struct str *line = t_str_new(128);
	uint32_t *nums;
	unsigned int i;

	str_append(line, "* ESEARCH (TAG ");
	imap_append_string(line, cmd->tag);	/* a tag: always quoted */
	str_append_c(line, ')');
	if (cmd->uid)
		str_append(line, " UID");
	nums = t_new(uint32_t, count + 1);
	for (i = 0; i < count; i++) {
		nums[i] = cmd->uid ?
			mailbox_seq_to_uid(client->box, seqs[i]) : seqs[i];
	}
	if (count > 0 && (opts & IMAP_SEARCH_RETURN_MIN) != 0)
		str_printfa(line, " MIN %u", nums[0]);
	if (count > 0 && (opts & IMAP_SEARCH_RETURN_MAX) != 0)
		str_printfa(line, " MAX %u", nums[count - 1]);
	if (count > 0 && (opts & IMAP_SEARCH_RETURN_ALL) != 0) {
		str_append(line, " ALL ");
		imap_write_uid_list(line, nums, count);
	}
	if ((opts & IMAP_SEARCH_RETURN_PARTIAL) != 0)
		search_append_partial(line, ret, nums, count);
	if ((opts & IMAP_SEARCH_RETURN_COUNT) != 0)
		str_printfa(line, " COUNT %u", count);
	if (with_modseq && count > 0) {
		str_printfa(line, " MODSEQ %llu", (unsigned long long)
			    search_max_modseq(cmd, opts, seqs, count));
	}
	client_send_line(client, str_c(line));
}

void imap_search_reply(struct client_command *cmd, const char *name,
		       const struct imap_search_return *ret,
		       const ARRAY_TYPE(uint32) *seqs, bool with_modseq)
{
	enum imap_search_return_flags opts = ret->flags;
	const uint32_t *nums;
	unsigned int count;

	if ((opts & IMAP_SEARCH_RETURN_ESEARCH) == 0) {
		imap_search_send_result(cmd, name, seqs, with_modseq);
		return;
	}
	nums = array_get(seqs, &count);
	if ((opts & IMAP_SEARCH_RETURN_SAVE) != 0)
		search_save(cmd, ret, nums, count);
	/* RETURN (SAVE) alone: no untagged reply (RFC 5182 2.1), but with a
	   MODSEQ key one for the modseq, even when nothing matched (as
	   Dovecot) */
	if ((opts & ~(IMAP_SEARCH_RETURN_ESEARCH | IMAP_SEARCH_RETURN_SAVE |
		      IMAP_SEARCH_RETURN_CONTEXT)) != 0 || with_modseq)
		search_send_esearch(cmd, ret, nums, count, with_modseq);
}
