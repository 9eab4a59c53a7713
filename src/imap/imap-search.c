/* Copyright (c) dovecot-like authors. imap-search.c: building and running
   a search program for SEARCH and SORT, and their result lines. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"
#include "mail-search-build.h"
#include "imap-search.h"
#include "imap-search-update.h"

/* true if the tree has a MODSEQ key (depth bounded by the builder) */
static bool search_args_have_modseq(const struct mail_search_arg *arg)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_MODSEQ)
			return true;
		if ((arg->type == SEARCH_SUB || arg->type == SEARCH_OR) &&
		    search_args_have_modseq(arg->value.subargs))
			return true;
	}
	return false;
}

/* A MODSEQ key enables CONDSTORE; in a NOMODSEQ mailbox it is a BAD
   (RFC 7162 3.1.2). false after sending it. */
static bool search_modseq_allowed(struct client_command *cmd)
{
	client_enable_condstore(cmd->client);
	if (client_box_has_modseqs(cmd->client))
		return true;
	client_send_command_error(cmd, tmp_printf("%s MODSEQ can't be used "
				  "with non-permanent modseqs",
				  strcasecmp(cmd->name, "SEARCH") == 0 ?
				  "Search" : cmd->name));
	return false;
}

bool imap_search_run(struct client_command *cmd, const struct imap_arg *args,
		     const char *charset, ARRAY_TYPE(uint32) *seqs_r,
		     bool *with_modseq_r)
{
	return imap_search_run_opts(cmd, args, charset, 0, seqs_r,
				    with_modseq_r);
}

bool imap_search_run_opts(struct client_command *cmd,
			  const struct imap_arg *args, const char *charset,
			  enum imap_search_return opts,
			  ARRAY_TYPE(uint32) *seqs_r, bool *with_modseq_r)
{
	struct mail_search_arg *sargs;
	const char *error;

	switch (mail_search_build_saved(cmd->pool, args, charset,
					imap_search_saved_get(cmd->client),
					&sargs, &error)) {
	case MAIL_SEARCH_BUILD_OK:
		break;
	case MAIL_SEARCH_BUILD_BADCHARSET:
		client_send_tagline(cmd, "NO [BADCHARSET (UTF-8 US-ASCII)] "
				    "Unknown charset");
		return false;
	case MAIL_SEARCH_BUILD_BAD:
		client_send_command_error(cmd, error);
		return false;
	}
	if ((opts & IMAP_SEARCH_RETURN_UPDATE) != 0 &&
	    !imap_search_update_check_limit(cmd))
		return false;
	*with_modseq_r = search_args_have_modseq(sargs);
	if (*with_modseq_r && !search_modseq_allowed(cmd))
		return false;
	array_init(seqs_r, cmd->pool, 64);
	if (mail_search_run(cmd->client->box, sargs, false, seqs_r) < 0) {
		if ((opts & IMAP_SEARCH_RETURN_SAVE) != 0)
			imap_search_saved_reset(cmd->client);
		client_send_storage_error(cmd);
		return false;
	}
	/* RFC 5267 4.3 */
	if ((opts & IMAP_SEARCH_RETURN_UPDATE) != 0)
		(void)imap_search_update_add(cmd, args, charset, seqs_r);
	return true;
}

void imap_search_send_result(struct client_command *cmd, const char *name,
			     const ARRAY_TYPE(uint32) *nums,
			     bool with_modseq)
{
	struct client *client = cmd->client;
	struct str *line = t_str_new(128);
	const uint32_t *seqs;
	unsigned int i, count;
	uint64_t modseq, max_modseq = 0;

	str_printfa(line, "* %s", name);
	seqs = array_get(nums, &count);
	for (i = 0; i < count; i++) {
		str_printfa(line, " %u", cmd->uid ?
			    mailbox_seq_to_uid(client->box, seqs[i]) : seqs[i]);
		if (!with_modseq)
			continue;
		modseq = mail_get_modseq(client->box, seqs[i]);
		if (modseq > max_modseq)
			max_modseq = modseq;
	}
	if (with_modseq && count > 0) {
		str_printfa(line, " (MODSEQ %llu)",
			    (unsigned long long)max_modseq);
	}
	client_send_line(client, str_c(line));
}

void imap_search_finish(struct client_command *cmd, const char *ok_reply)
{
	/* RFC 3501 7.4.1: EXPUNGE may only follow the UID version */
	if (cmd->uid && imap_sync(cmd->client, true) < 0) {
		client_send_tagline(cmd, "NO [SERVERBUG] " IMAP_SERVERBUG_MSG);
		return;
	}
	client_send_tagline(cmd, ok_reply);
}
