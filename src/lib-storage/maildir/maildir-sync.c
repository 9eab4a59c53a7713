/* Copyright (c) dovecot-like authors. maildir-sync.c: bringing a mailbox view
   up to date with its Maildir: rescans new/ and cur/ when their mtimes moved,
   gives new files UIDs in Dovecot's order under the uidlist lock, moves new/
   to cur/ for sessions that take \Recent, and notices others' changes. */
#include "lib.h"
#include "maildir-storage.h"
#include "maildir-filename.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Rescan when a directory changed while we read it (readdir() may miss
   entries renamed meanwhile), but not forever. */
#define MAILDIR_SYNC_MAX_SCANS 3

struct maildir_scan_entry {
	const char *fname;
	size_t base_len;
	uint32_t uid;
	bool in_new;
};

struct maildir_sync_ctx {
	struct maildir_mailbox *mbox;
	struct pool *pool;
	ARRAY(struct maildir_scan_entry) entries;
	/* identities this sync moved from new/: \Recent for this session.
	   Kept across rescans. */
	ARRAY_TYPE(string) moved;
	bool locked;
	bool move_new;	/* session takes \Recent: move new/ -> cur/ */
	struct timespec new_mtime, cur_mtime;
};

static bool timespec_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* A mailbox deleted or renamed by another session is NOTFOUND (the
   client must be told), anything else an internal error. Returns -1. */
static int maildir_sync_stat_failed(struct maildir_mailbox *mbox, const char *path)
{
	if (errno == ENOENT && !maildir_is_maildir(mbox->path)) {
		mailbox_set_error(&mbox->box, MAIL_ERROR_NOTFOUND,
				  "Mailbox was deleted under us");
		return -1;
	}
	log_error("stat(%s) failed: %m", path);
	return -1;
}

int maildir_sync_stat_dirs(struct maildir_mailbox *mbox,
			   struct timespec *new_r, struct timespec *cur_r)
{
	struct stat st;
	const char *path;

	path = tmp_strconcat(mbox->path, "/new", NULL);
	if (stat(path, &st) < 0)
		return maildir_sync_stat_failed(mbox, path);
	*new_r = st.st_mtim;
	path = tmp_strconcat(mbox->path, "/cur", NULL);
	if (stat(path, &st) < 0)
		return maildir_sync_stat_failed(mbox, path);
	*cur_r = st.st_mtim;
	return 0;
}

static void maildir_sync_add_entry(struct maildir_sync_ctx *ctx,
				   const char *fname, bool in_new)
{
	struct maildir_scan_entry *e = array_append_space(&ctx->entries);

	e->fname = p_strdup(ctx->pool, fname);
	e->base_len = maildir_filename_base_len(fname);
	e->in_new = in_new;
}

static int str_p_cmp(const char *const *s1, const char *const *s2)
{
	return strcmp(*s1, *s2);
}

static bool maildir_sync_was_moved(struct maildir_sync_ctx *ctx,
				   const struct maildir_scan_entry *e)
{
	const char *key = tmp_strndup(e->fname, e->base_len);

	if (array_count(&ctx->moved) == 0)
		return false;
	return bsearch(&key, ctx->moved.arr.buf->data, array_count(&ctx->moved),
		       sizeof(const char *),
		       (int (*)(const void *, const void *))str_p_cmp) != NULL;
}

/* new/<fname> -> cur/<fname>[:2,]. 1 moved, 0 gone (someone else moved or
   expunged it), -1 failed (the file stays in new/). */
static int maildir_sync_move_new(struct maildir_sync_ctx *ctx,
				 const char *fname, const char **new_fname_r)
{
	const char *src, *dest;

	*new_fname_r = maildir_filename_has_info(fname) ? fname :
		tmp_strconcat(fname, MAILDIR_FLAGS_PREFIX, NULL);
	src = tmp_strconcat(ctx->mbox->path, "/new/", fname, NULL);
	dest = tmp_strconcat(ctx->mbox->path, "/cur/", *new_fname_r, NULL);
	if (rename(src, dest) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	log_error("rename(%s, %s) failed: %m", src, dest);
	return -1;
}

/* 1 if we must come back with the lock, 0 ok, -1 error */
static int maildir_sync_scan_dir(struct maildir_sync_ctx *ctx, bool new_dir)
{
	const char *path, *fname;
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	path = tmp_strconcat(ctx->mbox->path, new_dir ? "/new" : "/cur", NULL);
	dir = opendir(path);
	if (dir == NULL) {
		log_error("opendir(%s) failed: %m", path);
		return -1;
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		if (!maildir_filename_is_valid(d->d_name))
			continue;
		if (!new_dir || !ctx->move_new) {
			maildir_sync_add_entry(ctx, d->d_name, new_dir);
			continue;
		}
		if (!ctx->locked) {
			ret = 1;	/* moving needs the lock */
			break;
		}
		switch (maildir_sync_move_new(ctx, d->d_name, &fname)) {
		case 1:
			maildir_sync_add_entry(ctx, fname, false);
			fname = p_strndup(ctx->pool, fname,
					  maildir_filename_base_len(fname));
			array_append(&ctx->moved, &fname);
			break;
		case 0:
			break;	/* the cur/ scan finds it if it still exists */
		default:
			maildir_sync_add_entry(ctx, d->d_name, true);
			break;
		}
		errno = 0;
	}
	if (d == NULL && errno != 0) {
		log_error("readdir(%s) failed: %m", path);
		ret = -1;
	}
	if (closedir(dir) < 0) {
		log_error("closedir(%s) failed: %m", path);
		ret = -1;
	}
	return ret;
}

static int maildir_sync_scan(struct maildir_sync_ctx *ctx)
{
	struct timespec new_before, cur_before;
	unsigned int i;
	int ret;

	for (i = 0;; i++) {
		if (maildir_sync_stat_dirs(ctx->mbox, &new_before, &cur_before) < 0)
			return -1;
		array_clear(&ctx->entries);
		if ((ret = maildir_sync_scan_dir(ctx, true)) != 0 ||
		    (ret = maildir_sync_scan_dir(ctx, false)) != 0)
			return ret;
		if (maildir_sync_stat_dirs(ctx->mbox, &ctx->new_mtime,
				      &ctx->cur_mtime) < 0)
			return -1;
		if ((timespec_eq(&new_before, &ctx->new_mtime) &&
		     timespec_eq(&cur_before, &ctx->cur_mtime)) ||
		    i + 1 == MAILDIR_SYNC_MAX_SCANS)
			return 0;
	}
}

static int scan_entry_uid_cmp(const struct maildir_scan_entry *e1,
			      const struct maildir_scan_entry *e2)
{
	if (e1->uid != e2->uid)
		return e1->uid < e2->uid ? -1 : 1;
	/* the same file in both new/ and cur/: cur/ first */
	return (int)e1->in_new - (int)e2->in_new;
}

static int scan_entry_name_cmp(const struct maildir_scan_entry *const *e1,
			       const struct maildir_scan_entry *const *e2)
{
	return maildir_filename_sort_cmp((*e1)->fname, (*e2)->fname);
}

/* Matches files to uidlist records. Returns how many files have no UID. */
static unsigned int maildir_sync_match(struct maildir_sync_ctx *ctx)
{
	struct maildir_uidlist *uidlist = ctx->mbox->uidlist;
	struct maildir_uidlist_rec *rec;
	struct maildir_scan_entry *e;
	unsigned int missing = 0;

	array_foreach(&uidlist->recs, rec)
		rec->seen = false;
	array_foreach(&ctx->entries, e) {
		e->uid = maildir_uidlist_lookup_fname(uidlist, e->fname,
						      e->base_len);
		if (e->uid == 0) {
			missing++;
			continue;
		}
		maildir_uidlist_lookup(uidlist, e->uid)->seen = true;
	}
	return missing;
}

/* New files get UIDs in Dovecot's file name order (reference 2.1). */
static void maildir_sync_assign_uids(struct maildir_sync_ctx *ctx)
{
	ARRAY(struct maildir_scan_entry *) new_files;
	struct maildir_scan_entry *e, *prev = NULL, *const *ep;

	array_init(&new_files, ctx->pool, 16);
	array_foreach(&ctx->entries, e) {
		if (e->uid == 0)
			array_append(&new_files, &e);
	}
	array_sort(&new_files, scan_entry_name_cmp);
	array_foreach(&new_files, ep) {
		e = *ep;
		if (prev != NULL && prev->base_len == e->base_len &&
		    memcmp(prev->fname, e->fname, e->base_len) == 0) {
			/* the same file seen in both new/ and cur/ */
			e->uid = prev->uid;
		} else {
			e->uid = maildir_uidlist_add(ctx->mbox->uidlist,
						     e->fname, e->base_len);
		}
		prev = e;
	}
}

/* Sizes we computed go into the uidlist as W, if the name lacks ,W=. */
static void maildir_sync_apply_pending(struct maildir_mailbox *mbox)
{
	struct mailbox_msg *const *msgp;
	struct maildir_uidlist_rec *rec;
	struct maildir_msg *msg;
	const char *fname;
	uoff_t size;

	if (mbox->vsize_pending == 0)
		return;
	array_foreach(&mbox->box.view, msgp) {
		msg = (struct maildir_msg *)*msgp;
		if (!msg->vsize_write_pending)
			continue;
		msg->vsize_write_pending = false;
		rec = maildir_uidlist_lookup(mbox->uidlist, msg->m.uid);
		if (rec == NULL || maildir_uidlist_rec_get_ext(rec, 'W') != NULL)
			continue;
		fname = maildir_msg_get_fname(mbox, msg, msg->m.flags);
		if (fname != NULL && maildir_filename_get_size(fname, 'W', &size))
			continue;
		maildir_uidlist_rec_set_ext(mbox->uidlist, rec, 'W',
					    tmp_printf("%llu",
						       (unsigned long long)msg->vsize));
	}
	mbox->vsize_pending = 0;
}

/* true if the name is what maildir_msg_get_fname() derives from the
   identity and the flags (bare in new/; in cur/ ":2," and system flag
   letters in ASCII order), so the view need not keep it. No allocation:
   this runs for every file of a scan. */
static bool maildir_sync_fname_is_canonical(const struct maildir_scan_entry *e)
{
	static const char letters[] = "DFRST";
	const char *info = e->fname + e->base_len, *l = letters;

	if (e->in_new)
		return *info == '\0';
	if (strncmp(info, MAILDIR_FLAGS_PREFIX, 3) != 0)
		return false;
	for (info += 3; *info != '\0'; info++) {
		while (*l != '\0' && *l != *info)
			l++;
		if (*l == '\0')
			return false;
		l++;
	}
	return true;
}

static void maildir_sync_build_view(struct maildir_sync_ctx *ctx)
{
	struct mailbox *box = &ctx->mbox->box;
	struct mailbox_msg *const *old_msgs;
	const struct maildir_scan_entry *e, *prev = NULL;
	struct maildir_msg *msgs, *msg, *old;
	unsigned int old_count, old_idx = 0, n = 0;

	array_sort(&ctx->entries, scan_entry_uid_cmp);
	array_sort(&ctx->moved, str_p_cmp);
	mailbox_view_begin(box, array_count(&ctx->entries));
	old_msgs = array_get(&box->old_view, &old_count);
	/* one block: no allocation (and no name) per message */
	msgs = p_malloc(box->view_pool,
			sizeof(*msgs) * (array_count(&ctx->entries) + 1));
	array_foreach(&ctx->entries, e) {
		ASSERT(e->uid != 0);
		if (prev != NULL && prev->uid == e->uid)
			continue;	/* in new/ and cur/: cur/ sorted first */
		prev = e;
		msg = &msgs[n++];
		msg->m.uid = e->uid;
		msg->in_new = e->in_new;
		msg->m.flags = maildir_filename_get_flags(e->fname);
		maildir_keywords_from_letters(ctx->mbox->keywords,
			maildir_filename_get_letters(e->fname), &msg->m.keywords);
		if (!maildir_sync_fname_is_canonical(e))
			msg->fname = p_strdup(box->view_pool, e->fname);
		while (old_idx < old_count && old_msgs[old_idx]->uid < e->uid)
			old_idx++;
		if (old_idx < old_count && old_msgs[old_idx]->uid == e->uid) {
			old = (struct maildir_msg *)old_msgs[old_idx];
			msg->m.flags |= old->m.flags & MAIL_RECENT;
			msg->vsize = old->vsize;
			msg->vsize_set = old->vsize_set;
			msg->vsize_write_pending = old->vsize_write_pending;
		}
		if (maildir_sync_was_moved(ctx, e) ||
		    (mailbox_peeks_recent(box) && e->in_new)) {
			/* EXAMINE and STATUS see what is still in new/ as
			   \Recent without claiming it */
			msg->m.flags |= MAIL_RECENT;
		}
		mailbox_view_append(box, &msg->m);
	}
}

/* 1 = needs the lock, 0 = done, -1 = error (logged, box error set) */
static int maildir_sync_run(struct maildir_sync_ctx *ctx)
{
	struct maildir_mailbox *mbox = ctx->mbox;
	struct maildir_uidlist *uidlist = mbox->uidlist;
	unsigned int missing;
	bool need_write;
	int ret;

	/* uidlist first: a file saved after this read is merely "new" */
	if (maildir_uidlist_refresh(uidlist) < 0)
		return -1;
	/* UIDs given out before us: an index of them may have been lost */
	if (uidlist->exists && maildir_uidlist_get_next_uid(uidlist) > 1)
		mbox->uids_preexisting = true;
	if (mbox->box.uidvalidity != 0 &&
	    uidlist->uid_validity != mbox->box.uidvalidity) {
		log_error("%s: UIDVALIDITY changed (%u -> %u)", uidlist->path,
			  mbox->box.uidvalidity, uidlist->uid_validity);
		mailbox_set_error(&mbox->box, MAIL_ERROR_TEMP,
				  "Mailbox UIDVALIDITY changed");
		return -1;
	}
	if ((ret = maildir_sync_scan(ctx)) != 0)
		return ret;
	missing = maildir_sync_match(ctx);
	need_write = missing > 0 || !uidlist->exists ||
		uidlist->need_recreate || uidlist->broken_lines > 0 ||
		mbox->vsize_pending > 0;
	if (need_write && !ctx->locked)
		return 1;
	if (ctx->locked) {
		maildir_sync_apply_pending(mbox);
		maildir_uidlist_drop_expunged(uidlist);
		maildir_sync_assign_uids(ctx);
		if (maildir_uidlist_commit(uidlist) < 0)
			return -1;
	}
	mbox->box.uidvalidity = uidlist->uid_validity;
	mbox->box.uidnext = maildir_uidlist_get_next_uid(uidlist);
	maildir_sync_build_view(ctx);

	mbox->new_mtime = ctx->new_mtime;
	mbox->cur_mtime = ctx->cur_mtime;
	/* a change within the mtime's granularity may not move it again */
	mbox->scan_dirty = time(NULL) - MAX(ctx->new_mtime.tv_sec,
					    ctx->cur_mtime.tv_sec) <= 1;
	if (maildir_index_sync_scan(mbox, ctx->locked) > 0) {
		/* the index needs changes: redo it all under the lock */
		mailbox_view_end(&mbox->box, false);
		return 1;
	}
	mbox->scanned = true;
	return 0;
}

static bool maildir_sync_quick_check(struct maildir_mailbox *mbox)
{
	struct timespec new_mtime, cur_mtime;

	if (!mbox->scanned || mbox->scan_dirty || mbox->vsize_pending > 0)
		return true;
	if (maildir_sync_stat_dirs(mbox, &new_mtime, &cur_mtime) < 0)
		return true;	/* the full sync reports it */
	return !timespec_eq(&new_mtime, &mbox->new_mtime) ||
		!timespec_eq(&cur_mtime, &mbox->cur_mtime);
}

int maildir_sync(struct mailbox *box)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_sync_ctx ctx;
	int ret;

	bool move_new = mailbox_takes_recent(box);

	box->error = MAIL_ERROR_NONE;
	/* our own changes go to the log first, so the others see them */
	(void)maildir_index_commit_pending(mbox);	/* logged */
	(void)maildir_keywords_refresh(mbox->keywords);	/* logged */
	if (!mbox->scanned && maildir_index_try_warm(mbox, move_new) > 0)
		return 0;
	if (!maildir_sync_quick_check(mbox))
		return maildir_index_refresh_view(mbox);

	memset(&ctx, 0, sizeof(ctx));
	ctx.mbox = mbox;
	ctx.pool = pool_create("maildir sync", 4096, POOL_FLAG_NONE);
	array_init(&ctx.entries, ctx.pool, 64);
	array_init(&ctx.moved, ctx.pool, 16);
	ctx.move_new = move_new;

	ret = maildir_sync_run(&ctx);
	if (ret > 0) {
		ret = maildir_uidlist_lock(mbox->uidlist,
					   MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS);
		if (ret > 0) {
			ctx.locked = true;
			ret = maildir_sync_run(&ctx);
			maildir_uidlist_unlock(mbox->uidlist);
		} else {
			ret = -1;
		}
	}
	if (ret < 0 && box->error == MAIL_ERROR_NONE)
		mailbox_set_internal_error(box);
	pool_unref(&ctx.pool);
	return ret < 0 ? -1 : 0;
}

void maildir_sync_write_pending(struct maildir_mailbox *mbox)
{
	if (mbox->vsize_pending == 0)
		return;
	/* at close: don't keep the user waiting for someone else's lock */
	if (maildir_uidlist_lock(mbox->uidlist, 0) <= 0)
		return;
	if (maildir_uidlist_refresh(mbox->uidlist) >= 0 &&
	    mbox->uidlist->uid_validity == mbox->box.uidvalidity) {
		bool state_current = maildir_index_state_is_current(mbox);

		maildir_sync_apply_pending(mbox);
		if (maildir_uidlist_commit(mbox->uidlist) == 0 && state_current)
			maildir_index_state_uidlist_changed(mbox);
	}
	maildir_uidlist_unlock(mbox->uidlist);
}
