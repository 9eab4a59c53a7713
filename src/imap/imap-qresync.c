/* Copyright (c) dovecot-like authors. QRESYNC (RFC 7162 3.2): parsing the
   SELECT parameter, using the client's seq-match-data to narrow what
   vanished, and sending VANISHED (EARLIER) and the changed messages'
   flags. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-qresync.h"
#include "imap-sync.h"

struct imap_qresync_select {
	struct client *client;
	uint64_t modseq;
	const struct seq_range_array *known_uids;	/* NULL = all */
	uint32_t next_seq;
};

/* A sequence set argument without "*" (RFC 7162: known-uids and the
   seq-match-data sets are explicit). */
static bool qresync_parse_set(const struct imap_arg *arg, struct pool *pool,
			      struct seq_range_array *dest)
{
	const char *str;

	dest->pool = pool;
	return imap_arg_get_atom(arg, &str) &&
		imap_seqset_parse(str, strlen(str), 0, dest, &str) == 0;
}

static uint64_t ranges_size(const struct seq_range_array *arr)
{
	const struct seq_range *r;
	unsigned int i, count;
	uint64_t n = 0;

	r = seq_range_array_get(arr, &count);
	for (i = 0; i < count; i++)
		n += (uint64_t)r[i].seq2 - r[i].seq1 + 1;
	return n;
}

/* seq-match-data: "(known-sequence-set known-uid-set)". */
static bool qresync_parse_match(const struct imap_arg *arg, struct pool *pool,
				struct imap_qresync_args *args,
				const char **error_r)
{
	const struct imap_arg *list;
	unsigned int count;

	if (!imap_arg_get_list(arg, &list, &count) || count == 0 ||
	    !qresync_parse_set(&list[0], pool, &args->match_seqs)) {
		*error_r = "Invalid QRESYNC known-sequence-set";
		return false;
	}
	if (count == 1 || !qresync_parse_set(&list[1], pool, &args->match_uids)) {
		*error_r = "Invalid QRESYNC known-uid-set";
		return false;
	}
	if (count > 2) {
		*error_r = "Too many parameters to QRESYNC known set";
		return false;
	}
	if (ranges_size(&args->match_seqs) != ranges_size(&args->match_uids)) {
		*error_r = "Invalid QRESYNC sets";
		return false;
	}
	return true;
}

bool imap_qresync_parse(const struct imap_arg *arg, struct pool *pool,
			struct imap_qresync_args *args_r, const char **error_r)
{
	const struct imap_arg *list;
	const char *str;
	unsigned int count, i = 2;

	memset(args_r, 0, sizeof(*args_r));
	if (!imap_arg_get_list(arg, &list, &count)) {
		*error_r = "QRESYNC parameters missing";
		return false;
	}
	*error_r = "Invalid QRESYNC parameters";
	if (count < 2 || count > 4 || !imap_arg_get_atom(&list[0], &str) ||
	    str_to_uint32(str, &args_r->uidvalidity) < 0 ||
	    !imap_arg_get_modseq(&list[1], &args_r->modseq))
		return false;
	if (i < count && list[i].type != IMAP_ARG_LIST) {
		if (!qresync_parse_set(&list[i], pool, &args_r->known_uids)) {
			*error_r = "Invalid QRESYNC known-uids";
			return false;
		}
		i++;
	}
	if (i < count) {
		if (!qresync_parse_match(&list[i], pool, args_r, error_r))
			return false;
		i++;
	}
	if (i < count) {
		*error_r = "Invalid QRESYNC parameters";
		return false;
	}
	return true;
}

/* The lowest UID that may have vanished by the client's seq-match-data
   (RFC 7162 3.2.5.2): where the message at a known seq still has the
   known UID, no message below that UID was expunged since (UIDs only
   grow, so the count below it is unchanged); 0 = no such pair. Walks each
   pair once, and none beyond the message count. */
static uint32_t qresync_match_min_uid(struct client *client,
				      const struct imap_qresync_args *args)
{
	const struct seq_range *rs, *ru;
	unsigned int ns, nu, i = 0, j = 0;
	uint32_t seq, uid, n, k, best = 0;
	uint32_t count = mailbox_get_messages_count(client->box);

	rs = seq_range_array_get(&args->match_seqs, &ns);
	ru = seq_range_array_get(&args->match_uids, &nu);
	seq = ns > 0 ? rs[0].seq1 : 0;
	uid = nu > 0 ? ru[0].seq1 : 0;
	while (i < ns && j < nu && seq <= count) {
		/* seq.. pairs with uid.. for n elements */
		n = rs[i].seq2 - seq < ru[j].seq2 - uid ?
			rs[i].seq2 - seq : ru[j].seq2 - uid;
		for (k = 0; k <= n && seq + k <= count; k++) {
			if (mailbox_seq_to_uid(client->box, seq + k) == uid + k)
				best = uid + k;
		}
		if (seq + n == rs[i].seq2) {
			if (++i < ns)
				seq = rs[i].seq1;
		} else {
			seq += n + 1;
		}
		if (uid + n == ru[j].seq2) {
			if (++j < nu)
				uid = ru[j].seq1;
		} else {
			uid += n + 1;
		}
	}
	return best == 0 || best == (uint32_t)-1 ? 0 : best + 1;
}

int imap_qresync_send_vanished(struct client *client, uint64_t modseq,
			       const struct seq_range_array *known_uids,
			       uint32_t min_uid)
{
	struct seq_range_array vanished = SEQ_RANGE_ARRAY_INIT;
	struct str *line;

	vanished.pool = tmp_pool;
	if (mailbox_get_vanished(client->box, modseq, known_uids, min_uid,
				 &vanished) < 0)
		return -1;
	if (seq_range_array_count(&vanished) == 0)
		return 0;
	line = t_str_new(128);
	str_append(line, "* VANISHED (EARLIER) ");
	imap_write_seq_ranges(line, &vanished);
	client_send_line(client, str_c(line));
	return 0;
}

int imap_qresync_select_begin(struct client_command *cmd,
			      const struct imap_qresync_args *args,
			      struct imap_qresync_select **ctx_r)
{
	struct client *client = cmd->client;
	const struct seq_range_array *known;
	struct imap_qresync_select *ctx;
	struct mailbox_status status;

	*ctx_r = NULL;
	mailbox_get_status(client->box, &status);
	if (status.uidvalidity != args->uidvalidity ||
	    status.highest_modseq == 0)
		return 0;
	known = array_is_created(&args->known_uids.ranges) ?
		&args->known_uids : NULL;
	if (imap_qresync_send_vanished(client, args->modseq, known,
				       qresync_match_min_uid(client, args)) < 0)
		return -1;
	ctx = pool_new(cmd->pool, struct imap_qresync_select, 1);
	ctx->client = client;
	ctx->modseq = args->modseq;
	ctx->known_uids = known;
	ctx->next_seq = 1;
	*ctx_r = ctx;
	return 0;
}

bool imap_qresync_select_more(struct imap_qresync_select *ctx)
{
	struct client *client = ctx->client;
	uint32_t seq, uid, count = mailbox_get_messages_count(client->box);

	for (seq = ctx->next_seq; seq <= count; seq++) {
		if (client_output_is_full(client)) {
			ctx->next_seq = seq;
			return false;
		}
		if (mail_get_modseq(client->box, seq) <= ctx->modseq)
			continue;
		uid = mailbox_seq_to_uid(client->box, seq);
		if (ctx->known_uids != NULL &&
		    !seq_range_array_exists(ctx->known_uids, uid))
			continue;
		imap_sync_send_flags_fetch(client, seq, true, true);
	}
	ctx->next_seq = seq;
	return true;
}
