/* Copyright (c) dovecot-like authors. imap-search-update.c: the searches
   of RETURN (UPDATE) (RFC 5267 4.3), each with its program and the UIDs
   the client was told match, turned into ADDTO/REMOVEFROM at sync
   points. */
#include "imap-common.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-quote.h"
#include "imap-search.h"
#include "imap-search-update.h"
#include "mail-search-build.h"

#include <string.h>

struct imap_search_update {
	struct imap_search_update *next;
	struct pool *pool;
	const char *tag;
	bool uid;			/* UID SEARCH/SORT: answers in UIDs */
	struct mail_search_arg *sargs;
	ARRAY_TYPE(uint32) uids;	/* ascending, system_pool */
	/* the mailbox's highest modseq when uids was last brought up to
	   date (0: NOMODSEQ) */
	uint64_t modseq;
};

/* A sequence-set key as the UIDs it means now, so that later expunges
   don't move it onto other messages (as Dovecot keeps it). Nothing
   matching: NOT ALL. The messages are the view's, so this is bounded. */
static void search_update_seqset_to_uids(struct pool *pool,
					 struct mailbox *box,
					 struct mail_search_arg *arg)
{
	struct seq_range_array ranges = SEQ_RANGE_ARRAY_INIT;
	const struct seq_range *range;
	uint32_t seq, count = mailbox_get_messages_count(box);
	unsigned int i, n;
	ARRAY_TYPE(uint32) uids;
	struct str *str;
	const char *error;
	uint32_t uid;

	array_init(&uids, tmp_pool, 16);
	if (imap_seqset_parse(arg->seqset_str, strlen(arg->seqset_str),
			      count, &ranges, &error) == 0) {
		range = seq_range_array_get(&ranges, &n);
		for (i = 0; i < n; i++) {
			for (seq = range[i].seq1;
			     seq <= range[i].seq2 && seq <= count; seq++) {
				uid = mailbox_seq_to_uid(box, seq);
				array_append(&uids, &uid);
			}
		}
	}
	seq_range_array_free(&ranges);
	if (array_count(&uids) == 0) {
		arg->type = SEARCH_ALL;
		arg->negate = !arg->negate;
		return;
	}
	arg->type = SEARCH_UIDSET;
	/* runs as a:b, so "1:*" stays short */
	str = t_str_new(64);
	imap_write_uid_list(str, array_idx(&uids, 0), array_count(&uids));
	arg->seqset_str = p_strdup(pool, str_c(str));
}

static void search_update_fix_seqsets(struct pool *pool, struct mailbox *box,
				      struct mail_search_arg *arg)
{
	for (; arg != NULL; arg = arg->next) {
		if (arg->type == SEARCH_SUB || arg->type == SEARCH_OR)
			search_update_fix_seqsets(pool, box, arg->value.subargs);
		else if (arg->type == SEARCH_SEQSET)
			search_update_seqset_to_uids(pool, box, arg);
	}
}

static unsigned int search_updates_count(struct client *client)
{
	struct imap_search_update *upd;
	unsigned int n = 0;

	for (upd = client->search_updates; upd != NULL; upd = upd->next)
		n++;
	return n;
}

bool imap_search_update_check_limit(struct client_command *cmd)
{
	if (search_updates_count(cmd->client) < IMAP_SEARCH_UPDATES_MAX)
		return true;
	client_send_tagline(cmd, "NO [LIMIT] Too many UPDATE searches");
	return false;
}

static void search_update_free(struct imap_search_update **_upd)
{
	struct imap_search_update *upd = *_upd;

	*_upd = NULL;
	array_free(&upd->uids);
	pool_unref(&upd->pool);
}

bool imap_search_update_cancel(struct client *client, const char *tag)
{
	struct imap_search_update **p, *upd;

	for (p = &client->search_updates; *p != NULL; p = &(*p)->next) {
		if (strcmp((*p)->tag, tag) == 0) {
			upd = *p;
			*p = upd->next;
			search_update_free(&upd);
			return true;
		}
	}
	return false;
}

void imap_search_updates_clear(struct client *client)
{
	struct imap_search_update *upd;

	while ((upd = client->search_updates) != NULL) {
		client->search_updates = upd->next;
		search_update_free(&upd);
	}
	if (array_is_created(&client->search_updates_changed))
		array_free(&client->search_updates_changed);
}

/* seqs (ascending sequence numbers of the current view) as UIDs, also
   ascending, into uids. */
static void search_update_set_uids(struct mailbox *box,
				   ARRAY_TYPE(uint32) *uids,
				   const ARRAY_TYPE(uint32) *seqs)
{
	const uint32_t *seq;
	uint32_t uid;

	array_foreach(seqs, seq) {
		uid = mailbox_seq_to_uid(box, *seq);
		array_append(uids, &uid);
	}
}

void imap_search_update_add(struct client_command *cmd, struct pool **_pool,
			    struct mail_search_arg *sargs,
			    const ARRAY_TYPE(uint32) *seqs)
{
	struct client *client = cmd->client;
	struct pool *pool = *_pool;
	struct imap_search_update *upd, **p;

	*_pool = NULL;
	upd = pool_new(pool, struct imap_search_update, 1);
	upd->pool = pool;
	upd->tag = p_strdup(pool, cmd->tag);
	upd->uid = cmd->uid;
	upd->sargs = sargs;
	upd->modseq = mailbox_get_highest_modseq(client->box);
	search_update_fix_seqsets(pool, client->box, upd->sargs);
	array_init(&upd->uids, system_pool, array_count(seqs) + 1);
	search_update_set_uids(client->box, &upd->uids, seqs);
	(void)imap_search_update_cancel(client, upd->tag);
	/* reported in the order they were made, as Dovecot does */
	for (p = &client->search_updates; *p != NULL; p = &(*p)->next) ;
	*p = upd;
}

/* " <name> (0 set)": nums ascending. */
static void search_update_append(struct str *line, const char *name,
				 const uint32_t *nums, unsigned int count)
{
	str_printfa(line, " %s (0 ", name);
	imap_write_uid_list(line, nums, count);
	str_append_c(line, ')');
}

static struct str *search_update_line(struct imap_search_update *upd)
{
	struct str *line = t_str_new(128);

	str_append(line, "* ESEARCH (TAG ");
	imap_append_string(line, upd->tag);
	str_append_c(line, ')');
	if (upd->uid)
		str_append(line, " UID");
	return line;
}

/* mailbox_expunged by ascending UID */
static int search_update_expunged_cmp(const struct mailbox_expunged *a,
				      const struct mailbox_expunged *b)
{
	return a->uid < b->uid ? -1 : (a->uid > b->uid ? 1 : 0);
}

/* Drops the expunged (gone, ascending UIDs) from upd->uids in one merge
   and sends "REMOVEFROM" for those it held. */
static void search_update_expunged(struct client *client,
				   struct imap_search_update *upd,
				   const struct mailbox_expunged *gone,
				   unsigned int gone_count)
{
	ARRAY_TYPE(uint32) nums;
	uint32_t *uids;
	unsigned int i, j = 0, n = 0, count;
	struct str *line;

	array_init(&nums, tmp_pool, 16);
	uids = array_get_modifiable(&upd->uids, &count);
	for (i = 0; i < count; i++) {
		while (j < gone_count && gone[j].uid < uids[i])
			j++;
		if (j < gone_count && gone[j].uid == uids[i]) {
			/* UID order is sequence order too */
			array_append(&nums, upd->uid ? &gone[j].uid :
				     &gone[j].seq);
			continue;
		}
		uids[n++] = uids[i];
	}
	if (n == count)
		return;
	array_delete(&upd->uids, n, count - n);
	line = search_update_line(upd);
	search_update_append(line, "REMOVEFROM", array_idx(&nums, 0),
			     array_count(&nums));
	client_send_line(client, str_c(line));
}

void imap_search_updates_expunged(struct client *client,
				  const ARRAY_TYPE(mailbox_expunged) *expunged)
{
	ARRAY_TYPE(mailbox_expunged) gone;
	const struct mailbox_expunged *exp;
	struct imap_search_update *upd;

	if (client->search_updates == NULL ||
	    !array_is_created(expunged) || array_count(expunged) == 0)
		return;
	/* the storage reports them in descending order */
	array_init(&gone, tmp_pool, array_count(expunged));
	array_foreach(expunged, exp)
		array_append(&gone, exp);
	array_sort(&gone, search_update_expunged_cmp);
	for (upd = client->search_updates; upd != NULL; upd = upd->next) {
		search_update_expunged(client, upd, array_idx(&gone, 0),
				       array_count(&gone));
	}
}

void imap_search_updates_changed(struct client *client,
				 const ARRAY_TYPE(uint32) *seqs,
				 uint32_t first_new)
{
	uint32_t seq, uid, count;
	const uint32_t *seqp;

	if (client->search_updates == NULL || client->box == NULL)
		return;
	count = mailbox_get_messages_count(client->box);
	if (!array_is_created(&client->search_updates_changed))
		array_init(&client->search_updates_changed, system_pool, 16);
	if (seqs != NULL && array_is_created(seqs)) {
		array_foreach(seqs, seqp) {
			if (*seqp == 0 || *seqp > count)
				continue;
			uid = mailbox_seq_to_uid(client->box, *seqp);
			array_append(&client->search_updates_changed, &uid);
		}
	}
	for (seq = first_new; seq != 0 && seq <= count; seq++) {
		uid = mailbox_seq_to_uid(client->box, seq);
		array_append(&client->search_updates_changed, &uid);
	}
}

/* The lowest modseq the updates were brought up to date at. */
static uint64_t search_updates_modseq(struct client *client)
{
	struct imap_search_update *upd;
	uint64_t modseq = (uint64_t)-1;

	for (upd = client->search_updates; upd != NULL; upd = upd->next) {
		if (upd->modseq < modseq)
			modseq = upd->modseq;
	}
	return modseq;
}

/* The changed messages as ascending, distinct sequence numbers of the
   current view into seqs: the remembered UIDs (expunged ones left out;
   forgotten now) and, where the mailbox has modseqs, every message whose
   modseq is above since (changes no sync point reported, like FETCH's
   implicit \Seen). */
static void search_updates_take_changed(struct client *client,
					uint64_t since,
					ARRAY_TYPE(uint32) *seqs)
{
	const uint32_t *uid, *all;
	uint32_t seq, count_all;
	unsigned int i, n, count;

	array_foreach(&client->search_updates_changed, uid) {
		if ((seq = mailbox_uid_to_seq(client->box, *uid)) != 0)
			array_append(seqs, &seq);
	}
	array_clear(&client->search_updates_changed);
	count_all = mailbox_get_messages_count(client->box);
	for (seq = 1; since != 0 && seq <= count_all; seq++) {
		if (mail_get_modseq(client->box, seq) > since)
			array_append(seqs, &seq);
	}
	array_sort(seqs, uint32_cmp);
	all = array_get(seqs, &count);
	for (i = n = 0; i < count; i++) {
		if (n == 0 || all[i] != all[n - 1])
			array_idx_modifiable(seqs, n++)[0] = all[i];
	}
	if (n < count)
		array_delete(seqs, n, count - n);
}

/* The number to send for uid: itself or its sequence number. */
static uint32_t search_update_num(struct client *client,
				  struct imap_search_update *upd, uint32_t uid)
{
	return upd->uid ? uid : mailbox_uid_to_seq(client->box, uid);
}

/* One merge of upd->uids with the changed messages (cand, ascending UIDs)
   of which match (ascending) still match: the new upd->uids in now, the
   numbers that left and joined in removed and added (ascending, as UID
   order is sequence order). */
static void search_update_merge(struct client *client,
				struct imap_search_update *upd,
				const ARRAY_TYPE(uint32) *cand_arr,
				const ARRAY_TYPE(uint32) *match_arr,
				ARRAY_TYPE(uint32) *now,
				ARRAY_TYPE(uint32) *removed,
				ARRAY_TYPE(uint32) *added)
{
	const uint32_t *old, *cand, *match;
	unsigned int i = 0, j = 0, k = 0, old_n, cand_n, match_n;
	bool in_old, in_match;
	uint32_t num;

	old = array_get(&upd->uids, &old_n);
	cand = array_get(cand_arr, &cand_n);
	match = array_get(match_arr, &match_n);
	while (i < old_n || j < cand_n) {
		if (j == cand_n || (i < old_n && old[i] < cand[j])) {
			array_append(now, &old[i++]);
			continue;
		}
		in_old = i < old_n && old[i] == cand[j];
		in_match = k < match_n && match[k] == cand[j];
		if (in_old)
			i++;
		if (in_match)
			k++;
		if (in_match)
			array_append(now, &cand[j]);
		if (in_match != in_old) {
			num = search_update_num(client, upd, cand[j]);
			array_append(in_match ? added : removed, &num);
		}
		j++;
	}
}

/* Re-evaluates upd's program on the changed messages only (seqs
   ascending, cand their UIDs) and sends what left (REMOVEFROM) and what
   joined (ADDTO). Messages that didn't change aren't looked at again, so
   OLDER/YOUNGER (RFC 5032) results don't drift with the clock between
   changes: a message ages into or out of them only when it changes. */
static void search_update_resync(struct client *client,
				 struct imap_search_update *upd,
				 const ARRAY_TYPE(uint32) *seqs,
				 const ARRAY_TYPE(uint32) *cand)
{
	ARRAY_TYPE(uint32) match, now, removed, added;
	struct str *line;

	array_init(&match, tmp_pool, array_count(seqs) + 1);
	if (mail_search_run_seqs(client->box, upd->sargs, array_idx(seqs, 0),
				 array_count(seqs), true, &match) < 0)
		return;	/* these changes are lost for upd */
	array_init(&now, system_pool, array_count(&upd->uids) +
		   array_count(&match) + 1);
	array_init(&removed, tmp_pool, 16);
	array_init(&added, tmp_pool, 16);
	search_update_merge(client, upd, cand, &match, &now, &removed, &added);
	array_free(&upd->uids);
	upd->uids = now;
	if (array_count(&removed) == 0 && array_count(&added) == 0)
		return;
	line = search_update_line(upd);
	if (array_count(&removed) > 0) {
		search_update_append(line, "REMOVEFROM", array_idx(&removed, 0),
				     array_count(&removed));
	}
	if (array_count(&added) > 0) {
		search_update_append(line, "ADDTO", array_idx(&added, 0),
				     array_count(&added));
	}
	client_send_line(client, str_c(line));
}

void imap_search_updates_sync(struct client *client)
{
	struct imap_search_update *upd;
	ARRAY_TYPE(uint32) seqs, cand;
	const uint32_t *seq;
	uint64_t since, highest;
	uint32_t uid;

	if (client->box == NULL || client->search_updates == NULL)
		return;
	if (!array_is_created(&client->search_updates_changed))
		array_init(&client->search_updates_changed, system_pool, 16);
	/* nothing changed: nothing to search */
	since = search_updates_modseq(client);
	highest = mailbox_get_highest_modseq(client->box);
	if (array_count(&client->search_updates_changed) == 0 &&
	    (highest == 0 || highest <= since))
		return;
	array_init(&seqs, tmp_pool,
		   array_count(&client->search_updates_changed) + 16);
	search_updates_take_changed(client, highest > since ? since : 0,
				    &seqs);
	for (upd = client->search_updates; upd != NULL; upd = upd->next)
		upd->modseq = highest;
	if (array_count(&seqs) == 0)
		return;
	array_init(&cand, tmp_pool, array_count(&seqs));
	array_foreach(&seqs, seq) {
		uid = mailbox_seq_to_uid(client->box, *seq);
		array_append(&cand, &uid);
	}
	for (upd = client->search_updates; upd != NULL; upd = upd->next)
		search_update_resync(client, upd, &seqs, &cand);
}
