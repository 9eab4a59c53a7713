/* Copyright (c) dovecot-like authors. mailbox.c: the backend-independent part
   of a mailbox: its message view (seq <-> uid), status, and turning a backend
   resync into the EXPUNGE/EXISTS/FETCH changes the protocols report. */
#include "lib.h"
#include "str.h"
#include "var-expand.h"
#include "mail-storage-private.h"

#include <stdlib.h>

void mailbox_view_begin(struct mailbox *box, unsigned int count_hint)
{
	ASSERT(box->old_view_pool == NULL);
	box->old_view_pool = box->view_pool;
	box->old_view = box->view;
	box->view_pool = pool_create("mailbox view", 4096, POOL_FLAG_NONE);
	array_init(&box->view, box->view_pool, count_hint + 16);
}

void mailbox_view_append(struct mailbox *box, struct mailbox_msg *msg)
{
	array_append(&box->view, &msg);
}

void mailbox_view_end(struct mailbox *box, bool success)
{
	if (box->old_view_pool == NULL)
		return;
	if (!success) {
		pool_unref(&box->view_pool);
		box->view_pool = box->old_view_pool;
		box->view = box->old_view;
	} else {
		pool_unref(&box->old_view_pool);
	}
	box->old_view_pool = NULL;
	memset(&box->old_view, 0, sizeof(box->old_view));
}

struct mailbox_msg *mailbox_msg_lookup(struct mailbox *box, uint32_t seq)
{
	if (seq == 0 || seq > array_count(&box->view))
		return NULL;
	return *array_idx(&box->view, seq - 1);
}

/* Index of the first message in view (sorted by uid) with uid >= the
   given uid. */
static unsigned int mailbox_view_lower_bound(const ARRAY_TYPE(mailbox_msg) *view,
					     uint32_t uid)
{
	struct mailbox_msg *const *msgs;
	unsigned int count, left = 0, right, mid;

	msgs = array_get(view, &count);
	right = count;
	while (left < right) {
		mid = left + (right - left) / 2;
		if (msgs[mid]->uid < uid)
			left = mid + 1;
		else
			right = mid;
	}
	return left;
}

static unsigned int mailbox_uid_lower_bound(struct mailbox *box, uint32_t uid)
{
	return mailbox_view_lower_bound(&box->view, uid);
}

struct mailbox_msg *mailbox_old_view_lookup_uid(struct mailbox *box,
						uint32_t uid)
{
	struct mailbox_msg *const *msgs;
	unsigned int count, idx;

	if (box->old_view_pool == NULL || !array_is_created(&box->old_view))
		return NULL;
	msgs = array_get(&box->old_view, &count);
	idx = mailbox_view_lower_bound(&box->old_view, uid);
	return idx < count && msgs[idx]->uid == uid ? msgs[idx] : NULL;
}

void mailbox_view_remove(struct mailbox *box, uint32_t seq)
{
	ASSERT(seq > 0 && seq <= array_count(&box->view));
	array_delete(&box->view, seq - 1, 1);
}

uint32_t mailbox_get_messages_count(struct mailbox *box)
{
	return array_count(&box->view);
}

uint32_t mailbox_seq_to_uid(struct mailbox *box, uint32_t seq)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);

	return msg == NULL ? 0 : msg->uid;
}

uint32_t mailbox_uid_to_seq(struct mailbox *box, uint32_t uid)
{
	unsigned int idx = mailbox_uid_lower_bound(box, uid);

	if (idx < array_count(&box->view) &&
	    (*array_idx(&box->view, idx))->uid == uid)
		return idx + 1;
	return 0;
}

uint32_t mailbox_uid_to_seq_floor(struct mailbox *box, uint32_t uid)
{
	unsigned int idx;

	if (uid == UINT32_MAX)
		return array_count(&box->view);
	idx = mailbox_uid_lower_bound(box, uid + 1);
	return idx;	/* messages [0..idx) have uid <= given uid */
}

void mailbox_get_status(struct mailbox *box, struct mailbox_status *status_r)
{
	struct mailbox_msg *const *msgs;
	unsigned int i, count;

	memset(status_r, 0, sizeof(*status_r));
	msgs = array_get(&box->view, &count);
	status_r->messages = count;
	for (i = 0; i < count; i++) {
		if ((msgs[i]->flags & MAIL_RECENT) != 0)
			status_r->recent++;
		if ((msgs[i]->flags & MAIL_DELETED) != 0)
			status_r->deleted++;
		if ((msgs[i]->flags & MAIL_SEEN) == 0) {
			status_r->unseen++;
			if (status_r->first_unseen_seq == 0)
				status_r->first_unseen_seq = i + 1;
		}
	}
	status_r->unseen_seq = status_r->first_unseen_seq;
	status_r->uidvalidity = box->uidvalidity;
	status_r->uidnext = mailbox_get_uidnext(box);
	status_r->highest_modseq = mailbox_get_highest_modseq(box);
}

uint32_t mailbox_get_uidnext(struct mailbox *box)
{
	unsigned int count = array_count(&box->view);
	struct mailbox_msg *last = count == 0 ? NULL :
		*array_idx(&box->view, count - 1);

	return last != NULL && last->uid >= box->uidnext ? last->uid + 1 :
		box->uidnext;
}

uint64_t mailbox_get_highest_modseq(struct mailbox *box)
{
	return box->v->get_highest_modseq == NULL ? 0 :
		box->v->get_highest_modseq(box);
}

uint64_t mail_get_modseq(struct mailbox *box, uint32_t seq)
{
	struct mailbox_msg *msg;

	if (box->v->get_modseq == NULL ||
	    (msg = mailbox_msg_lookup(box, seq)) == NULL)
		return 0;
	return box->v->get_modseq(box, msg);
}

/* Compares the old and new view (both sorted by uid). Expunges are reported
   from the highest seq down, so each reported seq is valid at that moment. */
static void mailbox_sync_diff(struct mailbox *box, struct pool *pool,
			      struct mailbox_sync_result *result)
{
	struct mailbox_msg *const *old_msgs, *const *new_msgs;
	unsigned int old_count, new_count, i, j;
	ARRAY_TYPE(mailbox_expunged) expunged;
	struct mailbox_expunged *exp;
	uint32_t seq;

	old_msgs = array_get(&box->old_view, &old_count);
	new_msgs = array_get(&box->view, &new_count);
	array_init(&expunged, pool, 8);
	for (i = j = 0; i < old_count; i++) {
		while (j < new_count && new_msgs[j]->uid < old_msgs[i]->uid)
			j++;
		if (j < new_count && new_msgs[j]->uid == old_msgs[i]->uid) {
			if ((new_msgs[j]->flags & MAIL_FLAGS_MASK) !=
			    (old_msgs[i]->flags & MAIL_FLAGS_MASK) ||
			    memcmp(&new_msgs[j]->keywords, &old_msgs[i]->keywords,
				   sizeof(old_msgs[i]->keywords)) != 0) {
				seq = j + 1;
				array_append(&result->flag_changed_seqs, &seq);
			}
			j++;
		} else {
			exp = array_append_space(&expunged);
			exp->seq = i + 1;
			exp->uid = old_msgs[i]->uid;
		}
	}
	for (i = array_count(&expunged); i > 0; i--)
		array_append(&result->expunged, array_idx(&expunged, i - 1));
}

int mailbox_sync(struct mailbox *box, struct pool *pool,
		 struct mailbox_sync_result *result_r)
{
	struct mailbox_msg *const *msgs;
	unsigned int i, count;
	int ret;

	memset(result_r, 0, sizeof(*result_r));
	array_init(&result_r->expunged, pool, 8);
	array_init(&result_r->flag_changed_seqs, pool, 8);

	ret = box->v->sync(box);
	if (ret == 0 && box->old_view_pool != NULL)
		mailbox_sync_diff(box, pool, result_r);
	mailbox_view_end(box, ret == 0);

	msgs = array_get(&box->view, &count);
	result_r->messages = count;
	for (i = 0; i < count; i++) {
		if ((msgs[i]->flags & MAIL_RECENT) != 0)
			result_r->recent++;
	}
	return ret;
}

/* The backend's changes_commit after expunges, if it has one. */
static int mailbox_expunge_commit(struct mailbox *box)
{
	return box->v->changes_commit == NULL ? 0 :
		box->v->changes_commit(box, true);
}

int mailbox_changes_commit(struct mailbox *box)
{
	return box->v->changes_commit == NULL ? 0 :
		box->v->changes_commit(box, false);
}

static bool uid_in_sorted(const uint32_t *uids, unsigned int count, uint32_t uid)
{
	return bsearch(&uid, uids, count, sizeof(*uids),
		       (int (*)(const void *, const void *))uint32_cmp) != NULL;
}

/* Expunges \Deleted messages (require_deleted) and/or those in uids,
   from the end so the seqs reported stay valid one by one. */
static int mailbox_expunge_matching(struct mailbox *box, struct pool *pool,
				    const ARRAY_TYPE(uint32) *uids,
				    bool require_deleted,
				    ARRAY_TYPE(mailbox_expunged) *expunged_r)
{
	ARRAY_TYPE(uint32) sorted;
	const uint32_t *uid_list = NULL;
	unsigned int uid_count = 0;
	struct mailbox_msg *msg;
	struct mailbox_expunged *exp;
	uint32_t seq, uid;
	int ret = 0;

	array_init(expunged_r, pool, 8);
	if ((box->flags & MAILBOX_FLAG_READONLY) != 0) {
		mailbox_set_error(box, MAIL_ERROR_PERM, "Mailbox is read-only");
		return -1;
	}
	if (uids != NULL && array_is_created(uids)) {
		array_init(&sorted, tmp_pool, array_count(uids) + 1);
		array_foreach(uids, uid_list)
			array_append(&sorted, uid_list);
		array_sort(&sorted, uint32_cmp);
		uid_list = array_get(&sorted, &uid_count);
	}
	for (seq = array_count(&box->view); seq > 0; seq--) {
		msg = mailbox_msg_lookup(box, seq);
		if (require_deleted && (msg->flags & MAIL_DELETED) == 0)
			continue;
		if (uid_list != NULL && !uid_in_sorted(uid_list, uid_count, msg->uid))
			continue;
		if (box->v->expunge(box, msg) < 0) {
			ret = -1;
			continue;
		}
		uid = msg->uid;
		mailbox_view_remove(box, seq);
		exp = array_append_space(expunged_r);
		exp->seq = seq;
		exp->uid = uid;
	}
	return mailbox_expunge_commit(box) < 0 ? -1 : ret;
}

int mailbox_expunge_deleted(struct mailbox *box, struct pool *pool,
			    const ARRAY_TYPE(uint32) *only_uids,
			    ARRAY_TYPE(mailbox_expunged) *expunged_r)
{
	return mailbox_expunge_matching(box, pool, only_uids, true,
					expunged_r);
}

int mailbox_expunge_uids(struct mailbox *box, struct pool *pool,
			 const ARRAY_TYPE(uint32) *uids,
			 ARRAY_TYPE(mailbox_expunged) *expunged_r)
{
	return mailbox_expunge_matching(box, pool, uids, false, expunged_r);
}

static int uint32_cmp_desc(const uint32_t *a, const uint32_t *b)
{
	return *a < *b ? 1 : (*a > *b ? -1 : 0);
}

int mailbox_expunge_seqs(struct mailbox *box, const uint32_t *seqs,
			 unsigned int count)
{
	ARRAY_TYPE(uint32) sorted;
	const uint32_t *s;
	struct mailbox_msg *msg;
	uint32_t prev = 0;
	int ret = 0;

	if ((box->flags & MAILBOX_FLAG_READONLY) != 0) {
		mailbox_set_error(box, MAIL_ERROR_PERM, "Mailbox is read-only");
		return -1;
	}
	array_init(&sorted, tmp_pool, count + 1);
	for (unsigned int i = 0; i < count; i++)
		array_append(&sorted, &seqs[i]);
	array_sort(&sorted, uint32_cmp_desc);
	array_foreach(&sorted, s) {
		if (*s == prev)
			continue;	/* listed twice */
		prev = *s;
		msg = mailbox_msg_lookup(box, *s);
		if (msg == NULL) {
			mailbox_set_error(box, MAIL_ERROR_PARAMS,
					  "Invalid message sequence");
			ret = -1;
			continue;
		}
		if (box->v->expunge(box, msg) < 0) {
			ret = -1;
			continue;
		}
		mailbox_view_remove(box, *s);
	}
	return mailbox_expunge_commit(box) < 0 ? -1 : ret;
}

void mailbox_init(struct mailbox *box, struct pool *pool, struct mail_user *user,
		  const char *name, enum mailbox_flags flags,
		  const struct mailbox_vfuncs *v)
{
	box->pool = pool;
	box->user = user;
	mail_user_ref(user);
	box->name = p_strdup(pool, name);
	box->flags = flags;
	box->v = v;
	array_init(&box->keywords, pool, 8);
	box->keywords_max = MAILBOX_MAX_KEYWORDS;
	box->view_pool = pool_create("mailbox view", 1024, POOL_FLAG_NONE);
	array_init(&box->view, box->view_pool, 16);
}

int mailbox_pop3_uidl_expand(struct mailbox *box, uint32_t uid,
			     const char *format,
			     const struct mail_pop3_uidl_values *values,
			     const char **uidl_r)
{
	const struct var_expand_table table[] = {
		{ 'v', tmp_printf("%u", box->uidvalidity), "uidvalidity" },
		{ 'u', tmp_printf("%u", uid), "uid" },
		{ 'm', values->md5 == NULL ? "" : values->md5, "md5" },
		{ 'f', values->filename == NULL ? "" : values->filename, "filename" },
		{ 'g', values->guid == NULL ? "" : values->guid, "guid" },
		{ '\0', NULL, NULL },
	};
	struct str *str = t_str_new(64);
	const char *error;

	if (var_expand(str, format, table, &error) <= 0) {
		log_error("pop3_uidl_format %s: %s", format, error);
		mailbox_set_internal_error(box);
		return -1;
	}
	*uidl_r = str_c(str);
	return 0;
}
