/* Copyright (c) dovecot-like authors. Modseq history from the log: which
   UIDs were expunged after a client's modseq (QRESYNC VANISHED (EARLIER),
   RFC 7162 3.2.5.1), found by replaying .log.2 and .log. */

#include "lib.h"
#include "buffer.h"
#include "mail-index-private.h"
#include "mail-index-modseq.h"

#include <unistd.h>

/* Does rec raise the mailbox modseq itself (uid 0)? */
static bool modseq_rec_is_jump(const struct mail_transaction_rec *rec)
{
	struct mail_transaction_modseq_update m;
	uint32_t i;

	if ((rec->type & MAIL_TRANSACTION_TYPE_MASK) !=
	    MAIL_TRANSACTION_MODSEQ_UPDATE)
		return false;
	for (i = 0; i + sizeof(m) <= rec->size; i += sizeof(m)) {
		memcpy(&m, rec->data + i, sizeof(m));
		if (m.uid == 0)
			return true;
	}
	return false;
}

/* Scan one file; modseq starts at its initial_modseq. Returns 1 if it was
   read to its end, 0 if it ends in an incomplete transaction (torn, or
   being written), -1 if a transaction couldn't be read or is invalid (the
   history after it is unknown). *end_r: where the scan stopped. A
   mailbox modseq raised by a jump (uid 0 MODSEQ_UPDATE: an index rebuilt
   or restarted above a lost one's modseqs) means the history below the
   new value is gone: *floor_r is raised to it. */
static int modseq_scan_file(struct mail_index *index,
			    struct mail_transaction_log_file *file,
			    uint64_t since_modseq, ARRAY_TYPE(uint32) *uids,
			    uint32_t *end_r, uint64_t *floor_r)
{
	struct mail_transaction_rec rec;
	struct mail_transaction_uid_range r;
	struct buf *buf = buf_create(system_pool, 4096);
	uint64_t modseq = file->hdr.initial_modseq;
	uint32_t offset = sizeof(file->hdr);
	const char *error = NULL;
	size_t pos, i;
	int ret;

	while ((ret = mail_transaction_log_read_fd(file->fd, offset,
			index->set.max_transaction_size, buf, &error)) > 0) {
		pos = 0;
		while (mail_transaction_next(buf->data, buf->used, &pos, &rec)) {
			uint64_t next = mail_transaction_rec_next_modseq(&rec,
									  modseq);

			if (next > modseq + 1 && modseq_rec_is_jump(&rec) &&
			    next > *floor_r)
				*floor_r = next;
			modseq = next;
			if ((rec.type & MAIL_TRANSACTION_TYPE_MASK) !=
			    MAIL_TRANSACTION_EXPUNGE ||
			    (rec.type & MAIL_TRANSACTION_EXTERNAL) == 0 ||
			    modseq <= since_modseq)
				continue;
			for (i = 0; i + sizeof(r) <= rec.size; i += sizeof(r)) {
				memcpy(&r, rec.data + i, sizeof(r));
				array_append(uids, &r.uid1);
				array_append(uids, &r.uid2);
			}
		}
		offset += (uint32_t)buf->used;
	}
	buf_free(&buf);
	*end_r = offset;
	if (ret == -1) {
		log_warning("%s: log file seq %u offset %u: %s (modseq history "
			    "incomplete)", index->log_path, file->hdr.file_seq,
			    offset, error != NULL ? error : "unreadable");
		return -1;
	}
	return ret == 0 ? 1 : 0;
}

int mail_index_modseq_get_expunges(struct mail_index *index,
				   uint64_t since_modseq,
				   ARRAY_TYPE(uint32) *uid_ranges)
{
	struct mail_transaction_log_file cur, old;
	const struct mail_index_header *hdr = &index->map->hdr;
	const char *error;
	bool have_old = false, complete = true;
	uint64_t oldest, floor = 0;
	uint32_t end;
	int ret;

	if (mail_transaction_log_open_file(index->log_path, &cur, &error) < 0) {
		mail_index_set_error(index, "%s", error);
		return -1;
	}
	oldest = cur.hdr.initial_modseq;
	if (since_modseq < oldest && cur.hdr.prev_file_seq != 0 &&
	    mail_transaction_log_open_file(index->log2_path, &old, &error) == 0) {
		if (old.hdr.file_seq == cur.hdr.prev_file_seq &&
		    old.hdr.indexid == cur.hdr.indexid) {
			have_old = true;
			oldest = old.hdr.initial_modseq;
			if (old.hdr.prev_file_seq == 0)
				oldest = 0;
			/* a rotated file is never appended to again: any
			   stop before its end loses history */
			if (modseq_scan_file(index, &old, since_modseq,
					     uid_ranges, &end, &floor) <= 0)
				complete = false;
		}
		(void)close(old.fd);
	}
	if (!have_old && cur.hdr.prev_file_seq == 0)
		oldest = 0;
	ret = modseq_scan_file(index, &cur, since_modseq, uid_ranges, &end,
			       &floor);
	/* an incomplete tail is fine if it's past everything the map (and so
	   any modseq a client was given) includes */
	if (ret < 0 || (ret == 0 && (hdr->log_file_seq != cur.hdr.file_seq ||
				     end < hdr->log_file_head_offset)))
		complete = false;
	(void)close(cur.fd);
	/* complete only if the history reaches back to since_modseq */
	return complete && since_modseq >= oldest && since_modseq >= floor ?
		1 : 0;
}
