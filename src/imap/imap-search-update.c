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

#include <stdlib.h>
#include <string.h>

struct imap_search_update {
	struct imap_search_update *next;
	struct pool *pool;
	const char *tag;
	bool uid;			/* UID SEARCH/SORT: answers in UIDs */
	struct mail_search_arg *sargs;
	ARRAY_TYPE(uint32) uids;	/* ascending, system_pool */
};

/* A deep copy of args up to and including EOL into pool: the program
   refers to the strings, which go with the command. */
static void search_update_args_dup(struct pool *pool,
				   const struct imap_arg *src,
				   struct array *dest)
{
	const struct imap_arg *list;
	struct imap_arg *dst;
	unsigned int count;

	for (;; src++) {
		dst = array_append_space_i(dest);
		*dst = *src;
		switch (src->type) {
		case IMAP_ARG_ATOM:
		case IMAP_ARG_STRING:
		case IMAP_ARG_LITERAL:
			dst->u.str = p_strndup(pool, src->u.str, src->str_len);
			break;
		case IMAP_ARG_LIST:
			(void)imap_arg_get_list(src, &list, &count);
			memset(&dst->u, 0, sizeof(dst->u));
			array_init(&dst->u.list, pool, count + 1);
			search_update_args_dup(pool, list, &dst->u.list.arr);
			break;
		default:
			break;
		}
		if (src->type == IMAP_ARG_EOL)
			break;
	}
}

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
}

/* seqs (sequence numbers of the current view) as ascending UIDs into
   uids (cleared first). */
static void search_update_set_uids(struct mailbox *box,
				   ARRAY_TYPE(uint32) *uids,
				   const ARRAY_TYPE(uint32) *seqs)
{
	const uint32_t *seq;
	uint32_t uid;

	array_clear(uids);
	array_foreach(seqs, seq) {
		uid = mailbox_seq_to_uid(box, *seq);
		array_append(uids, &uid);
	}
	array_sort(uids, uint32_cmp);
}

bool imap_search_update_add(struct client_command *cmd,
			    const struct imap_arg *args, const char *charset,
			    const ARRAY_TYPE(uint32) *seqs)
{
	struct client *client = cmd->client;
	struct imap_search_update *upd, **p;
	ARRAY(struct imap_arg) copy;
	struct pool *pool;
	const char *error;

	pool = pool_create("imap search update", 1024, POOL_FLAG_NONE);
	array_init(&copy, pool, 16);
	search_update_args_dup(pool, args, &copy.arr);
	upd = pool_new(pool, struct imap_search_update, 1);
	upd->pool = pool;
	upd->tag = p_strdup(pool, cmd->tag);
	upd->uid = cmd->uid;
	if (mail_search_build_saved(pool, array_idx(&copy, 0), charset,
				    imap_search_saved_get(client),
				    &upd->sargs, &error) !=
	    MAIL_SEARCH_BUILD_OK) {
		/* it was built once already for the command */
		log_error("search update: rebuilding the program failed");
		pool_unref(&pool);
		return false;
	}
	search_update_fix_seqsets(pool, client->box, upd->sargs);
	array_init(&upd->uids, system_pool, array_count(seqs) + 1);
	search_update_set_uids(client->box, &upd->uids, seqs);
	(void)imap_search_update_cancel(client, upd->tag);
	/* reported in the order they were made, as Dovecot does */
	for (p = &client->search_updates; *p != NULL; p = &(*p)->next) ;
	*p = upd;
	return true;
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

static bool search_update_has_uid(const ARRAY_TYPE(uint32) *uids,
				  uint32_t uid)
{
	const uint32_t *all;
	unsigned int count;

	all = array_get(uids, &count);
	return count > 0 &&
		bsearch(&uid, all, count, sizeof(uint32_t),
			(int (*)(const void *, const void *))uint32_cmp) != NULL;
}

/* uids minus the members of gone (both ascending) */
static void search_update_remove_uids(ARRAY_TYPE(uint32) *uids,
				      const ARRAY_TYPE(uint32) *gone)
{
	uint32_t *all;
	unsigned int i, n, count;

	all = array_get_modifiable(uids, &count);
	for (i = n = 0; i < count; i++) {
		if (!search_update_has_uid(gone, all[i]))
			all[n++] = all[i];
	}
	if (n < count)
		array_delete(uids, n, count - n);
}

static void search_update_expunged(struct client *client,
				   struct imap_search_update *upd,
				   const ARRAY_TYPE(mailbox_expunged) *expunged)
{
	const struct mailbox_expunged *exp;
	ARRAY_TYPE(uint32) nums, uids;
	struct str *line;

	array_init(&nums, tmp_pool, 16);
	array_init(&uids, tmp_pool, 16);
	array_foreach(expunged, exp) {
		if (!search_update_has_uid(&upd->uids, exp->uid))
			continue;
		array_append(&uids, &exp->uid);
		array_append(&nums, upd->uid ? &exp->uid : &exp->seq);
	}
	if (array_count(&nums) == 0)
		return;
	array_sort(&uids, uint32_cmp);
	array_sort(&nums, uint32_cmp);
	search_update_remove_uids(&upd->uids, &uids);
	line = search_update_line(upd);
	search_update_append(line, "REMOVEFROM", array_idx(&nums, 0),
			     array_count(&nums));
	client_send_line(client, str_c(line));
}

void imap_search_updates_expunged(struct client *client,
				  const ARRAY_TYPE(mailbox_expunged) *expunged)
{
	struct imap_search_update *upd;

	if (!array_is_created(expunged) || array_count(expunged) == 0)
		return;
	for (upd = client->search_updates; upd != NULL; upd = upd->next)
		search_update_expunged(client, upd, expunged);
}

/* The numbers to send for uid: itself or its sequence number. */
static uint32_t search_update_num(struct client *client,
				  struct imap_search_update *upd, uint32_t uid)
{
	return upd->uid ? uid : mailbox_uid_to_seq(client->box, uid);
}

static void search_update_resync(struct client *client,
				 struct imap_search_update *upd)
{
	ARRAY_TYPE(uint32) seqs, now, removed, added;
	const uint32_t *uid;
	struct str *line;
	uint32_t num;

	array_init(&seqs, tmp_pool, 64);
	if (mail_search_run(client->box, upd->sargs, false, &seqs) < 0)
		return;	/* try again at the next sync point */
	array_init(&now, system_pool, array_count(&seqs) + 1);
	search_update_set_uids(client->box, &now, &seqs);
	array_init(&removed, tmp_pool, 16);
	array_init(&added, tmp_pool, 16);
	array_foreach(&upd->uids, uid) {
		if (!search_update_has_uid(&now, *uid) &&
		    (num = search_update_num(client, upd, *uid)) != 0)
			array_append(&removed, &num);
	}
	array_foreach(&now, uid) {
		if (!search_update_has_uid(&upd->uids, *uid) &&
		    (num = search_update_num(client, upd, *uid)) != 0)
			array_append(&added, &num);
	}
	array_free(&upd->uids);
	upd->uids = now;
	if (array_count(&removed) == 0 && array_count(&added) == 0)
		return;
	array_sort(&removed, uint32_cmp);
	array_sort(&added, uint32_cmp);
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

	if (client->box == NULL)
		return;
	for (upd = client->search_updates; upd != NULL; upd = upd->next)
		search_update_resync(client, upd);
}
