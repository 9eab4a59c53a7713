/* Copyright (c) dovecot-like authors. maildir-keywords.c: reading and
   writing dovecot-keywords ("<idx> <name>\n", idx 0..25 = letters a..z)
   the way Dovecot does: read without a lock, written under the uidlist
   lock into dovecot-keywords.lock (O_EXCL) and renamed over the file;
   existing entries are never renumbered. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "write-full.h"
#include "mail-storage-private.h"
#include "mail-index.h"
#include "maildir-uidlist.h"
#include "maildir-keywords.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct maildir_keywords {
	struct mailbox *box;
	const char *path, *lock_path;
	/* identity of the file last read (ino 0 = not read / missing) */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool exists;
	/* per letter: its name (box pool) and the box keyword bit, -1 none */
	const char *names[MAILDIR_MAX_KEYWORDS];
	int box_idx[MAILDIR_MAX_KEYWORDS];
};

/* One "<idx> <name>" line; false if bad. */
static bool maildir_keywords_parse_line(const char *line, size_t len,
					unsigned int *idx_r, size_t *name_pos_r)
{
	unsigned int idx = 0;
	size_t i = 0;

	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
		idx = idx * 10 + (unsigned int)(line[i] - '0');
		if (idx >= MAILDIR_MAX_KEYWORDS)
			return false;
	}
	if (i == 0 || i >= len || line[i] != ' ')
		return false;
	i++;
	/* an IMAP atom: the name goes raw into FLAGS and FETCH */
	if (!mail_keyword_name_is_valid(line + i, len - i,
					MAIL_INDEX_MAX_KEYWORD_LEN))
		return false;
	*idx_r = idx;
	*name_pos_r = i;
	return true;
}

unsigned int maildir_keywords_parse(struct pool *pool, const char *data,
				    size_t size,
				    const char *names_r[MAILDIR_MAX_KEYWORDS])
{
	const char *line, *end;
	unsigned int idx, bad = 0;
	size_t len, name_pos;

	memset(names_r, 0, sizeof(*names_r) * MAILDIR_MAX_KEYWORDS);
	while (size > 0) {
		line = data;
		end = memchr(data, '\n', size);
		len = end == NULL ? size : (size_t)(end - data);
		data += end == NULL ? size : len + 1;
		size -= end == NULL ? size : len + 1;
		if (len == 0)
			continue;
		if (!maildir_keywords_parse_line(line, len, &idx, &name_pos) ||
		    names_r[idx] != NULL) {
			bad++;
			continue;
		}
		names_r[idx] = p_strndup(pool, line + name_pos, len - name_pos);
	}
	return bad;
}

struct maildir_keywords *maildir_keywords_init(struct mailbox *box,
					       const char *control_path)
{
	struct maildir_keywords *mk = pool_new(box->pool, struct maildir_keywords, 1);
	unsigned int i;

	mk->box = box;
	mk->path = p_strconcat(box->pool, control_path, "/",
			       MAILDIR_KEYWORDS_FNAME, NULL);
	mk->lock_path = p_strconcat(box->pool, control_path, "/",
				    MAILDIR_KEYWORDS_LOCK_FNAME, NULL);
	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++)
		mk->box_idx[i] = -1;
	box->keywords_max = MAILDIR_MAX_KEYWORDS;
	return mk;
}

/* keywords_max = the box's names + the letters still free, so that
   mailbox_can_create_keywords() is false when all 26 are used. */
static void maildir_keywords_update_max(struct maildir_keywords *mk)
{
	unsigned int i, free_letters = 0;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->names[i] == NULL)
			free_letters++;
	}
	mk->box->keywords_max = array_count(&mk->box->keywords) + free_letters;
	if (mk->box->keywords_max > MAILBOX_MAX_KEYWORDS)
		mk->box->keywords_max = MAILBOX_MAX_KEYWORDS;
}

/* Takes the parsed names as the letter map and adds them to the box. */
static void maildir_keywords_apply(struct maildir_keywords *mk,
				   const char *const *names)
{
	unsigned int i;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		mk->names[i] = names[i];
		mk->box_idx[i] = names[i] == NULL ? -1 :
			mailbox_keyword_add(mk->box, names[i]);
		if (names[i] != NULL && mk->box_idx[i] < 0) {
			log_warning("%s: too many keywords, ignoring %s",
				    mk->path, names[i]);
		}
	}
	maildir_keywords_update_max(mk);
}

/* Reads the open file (st describes it). 0 or -1 (logged). */
static int maildir_keywords_read_fd(struct maildir_keywords *mk, int fd,
				    const struct stat *st)
{
	const char *names[MAILDIR_MAX_KEYWORDS];
	unsigned int bad;
	char *data;

	if (st->st_size > MAILDIR_KEYWORDS_MAX_FILE_SIZE) {
		log_error("%s: file too large (%lld bytes), ignored", mk->path,
			  (long long)st->st_size);
		memset(names, 0, sizeof(names));
	} else {
		data = p_malloc(tmp_pool, (size_t)st->st_size + 1);
		if (st->st_size > 0 &&
		    pread_full(fd, data, (size_t)st->st_size, 0) < 0) {
			log_error("read(%s) failed: %m", mk->path);
			return -1;
		}
		bad = maildir_keywords_parse(mk->box->pool, data,
					     (size_t)st->st_size, names);
		if (bad > 0)
			log_warning("%s: %u invalid lines skipped", mk->path, bad);
	}
	maildir_keywords_apply(mk, names);
	return 0;
}

static bool maildir_keywords_same_file(const struct maildir_keywords *mk,
				       const struct stat *st)
{
	return mk->exists && mk->ino == st->st_ino && mk->size == st->st_size &&
		mk->mtime.tv_sec == st->st_mtim.tv_sec &&
		mk->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

int maildir_keywords_refresh(struct maildir_keywords *mk)
{
	struct stat st;
	int fd, ret;

	fd = open(mk->path, O_RDONLY);
	if (fd < 0) {
		if (errno != ENOENT) {
			log_error("open(%s) failed: %m", mk->path);
			return -1;
		}
		/* no file: keep the letters we know (a deleted file is
		   recreated by the next write) */
		mk->exists = false;
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", mk->path);
		(void)close(fd);
		return -1;
	}
	if (maildir_keywords_same_file(mk, &st)) {
		(void)close(fd);
		return 0;
	}
	ret = maildir_keywords_read_fd(mk, fd, &st);
	(void)close(fd);
	if (ret == 0) {
		mk->exists = true;
		mk->ino = st.st_ino;
		mk->size = st.st_size;
		mk->mtime = st.st_mtim;
	}
	return ret;
}

uint32_t maildir_keywords_known_letters(const struct maildir_keywords *mk)
{
	uint32_t letters = 0;
	unsigned int i;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->box_idx[i] >= 0)
			letters |= 1U << i;
	}
	return letters;
}

uint32_t maildir_keywords_to_letters(const struct maildir_keywords *mk,
				     const struct mail_keywords *kw)
{
	uint32_t letters = 0;
	unsigned int i;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->box_idx[i] >= 0 &&
		    mail_keywords_has(kw, (unsigned int)mk->box_idx[i]))
			letters |= 1U << i;
	}
	return letters;
}

void maildir_keywords_from_letters(const struct maildir_keywords *mk,
				   uint32_t letters, struct mail_keywords *kw_r)
{
	unsigned int i;

	memset(kw_r, 0, sizeof(*kw_r));
	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if ((letters & (1U << i)) != 0 && mk->box_idx[i] >= 0)
			mail_keywords_set(kw_r, (unsigned int)mk->box_idx[i], true);
	}
}

static bool maildir_keywords_idx_has_letter(const struct maildir_keywords *mk,
					    unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->box_idx[i] == (int)idx)
			return true;
	}
	return false;
}

/* Gives every box keyword from first_idx on (only those in only, if not
   NULL) without a letter the lowest free one. false if the letters ran
   out. */
static bool maildir_keywords_assign(struct maildir_keywords *mk,
				    unsigned int first_idx,
				    const struct mail_keywords *only)
{
	const char *const *names;
	unsigned int idx, count, letter;

	names = array_get(&mk->box->keywords, &count);
	for (idx = first_idx; idx < count; idx++) {
		if (maildir_keywords_idx_has_letter(mk, idx) ||
		    (only != NULL && !mail_keywords_has(only, idx)))
			continue;
		for (letter = 0; letter < MAILDIR_MAX_KEYWORDS; letter++) {
			if (mk->names[letter] == NULL)
				break;
		}
		if (letter == MAILDIR_MAX_KEYWORDS)
			return false;
		mk->names[letter] = names[idx];
		mk->box_idx[letter] = (int)idx;
	}
	return true;
}

/* A failed write of the lock file: close and remove it. Returns -1. */
static int maildir_keywords_write_abort(struct maildir_keywords *mk, int fd)
{
	(void)close(fd);
	(void)unlink(mk->lock_path);
	return -1;
}

/* Writes the letter map into the lock file and renames it over the file.
   Call with the uidlist lock held. 0 or -1 (logged). */
static int maildir_keywords_write(struct maildir_keywords *mk)
{
	struct str *str = t_str_new(256);
	struct stat st;
	unsigned int i;
	int fd;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->names[i] != NULL)
			str_printfa(str, "%u %s\n", i, mk->names[i]);
	}
	fd = open(mk->lock_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* we hold the uidlist lock: a writer that died left it */
		if (unlink(mk->lock_path) < 0 && errno != ENOENT)
			log_error("unlink(%s) failed: %m", mk->lock_path);
		fd = open(mk->lock_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	}
	if (fd < 0) {
		log_error("open(%s) failed: %m", mk->lock_path);
		return -1;
	}
	if (write_full(fd, str_data(str), str_len(str)) < 0) {
		log_error("write(%s) failed: %m", mk->lock_path);
		return maildir_keywords_write_abort(mk, fd);
	}
	if (fdatasync(fd) < 0) {
		log_error("fdatasync(%s) failed: %m", mk->lock_path);
		return maildir_keywords_write_abort(mk, fd);
	}
	/* the file holds exactly what we know: remember its identity so the
	   next refresh doesn't read it back */
	if (fstat(fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", mk->lock_path);
		return maildir_keywords_write_abort(mk, fd);
	}
	if (close(fd) < 0) {
		log_error("close(%s) failed: %m", mk->lock_path);
		(void)unlink(mk->lock_path);
		return -1;
	}
	if (rename(mk->lock_path, mk->path) < 0) {
		log_error("rename(%s, %s) failed: %m", mk->lock_path, mk->path);
		(void)unlink(mk->lock_path);
		return -1;
	}
	mk->exists = true;
	mk->ino = st.st_ino;
	mk->size = st.st_size;
	mk->mtime = st.st_mtim;
	return 0;
}

/* Forgets letters given to box keywords from first_idx on (they are about
   to be removed from the box) and re-reads the file next time. */
static void maildir_keywords_forget(struct maildir_keywords *mk,
				    unsigned int first_idx)
{
	unsigned int i;

	for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (mk->box_idx[i] >= (int)first_idx) {
			mk->box_idx[i] = -1;
			mk->names[i] = NULL;
		}
	}
	mk->exists = false;
}

static int maildir_keywords_create_real(struct maildir_keywords *mk,
					struct maildir_uidlist *uidlist,
					unsigned int first_idx,
					const struct mail_keywords *only)
{
	bool locked_here = false;
	int ret = -1;

	if (!uidlist->locked) {
		if (maildir_uidlist_lock(uidlist,
					 MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS) <= 0) {
			mailbox_set_internal_error(mk->box);
			return -1;
		}
		locked_here = true;
	}
	/* merge what other processes added meanwhile (same name = same
	   letter, found by the lookup in maildir_keywords_apply()) */
	mk->exists = false;
	if (maildir_keywords_refresh(mk) < 0)
		mailbox_set_internal_error(mk->box);
	else if (!maildir_keywords_assign(mk, first_idx, only))
		mailbox_set_error(mk->box, MAIL_ERROR_LIMIT,
				  "Too many keywords in the mailbox");
	else if (maildir_keywords_write(mk) < 0)
		mailbox_set_internal_error(mk->box);
	else
		ret = 0;
	if (locked_here)
		maildir_uidlist_unlock(uidlist);
	if (ret < 0 && only == NULL)
		maildir_keywords_forget(mk, first_idx);
	maildir_keywords_update_max(mk);
	return ret;
}

int maildir_keywords_create(struct maildir_keywords *mk,
			    struct maildir_uidlist *uidlist,
			    unsigned int first_idx)
{
	return maildir_keywords_create_real(mk, uidlist, first_idx, NULL);
}

bool maildir_keywords_all_lettered(const struct maildir_keywords *mk)
{
	unsigned int i, count = array_count(&mk->box->keywords);

	for (i = 0; i < count; i++) {
		if (!maildir_keywords_idx_has_letter(mk, i))
			return false;
	}
	return true;
}

int maildir_keywords_ensure(struct maildir_keywords *mk,
			    struct maildir_uidlist *uidlist,
			    const struct mail_keywords *kw)
{
	unsigned int i, count = array_count(&mk->box->keywords);
	bool missing = false;

	for (i = 0; i < count && !missing; i++) {
		if (mail_keywords_has(kw, i) &&
		    !maildir_keywords_idx_has_letter(mk, i))
			missing = true;
	}
	if (!missing)
		return 0;
	return maildir_keywords_create_real(mk, uidlist, 0, kw);
}
