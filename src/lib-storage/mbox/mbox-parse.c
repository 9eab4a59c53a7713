/* Copyright (c) dovecot-like authors. mbox-parse.c: finding message
   boundaries and metadata in an mbox (reference mbox-format.md 2 and 4). */
#include "lib.h"
#include "mbox-from.h"
#include "mbox-parse.h"

#include <sys/mman.h>
#include <sys/stat.h>

static size_t next_line(const unsigned char *data, size_t size, size_t pos)
{
	const unsigned char *lf = memchr(data + pos, '\n', size - pos);

	return lf == NULL ? size : (size_t)(lf - data) + 1;
}

bool mbox_parse_is_from_line(const unsigned char *data, size_t size,
			     size_t pos)
{
	size_t end, max;
	time_t t;
	int tz;

	if (size - pos < 5 || memcmp(data + pos, "From ", 5) != 0)
		return false;
	max = MIN(size - pos, MBOX_FROM_MAX_LINE_LEN + 1);
	end = next_line(data, pos + max, pos);
	if (end > pos && data[end - 1] == '\n')
		end--;
	return mbox_from_parse(data + pos, end - pos, &t, &tz, NULL, NULL) == 0;
}

/* Where the next message starts at or after pos (a line start); size if
   none. */
static size_t find_next_from(const unsigned char *data, size_t size,
			     size_t pos)
{
	const unsigned char *p;

	if (pos < size && (pos == 0 || data[pos - 1] == '\n') &&
	    mbox_parse_is_from_line(data, size, pos))
		return pos;
	while (pos < size) {
		p = memmem(data + pos, size - pos, "\nFrom ", 6);
		if (p == NULL)
			return size;
		pos = (size_t)(p - data) + 1;
		if (mbox_parse_is_from_line(data, size, pos))
			return pos;
	}
	return size;
}

/* The body ends before the line end that precedes the next From_ line (or
   EOF): that LF is the separator. */
static size_t body_end_before(const unsigned char *data, size_t body_offset,
			      size_t next)
{
	size_t end = next;

	if (end > body_offset && data[end - 1] == '\n') {
		end--;
		if (end > body_offset && data[end - 1] == '\r')
			end--;
	}
	return end;
}

/* Content-Length is used only if it leads exactly to the separator and the
   next From_ line or EOF. Returns the next From_ offset, or 0 if unusable. */
static size_t content_length_next(const unsigned char *data, size_t size,
				  size_t body_offset, uoff_t cl)
{
	size_t end;

	if (cl > size - body_offset)
		return 0;
	end = body_offset + (size_t)cl;
	if (end == size)
		return size;
	if (data[end] == '\r' && end + 1 < size && data[end + 1] == '\n')
		end++;
	if (data[end] != '\n')
		return 0;
	end++;
	if (end == size || mbox_parse_is_from_line(data, size, end))
		return end;
	return 0;
}

/* Parses the message whose From_ line is at from. */
static size_t mbox_parse_msg(const unsigned char *data, size_t size,
			     size_t from, bool first, struct pool *pool,
			     struct mbox_rec *rec)
{
	size_t pos, line, hdr_end, next, cl_next = 0, from_end;
	int tz;

	memset(rec, 0, sizeof(*rec));
	rec->from_offset = from;
	pos = next_line(data, size, from);
	from_end = pos;
	if (from_end > from && data[from_end - 1] == '\n')
		from_end--;
	rec->crlf = from_end > from && data[from_end - 1] == '\r';
	if (mbox_from_parse(data + from, from_end - from, &rec->received, &tz,
			    NULL, NULL) < 0)
		rec->received = 0;
	rec->hdr_offset = pos;

	/* header: up to the empty line, or a From_ line if it's truncated */
	hdr_end = size;
	rec->body_offset = size;
	while (pos < size) {
		if (data[pos] == '\n' ||
		    (data[pos] == '\r' && pos + 1 < size && data[pos + 1] == '\n')) {
			hdr_end = pos;
			rec->body_offset = next_line(data, size, pos);
			break;
		}
		if (data[pos] == 'F' && mbox_parse_is_from_line(data, size, pos)) {
			hdr_end = rec->body_offset = pos;
			break;
		}
		line = next_line(data, size, pos);
		pos = line;
	}
	rec->hdr_end = hdr_end;
	mbox_headers_parse(data + rec->hdr_offset,
			   MIN(hdr_end - rec->hdr_offset,
			       MBOX_PARSE_MAX_HEADER_SIZE),
			   first, pool, &rec->hdr);
	rec->pseudo = first && rec->hdr.have_ximap;

	if (rec->hdr.have_content_length) {
		cl_next = content_length_next(data, size, rec->body_offset,
					      rec->hdr.content_length);
	}
	if (cl_next != 0) {
		next = cl_next;
		rec->body_end = rec->body_offset + rec->hdr.content_length;
	} else {
		next = find_next_from(data, size, rec->body_offset);
		rec->body_end = body_end_before(data, rec->body_offset, next);
		rec->cl_missing = true;
	}
	rec->next_offset = next;
	return next;
}

static void mbox_parse_assign_uids(struct mbox_parsed *parsed)
{
	struct mbox_rec *recs;
	unsigned int i, count;
	uint32_t prev = 0;

	recs = array_get_modifiable(&parsed->recs, &count);
	for (i = 0; i < count; i++) {
		if (recs[i].pseudo)
			continue;
		if (recs[i].hdr.have_uid && recs[i].hdr.uid > prev &&
		    recs[i].hdr.uid <= parsed->next_uid) {
			recs[i].uid = recs[i].hdr.uid;
			if (recs[i].uid == parsed->next_uid)
				parsed->next_uid++;
		} else {
			recs[i].uid = parsed->next_uid++;
			recs[i].uid_new = true;
			parsed->dirty = true;
		}
		prev = recs[i].uid;
	}
}

int mbox_parse_data(const unsigned char *data, size_t size, struct pool *pool,
		    struct mbox_parsed *parsed_r, const char **error_r)
{
	struct mbox_rec *rec;
	size_t pos = 0;

	memset(parsed_r, 0, sizeof(*parsed_r));
	array_init(&parsed_r->recs, pool, 64);
	parsed_r->next_uid = 1;
	if (size == 0)
		return 0;
	if (!mbox_parse_is_from_line(data, size, 0)) {
		*error_r = "mbox file doesn't begin with 'From ' line";
		return -1;
	}
	while (pos < size) {
		rec = array_append_space(&parsed_r->recs);
		pos = mbox_parse_msg(data, size, pos, pos == 0, pool, rec);
		ASSERT(pos > rec->from_offset);
	}
	rec = array_idx_modifiable(&parsed_r->recs, 0);
	if (rec->hdr.have_imapbase && rec->hdr.last_uid < UINT32_MAX - 1) {
		parsed_r->uidvalidity = rec->hdr.uidvalidity;
		parsed_r->next_uid = rec->hdr.last_uid + 1;
		parsed_r->base_keywords = rec->hdr.base_keywords;
	} else {
		parsed_r->dirty = true;
	}
	mbox_parse_assign_uids(parsed_r);
	return 0;
}

int mbox_parse_fd(int fd, struct pool *pool, struct mbox_parsed *parsed_r,
		  const char **error_r)
{
	struct stat st;
	void *map;
	int ret;

	if (fstat(fd, &st) < 0) {
		*error_r = tmp_printf("fstat() failed: %m");
		return -1;
	}
	if (st.st_size == 0)
		return mbox_parse_data(NULL, 0, pool, parsed_r, error_r);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		*error_r = tmp_printf("mmap() failed: %m");
		return -1;
	}
	ret = mbox_parse_data(map, (size_t)st.st_size, pool, parsed_r, error_r);
	(void)munmap(map, (size_t)st.st_size);
	return ret;
}
