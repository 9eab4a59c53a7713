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

/* The program's pool: cmd's, or for RETURN (UPDATE) the update's own
   (the program outlives the command). */
static struct pool *search_program_pool(struct client_command *cmd,
					enum imap_search_return_flags opts)
{
	if ((opts & IMAP_SEARCH_RETURN_UPDATE) == 0)
		return cmd->pool;
	return pool_create("imap search update", 1024, POOL_FLAG_NONE);
}

/* imap_search_run_opts() with the program built in pool: *sargs_r */
static bool search_build_run(struct client_command *cmd, struct pool *pool,
			     const struct imap_arg *args, const char *charset,
			     enum imap_search_return_flags opts,
			     struct mail_search_arg **sargs_r,
			     ARRAY_TYPE(uint32) *seqs_r, bool *with_modseq_r)
{
	struct mail_search_arg *sargs;
	const char *error;

	if (charset != NULL && cmd->client->utf8_accept_enabled &&
	    strcasecmp(charset, "UTF-8") != 0) {
		/* RFC 6855 3 (erratum 4029): only UTF-8 after ENABLE (SEARCH
		   refuses any CHARSET before getting here) */
		client_send_command_error(cmd, "CHARSET must be UTF-8 "
			"after ENABLE UTF8=ACCEPT");
		return false;
	}
	switch (mail_search_build_saved(pool, args, charset,
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
	*sargs_r = sargs;
	return true;
}

bool imap_search_run_opts(struct client_command *cmd,
			  const struct imap_arg *args, const char *charset,
			  enum imap_search_return_flags opts,
			  ARRAY_TYPE(uint32) *seqs_r, bool *with_modseq_r)
{
	struct pool *pool = search_program_pool(cmd, opts);
	struct mail_search_arg *sargs;
	bool ret;

	ret = search_build_run(cmd, pool, args, charset, opts, &sargs,
			       seqs_r, with_modseq_r);
	/* RFC 5267 4.3: the program is kept, with its own pool */
	if (ret && (opts & IMAP_SEARCH_RETURN_UPDATE) != 0)
		imap_search_update_add(cmd, &pool, sargs, seqs_r);
	if (pool != cmd->pool && pool != NULL)
		pool_unref(&pool);
	return ret;
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
