/* Copyright (c) dovecot-like authors. Fuzzes parsing of the index snapshot
   file (user-owned, may be corrupt or hostile): a file that parses must
   serialize and parse back to the same state. */
#include "fuzz-common.h"
#include "buffer.h"
#include "mail-index-private.h"

static void check_map(struct mail_index_map *map)
{
	const struct mail_index_record *rec;
	uint32_t i, prev = 0, seen = 0;

	for (i = 0; i < map->hdr.messages_count; i++) {
		rec = mail_index_map_rec(map, i);
		if (rec->uid <= prev || rec->uid >= map->hdr.next_uid)
			abort();
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0)
			seen++;
		prev = rec->uid;
	}
	if (seen != map->hdr.seen_messages_count)
		abort();
}

static void parse_one(unsigned char *copy, size_t size)
{
	struct mail_index_map *map, *map2;
	struct buf *buf;
	const char *error;

	if (mail_index_file_parse(copy, size, &map, &error) == 0) {
		check_map(map);
		buf = buf_create(system_pool, size + 64);
		mail_index_file_serialize(map, buf);
		if (mail_index_file_parse(buf->data, buf->used, &map2,
					  &error) < 0)
			abort();
		if (map2->hdr.messages_count != map->hdr.messages_count ||
		    map2->hdr.next_uid != map->hdr.next_uid ||
		    map2->hdr.highest_modseq != map->hdr.highest_modseq ||
		    map2->recs->used != map->recs->used ||
		    memcmp(map2->recs->data, map->recs->data,
			   map->recs->used) != 0 ||
		    array_count(&map2->keywords) != array_count(&map->keywords))
			abort();
		mail_index_map_free(&map2);
		buf_free(&buf);
		mail_index_map_free(&map);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_index_header hdr;
	unsigned char *copy;

	fuzz_init();
	copy = malloc(size + 1);	/* aligned like a read() buffer */
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	parse_one(copy, size);
	if (size >= sizeof(hdr)) {
		/* again with a valid checksum, to get past that check */
		memcpy(&hdr, copy, sizeof(hdr));
		/* mail_index_checksum() is the current minor version's */
		hdr.minor_version = MAIL_INDEX_MINOR_VERSION;
		hdr.checksum = 0;
		memcpy(copy, &hdr, sizeof(hdr));
		hdr.checksum = mail_index_checksum(copy, sizeof(hdr)) +
			mail_index_checksum(copy + sizeof(hdr),
					    size - sizeof(hdr));
		memcpy(copy, &hdr, sizeof(hdr));
		parse_one(copy, size);
	}
	free(copy);
	tmp_reset();
	return 0;
}
