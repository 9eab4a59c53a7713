/* Copyright (c) dovecot-like authors. Fuzzes dovecot-uidlist parsing and the
   rewrite of what was parsed, since the file is shared with Dovecot and other
   sessions and may be damaged; a recreated file must read back the same. */
#include "fuzz-common.h"
#include "maildir-uidlist.h"

/* a file sync finds, not listed yet */
#define NEW_NAME "1700000000.M1P2.fuzz,S=10"

static void check_uidlist(struct maildir_uidlist *uidlist)
{
	const struct maildir_uidlist_rec *recs;
	unsigned int i, j, count;

	recs = array_get(&uidlist->recs, &count);
	for (i = 0; i < count; i++) {
		if (recs[i].uid == 0 || recs[i].fname == NULL)
			abort();
		if (i > 0 && recs[i - 1].uid >= recs[i].uid)
			abort();
		if (maildir_uidlist_lookup(uidlist, recs[i].uid) != &recs[i])
			abort();
		if (maildir_uidlist_lookup_fname(uidlist, recs[i].fname,
						 strlen(recs[i].fname)) != recs[i].uid)
			abort();
		for (j = 0; recs[i].exts != NULL && recs[i].exts[j] != NULL; j++) {
			if (recs[i].exts[j][0] == '\0')
				abort();
		}
		(void)maildir_uidlist_rec_get_ext(&recs[i], 'P');
	}
	/* Known, not fixed here: once UID 4294967295 is used the next UID
	   wraps to 1 (Dovecot resets UIDVALIDITY instead); not checked. */
	if (count > 0 && recs[count - 1].uid != UINT32_MAX &&
	    maildir_uidlist_get_next_uid(uidlist) <= recs[count - 1].uid)
		abort();
}

static bool exts_equal(const char **e1, const char **e2)
{
	unsigned int i;

	if (e1 == NULL || e2 == NULL)
		return (e1 == NULL || e1[0] == NULL) && (e2 == NULL || e2[0] == NULL);
	for (i = 0; e1[i] != NULL && e2[i] != NULL; i++) {
		if (strcmp(e1[i], e2[i]) != 0)
			return false;
	}
	return e1[i] == NULL && e2[i] == NULL;
}

static void check_same(const struct maildir_uidlist *a,
		       const struct maildir_uidlist *b)
{
	const struct maildir_uidlist_rec *r1, *r2;
	unsigned int i, c1, c2;

	if (a->uid_validity != b->uid_validity ||
	    maildir_uidlist_get_next_uid(a) != maildir_uidlist_get_next_uid(b) ||
	    strcmp(a->guid, b->guid) != 0)
		abort();
	r1 = array_get(&a->recs, &c1);
	r2 = array_get(&b->recs, &c2);
	if (c1 != c2)
		abort();
	for (i = 0; i < c1; i++) {
		if (r1[i].uid != r2[i].uid || strcmp(r1[i].fname, r2[i].fname) != 0 ||
		    !exts_equal(r1[i].exts, r2[i].exts))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maildir_uidlist *uidlist, *uidlist2;
	struct pool *pool;
	const char *error, *content;
	unsigned char *copy;

	fuzz_init();
	/* exact-size copy: the parser gets a length, no NUL to lean on */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);

	uidlist = maildir_uidlist_init("/nonexistent/fuzz-maildir");
	error = NULL;
	if (maildir_uidlist_parse(uidlist, copy, size, &error) < 0) {
		if (error == NULL)
			abort();
	} else {
		check_uidlist(uidlist);
		/* a new message arrives: added under the (pretend) lock
		   (unless the UIDs are exhausted, see above) */
		uidlist->locked = true;
		if (maildir_uidlist_lookup_fname(uidlist, NEW_NAME,
						 strlen(NEW_NAME)) == 0 &&
		    maildir_uidlist_get_next_uid(uidlist) != UINT32_MAX &&
		    (array_count(&uidlist->recs) == 0 ||
		     array_idx(&uidlist->recs, array_count(&uidlist->recs) - 1)->uid !=
		     UINT32_MAX))
			(void)maildir_uidlist_add(uidlist, NEW_NAME,
						  strlen(NEW_NAME));
		uidlist->locked = false;
		check_uidlist(uidlist);

		/* what a recreate writes reads back the same */
		pool = pool_create("fuzz uidlist content", 1024, POOL_FLAG_NONE);
		content = maildir_uidlist_get_content(uidlist, pool);
		uidlist2 = maildir_uidlist_init("/nonexistent/fuzz-maildir");
		if (maildir_uidlist_parse(uidlist2, (const unsigned char *)content,
					  strlen(content), &error) < 0)
			abort();
		if (uidlist2->broken_lines != 0)
			abort();
		check_same(uidlist, uidlist2);
		maildir_uidlist_deinit(&uidlist2);
		pool_unref(&pool);
	}
	maildir_uidlist_deinit(&uidlist);
	free(copy);
	tmp_reset();
	return 0;
}
