/* Copyright (c) dovecot-like authors. mbox-rewrite.c: the journal behind
   crash-safe mbox rewrites. Journal format:
     "DLMBOXJ1 <dev> <ino> <final size>\n"
     ("W <offset> <length>\n" <length bytes>)*
     "END\n"
   The test hook DL_MBOX_TEST_CRASH_AFTER=<n> makes the process _exit() after
   n write() calls, to test every crash point. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "write-full.h"
#include "mbox-rewrite.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_REWRITE_CHUNK 4096
#define MBOX_JOURNAL_MAX_LINE 128

struct mbox_rewrite_seg {
	const unsigned char *data;	/* NULL: old file range */
	uoff_t offset, len;
};

struct mbox_rewrite_write {
	uoff_t offset;
	ARRAY(struct mbox_rewrite_seg) segs;
};

struct mbox_rewrite {
	struct pool *pool;
	int fd;
	const char *journal_path;
	ARRAY(struct mbox_rewrite_write) writes;
};

static int crash_countdown = -1;	/* -1 = off */

/* Re-read at each commit, so a forked test child can arm it. */
static void crash_hook_init(void)
{
	const char *env = getenv("DL_MBOX_TEST_CRASH_AFTER");

	crash_countdown = env == NULL ? -1 : atoi(env);
}

/* write_full() (offset < 0) or pwrite_full() with the crash test hook */
static int write_full_at(int fd, const void *data, size_t len, off_t offset)
{
	if (crash_countdown >= 0 && crash_countdown-- == 0)
		_exit(99);
	return offset < 0 ? write_full(fd, data, len) :
		pwrite_full(fd, data, len, offset);
}

struct mbox_rewrite *mbox_rewrite_begin(struct pool *pool, int fd,
					const char *journal_path)
{
	struct mbox_rewrite *rw = pool_new(pool, struct mbox_rewrite, 1);

	rw->pool = pool;
	rw->fd = fd;
	rw->journal_path = p_strdup(pool, journal_path);
	array_init(&rw->writes, pool, 8);
	return rw;
}

void mbox_rewrite_seek(struct mbox_rewrite *rw, uoff_t offset)
{
	struct mbox_rewrite_write *w = array_append_space(&rw->writes);

	w->offset = offset;
	array_init(&w->segs, rw->pool, 8);
}

static struct mbox_rewrite_write *cur_write(struct mbox_rewrite *rw)
{
	unsigned int count = array_count(&rw->writes);

	ASSERT(count > 0);
	return array_idx_modifiable(&rw->writes, count - 1);
}

void mbox_rewrite_add_data(struct mbox_rewrite *rw, const void *data,
			   size_t len)
{
	struct mbox_rewrite_seg *seg = array_append_space(&cur_write(rw)->segs);

	seg->data = p_memdup(rw->pool, data, len);
	seg->len = len;
}

void mbox_rewrite_add_old(struct mbox_rewrite *rw, uoff_t offset, uoff_t len)
{
	struct mbox_rewrite_seg *seg = array_append_space(&cur_write(rw)->segs);

	seg->offset = offset;
	seg->len = len;
}

bool mbox_rewrite_is_empty(const struct mbox_rewrite *rw)
{
	return array_count(&rw->writes) == 0;
}

static uoff_t write_len(const struct mbox_rewrite_write *w)
{
	const struct mbox_rewrite_seg *seg;
	uoff_t len = 0;

	array_foreach(&w->segs, seg)
		len += seg->len;
	return len;
}

static int journal_write_seg(struct mbox_rewrite *rw, int jfd,
			     const struct mbox_rewrite_seg *seg)
{
	unsigned char buf[MBOX_REWRITE_CHUNK];
	uoff_t done = 0;
	size_t n;

	if (seg->data != NULL)
		return write_full_at(jfd, seg->data, (size_t)seg->len, -1);
	while (done < seg->len) {
		n = (size_t)MIN(seg->len - done, sizeof(buf));
		if (pread_full(rw->fd, buf, n,
			       (off_t)(seg->offset + done)) < 0 ||
		    write_full_at(jfd, buf, n, -1) < 0)
			return -1;
		done += n;
	}
	return 0;
}

static int journal_write(struct mbox_rewrite *rw, int jfd, uoff_t final_size)
{
	const struct mbox_rewrite_write *w;
	const struct mbox_rewrite_seg *seg;
	const char *line;
	struct stat st;

	if (fstat(rw->fd, &st) < 0)
		return -1;
	line = tmp_printf("DLMBOXJ1 %llu %llu %llu\n",
			  (unsigned long long)st.st_dev,
			  (unsigned long long)st.st_ino,
			  (unsigned long long)final_size);
	if (write_full_at(jfd, line, strlen(line), -1) < 0)
		return -1;
	array_foreach(&rw->writes, w) {
		line = tmp_printf("W %llu %llu\n", (unsigned long long)w->offset,
				  (unsigned long long)write_len(w));
		if (write_full_at(jfd, line, strlen(line), -1) < 0)
			return -1;
		array_foreach(&w->segs, seg) {
			if (journal_write_seg(rw, jfd, seg) < 0)
				return -1;
		}
	}
	if (write_full_at(jfd, "END\n", 4, -1) < 0 || fsync(jfd) < 0)
		return -1;
	return 0;
}

/* Reads one "\n"-terminated line of the journal at *pos. */
static int journal_read_line(int jfd, uoff_t *pos, uoff_t jsize, char *buf)
{
	size_t n = (size_t)MIN(jsize - *pos, MBOX_JOURNAL_MAX_LINE - 1);
	char *lf;

	if (n == 0 || pread_full(jfd, buf, n, (off_t)*pos) < 0)
		return -1;
	buf[n] = '\0';
	lf = memchr(buf, '\n', n);
	if (lf == NULL)
		return -1;
	*lf = '\0';
	*pos += (uoff_t)(lf - buf) + 1;
	return 0;
}

/* Checks (apply=false) or applies (apply=true) a journal. 0 ok, -1 broken
   or I/O error (errno 0 = broken journal). */
static int journal_process(int fd, int jfd, uoff_t jsize, bool apply)
{
	char line[MBOX_JOURNAL_MAX_LINE];
	unsigned char buf[MBOX_REWRITE_CHUNK];
	unsigned long long dev, ino, final_size, off, len;
	uoff_t pos = 0, done;
	struct stat st;
	size_t n;

	errno = 0;
	if (journal_read_line(jfd, &pos, jsize, line) < 0 ||
	    sscanf(line, "DLMBOXJ1 %llu %llu %llu", &dev, &ino,
		   &final_size) != 3 || fstat(fd, &st) < 0 ||
	    (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino)
		return -1;
	for (;;) {
		if (journal_read_line(jfd, &pos, jsize, line) < 0)
			return -1;
		if (strcmp(line, "END") == 0)
			break;
		if (sscanf(line, "W %llu %llu", &off, &len) != 2 ||
		    len > jsize - pos)
			return -1;
		for (done = 0; apply && done < len; done += n) {
			n = (size_t)MIN(len - done, sizeof(buf));
			if (pread_full(jfd, buf, n, (off_t)(pos + done)) < 0 ||
			    write_full_at(fd, buf, n, (off_t)(off + done)) < 0)
				return -1;
		}
		pos += len;
	}
	if (pos != jsize)
		return -1;
	if (apply && (ftruncate(fd, (off_t)final_size) < 0 || fsync(fd) < 0))
		return -1;
	return 0;
}

static int journal_apply_file(int fd, const char *path, const char **error_r)
{
	struct stat st;
	int jfd;

	jfd = open(path, O_RDONLY);
	if (jfd == -1) {
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	if (fstat(jfd, &st) < 0 ||
	    journal_process(fd, jfd, (uoff_t)st.st_size, false) < 0) {
		if (errno == 0)
			*error_r = tmp_printf("%s: broken journal", path);
		else
			*error_r = tmp_printf("%s: %m", path);
		(void)close(jfd);
		return errno == 0 ? 0 : -1;
	}
	if (journal_process(fd, jfd, (uoff_t)st.st_size, true) < 0) {
		*error_r = tmp_printf("applying %s failed: %m", path);
		(void)close(jfd);
		return -1;
	}
	(void)close(jfd);
	return 1;
}

static void journal_fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dir = slash == NULL ? "." :
		tmp_strndup(path, slash == path ? 1 : (size_t)(slash - path));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd == -1)
		return;
	if (fsync(fd) < 0)
		log_warning("fsync(%s) failed: %m", dir);
	(void)close(fd);
}

int mbox_rewrite_commit(struct mbox_rewrite *rw, uoff_t final_size,
			const char **error_r)
{
	const char *path = rw->journal_path;
	int jfd, ret;

	crash_hook_init();
	jfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (jfd == -1) {
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	if (journal_write(rw, jfd, final_size) < 0) {
		*error_r = tmp_printf("writing %s failed: %m", path);
		(void)close(jfd);
		(void)unlink(path);
		return -1;
	}
	(void)close(jfd);
	/* the journal's directory entry must be durable before we touch the
	   mbox, or a power loss could lose both */
	journal_fsync_dir(path);
	ret = journal_apply_file(rw->fd, path, error_r);
	if (ret <= 0) {
		if (ret == 0)
			(void)unlink(path);
		return -1;
	}
	if (unlink(path) < 0) {
		*error_r = tmp_printf("unlink(%s) failed: %m", path);
		return -1;
	}
	return 0;
}

int mbox_rewrite_recover(int fd, const char *journal_path,
			 const char **error_r)
{
	int ret;

	if (access(journal_path, F_OK) < 0)
		return 0;
	ret = journal_apply_file(fd, journal_path, error_r);
	if (ret < 0)
		return -1;
	if (ret == 0)
		log_warning("Removing incomplete mbox journal: %s", *error_r);
	else
		log_warning("Recovered interrupted mbox rewrite from %s",
			    journal_path);
	if (unlink(journal_path) < 0 && errno != ENOENT) {
		*error_r = tmp_printf("unlink(%s) failed: %m", journal_path);
		return -1;
	}
	return ret;
}

int mbox_rewrite_append_begin(int fd, const char *journal_path,
			      const char **error_r)
{
	struct mbox_rewrite *rw;
	struct stat st;
	int jfd, ret, saved_errno;

	if (fstat(fd, &st) < 0) {
		*error_r = tmp_printf("fstat() failed: %m");
		return -1;
	}
	/* no writes: replaying it only truncates back to the old size */
	rw = mbox_rewrite_begin(tmp_pool, fd, journal_path);
	jfd = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (jfd == -1) {
		*error_r = tmp_printf("open(%s) failed: %m", journal_path);
		return -1;
	}
	ret = journal_write(rw, jfd, (uoff_t)st.st_size);
	saved_errno = errno;
	if (close(jfd) < 0 && ret == 0) {
		ret = -1;
		saved_errno = errno;
	}
	if (ret < 0) {
		/* errno stays the write's, so ENOSPC can be told apart */
		errno = saved_errno;
		*error_r = tmp_printf("writing %s failed: %m", journal_path);
		(void)unlink(journal_path);
		errno = saved_errno;
		return -1;
	}
	journal_fsync_dir(journal_path);
	return 0;
}

int mbox_rewrite_append_end(const char *journal_path, const char **error_r)
{
	if (unlink(journal_path) < 0) {
		*error_r = tmp_printf("unlink(%s) failed: %m", journal_path);
		return -1;
	}
	journal_fsync_dir(journal_path);
	return 0;
}
