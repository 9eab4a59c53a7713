/* Copyright (c) dovecot-like authors. Fuzzes IMAP sequence-set parsing and
   checks its promise of sorted, merged ranges, since FETCH/STORE/COPY take
   sets straight from clients. */
#include "fuzz-common.h"
#include "imap-seqset.h"

static void check_ranges(const struct seq_range_array *arr, uint32_t max_uid)
{
	const struct seq_range *r;
	unsigned int count, i;

	r = seq_range_array_get(arr, &count);
	if (count != seq_range_array_count(arr))
		abort();
	for (i = 0; i < count; i++) {
		if (r[i].seq1 == 0 || r[i].seq1 > r[i].seq2)
			abort();
		/* sorted, non-overlapping and not adjacent (merged) */
		if (i > 0 && (uint64_t)r[i - 1].seq2 + 1 >= r[i].seq1)
			abort();
		if (!seq_range_array_exists(arr, r[i].seq1) ||
		    !seq_range_array_exists(arr, r[i].seq2))
			abort();
		if (r[i].seq1 > 1 && (i == 0 || r[i - 1].seq2 < r[i].seq1 - 1) &&
		    seq_range_array_exists(arr, r[i].seq1 - 1))
			abort();
		if (r[i].seq2 < UINT32_MAX &&
		    seq_range_array_exists(arr, r[i].seq2 + 1))
			abort();
	}
	(void)max_uid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seq_range_array arr = SEQ_RANGE_ARRAY_INIT;
	const char *error = NULL;
	const uint8_t *sep;
	uint32_t max_uid;
	unsigned int max_ranges;
	char *set1, *set2;
	size_t len1, len2;

	fuzz_init();
	if (size < 2)
		return 0;
	/* [max_uid class][max_ranges] set1 [NUL set2] */
	switch (data[0] % 4) {
	case 0: max_uid = 0; break;
	case 1: max_uid = data[0]; break;
	case 2: max_uid = 100000; break;
	default: max_uid = UINT32_MAX; break;
	}
	max_ranges = data[1] == 0 ? IMAP_SEQSET_DEFAULT_MAX_RANGES : data[1];
	data += 2; size -= 2;
	sep = memchr(data, '\0', size);
	len1 = sep == NULL ? size : (size_t)(sep - data);
	len2 = sep == NULL ? 0 : size - len1 - 1;
	/* exact-size copies: the parser gets a length, no NUL to lean on */
	set1 = malloc(len1 + 1);
	set2 = malloc(len2 + 1);
	if (set1 == NULL || set2 == NULL)
		abort();
	memcpy(set1, data, len1);
	memcpy(set2, data + len1 + (sep != NULL), len2);

	if (imap_seqset_parse_full(set1, len1, max_uid, max_ranges,
				   &arr, &error) == 0) {
		check_ranges(&arr, max_uid);
		/* a second set merges into the first */
		error = NULL;
		if (sep != NULL &&
		    imap_seqset_parse(set2, len2, max_uid, &arr, &error) == 0)
			check_ranges(&arr, max_uid);
		else if (sep != NULL && error == NULL)
			abort();
	} else if (error == NULL) {
		abort();
	}
	seq_range_array_free(&arr);
	free(set1);
	free(set2);
	tmp_reset();
	return 0;
}
