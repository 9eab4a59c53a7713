/* Copyright (c) dovecot-like authors. Fuzzes replaying a transaction log
   (user-owned, may be corrupt or hostile) onto a map the way a reader does:
   the map must stay consistent and survive a snapshot round trip. */
#include "fuzz-common.h"
#include "buffer.h"
#include "mail-index-private.h"

static void check_map(struct mail_index_map *map)
{
	const struct mail_index_record *rec;
	uint32_t i, prev = 0, seen = 0, deleted = 0;

	if (map->recs->used != (size_t)map->hdr.messages_count *
	    map->hdr.record_size)
		abort();
	for (i = 0; i < map->hdr.messages_count; i++) {
		rec = mail_index_map_rec(map, i);
		if (rec->uid <= prev || rec->uid >= map->hdr.next_uid ||
		    rec->modseq > map->hdr.highest_modseq)
			abort();
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0)
			seen++;
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_DELETED) != 0)
			deleted++;
		prev = rec->uid;
	}
	if (seen != map->hdr.seen_messages_count ||
	    deleted != map->hdr.deleted_messages_count ||
	    array_count(&map->keywords) > MAIL_INDEX_MAX_KEYWORDS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_index_map *map, *map2;
	unsigned char *copy;
	struct buf *buf;
	const char *error;

	fuzz_init();
	copy = malloc(size + 1);	/* 8-aligned like the read buffer */
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	map = mail_index_map_create(1);
	/* positioned at the start of a log, as a reader is */
	map->hdr.log_file_seq = 1;
	map->hdr.log_file_head_offset = sizeof(struct mail_transaction_log_header);
	(void)mail_index_map_replay_log(map, copy, size, 1024 * 1024);
	check_map(map);
	if (map->hdr.highest_modseq <= (1ULL << 62)) {
		buf = buf_create(system_pool, 4096);
		mail_index_file_serialize(map, buf);
		if (mail_index_file_parse(buf->data, buf->used, &map2,
					  &error) < 0)
			abort();
		if (map2->recs->used != map->recs->used ||
		    memcmp(map2->recs->data, map->recs->data,
			   map->recs->used) != 0)
			abort();
		mail_index_map_free(&map2);
		buf_free(&buf);
	}
	mail_index_map_free(&map);
	free(copy);
	tmp_reset();
	return 0;
}
