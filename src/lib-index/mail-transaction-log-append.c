/* Copyright (c) dovecot-like authors. Writing the transaction log: the
   exclusive lock, appending one transaction with one write(), and rotation
   (log -> log.2) with the snapshot rewritten to point at the new log. */

#include "lib.h"
#include "mail-index-private.h"

#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

int mail_transaction_log_lock(struct mail_index *index)
{
	struct stat st;
	unsigned int tries;

	if (index->lock_count > 0) {
		index->lock_count++;
		return 0;
	}
	for (tries = 0; tries < 100; tries++) {
		bool missing;

		if (mail_transaction_log_fd_lock(index->log.fd, true,
				index->set.lock_timeout_secs) < 0) {
			mail_index_set_error(index, "Timeout while waiting for "
					     "lock on %s: %m", index->log_path);
			return -1;
		}
		missing = stat(index->log_path, &st) < 0;
		if (!missing && st.st_dev == index->log.dev &&
		    st.st_ino == index->log.ino)
			break;
		if (missing && tries >= 20) {
			/* deleted, not a rotation in progress: recreate it
			   after what we have; the new file stays locked */
			log_warning("%s: log deleted, recreating",
				    index->log_path);
			int ret;

			index->fscked = true;
			ret = mail_transaction_log_recreate(index, NULL, true);
			if (ret < 0)
				return -1;
			if (ret > 0) {
				/* somebody else created it: follow that */
				(void)mail_transaction_log_fd_lock(
					index->log.fd, false, 0);
				continue;
			}
			return 0;
		}
		/* rotated or recreated while we waited: follow it */
		(void)mail_transaction_log_fd_lock(index->log.fd, false, 0);
		if (missing)
			usleep(1000);	/* being renamed into place */
		else if (mail_transaction_log_sync_map(index, false) < 0)
			return -1;
	}
	if (tries == 100) {
		mail_index_set_error(index, "%s keeps changing", index->log_path);
		return -1;
	}
	index->lock_count = 1;
	if (mail_transaction_log_sync_map(index, true) < 0) {
		mail_transaction_log_unlock(index);
		return -1;
	}
	return 0;
}

void mail_transaction_log_unlock(struct mail_index *index)
{
	ASSERT(index->lock_count > 0);
	if (--index->lock_count == 0)
		(void)mail_transaction_log_fd_lock(index->log.fd, false, 0);
}

int mail_transaction_log_append(struct mail_index *index,
				const unsigned char *data, size_t size,
				uint32_t *offset_r)
{
	uint32_t offset = index->log.offset;
	struct stat st;
	ssize_t ret;

	ASSERT(index->lock_count > 0);
	if (fstat(index->log.fd, &st) < 0 || st.st_size != offset) {
		mail_index_set_error(index, "%s: unexpected size %lld != %u",
				     index->log_path, (long long)st.st_size,
				     offset);
		return -1;
	}
	if ((uint64_t)offset + size > INT32_MAX) {
		mail_index_set_error(index, "%s: log too large", index->log_path);
		return -1;
	}
	if (index->test_crash_mid_write) {
		/* simulated crash: half a transaction, then die */
		if (write(index->log.fd, data, size / 2) < 0)
			_exit(1);
		_exit(0);
	}
	/* one write(): O_APPEND makes it land at the end as a whole */
	ret = write(index->log.fd, data, size);
	if (ret != (ssize_t)size) {
		if (ret < 0)
			mail_index_set_error(index, "write(%s) failed: %m",
					     index->log_path);
		else
			mail_index_set_error(index, "write(%s) was short",
					     index->log_path);
		(void)ftruncate(index->log.fd, offset);
		return -1;
	}
	if (mail_index_fsync_enabled(index, true) && fdatasync(index->log.fd) < 0) {
		mail_index_set_error(index, "fdatasync(%s) failed: %m",
				     index->log_path);
		return -1;
	}
	*offset_r = offset;
	return 0;
}

static bool log_rotate_due(struct mail_index *index)
{
	uint32_t size = index->log.offset;
	time_t now = time(NULL);

	if (size > index->set.log_rotate_max_size)
		return true;
	return size > index->set.log_rotate_min_size &&
		(time_t)index->log.hdr.create_stamp +
		(time_t)index->set.log_rotate_min_age_secs <= now;
}

int mail_transaction_log_rotate(struct mail_index *index)
{
	struct mail_index_map *map = index->map;
	bool no_pending = map->hdr.log_file_tail_offset ==
		map->hdr.log_file_head_offset;
	uint32_t old_seq = index->log.hdr.file_seq;
	uint32_t old_end = index->log.offset;

	struct stat st;

	ASSERT(index->lock_count > 0);
	if (fstat(index->log.fd, &st) < 0) {
		mail_index_set_error(index, "fstat(%s) failed: %m",
				     index->log_path);
		return -1;
	}
	/* we hold the lock on st, so it is still the log (returns 0/-1) */
	if (mail_transaction_log_create_file(index, old_seq + 1, old_seq,
					     old_end, map->hdr.highest_modseq,
					     true, &st) != 0)
		return -1;
	if (!no_pending) {
		/* requests between tail and head stay in .log.2; the tail
		   can't point there, so the syncer will not see them. We only
		   get here for oversized logs (see rotate_if_needed). */
		log_warning("%s: rotated with pending requests",
			    index->log_path);
	}
	map->hdr.log2_rotate_time = (uint32_t)time(NULL);
	return mail_index_file_write(index, map);
}

int mail_transaction_log_rotate_if_needed(struct mail_index *index)
{
	struct mail_index_map *map = index->map;

	if (!log_rotate_due(index))
		return 0;
	/* keep pending requests in this file unless it is far too large */
	if (map->hdr.log_file_tail_offset != map->hdr.log_file_head_offset &&
	    index->log.offset / 4 < index->set.log_rotate_max_size)
		return 0;
	return mail_transaction_log_rotate(index);
}
