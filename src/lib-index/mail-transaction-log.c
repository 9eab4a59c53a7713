/* Copyright (c) dovecot-like authors. The transaction log file: opening,
   creating (through the "<log>.newlock" dotlock so there is one creator),
   reading transactions and applying them to the map, following rotations. */

#include "lib.h"
#include "write-full.h"
#include "buffer.h"
#include "mail-index-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#define NEWLOCK_STALE_SECS 30

/* Open path and validate its header. Returns fd, -2 if missing, -1 bad. */
static int log_file_open(const char *path, struct mail_transaction_log_file *file,
			 const char **error_r)
{
	struct stat st;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDWR | O_APPEND);
	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		*error_r = tmp_printf("open(%s) failed: %m", path);
		return -1;
	}
	ret = pread(fd, &file->hdr, sizeof(file->hdr), 0);
	if (ret < 0 || fstat(fd, &st) < 0) {
		*error_r = tmp_printf("read(%s) failed: %m", path);
		close(fd);
		return -1;
	}
	if (mail_transaction_log_header_validate(&file->hdr, (size_t)ret,
						 error_r) < 0) {
		*error_r = tmp_printf("Corrupt log %s: %s", path, *error_r);
		close(fd);
		return -1;
	}
	file->fd = fd;
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	file->offset = sizeof(file->hdr);
	return fd;
}

void mail_transaction_log_close(struct mail_index *index)
{
	if (index->log.fd != -1) {
		(void)close(index->log.fd);	/* also drops our OFD lock */
		index->log.fd = -1;
	}
	index->lock_count = 0;
}

static int lock_fd(int fd, short type, bool wait, unsigned int timeout_secs)
{
	struct flock fl;
	unsigned int waited_ms = 0;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	for (;;) {
#ifdef F_OFD_SETLK
		/* per open file description: two indexes of one process
		   exclude each other, unlike classic fcntl locks */
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
#else
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
#endif
		if ((errno != EAGAIN && errno != EACCES && errno != EINTR) ||
		    !wait || waited_ms >= timeout_secs * 1000U)
			return -1;
		usleep(2000);
		waited_ms += 2;
	}
}

/* Is the newlock at path left by a creator that died? Its creator holds a
   write lock on it from creation to rename; a lockable file over a second
   old (the creator locks it right after creating it) is stale. The 30 s
   mtime rule stays for file systems without working locks. */
static bool newlock_is_stale(const char *path)
{
	struct stat st, fst;
	bool stale = false;
	int fd;

	if (stat(path, &st) < 0)
		return false;
	if (st.st_mtime + NEWLOCK_STALE_SECS < time(NULL))
		return true;
	if (st.st_mtime + 1 >= time(NULL))
		return false;
	fd = open(path, O_RDWR);
	if (fd < 0)
		return false;
	if (lock_fd(fd, F_WRLCK, false, 0) == 0 && fstat(fd, &fst) == 0 &&
	    fst.st_ino == st.st_ino && fst.st_dev == st.st_dev)
		stale = true;
	(void)close(fd);
	return stale;
}

/* Create "<log>.newlock" exclusively and write-lock it (so a crashed
   creator's file is recognised); waits while another creator holds it. */
static int newlock_create(struct mail_index *index, const char *path)
{
	unsigned int waited_ms = 0;
	int fd;

	for (;;) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
		if (newlock_is_stale(path)) {
			(void)unlink(path);	/* creator crashed */
			continue;
		}
		if (waited_ms >= index->set.lock_timeout_secs * 1000U) {
			errno = EAGAIN;
			break;
		}
		usleep(10000);
		waited_ms += 10;
	}
	if (fd < 0) {
		mail_index_set_error(index, "open(%s) failed: %m", path);
		return -1;
	}
	/* a stale check may hold it for a moment */
	if (lock_fd(fd, F_WRLCK, true, 1) < 0) {
		mail_index_set_error(index, "fcntl(%s) failed: %m", path);
		(void)close(fd);
		(void)unlink(path);
		return -1;
	}
	return fd;
}

int mail_transaction_log_fd_lock(int fd, bool lock, unsigned int timeout_secs)
{
	return lock_fd(fd, lock ? F_WRLCK : F_UNLCK, lock, timeout_secs);
}

/* Does the log path still name the file the caller decided about
   (expect NULL: no file)? Checked while holding the newlock, which every
   creation/rotation holds while renaming. */
static bool log_path_is(struct mail_index *index, const struct stat *expect)
{
	struct stat st;

	if (stat(index->log_path, &st) < 0)
		return errno == ENOENT && expect == NULL;
	return expect != NULL && st.st_dev == expect->st_dev &&
		st.st_ino == expect->st_ino;
}

/* Write a new log header into a newlock file and move it into place,
   replacing the log file expect (NULL: there is none). prev_seq != 0:
   rotation, the old log becomes .log.2 (as a hard link, so the log path
   never disappears). Keeps the new file locked when keep_locked. Returns 0,
   1 if the log changed meanwhile (caller retries), -1 on error. */
int mail_transaction_log_create_file(struct mail_index *index, uint32_t file_seq,
				     uint32_t prev_seq, uint32_t prev_offset,
				     uint64_t initial_modseq, bool keep_locked,
				     const struct stat *expect)
{
	const char *newlock = tmp_printf("%s.newlock", index->log_path);
	struct mail_transaction_log_header hdr;
	unsigned int old_lock_count = index->lock_count;
	struct stat st;
	int fd;

	fd = newlock_create(index, newlock);
	if (fd < 0)
		return -1;
	if (!log_path_is(index, expect)) {
		(void)close(fd);
		(void)unlink(newlock);
		return 1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = MAIL_TRANSACTION_LOG_MAGIC;
	hdr.major_version = MAIL_TRANSACTION_LOG_MAJOR;
	hdr.hdr_size = sizeof(hdr);
	hdr.indexid = index->indexid;
	hdr.file_seq = file_seq;
	hdr.prev_file_seq = prev_seq;
	hdr.prev_file_offset = prev_offset;
	hdr.create_stamp = (uint32_t)time(NULL);
	hdr.initial_modseq = initial_modseq;
	if (write_full(fd, &hdr, sizeof(hdr)) < 0 ||
	    (mail_index_fsync_enabled(index, false) && fdatasync(fd) < 0) ||
	    fstat(fd, &st) < 0) {
		mail_index_set_error(index, "write(%s) failed: %m", newlock);
		goto fail;
	}
	/* newlock_create() locked it: nobody sees it unlocked under the
	   real name */
	if (prev_seq != 0) {
		if (unlink(index->log2_path) < 0 && errno != ENOENT) {
			mail_index_set_error(index, "unlink(%s) failed: %m",
					     index->log2_path);
			goto fail;
		}
		if (link(index->log_path, index->log2_path) < 0) {
			mail_index_set_error(index, "link(%s) failed: %m",
					     index->log2_path);
			goto fail;
		}
	}
	if (rename(newlock, index->log_path) < 0) {
		mail_index_set_error(index, "rename(%s) failed: %m", newlock);
		goto fail;
	}
	if (!keep_locked)
		(void)lock_fd(fd, F_UNLCK, false, 0);
	mail_transaction_log_close(index);
	index->log.fd = fd;
	index->log.hdr = hdr;
	index->log.dev = st.st_dev;
	index->log.ino = st.st_ino;
	index->log.offset = sizeof(hdr);
	index->lock_count = !keep_locked ? 0 :
		(old_lock_count > 0 ? old_lock_count : 1);
	index->map->hdr.log_file_seq = file_seq;
	index->map->hdr.log_file_head_offset = sizeof(hdr);
	index->map->hdr.log_file_tail_offset = sizeof(hdr);
	if (index->map->hdr.highest_modseq < initial_modseq)
		index->map->hdr.highest_modseq = initial_modseq;
	return 0;
fail:
	(void)close(fd);
	(void)unlink(newlock);
	return -1;
}

int mail_transaction_log_recreate(struct mail_index *index,
				  const struct stat *expect, bool keep_locked)
{
	uint32_t seq = index->map->hdr.log_file_seq;
	bool was_locked = index->lock_count > 0;
	int ret;

	if (index->log.fd != -1 && index->log.hdr.file_seq > seq)
		seq = index->log.hdr.file_seq;
	ret = mail_transaction_log_create_file(index, seq + 1, 0, 0,
			index->map->hdr.highest_modseq, true, expect);
	if (ret != 0)
		return ret;
	/* a recreation that may have lost changes is recorded in the
	   snapshot too, so later opens still report it */
	if (index->fscked)
		index->map->hdr.flags |= MAIL_INDEX_HDR_FLAG_FSCKD;
	/* point the snapshot at the new log before anybody writes to it */
	ret = mail_index_file_write(index, index->map);
	if (!was_locked && (!keep_locked || ret < 0))
		mail_transaction_log_unlock(index);
	return ret;
}

/* The snapshot and the (valid) log don't fit together. That may be a race
   with a rotation, so decide under the log lock, when neither can change:
   retry (1) if the log or the snapshot moved, else recreate the log. */
static int log_recreate_locked(struct mail_index *index)
{
	struct mail_index_map *disk_map = NULL;
	struct stat st;
	const char *error;
	bool changed;
	int ret;

	if (mail_transaction_log_fd_lock(index->log.fd, true,
					 index->set.lock_timeout_secs) < 0) {
		mail_index_set_error(index, "Timeout while waiting for lock "
				     "on %s: %m", index->log_path);
		return -1;
	}
	if (fstat(index->log.fd, &st) < 0 || !log_path_is(index, &st))
		changed = true;
	else {
		ret = mail_index_file_read(index->path, &disk_map, &error);
		changed = ret <= 0 ||
			disk_map->hdr.log_file_seq != index->map->hdr.log_file_seq ||
			disk_map->hdr.log_file_head_offset !=
			index->map->hdr.log_file_head_offset ||
			disk_map->hdr.indexid != index->map->hdr.indexid;
		mail_index_map_free(&disk_map);
	}
	index->lock_count = 1;
	if (changed) {
		mail_transaction_log_unlock(index);
		return 1;
	}
	log_warning("%s: log doesn't continue the snapshot, recreating",
		    index->log_path);
	index->fscked = true;
	ret = mail_transaction_log_recreate(index, &st, false);
	mail_transaction_log_unlock(index);
	return ret;
}

static void log_set_position(struct mail_index *index, uint32_t offset)
{
	struct mail_index_map *map = index->map;

	map->hdr.log_file_seq = index->log.hdr.file_seq;
	map->hdr.log_file_head_offset = offset;
	if (map->hdr.log_file_tail_offset > offset ||
	    map->hdr.log_file_tail_offset < sizeof(index->log.hdr))
		map->hdr.log_file_tail_offset = offset;
	index->log.offset = offset;
}

int mail_transaction_log_open_or_create(struct mail_index *index,
					bool have_snapshot)
{
	struct mail_index_map *map = index->map;
	struct mail_transaction_log_file log2;
	const char *error;
	struct stat st;
	int fd;

	index->log.fd = -1;
	fd = log_file_open(index->log_path, &index->log, &error);
	if (fd == -1)
		log_warning("%s", error);
	if (fd < 0) {
		/* missing or corrupt (new logs are complete before they are
		   renamed into place, so that is not a race): start a new log
		   after the snapshot, if the path still holds what we saw */
		bool missing = stat(index->log_path, &st) < 0;

		if (!have_snapshot)
			map->hdr.log_file_seq = 0;
		if (fd == -1 || have_snapshot) {
			/* changes after the snapshot may be lost */
			index->fscked = true;
		}
		return mail_transaction_log_recreate(index,
				missing ? NULL : &st, false);
	}
	if (!have_snapshot) {
		index->indexid = map->hdr.indexid = index->log.hdr.indexid;
		map->hdr.highest_modseq = index->log.hdr.initial_modseq;
		if (index->log.hdr.prev_file_seq != 0 &&
		    log_file_open(index->log2_path, &log2, &error) >= 0) {
			if (log2.hdr.file_seq == index->log.hdr.prev_file_seq &&
			    log2.hdr.prev_file_seq == 0 &&
			    log2.hdr.indexid == index->indexid) {
				/* the whole history is in .log.2 + .log */
				(void)close(index->log.fd);
				index->log = log2;
				map->hdr.highest_modseq = log2.hdr.initial_modseq;
				log_set_position(index, sizeof(log2.hdr));
				return 0;
			}
			(void)close(log2.fd);
		}
		if (index->log.hdr.prev_file_seq != 0) {
			/* history lost: best effort, the backend resyncs */
			index->fscked = true;
			map->hdr.flags |= MAIL_INDEX_HDR_FLAG_FSCKD;
		}
		log_set_position(index, sizeof(index->log.hdr));
		return 0;
	}
	if (index->log.hdr.indexid != map->hdr.indexid)
		return log_recreate_locked(index);
	if (index->log.hdr.file_seq == map->hdr.log_file_seq &&
	    fstat(index->log.fd, &st) == 0 &&
	    (uint64_t)st.st_size >= map->hdr.log_file_head_offset) {
		log_set_position(index, map->hdr.log_file_head_offset);
		return 0;
	}
	if (index->log.hdr.file_seq == map->hdr.log_file_seq + 1) {
		if (index->log.hdr.prev_file_seq == map->hdr.log_file_seq &&
		    index->log.hdr.prev_file_offset ==
		    map->hdr.log_file_head_offset) {
			log_set_position(index, sizeof(index->log.hdr));
			return 0;
		}
		if (log_file_open(index->log2_path, &log2, &error) >= 0) {
			if (log2.hdr.file_seq == map->hdr.log_file_seq &&
			    log2.hdr.indexid == index->indexid) {
				(void)close(index->log.fd);
				index->log = log2;
				log_set_position(index,
						 map->hdr.log_file_head_offset);
				return 0;
			}
			(void)close(log2.fd);
		}
	}
	return log_recreate_locked(index);
}

int mail_transaction_log_read_fd(int fd, uint32_t offset, uint32_t max_size,
				 struct buf *buf, const char **error_r)
{
	struct mail_transaction_header hdr;
	struct mail_transaction_boundary b;
	unsigned char head[sizeof(hdr) + sizeof(b)];
	ssize_t ret;

	ret = pread(fd, head, sizeof(head), offset);
	if (ret < 0) {
		*error_r = tmp_printf("pread() failed: %m");
		return -1;
	}
	if (ret == 0)
		return 0;
	if ((size_t)ret < sizeof(head))
		return -2;
	memcpy(&hdr, head, sizeof(hdr));
	memcpy(&b, head + sizeof(hdr), sizeof(b));
	if (hdr.type != MAIL_TRANSACTION_BOUNDARY ||
	    hdr.size != sizeof(head) || b.size < sizeof(head) ||
	    b.size % 8 != 0 || b.size > max_size ||
	    (uint64_t)offset + b.size > INT32_MAX) {
		*error_r = "bad transaction boundary";
		return -1;
	}
	buf_reset(buf);
	ret = pread(fd, buf_get_space(buf, b.size), b.size, offset);
	if (ret < 0) {
		*error_r = tmp_printf("pread() failed: %m");
		return -1;
	}
	if ((size_t)ret < b.size)
		return -2;
	buf_commit_space(buf, b.size);
	if (mail_transaction_validate(buf->data, buf->used,
				      max_size,
				      error_r) < 0)
		return -1;
	return 1;
}

int mail_transaction_log_read_at(struct mail_index *index, uint32_t offset,
				 struct buf *buf, const char **error_r)
{
	return mail_transaction_log_read_fd(index->log.fd, offset,
					    index->set.max_transaction_size,
					    buf, error_r);
}

int mail_transaction_log_open_file(const char *path,
				   struct mail_transaction_log_file *file,
				   const char **error_r)
{
	int fd = log_file_open(path, file, error_r);

	if (fd == -2)
		*error_r = tmp_printf("%s doesn't exist", path);
	return fd < 0 ? -1 : 0;
}

/* At the end of the current file: has the log been rotated to a file that
   continues exactly where we are? Returns 1 switched, 0 no rotation,
   -1 rotated but we can't follow. */
static int log_follow_rotation(struct mail_index *index)
{
	struct mail_transaction_log_file next;
	const char *error;
	struct stat st;

	if (stat(index->log_path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (st.st_dev == index->log.dev && st.st_ino == index->log.ino)
		return 0;
	if (index->lock_count > 0)
		return 0;	/* we hold the lock on the current file */
	if (log_file_open(index->log_path, &next, &error) < 0)
		return -1;
	if (next.hdr.prev_file_seq != index->log.hdr.file_seq ||
	    next.hdr.prev_file_offset != index->log.offset ||
	    next.hdr.indexid != index->indexid) {
		(void)close(next.fd);
		return -1;
	}
	mail_transaction_log_close(index);
	index->log = next;
	if (index->map->hdr.highest_modseq < next.hdr.initial_modseq)
		index->map->hdr.highest_modseq = next.hdr.initial_modseq;
	index->map->hdr.log_file_tail_offset = sizeof(next.hdr);
	log_set_position(index, sizeof(next.hdr));
	return 1;
}

int mail_transaction_log_sync_map(struct mail_index *index, bool locked)
{
	struct buf *buf = buf_create(system_pool, 4096);
	const char *error = NULL;
	int ret;

	for (;;) {
		ret = mail_transaction_log_read_at(index, index->log.offset,
						   buf, &error);
		if (ret > 0) {
			uint32_t end = index->log.offset + (uint32_t)buf->used;
			mail_index_map_apply(index->map, buf->data, buf->used,
					     end);
			index->log.offset = end;
			continue;
		}
		if (ret == 0) {
			ret = log_follow_rotation(index);
			if (ret > 0)
				continue;
			if (ret < 0) {
				buf_free(&buf);
				return mail_index_reload(index);
			}
			break;
		}
		/* torn (-2) or corrupt (-1) tail: readers stop before it;
		   the lock holder cuts it off (nobody else is writing) */
		if (locked) {
			log_warning("%s: %s at offset %u, truncating",
				    index->log_path, ret == -2 ?
				    "incomplete transaction" : error,
				    index->log.offset);
			if (ftruncate(index->log.fd, index->log.offset) < 0) {
				mail_index_set_error(index,
					"ftruncate(%s) failed: %m",
					index->log_path);
				buf_free(&buf);
				return -1;
			}
		}
		break;
	}
	buf_free(&buf);
	return 0;
}
