/* Copyright (c) dovecot-like authors. Modseq history from the log: which
   UIDs were expunged after a client's modseq (QRESYNC VANISHED (EARLIER),
   RFC 7162 3.2.5.1), found by replaying .log.2 and .log. */

#include "lib.h"
#include "buffer.h"
#include "mail-index-private.h"
#include "mail-index-modseq.h"

#include <unistd.h>

/* Scan one file; modseq starts at its initial_modseq. */
static int modseq_scan_file(struct mail_index *index,
			    struct mail_transaction_log_file *file,
			    uint64_t since_modseq, ARRAY_TYPE(uint32) *uids)
{
	struct mail_transaction_rec rec;
	struct mail_transaction_uid_range r;
	struct mail_transaction_modseq_update m;
	struct buf *buf = buf_create(system_pool, 4096);
	uint64_t modseq = file->hdr.initial_modseq;
	uint32_t offset = sizeof(file->hdr);
	const char *error;
	size_t pos, i;

	while (mail_transaction_log_read_fd(file->fd, offset,
			index->set.max_transaction_size, buf, &error) > 0) {
		pos = 0;
		while (mail_transaction_next(buf->data, buf->used, &pos, &rec)) {
			uint32_t type = rec.type & MAIL_TRANSACTION_TYPE_MASK;

			if (mail_transaction_rec_counts_modseq(&rec))
				modseq++;
			if (type == MAIL_TRANSACTION_MODSEQ_UPDATE) {
				for (i = 0; i + sizeof(m) <= rec.size; i += sizeof(m)) {
					memcpy(&m, rec.data + i, sizeof(m));
					if (m.modseq > modseq)
						modseq = m.modseq;
				}
			}
			if (type != MAIL_TRANSACTION_EXPUNGE ||
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
	return 0;
}

int mail_index_modseq_get_expunges(struct mail_index *index,
				   uint64_t since_modseq,
				   ARRAY_TYPE(uint32) *uid_ranges)
{
	struct mail_transaction_log_file cur, old;
	const char *error;
	bool have_old = false;
	uint64_t oldest;

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
			(void)modseq_scan_file(index, &old, since_modseq,
					       uid_ranges);
		}
		(void)close(old.fd);
	}
	if (!have_old && cur.hdr.prev_file_seq == 0)
		oldest = 0;
	(void)modseq_scan_file(index, &cur, since_modseq, uid_ranges);
	(void)close(cur.fd);
	/* complete only if the history reaches back to since_modseq */
	return since_modseq >= oldest ? 1 : 0;
}
