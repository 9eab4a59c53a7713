/* Copyright (c) dovecot-like authors. maildir-index-state.c: reading,
   writing and checking "dovecot-like.index.maildir" (see
   maildir-index-state.h). Written through a per-process temp file and
   rename(), so readers see the old or the new state, never a torn one. */
#include "lib.h"
#include "maildir-index-state.h"
#include "mail-index.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static uint32_t state_checksum(const struct maildir_index_state *state)
{
	struct maildir_index_state copy = *state;
	const unsigned char *p = (const unsigned char *)&copy;
	uint32_t hash = 2166136261U;
	size_t i;

	copy.checksum = 0;
	for (i = 0; i < sizeof(copy); i++) {
		hash ^= p[i];
		hash *= 16777619U;
	}
	return hash;
}

const char *maildir_index_state_path(struct maildir_mailbox *mbox)
{
	return tmp_strconcat(mbox->index_dir, "/" MAILDIR_INDEX_PREFIX
			     MAILDIR_INDEX_STATE_SUFFIX, NULL);
}

void maildir_index_state_delete(struct maildir_mailbox *mbox)
{
	const char *path = maildir_index_state_path(mbox);

	if (unlink(path) < 0 && errno != ENOENT)
		log_error("unlink(%s) failed: %m", path);
}

/* true if the state file exists and is well-formed */
bool maildir_index_state_read(struct maildir_mailbox *mbox,
			      struct maildir_index_state *state_r)
{
	const char *path = maildir_index_state_path(mbox);
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno != ENOENT)
			log_error("open(%s) failed: %m", path);
		return false;
	}
	ret = read(fd, state_r, sizeof(*state_r));
	if (ret < 0)
		log_error("read(%s) failed: %m", path);
	(void)close(fd);
	if (ret != (ssize_t)sizeof(*state_r) ||
	    state_r->magic != MAILDIR_INDEX_STATE_MAGIC ||
	    state_r->version != MAILDIR_INDEX_STATE_VERSION ||
	    state_r->checksum != state_checksum(state_r)) {
		if (ret >= 0)
			log_warning("%s: corrupt, ignored", path);
		return false;
	}
	return true;
}

void maildir_index_state_write(struct maildir_mailbox *mbox,
			       const struct maildir_index_state *state)
{
	const char *path = maildir_index_state_path(mbox);
	/* per process: two writers must not share a temp file */
	const char *tmp_path = tmp_printf("%s.tmp.%ld", path, (long)getpid());
	int fd;

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		log_error("open(%s) failed: %m", tmp_path);
		return;
	}
	if (write(fd, state, sizeof(*state)) != (ssize_t)sizeof(*state)) {
		log_error("write(%s) failed: %m", tmp_path);
		(void)close(fd);
		(void)unlink(tmp_path);
		return;
	}
	if (close(fd) < 0 || rename(tmp_path, path) < 0) {
		log_error("writing %s failed: %m", path);
		(void)unlink(tmp_path);
	}
}

bool maildir_index_stat_uidlist(struct maildir_mailbox *mbox,
				struct stat *st_r)
{
	if (stat(mbox->uidlist->path, st_r) == 0)
		return true;
	if (errno != ENOENT)
		log_error("stat(%s) failed: %m", mbox->uidlist->path);
	return false;
}

void maildir_index_state_fill(struct maildir_mailbox *mbox,
			      const struct stat *uidlist_st,
			      uint32_t new_count,
			      struct maildir_index_state *state_r)
{
	const struct mail_index_header *hdr = mail_index_get_header(mbox->index);

	memset(state_r, 0, sizeof(*state_r));
	state_r->magic = MAILDIR_INDEX_STATE_MAGIC;
	state_r->version = MAILDIR_INDEX_STATE_VERSION;
	state_r->indexid = hdr->indexid;
	state_r->uid_validity = hdr->uid_validity;
	state_r->new_sec = mbox->new_mtime.tv_sec;
	state_r->new_nsec = mbox->new_mtime.tv_nsec;
	state_r->cur_sec = mbox->cur_mtime.tv_sec;
	state_r->cur_nsec = mbox->cur_mtime.tv_nsec;
	state_r->uidlist_sec = uidlist_st->st_mtim.tv_sec;
	state_r->uidlist_nsec = uidlist_st->st_mtim.tv_nsec;
	state_r->uidlist_size = (uint64_t)uidlist_st->st_size;
	state_r->uidlist_ino = (uint64_t)uidlist_st->st_ino;
	state_r->new_count = new_count;
	state_r->checksum = state_checksum(state_r);
}

bool maildir_index_state_matches(const struct maildir_index_state *a,
				 const struct maildir_index_state *b)
{
	return a->indexid == b->indexid && a->uid_validity == b->uid_validity &&
		a->new_sec == b->new_sec && a->new_nsec == b->new_nsec &&
		a->cur_sec == b->cur_sec && a->cur_nsec == b->cur_nsec &&
		a->uidlist_sec == b->uidlist_sec &&
		a->uidlist_nsec == b->uidlist_nsec &&
		a->uidlist_size == b->uidlist_size &&
		a->uidlist_ino == b->uidlist_ino;
}

bool maildir_index_state_is_current(struct maildir_mailbox *mbox)
{
	struct maildir_index_state state, now;
	struct timespec new_mtime, cur_mtime;
	struct stat uidlist_st;

	if (mbox->index == NULL || !maildir_index_state_read(mbox, &state) ||
	    maildir_sync_stat_dirs(mbox, &new_mtime, &cur_mtime) < 0 ||
	    !maildir_index_stat_uidlist(mbox, &uidlist_st))
		return false;
	if (new_mtime.tv_sec != state.new_sec ||
	    new_mtime.tv_nsec != state.new_nsec ||
	    cur_mtime.tv_sec != state.cur_sec ||
	    cur_mtime.tv_nsec != state.cur_nsec)
		return false;
	maildir_index_state_fill(mbox, &uidlist_st, state.new_count, &now);
	now.new_sec = state.new_sec;
	now.new_nsec = state.new_nsec;
	now.cur_sec = state.cur_sec;
	now.cur_nsec = state.cur_nsec;
	return maildir_index_state_matches(&state, &now);
}

void maildir_index_state_uidlist_changed(struct maildir_mailbox *mbox)
{
	struct maildir_index_state state;
	struct stat uidlist_st;

	if (!maildir_index_state_read(mbox, &state) ||
	    !maildir_index_stat_uidlist(mbox, &uidlist_st))
		return;
	state.uidlist_sec = uidlist_st.st_mtim.tv_sec;
	state.uidlist_nsec = uidlist_st.st_mtim.tv_nsec;
	state.uidlist_size = (uint64_t)uidlist_st.st_size;
	state.uidlist_ino = (uint64_t)uidlist_st.st_ino;
	state.checksum = state_checksum(&state);
	maildir_index_state_write(mbox, &state);
}

