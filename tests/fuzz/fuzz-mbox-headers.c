/* Copyright (c) dovecot-like authors. Fuzzes the mbox metadata headers and
   the whole-file parser (any sender controls both): header parsing and
   filtering stay in bounds, what we write reads back the same, and the
   message boundaries and UIDs found are consistent. */
#include "fuzz-common.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "mbox-headers.h"
#include "mbox-parse.h"

static void check_headers(struct pool *pool, const unsigned char *data,
			  size_t size)
{
	struct mbox_header_info info, info2;
	struct mbox_header_write w;
	struct str *str = str_new(pool, 256);
	struct buf *buf = buf_create(pool, 256);

	mbox_headers_parse(data, size, true, pool, &info);
	mbox_headers_filter(data, size, buf);
	if (buf->used > size)
		abort();
	/* filtering is idempotent: nothing of ours is left */
	mbox_headers_parse(buf->data, buf->used, true, pool, &info2);
	if (info2.have_uid || info2.have_imapbase || info2.flags != 0 ||
	    info2.have_content_length || info2.keywords != NULL)
		abort();

	/* write what was parsed, read it back */
	memset(&w, 0, sizeof(w));
	w.imapbase = info.have_imapbase;
	w.uidvalidity = info.uidvalidity;
	w.last_uid = info.last_uid;
	w.uid = info.have_uid ? info.uid : 1;
	w.flags = info.flags;
	w.status_old = info.status_old;
	w.have_content_length = info.have_content_length;
	w.content_length = info.content_length;
	w.crlf = size > 0 && (data[0] & 1) != 0;
	w.padding = size % 100;
	str_truncate(str, 0);
	mbox_headers_write(str, &w);
	mbox_headers_parse(str_data(str), str_len(str), true, pool, &info2);
	if (info2.flags != info.flags || info2.status_old != info.status_old ||
	    info2.have_imapbase != info.have_imapbase ||
	    info2.have_content_length != info.have_content_length ||
	    (info.have_content_length &&
	     info2.content_length != info.content_length) ||
	    (info.have_imapbase &&
	     (info2.uidvalidity != info.uidvalidity ||
	      info2.last_uid != info.last_uid || info2.uid != w.uid)))
		abort();
}

static void check_mbox(struct pool *pool, const unsigned char *data,
		       size_t size)
{
	struct mbox_parsed parsed;
	const struct mbox_rec *recs;
	unsigned int i, count;
	const char *error;
	uoff_t prev_end = 0;
	uint32_t prev_uid = 0;

	if (mbox_parse_data(data, size, pool, &parsed, &error) < 0)
		return;
	recs = array_get(&parsed.recs, &count);
	for (i = 0; i < count; i++) {
		if (recs[i].from_offset != prev_end ||
		    recs[i].from_offset >= recs[i].hdr_offset ||
		    recs[i].hdr_offset > recs[i].hdr_end ||
		    recs[i].hdr_end > recs[i].body_offset ||
		    recs[i].body_offset > recs[i].body_end ||
		    recs[i].body_end > recs[i].next_offset ||
		    recs[i].next_offset > size)
			abort();
		if (!mbox_parse_is_from_line(data, size,
					     (size_t)recs[i].from_offset))
			abort();
		if (recs[i].pseudo && i != 0)
			abort();
		if (!recs[i].pseudo) {
			if (recs[i].uid <= prev_uid ||
			    recs[i].uid >= parsed.next_uid)
				abort();
			prev_uid = recs[i].uid;
		}
		prev_end = recs[i].next_offset;
	}
	if (count > 0 && prev_end != size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool;
	unsigned char *copy;

	fuzz_init();
	copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	pool = pool_create("fuzz mbox headers", 1024, POOL_FLAG_NONE);
	check_headers(pool, copy, size);
	check_mbox(pool, copy, size);
	pool_unref(&pool);
	free(copy);
	tmp_reset();
	return 0;
}
