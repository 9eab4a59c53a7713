/* Copyright (c) dovecot-like authors. Sequence-set parsing: a client controls
   the set, so the element count is bounded and the result is normalized into
   sorted disjoint ranges before anyone iterates over it. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "imap-seqset.h"

#include <stdlib.h>

static void seq_range_array_init_if_needed(struct seq_range_array *arr)
{
	if (!array_is_created(&arr->ranges)) {
		array_init(&arr->ranges, arr->pool != NULL ? arr->pool :
			   system_pool, 8);
	}
}

/* nz-number = digit-nz *DIGIT, fitting in 32 bits */
static int imap_seqset_parse_num(const char *data, size_t len, size_t *pos,
				 uint32_t max_uid, uint32_t *num_r,
				 const char **error_r)
{
	size_t i = *pos;
	uint64_t num = 0;

	if (i < len && data[i] == '*') {
		if (max_uid == 0) {
			*error_r = "No messages for '*'";
			return -1;
		}
		*num_r = max_uid;
		*pos = i + 1;
		return 0;
	}
	if (i >= len || data[i] < '1' || data[i] > '9') {
		*error_r = i < len && data[i] == '0' ?
			"Invalid sequence number 0" : "Invalid sequence set";
		return -1;
	}
	for (; i < len && data[i] >= '0' && data[i] <= '9'; i++) {
		num = num * 10 + (uint64_t)(data[i] - '0');
		if (num > UINT32_MAX) {
			*error_r = "Sequence number too large";
			return -1;
		}
	}
	*num_r = (uint32_t)num;
	*pos = i;
	return 0;
}

static int seq_range_cmp(const struct seq_range *r1, const struct seq_range *r2)
{
	if (r1->seq1 != r2->seq1)
		return r1->seq1 < r2->seq1 ? -1 : 1;
	return 0;
}

/* Sort and merge overlapping or adjacent ranges in place. */
static void seq_range_array_normalize(struct seq_range_array *arr)
{
	struct seq_range *r;
	unsigned int count, i, dest = 0;

	array_sort(&arr->ranges, seq_range_cmp);
	r = array_get_modifiable(&arr->ranges, &count);
	for (i = 1; i < count; i++) {
		if (r[i].seq1 <= r[dest].seq2 ||
		    r[i].seq1 - 1 == r[dest].seq2) {
			if (r[i].seq2 > r[dest].seq2)
				r[dest].seq2 = r[i].seq2;
		} else {
			r[++dest] = r[i];
		}
	}
	if (count > 0)
		array_delete(&arr->ranges, dest + 1, count - dest - 1);
}

int imap_seqset_parse_full(const char *data, size_t len, uint32_t max_uid,
			   unsigned int max_ranges,
			   struct seq_range_array *ranges_r, const char **error_r)
{
	struct seq_range range;
	unsigned int elements = 0;
	size_t pos = 0;

	seq_range_array_init_if_needed(ranges_r);
	if (len == 0) {
		*error_r = "Empty sequence set";
		return -1;
	}
	for (;;) {
		if (++elements > max_ranges) {
			*error_r = "Too many ranges in sequence set";
			return -1;
		}
		if (imap_seqset_parse_num(data, len, &pos, max_uid,
					  &range.seq1, error_r) < 0)
			return -1;
		range.seq2 = range.seq1;
		if (pos < len && data[pos] == ':') {
			pos++;
			if (imap_seqset_parse_num(data, len, &pos, max_uid,
						  &range.seq2, error_r) < 0)
				return -1;
			/* RFC 3501 9: "4:1" is the same as "1:4" */
			if (range.seq2 < range.seq1) {
				uint32_t tmp = range.seq1;

				range.seq1 = range.seq2;
				range.seq2 = tmp;
			}
		}
		array_append(&ranges_r->ranges, &range);
		if (pos == len)
			break;
		if (data[pos] != ',') {
			*error_r = "Invalid sequence set";
			return -1;
		}
		pos++;
	}
	seq_range_array_normalize(ranges_r);
	return 0;
}

int imap_seqset_parse(const char *data, size_t len, uint32_t max_uid,
		      struct seq_range_array *ranges_r, const char **error_r)
{
	return imap_seqset_parse_full(data, len, max_uid,
				      IMAP_SEQSET_DEFAULT_MAX_RANGES,
				      ranges_r, error_r);
}

unsigned int seq_range_array_count(const struct seq_range_array *arr)
{
	return array_is_created(&arr->ranges) ? array_count(&arr->ranges) : 0;
}

const struct seq_range *seq_range_array_get(const struct seq_range_array *arr,
					    unsigned int *count_r)
{
	if (!array_is_created(&arr->ranges)) {
		*count_r = 0;
		return NULL;
	}
	return array_get(&arr->ranges, count_r);
}

bool seq_range_array_exists(const struct seq_range_array *arr, uint32_t seq)
{
	const struct seq_range *r;
	unsigned int count, lo = 0, hi;

	r = seq_range_array_get(arr, &count);
	hi = count;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (seq < r[mid].seq1)
			hi = mid;
		else if (seq > r[mid].seq2)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

void seq_range_array_free(struct seq_range_array *arr)
{
	if (array_is_created(&arr->ranges))
		array_free(&arr->ranges);
}

void seq_range_array_add_range(struct seq_range_array *arr, uint32_t seq1,
			       uint32_t seq2)
{
	struct seq_range *last, *r;
	unsigned int count;

	seq_range_array_init_if_needed(arr);
	count = array_count(&arr->ranges);
	if (count > 0) {
		last = array_idx_modifiable(&arr->ranges, count - 1);
		if (last->seq2 == (uint32_t)-1 || seq1 <= last->seq2 + 1) {
			if (seq2 > last->seq2)
				last->seq2 = seq2;
			return;
		}
	}
	r = array_append_space(&arr->ranges);
	r->seq1 = seq1;
	r->seq2 = seq2;
}

void seq_range_array_intersect(struct seq_range_array *dest,
			       const struct seq_range_array *a,
			       const struct seq_range_array *b)
{
	const struct seq_range *ra, *rb;
	unsigned int na, nb, i = 0, j = 0;
	uint32_t lo, hi;

	ra = seq_range_array_get(a, &na);
	rb = seq_range_array_get(b, &nb);
	while (i < na && j < nb) {
		lo = ra[i].seq1 > rb[j].seq1 ? ra[i].seq1 : rb[j].seq1;
		hi = ra[i].seq2 < rb[j].seq2 ? ra[i].seq2 : rb[j].seq2;
		if (lo <= hi)
			seq_range_array_add_range(dest, lo, hi);
		/* the range that ends first can't meet anything later */
		if (ra[i].seq2 < rb[j].seq2)
			i++;
		else
			j++;
	}
}

void imap_write_seq_ranges(struct str *dest, const struct seq_range_array *arr)
{
	const struct seq_range *r;
	unsigned int i, count;

	r = seq_range_array_get(arr, &count);
	for (i = 0; i < count; i++) {
		if (i > 0)
			str_append_c(dest, ',');
		if (r[i].seq1 == r[i].seq2)
			str_printfa(dest, "%u", r[i].seq1);
		else
			str_printfa(dest, "%u:%u", r[i].seq1, r[i].seq2);
	}
}

void imap_write_uid_list(struct str *dest, const uint32_t *uids,
			 unsigned int count)
{
	unsigned int i, j;

	for (i = 0; i < count; i = j + 1) {
		for (j = i; j + 1 < count && uids[j + 1] == uids[j] + 1; j++) ;
		if (i > 0)
			str_append_c(dest, ',');
		if (j > i)
			str_printfa(dest, "%u:%u", uids[i], uids[j]);
		else
			str_printfa(dest, "%u", uids[i]);
	}
}
