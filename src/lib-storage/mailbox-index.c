/* Copyright (c) dovecot-like authors. mailbox-index.c: index logic shared
   by the Maildir and mbox backends (see mailbox-index.h). */
#include "lib.h"
#include "array.h"
#include "mailbox-index.h"
#include "mail-index-modseq.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void mailbox_index_kw_map_init(struct mailbox_index_kw_map *map)
{
	for (unsigned int i = 0; i < N_ELEMENTS(map->box_idx); i++)
		map->box_idx[i] = MAILBOX_INDEX_KW_MAP_UNSET;
}

int mailbox_index_open(const char *dir, const char *prefix,
		       struct mail_index **index_r)
{
	struct mail_index_settings set;
	const char *error;

	mail_index_settings_init_defaults(&set);
	if (mail_index_open(dir, prefix, &set, MAIL_INDEX_OPEN_FLAG_CREATE,
			    index_r, &error) < 0) {
		log_error("%s/%s: %s (using no index)", dir, prefix, error);
		*index_r = NULL;
		return -1;
	}
	return 0;
}

struct mail_index_transaction *
mailbox_index_trans(struct mail_index *index, struct mail_index_view **view_r,
		    struct mail_index_transaction **trans_r)
{
	if (*trans_r == NULL) {
		*view_r = mail_index_view_open(index);
		*trans_r = mail_index_transaction_begin(*view_r,
			MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	}
	return *trans_r;
}

void mailbox_index_trans_rollback(struct mail_index_view **view,
				  struct mail_index_transaction **trans)
{
	if (*trans != NULL)
		mail_index_transaction_rollback(trans);
	if (*view != NULL)
		mail_index_view_close(view);
}

void mailbox_index_unlink_files(const char *dir, const char *prefix,
				const char *const *suffixes,
				unsigned int count)
{
	const char *path;
	unsigned int i;

	for (i = 0; i < count; i++) {
		path = tmp_strconcat(dir, "/", prefix, suffixes[i], NULL);
		if (unlink(path) < 0 && errno != ENOENT)
			log_error("unlink(%s) failed: %m", path);
	}
}

/* Raises the index's modseq to at least modseq in a transaction of its
   own (committed before anything that appends: records take the modseq
   current when they are applied). Idempotent, so a race with another
   session doing the same is harmless. */
static void mailbox_index_raise_modseq(struct mail_index *index,
				       uint64_t modseq, const char *log_prefix)
{
	struct mail_index_view *view;
	struct mail_index_transaction *t;

	view = mail_index_view_open(index);
	t = mail_index_transaction_begin(view,
					 MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_update_modseq(t, 0, modseq);
	if (mail_index_transaction_commit(&t, NULL) < 0) {
		log_error("%s: %s", log_prefix,
			  mail_index_get_error(index));
	}
	mail_index_view_close(&view);
}

void mailbox_index_keep_modseq(struct mail_index *index, uint64_t old_modseq,
			       const char *log_prefix)
{
	if (old_modseq == 0 ||
	    mail_index_get_header(index)->highest_modseq > old_modseq)
		return;
	mailbox_index_raise_modseq(index, old_modseq + 1, log_prefix);
}

void mailbox_index_restart_if_new(struct mail_index *index,
				  bool uids_preexisting,
				  const char *log_prefix)
{
	if (!uids_preexisting ||
	    mail_index_get_header(index)->uid_validity != 0)
		return;
	mailbox_index_raise_modseq(index, (uint64_t)time(NULL) <<
				   MAILBOX_INDEX_MODSEQ_TIME_SHIFT,
				   log_prefix);
}

/* The box keyword index of index keyword i named name (-1: none). */
static int mailbox_index_kw_resolve(struct mailbox *box,
				    struct mailbox_index_kw_map *map,
				    bool add, unsigned int i, const char *name)
{
	if (map == NULL)
		return add ? mailbox_keyword_add(box, name) :
			mailbox_keyword_lookup(box, name);
	if (map->box_idx[i] == MAILBOX_INDEX_KW_MAP_UNSET)
		map->box_idx[i] = add ? mailbox_keyword_add(box, name) :
			mailbox_keyword_lookup(box, name);
	return map->box_idx[i];
}

bool mailbox_index_get_keywords(struct mailbox *box, struct mail_index *index,
				struct mailbox_index_kw_map *map, bool add,
				const struct mail_index_message *imsg,
				struct mail_keywords *kw_r)
{
	const char *const *names;
	unsigned int i, count;
	bool all_known = true;
	int idx;

	memset(kw_r, 0, sizeof(*kw_r));
	names = mail_index_get_keywords(index, &count);
	if (count > MAIL_INDEX_MAX_KEYWORDS)
		count = MAIL_INDEX_MAX_KEYWORDS;
	for (i = 0; i < count; i++) {
		if (!mail_index_message_has_keyword(imsg, i))
			continue;
		idx = mailbox_index_kw_resolve(box, map, add, i, names[i]);
		if (idx >= 0)
			mail_keywords_set(kw_r, (unsigned int)idx, true);
		else
			all_known = false;
	}
	return all_known;
}

void mailbox_index_update_flags(struct mail_index_transaction *t,
				uint32_t uid, enum mail_flags old_flags,
				enum mail_flags new_flags, uint8_t add_extra,
				uint8_t remove_extra)
{
	uint8_t added, removed;

	added = ((new_flags & ~old_flags) & MAIL_FLAGS_MASK) | add_extra;
	removed = ((old_flags & ~new_flags) & MAIL_FLAGS_MASK) | remove_extra;
	if (added != 0)
		mail_index_update_flags(t, uid, uid, MAIL_INDEX_MODIFY_ADD,
					added);
	if (removed != 0)
		mail_index_update_flags(t, uid, uid, MAIL_INDEX_MODIFY_REMOVE,
					removed);
}

void mailbox_index_update_keywords(struct mailbox *box,
				   struct mail_index_transaction *t,
				   uint32_t uid,
				   const struct mail_keywords *old_kw,
				   const struct mail_keywords *new_kw,
				   const char *log_dir)
{
	const char *const *names;
	unsigned int i, count;
	bool was, now;

	names = mailbox_get_keywords(box, &count);
	if (old_kw == NULL)
		mail_index_reset_keywords(t, uid, uid);
	for (i = 0; i < count; i++) {
		was = old_kw != NULL && mail_keywords_has(old_kw, i);
		now = mail_keywords_has(new_kw, i);
		if (was == now)
			continue;
		if (mail_index_update_keyword(t, uid, uid, now ?
					      MAIL_INDEX_MODIFY_ADD :
					      MAIL_INDEX_MODIFY_REMOVE,
					      names[i]) < 0)
			log_warning("%s: keyword %s not stored in the index",
				    log_dir, names[i]);
	}
}

bool mailbox_index_diff_skip(struct mail_index_view *view,
			     struct mail_index_transaction *trans,
			     uint32_t uid, uint32_t icount, uint32_t *seq,
			     const struct mail_index_message **imsg_r)
{
	bool skipped = false;

	for (; *seq <= icount; (*seq)++) {
		(void)mail_index_lookup(view, *seq, imsg_r);
		if ((*imsg_r)->uid >= uid)
			break;
		skipped = true;
		if (trans != NULL)
			mail_index_expunge(trans, (*imsg_r)->uid,
					   (*imsg_r)->uid);
	}
	return skipped;
}

bool mailbox_index_diff_tail(struct mailbox *box,
			     struct mail_index_view *view,
			     struct mail_index_transaction *trans,
			     uint32_t seq)
{
	const struct mail_index_header *hdr = mail_index_view_get_header(view);
	const struct mail_index_message *imsg;
	uint32_t icount = mail_index_view_get_messages_count(view);
	bool differs = false;

	for (; seq <= icount; seq++) {
		(void)mail_index_lookup(view, seq, &imsg);
		differs = true;
		if (trans != NULL)
			mail_index_expunge(trans, imsg->uid, imsg->uid);
	}
	if (hdr->next_uid < box->uidnext) {
		differs = true;
		if (trans != NULL)
			mail_index_update_header(trans,
				MAIL_INDEX_HEADER_NEXT_UID, box->uidnext);
	}
	return differs;
}

void mailbox_index_fill_modseqs(struct mailbox *box, struct mail_index *index,
				mailbox_index_view_msg_cb_t *cb, void *context,
				uint64_t *highest_modseq_r)
{
	struct mail_index_view *view = mail_index_view_open(index);
	const struct mail_index_message *imsg = NULL;
	struct mailbox_msg *const *msgs;
	unsigned int i, count;
	uint32_t seq = 1, icount = mail_index_view_get_messages_count(view);

	*highest_modseq_r = mail_index_view_get_header(view)->highest_modseq;
	msgs = array_get(&box->view, &count);
	for (i = 0; i < count; i++) {
		(void)mailbox_index_diff_skip(view, NULL, msgs[i]->uid, icount,
					      &seq, &imsg);
		cb(box, msgs[i], seq <= icount && imsg->uid == msgs[i]->uid ?
		   imsg : NULL, context);
	}
	mail_index_view_close(&view);
}

void mailbox_index_own_modseqs(struct mailbox *box, struct mail_index *index,
			       ARRAY_TYPE(uint32) *own_uids,
			       mailbox_index_own_match_t *match, void *context,
			       uint64_t *highest_modseq)
{
	struct mail_index_view *view;
	const struct mail_index_message *imsg;
	struct mailbox_msg *msg;
	const uint32_t *uidp;
	uint64_t *modseqp;
	uint32_t seq;

	if (!array_is_created(own_uids) || array_count(own_uids) == 0)
		return;
	view = mail_index_view_open(index);
	array_foreach(own_uids, uidp) {
		seq = mailbox_uid_to_seq(box, *uidp);
		msg = seq == 0 ? NULL : mailbox_msg_lookup(box, seq);
		if (msg == NULL || !mail_index_lookup_seq(view, *uidp, &seq) ||
		    !mail_index_lookup(view, seq, &imsg))
			continue;
		modseqp = match(box, msg, imsg, context);
		if (modseqp == NULL)
			continue;
		*modseqp = imsg->modseq;
		if (*modseqp > *highest_modseq)
			*highest_modseq = *modseqp;
	}
	array_clear(own_uids);
	mail_index_view_close(&view);
}

int mailbox_index_get_expunges(struct mailbox *box, struct mail_index *index,
			       uint64_t since_modseq,
			       ARRAY_TYPE(uint32) *uid_ranges)
{
	int ret;

	if (index == NULL)
		return 0;
	ret = mail_index_modseq_get_expunges(index, since_modseq, uid_ranges);
	if (ret < 0) {
		log_error("%s: reading the expunge history failed: %s",
			  mailbox_get_name(box), mail_index_get_error(index));
		mailbox_set_internal_error(box);
	}
	return ret;
}
