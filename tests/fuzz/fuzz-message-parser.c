/* Copyright (c) dovecot-like authors. Fuzzes the MIME parser: every message
   must give a consistent part tree, the same tree when read in small
   chunks, a cache form that reads back equal, and safe section lookups. */
#include "fuzz-common.h"
#include "buffer.h"
#include "str.h"
#include "message-parser.h"

static void check_part(const struct message_part *part, uoff_t start, uoff_t end)
{
	const struct message_part *child;
	uoff_t pos, body;

	for (; part != NULL; part = part->next) {
		if (part->physical_pos < start ||
		    part->header_size.virtual_size < part->header_size.physical_size ||
		    part->body_size.virtual_size < part->body_size.physical_size)
			abort();
		body = part->physical_pos + part->header_size.physical_size;
		if (body + part->body_size.physical_size > end)
			abort();
		pos = body;
		for (child = part->children; child != NULL; child = child->next) {
			if (child->physical_pos < pos)
				abort();
			pos = child->physical_pos + child->header_size.physical_size +
				child->body_size.physical_size;
		}
		check_part(part->children, body, body + part->body_size.physical_size);
		start = body + part->body_size.physical_size;
	}
}

static void tree_str(const struct message_part *part, struct buf *dest)
{
	for (; part != NULL; part = part->next) {
		(void)buf_append(dest, &part->physical_pos, sizeof(part->physical_pos));
		(void)buf_append(dest, &part->header_size, sizeof(part->header_size));
		(void)buf_append(dest, &part->body_size, sizeof(part->body_size));
		(void)buf_append(dest, &part->flags, sizeof(part->flags));
		(void)buf_append_c(dest, '(');
		tree_str(part->children, dest);
		(void)buf_append_c(dest, ')');
	}
}

static struct message_part *
parse(struct pool *pool, struct istream *input,
      const struct message_parser_settings *set)
{
	struct message_parser_ctx *ctx;
	struct message_block block;
	struct message_part *parts;
	int ret;

	ctx = message_parser_init(pool, input, set);
	while ((ret = message_parser_parse_next_block(ctx, &block)) != -1) {
		if (ret > 0 && block.hdr == NULL && block.size > 0 &&
		    block.data == NULL)
			abort();
	}
	if (message_parser_deinit(&ctx, &parts) < 0)
		abort();
	return parts;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = {
		"1", "2", "1.1", "1.2", "2.1", "2.2.1", "1.1.1.1", "3.1.2"
	};
	struct message_parser_settings set;
	struct fuzz_chunk_input ci;
	struct pool *pool;
	struct istream *input;
	struct message_part *parts, *parts2, *part;
	struct buf *tree1, *tree2, *ser, *ser2;
	const char *error;
	unsigned int i;

	fuzz_init();
	pool = pool_create("fuzz", 4096, POOL_FLAG_NONE);
	tree1 = buf_create(pool, 256);
	tree2 = buf_create(pool, 256);

	input = istream_create_from_data(data, size);
	parts = parse(pool, input, NULL);
	istream_unref(&input);
	if (parts->header_size.physical_size + parts->body_size.physical_size != size)
		abort();
	check_part(parts, 0, size);
	tree_str(parts, tree1);

	/* chunked reads give the same tree */
	input = fuzz_istream_create_chunked(&ci, data, size,
					    size > 0 ? 1 + data[0] % 7 : 1, 4096);
	parts2 = parse(pool, input, NULL);
	istream_unref(&input);
	tree_str(parts2, tree2);
	if (tree1->used != tree2->used ||
	    memcmp(tree1->data, tree2->data, tree1->used) != 0)
		abort();

	/* cache form round trip */
	ser = buf_create(pool, 256);
	ser2 = buf_create(pool, 256);
	message_part_serialize(parts, ser);
	parts2 = message_part_deserialize(pool, ser->data, ser->used, &error);
	if (parts2 == NULL)
		abort();
	message_part_serialize(parts2, ser2);
	if (ser->used != ser2->used || memcmp(ser->data, ser2->data, ser->used) != 0)
		abort();
	/* the input itself as a cache record must not crash */
	(void)message_part_deserialize(pool, data, size, &error);

	for (i = 0; i < N_ELEMENTS(sections); i++) {
		part = message_part_by_section(parts, sections[i]);
		if (part != NULL && part->physical_pos > size)
			abort();
	}

	/* tight limits stay consistent */
	memset(&set, 0, sizeof(set));
	set.max_nested_mime_parts = 3;
	set.max_total_mime_parts = 8;
	set.max_header_field_size = 64;
	input = istream_create_from_data(data, size);
	parts = parse(pool, input, &set);
	istream_unref(&input);
	check_part(parts, 0, size);
	pool_unref(&pool);
	/* the Content-Type parsing uses tmp_pool; no ioloop clears it here */
	tmp_reset();
	return 0;
}
