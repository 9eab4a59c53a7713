/* Copyright (c) dovecot-like authors. The UIDs a QRESYNC client is told
   vanished since its last modseq (RFC 7162 3.2.5.1 SELECT/EXAMINE
   (QRESYNC), 3.2.6 UID FETCH (VANISHED)): the exact list from the index
   log's expunge history when it reaches back that far, else every UID
   below UIDNEXT that is not in the mailbox (the RFC allows reporting UIDs
   that were expunged earlier or never existed). */

#include "lib.h"
#include "array.h"
#include "imap-seqset.h"
#include "mail-storage-private.h"

#include <stdlib.h>

static int uid_pair_cmp(const void *p1, const void *p2)
{
	const uint32_t *a = p1, *b = p2;

	return a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0);
}

/* The expunge history's (uid1, uid2) pairs as sorted disjoint ranges in
   dest; 1 if complete, 0 if the history doesn't reach since_modseq (or the
   backend keeps none), -1 on error. */
static int vanished_candidates(struct mailbox *box, uint64_t since_modseq,
			       struct seq_range_array *dest)
{
	ARRAY_TYPE(uint32) pairs;
	const uint32_t *p;
	unsigned int i, count;
	int ret;

	if (box->v->get_expunges == NULL)
		return 0;
	array_init(&pairs, tmp_pool, 64);
	ret = box->v->get_expunges(box, since_modseq, &pairs);
	if (ret <= 0)
		return ret;
	p = array_get(&pairs, &count);
	if (count < 2)
		return 1;
	qsort(array_idx_modifiable(&pairs, 0), count / 2, 2 * sizeof(*p),
	      uid_pair_cmp);
	for (i = 0; i + 1 < count; i += 2) {
		if (p[i] <= p[i + 1])
			seq_range_array_add_range(dest, p[i], p[i + 1]);
	}
	return 1;
}

/* Appends to dest the UIDs of [uid1, uid2] that are not in the view. */
static void vanished_add_gaps(struct mailbox *box, uint32_t uid1,
			      uint32_t uid2, struct seq_range_array *dest)
{
	uint32_t seq, uid, next = uid1, count = array_count(&box->view);

	for (seq = mailbox_uid_to_seq_floor(box, uid1 - 1) + 1;
	     seq <= count; seq++) {
		uid = mailbox_seq_to_uid(box, seq);
		if (uid > uid2)
			break;
		if (uid > next)
			seq_range_array_add_range(dest, next, uid - 1);
		next = uid + 1;
	}
	if (next != 0 && next <= uid2)
		seq_range_array_add_range(dest, next, uid2);
}

int mailbox_get_vanished(struct mailbox *box, uint64_t since_modseq,
			 const struct seq_range_array *known_uids,
			 uint32_t min_uid, struct seq_range_array *vanished_r)
{
	struct seq_range_array cand = SEQ_RANGE_ARRAY_INIT;
	struct seq_range_array known = SEQ_RANGE_ARRAY_INIT;
	uint32_t uidnext = mailbox_get_uidnext(box);
	const struct seq_range *r;
	unsigned int i, count;
	int ret;

	cand.pool = known.pool = tmp_pool;
	if (uidnext <= 1)
		return 0;
	ret = vanished_candidates(box, since_modseq, &cand);
	if (ret < 0)
		return -1;
	if (ret == 0) {
		/* no exact history: everything missing, from the first
		   UID the client's seq-match-data leaves in doubt */
		seq_range_array_add_range(&cand, min_uid == 0 ? 1 : min_uid,
					  (uint32_t)-1);
	}
	if (known_uids != NULL)
		seq_range_array_intersect(&known, known_uids, &cand);
	else
		known = cand;
	r = seq_range_array_get(&known, &count);
	for (i = 0; i < count && r[i].seq1 < uidnext; i++) {
		vanished_add_gaps(box, r[i].seq1, r[i].seq2 < uidnext ?
				  r[i].seq2 : uidnext - 1, vanished_r);
	}
	return 0;
}
