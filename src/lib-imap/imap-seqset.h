/* Copyright (c) dovecot-like authors. imap-seqset.h: IMAP sequence sets
   ("1:4,7,9:*"), RFC 3501 9 (sequence-set), parsed into sorted, merged,
   non-overlapping ranges. The number of comma-separated elements a client may
   send is bounded. */
#ifndef IMAP_SEQSET_H
#define IMAP_SEQSET_H

#include "array.h"

/* Default bound on the elements of one set (a setting may pass another). */
#define IMAP_SEQSET_DEFAULT_MAX_RANGES 10000

struct seq_range {
	uint32_t seq1, seq2;	/* seq1 <= seq2 */
};

/* pool NULL = system_pool; the array is created on first use. Free with
   seq_range_array_free(). */
struct seq_range_array {
	struct pool *pool;
	ARRAY(struct seq_range) ranges;
};
#define SEQ_RANGE_ARRAY_INIT { 0 }

/* Parse data[0..len). Returns 0, or -1 with a client-safe *error_r (static
   string). "*" means max_uid (the largest UID or message count; a "*" in an
   empty mailbox (max_uid 0) is an error). Ranges are appended to ranges_r
   sorted and merged with what it held. At most
   IMAP_SEQSET_DEFAULT_MAX_RANGES elements. */
int imap_seqset_parse(const char *data, size_t len, uint32_t max_uid,
		      struct seq_range_array *ranges_r, const char **error_r);
/* Same with an explicit bound on the number of elements. */
int imap_seqset_parse_full(const char *data, size_t len, uint32_t max_uid,
			   unsigned int max_ranges,
			   struct seq_range_array *ranges_r, const char **error_r);

/* Helpers over the result. */
unsigned int seq_range_array_count(const struct seq_range_array *arr);
const struct seq_range *seq_range_array_get(const struct seq_range_array *arr,
					    unsigned int *count_r);
bool seq_range_array_exists(const struct seq_range_array *arr, uint32_t seq);
void seq_range_array_free(struct seq_range_array *arr);
/* Appends seq1..seq2 (seq1 <= seq2), which must not start below the last
   range's start: merged with the last range where they touch or overlap. */
void seq_range_array_add_range(struct seq_range_array *arr, uint32_t seq1,
			       uint32_t seq2);
/* The part of a within b (both sorted and disjoint) appended to dest. */
void seq_range_array_intersect(struct seq_range_array *dest,
			       const struct seq_range_array *a,
			       const struct seq_range_array *b);

struct str;
/* Writes uids in their order as an RFC 4315 uid-set, runs of consecutive
   ascending UIDs as "a:b" ("3:5,9,11:12"). Nothing for count 0. */
void imap_write_uid_list(struct str *dest, const uint32_t *uids,
			 unsigned int count);
/* Writes the ranges as a sequence-set ("1:3,5"). Nothing if empty. */
void imap_write_seq_ranges(struct str *dest, const struct seq_range_array *arr);

#endif
