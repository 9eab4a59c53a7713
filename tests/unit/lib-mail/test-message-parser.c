/* Copyright (c) dovecot-like authors. Check suite for the MIME parser: the
   exact part trees of a real-world-shaped corpus, the same trees when the
   input trickles in through a non-blocking stream, block contents, and
   bounded behaviour on hostile nesting and part counts. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "istream.h"
#include "message-parser.h"
#include "test-parser.h"

static const struct {
	const char *file;
	const char *tree;
} corpus_tests[] = {
	{ "boundary-in-preamble.eml", "0 47/47/2 90/90/12 1(82 8/8/2 3/3/0 8 103 8/8/2 3/3/0 8)" },
	{ "digest.eml", "0 71/71/3 143/143/16 3(77 2/2/1 43/43/3 4(79 37/37/3 6/6/0 8) 130 28/28/2 13/13/0 8 179 2/2/1 23/23/2 4(181 16/16/2 7/7/0 8))" },
	{ "eightbit-nul.eml", "0 15/15/2 15/15/1 28" },
	{ "forwarded.eml", "0 109/109/5 313/313/22 41(116 28/28/2 10/10/0 8 163 32/32/2 218/218/14 4(195 105/105/5 113/113/9 41(308 28/28/2 9/9/0 8 355 42/42/2 4/4/0 0)))" },
	{ "header-only.eml", "0 28/28/2 0/0/0 8" },
	{ "long-boundary.eml", "0 144/146/2 211/215/4 1(247 1/2/1 1/1/0 8)" },
	{ "missing-end.eml", "0 44/46/2 80/89/9 1(49 46/48/2 11/13/2 1(100 1/2/1 5/5/0 8) 112 1/2/1 11/12/1 8)" },
	{ "mixed-alternative.eml", "0 137/137/7 574/574/26 41(200 65/65/2 164/164/9 1(282 43/43/2 11/11/0 8 355 42/42/2 11/11/0 8) 448 133/133/4 16/16/0 0 616 62/62/3 12/12/0 0)" },
	{ "mixed-newlines.eml", "0 19/20/3 23/25/3 8" },
	{ "nested5.eml", "0 44/46/2 242/262/20 1(49 44/46/2 186/202/16 1(98 44/46/2 130/142/12 1(147 44/46/2 74/82/8 1(196 44/46/2 18/22/4 1(245 1/2/1 4/4/0 8)))))" },
	{ "no-colon.eml", "0 44/48/4 5/6/1 8" },
	{ "no-header.eml", "0 2/2/1 11/11/1 8" },
	{ "plain.eml", "0 105/105/5 21/21/3 8" },
};

/* Checks that every block is the message's bytes at the position the
   input stream says, in increasing order, and that header lines name what
   is at their offset. */
struct block_check {
	const unsigned char *msg;
	size_t msg_size;
	struct istream *input;
	uoff_t next_offset;	/* where the previous block ended */
	unsigned int hdr_lines, body_blocks;
	struct buf *bodies;	/* all leaf body bytes */
};

static void block_check_cb(struct message_block *block, void *context)
{
	struct block_check *ctx = context;
	const struct message_header_line *hdr = block->hdr;
	uoff_t offset;

	ck_assert(block->part != NULL);
	if (hdr != NULL) {
		ck_assert_uint_eq(block->size, 0);
		ck_assert_uint_ge(hdr->name_offset, ctx->next_offset);
		ck_assert_uint_le(hdr->name_offset, ctx->msg_size);
		if (!hdr->eoh && !hdr->continued) {
			ck_assert_uint_le(hdr->name_offset + hdr->name_len,
					  ctx->msg_size);
			ck_assert(memcmp(ctx->msg + hdr->name_offset, hdr->name,
					 hdr->name_len) == 0);
		}
		ctx->next_offset = hdr->name_offset;
		ctx->hdr_lines++;
		return;
	}
	ctx->body_blocks++;
	if (block->size == 0)
		return;	/* end of header */
	ck_assert(block->data != NULL);
	/* the parser has skipped the block's bytes already */
	ck_assert_uint_ge(ctx->input->v_offset, block->size);
	offset = ctx->input->v_offset - block->size;
	ck_assert_uint_ge(offset, ctx->next_offset);
	ck_assert_uint_ge(offset, block->part->physical_pos +
			  block->part->header_size.physical_size);
	ck_assert(memcmp(block->data, ctx->msg + offset, block->size) == 0);
	ctx->next_offset = offset + block->size;
	(void)buf_append(ctx->bodies, block->data, block->size);
}

/* Header lines of the whole tree: one block per physical line. */
static unsigned int tree_header_lines(const struct message_part *part)
{
	unsigned int n = 0;

	for (; part != NULL; part = part->next)
		n += part->header_size.lines + tree_header_lines(part->children);
	return n;
}

static struct message_part *
parse_with_check(struct pool *pool, const unsigned char *msg, size_t size,
		 size_t chunk, const struct message_parser_settings *set,
		 struct buf *bodies, unsigned int *hdr_lines_r)
{
	struct message_parser_ctx *ctx;
	struct message_block block;
	struct message_part *parts;
	struct istream *input;
	struct block_check check;
	int ret;

	memset(&check, 0, sizeof(check));
	check.msg = msg;
	check.msg_size = size;
	check.bodies = bodies;
	input = chunk == 0 ? istream_create_from_data(msg, size) :
		test_istream_create_trickle(msg, size, chunk);
	check.input = input;
	ctx = message_parser_init(pool, input, set);
	while ((ret = message_parser_parse_next_block(ctx, &block)) != -1) {
		if (ret > 0)
			block_check_cb(&block, &check);
	}
	ck_assert_int_eq(message_parser_deinit(&ctx, &parts), 0);
	ck_assert(ctx == NULL);
	istream_unref(&input);
	/* every byte was seen once: the root covers the message */
	ck_assert_uint_eq(parts->header_size.physical_size +
			  parts->body_size.physical_size, size);
	if (hdr_lines_r != NULL)
		*hdr_lines_r = check.hdr_lines;
	return parts;
}

static struct message_part *
parse_with(struct pool *pool, const unsigned char *msg, size_t size,
	   size_t chunk, const struct message_parser_settings *set,
	   struct buf *bodies)
{
	return parse_with_check(pool, msg, size, chunk, set, bodies, NULL);
}

/* Every leaf's body, concatenated, from the message bytes directly. */
static void leaf_bodies(const struct message_part *part,
			const unsigned char *msg, struct buf *dest,
			const struct message_part *parent_end_owner)
{
	(void)parent_end_owner;
	for (; part != NULL; part = part->next) {
		uoff_t body = part->physical_pos + part->header_size.physical_size;

		if (part->children == NULL) {
			(void)buf_append(dest, msg + body,
					 (size_t)part->body_size.physical_size);
		}
		leaf_bodies(part->children, msg, dest, NULL);
	}
}

START_TEST(test_corpus_tree)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_part *parts;
	struct str *tree = t_str_new(256);
	struct buf *bodies = buf_create(pool, 256);
	const unsigned char *msg;
	unsigned int hdr_lines;
	size_t size;

	msg = test_corpus_read(corpus_tests[_i].file, &size);
	parts = parse_with_check(pool, msg, size, 0, NULL, bodies, &hdr_lines);
	test_part_tree_str(parts, tree);
	ck_assert_str_eq(str_c(tree), corpus_tests[_i].tree);
	ck_assert_uint_eq(hdr_lines, tree_header_lines(parts));
	/* the root covers the whole message */
	ck_assert_uint_eq(parts->header_size.physical_size +
			  parts->body_size.physical_size, size);
	pool_unref(&pool);
}
END_TEST

START_TEST(test_corpus_trickle)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_part *parts;
	struct buf *bodies, *bodies_once, *leaf;
	const unsigned char *msg;
	struct str *tree;
	unsigned int i;
	size_t size;

	msg = test_corpus_read(corpus_tests[_i].file, &size);
	bodies_once = buf_create(pool, 256);
	parts = parse_with(pool, msg, size, 0, NULL, bodies_once);
	/* multipart preamble/epilogue are blocks too, so compare leaves
	   only where there are no multiparts */
	leaf = buf_create(pool, 256);
	leaf_bodies(parts, msg, leaf, NULL);
	if ((parts->flags & (MESSAGE_PART_FLAG_MULTIPART |
			     MESSAGE_PART_FLAG_MESSAGE_RFC822)) == 0) {
		ck_assert_uint_eq(leaf->used, bodies_once->used);
		ck_assert(memcmp(leaf->data, bodies_once->data, leaf->used) == 0);
	}
	for (i = 0; i < N_ELEMENTS(chunks); i++) {
		tree = t_str_new(256);
		bodies = buf_create(pool, 256);
		parts = parse_with(pool, msg, size, chunks[i], NULL, bodies);
		test_part_tree_str(parts, tree);
		ck_assert_str_eq(str_c(tree), corpus_tests[_i].tree);
		ck_assert_uint_eq(bodies->used, bodies_once->used);
		ck_assert(memcmp(bodies->data, bodies_once->data, bodies->used) == 0);
	}
	pool_unref(&pool);
}
END_TEST

static const struct {
	const char *msg;
	const char *tree;
} inline_tests[] = {
	/* header cut by a boundary: the part ends there */
	{ "Content-Type: multipart/mixed; boundary=a\n\n--a\nX: 1\n--a\n\nbody\n",
	  "0 43/45/2 19/24/5 1(47 5/6/1 0/0/0 8 56 1/2/1 5/6/1 8)" },
	/* outer boundary ends the inner multipart and its part */
	{ "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	  "Content-Type: multipart/mixed; boundary=i\n\n--i\n\nx\n--o--\n",
	  "0 43/45/2 60/67/7 1(47 43/45/2 6/8/2 1(94 1/2/1 1/1/0 8))" },
	/* multipart without boundary: flagged, but opaque */
	{ "Content-Type: multipart/mixed\n\n--x\n\nb\n", "0 31/33/2 7/10/3 1" },
	{ "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nb\n", "0 44/46/2 6/9/3 1" },
	/* message/rfc822 with an empty body still has its (empty) message */
	{ "Content-Type: message/rfc822\n\n", "0 30/32/2 0/0/0 4(30 0/0/0 0/0/0 8)" },
	/* base64 message/rfc822 is not looked into */
	{ "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nQQ==\n",
	  "0 64/67/3 5/6/1 4" },
	/* ... also folded, with a comment, any case */
	{ "Content-Type: message/rfc822\nContent-Transfer-Encoding:\n (c) BASE64\n\nQQ==\n",
	  "0 69/73/4 5/6/1 4" },
	/* "base64x" is not base64: the message is parsed */
	{ "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64x\n\nQQ==\n",
	  "0 65/68/3 5/6/1 4(65 5/6/1 0/0/0 8)" },
	/* a folded Content-Type is read whole */
	{ "Content-Type: multipart/mixed;\n boundary=z\n\n--z\n\nb\n--z--\n",
	  "0 44/47/3 13/17/4 1(48 1/2/1 1/1/0 8)" },
	/* CRLF: the CRLF before the boundary belongs to the boundary */
	{ "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\r\nA\r\n\r\n--b--\r\n",
	  "0 47/47/2 19/19/5 1(52 2/2/1 3/3/1 8)" },
	/* bad Content-Type: text/plain */
	{ "Content-Type: ;;;\n\nx", "0 19/21/2 1/1/0 8" },
	{ "", "0 0/0/0 0/0/0 8" },
};

START_TEST(test_inline_tree)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct buf *bodies = buf_create(pool, 64);
	const char *msg = inline_tests[_i].msg;
	struct message_part *parts;
	struct str *tree = t_str_new(256);
	size_t chunk;

	parts = parse_with(pool, (const void *)msg, strlen(msg), 0, NULL, bodies);
	test_part_tree_str(parts, tree);
	ck_assert_str_eq(str_c(tree), inline_tests[_i].tree);
	for (chunk = 1; chunk < 5; chunk++) {
		tree = t_str_new(256);
		parts = parse_with(pool, (const void *)msg, strlen(msg), chunk,
				   NULL, bodies);
		test_part_tree_str(parts, tree);
		ck_assert_str_eq(str_c(tree), inline_tests[_i].tree);
	}
	pool_unref(&pool);
}
END_TEST

static unsigned int tree_depth(const struct message_part *part)
{
	unsigned int depth = 0;

	while (part->children != NULL) {
		part = part->children;
		depth++;
	}
	return depth;
}

static unsigned int tree_count(const struct message_part *part)
{
	unsigned int count = 0;

	for (; part != NULL; part = part->next)
		count += 1 + tree_count(part->children);
	return count;
}

START_TEST(test_limit_deep_nesting)
{
	struct pool *pool = pool_create("test", 4096, POOL_FLAG_NONE);
	struct buf *bodies = buf_create(pool, 64);
	struct str *msg = t_str_new(100000);
	struct message_parser_settings set;
	struct message_part *parts, *part;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		str_printfa(msg, "Content-Type: multipart/mixed; boundary=b%u\n\n"
			    "--b%u\n", i, i);
	}
	str_append(msg, "\nleaf\n");
	parts = parse_with(pool, str_data(msg), str_len(msg), 0, NULL, bodies);
	/* default limit: 100 levels, the deepest one opaque */
	ck_assert_uint_eq(tree_depth(parts), 99);
	for (part = parts; part->children != NULL; part = part->children) ;
	ck_assert((part->flags & MESSAGE_PART_FLAG_OVERFLOW) != 0);
	ck_assert_uint_eq(parts->header_size.physical_size +
			  parts->body_size.physical_size, str_len(msg));

	memset(&set, 0, sizeof(set));
	set.max_nested_mime_parts = 3;
	parts = parse_with(pool, str_data(msg), str_len(msg), 0, &set, bodies);
	ck_assert_uint_eq(tree_depth(parts), 2);
	/* 1000 message/rfc822 levels */
	str_reset(msg);
	for (i = 0; i < 1000; i++)
		str_append(msg, "Content-Type: message/rfc822\n\n");
	parts = parse_with(pool, str_data(msg), str_len(msg), 0, NULL, bodies);
	ck_assert_uint_eq(tree_depth(parts), 99);
	pool_unref(&pool);
}
END_TEST

START_TEST(test_limit_many_parts)
{
	struct pool *pool = pool_create("test", 4096, POOL_FLAG_NONE);
	struct buf *bodies = buf_create(pool, 64);
	struct str *msg = t_str_new(1000000);
	struct message_parser_settings set;
	struct message_part *parts;
	unsigned int i;

	str_append(msg, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 100000; i++)
		str_append(msg, "--b\n\nx\n");
	str_append(msg, "--b--\n");
	parts = parse_with(pool, str_data(msg), str_len(msg), 0, NULL, bodies);
	ck_assert_uint_eq(tree_count(parts), 10000);
	ck_assert((parts->flags & MESSAGE_PART_FLAG_OVERFLOW) != 0);
	ck_assert_uint_eq(parts->header_size.physical_size +
			  parts->body_size.physical_size, str_len(msg));

	memset(&set, 0, sizeof(set));
	set.max_total_mime_parts = 5;
	parts = parse_with(pool, str_data(msg), str_len(msg), 0, &set, bodies);
	ck_assert_uint_eq(tree_count(parts), 5);
	ck_assert_uint_eq(parts->children_count, 4);
	pool_unref(&pool);
}
END_TEST

/* Pre-order index of part in the tree under root, or -1. */
static int part_index(const struct message_part *root,
		      const struct message_part *part, int *next)
{
	int ret;

	for (; root != NULL; root = root->next) {
		if (root == part)
			return *next;
		(*next)++;
		if ((ret = part_index(root->children, part, next)) >= 0)
			return ret;
	}
	return -1;
}

struct block_record {
	const struct message_part *part;
	bool hdr;
	uoff_t offset;
	size_t size;
};
typedef ARRAY(struct block_record) ARRAY_TYPE(block_record);

/* The blocks as "part-index h|b offset size" lines, parts numbered in
   the tree under root. */
static const char *blocks_str(const ARRAY_TYPE(block_record) *blocks,
			      const struct message_part *root)
{
	const struct block_record *rec;
	struct str *str = t_str_new(1024);
	int next;

	array_foreach(blocks, rec) {
		next = 0;
		str_printfa(str, "%d %c %llu %zu\n",
			    part_index(root, rec->part, &next),
			    rec->hdr ? 'h' : 'b',
			    (unsigned long long)rec->offset, rec->size);
	}
	return str_c(str);
}

static void record_block(ARRAY_TYPE(block_record) *blocks,
			 const struct message_block *block,
			 const struct istream *input)
{
	struct block_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.part = block->part;
	rec.hdr = block->hdr != NULL;
	rec.size = block->size;
	rec.offset = block->hdr != NULL ? block->hdr->name_offset :
		input->v_offset - block->size;
	array_append(blocks, &rec);
}

struct record_ctx {
	ARRAY_TYPE(block_record) blocks;
	struct istream *input;
	unsigned int hdr_lines;
};

static void record_cb(struct message_block *block, void *context)
{
	struct record_ctx *ctx = context;

	record_block(&ctx->blocks, block, ctx->input);
	if (block->hdr != NULL)
		ctx->hdr_lines++;
}

START_TEST(test_parse_all_and_from_parts)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_parser_ctx *ctx;
	struct message_block block;
	struct message_part *parts, *parts2;
	struct record_ctx rec;
	ARRAY_TYPE(block_record) blocks2;
	const char *seq;
	const unsigned char *msg;
	size_t size;

	msg = test_corpus_read("forwarded.eml", &size);
	memset(&rec, 0, sizeof(rec));
	array_init(&rec.blocks, pool, 64);
	rec.input = istream_create_from_data(msg, size);
	parts = message_parse_all(pool, rec.input, NULL, record_cb, &rec);
	istream_unref(&rec.input);
	ck_assert(parts != NULL);
	/* header lines incl. the empty one: root 5, part 1: 2, part 2: 2,
	   enclosed message 5, its parts 2 + 2 */
	ck_assert_uint_eq(rec.hdr_lines, 5 + 2 + 2 + 5 + 2 + 2);
	seq = blocks_str(&rec.blocks, parts);
	/* every block belongs to a part of the tree */
	ck_assert(strstr(seq, "-1 ") == NULL);

	/* from the known tree: exactly the same blocks, pointing into it */
	array_init(&blocks2, pool, 64);
	rec.input = istream_create_from_data(msg, size);
	ctx = message_parser_init_from_parts(parts, rec.input, NULL);
	while (message_parser_parse_next_block(ctx, &block) > 0)
		record_block(&blocks2, &block, rec.input);
	ck_assert_int_eq(message_parser_deinit(&ctx, &parts2), 0);
	ck_assert(parts2 == parts);
	istream_unref(&rec.input);
	ck_assert_str_eq(blocks_str(&blocks2, parts), seq);
	/* the last child of the enclosed message had its block */
	ck_assert(strstr(seq, "\n5 b ") != NULL);
	pool_unref(&pool);
}
END_TEST

Suite *test_message_parser_suite(void)
{
	Suite *s = suite_create("message-parser");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_corpus_tree, 0, N_ELEMENTS(corpus_tests));
	tcase_add_loop_test(tc, test_corpus_trickle, 0, N_ELEMENTS(corpus_tests));
	tcase_add_loop_test(tc, test_inline_tree, 0, N_ELEMENTS(inline_tests));
	tcase_add_test(tc, test_limit_deep_nesting);
	tcase_add_test(tc, test_limit_many_parts);
	tcase_add_test(tc, test_parse_all_and_from_parts);
	suite_add_tcase(s, tc);
	return s;
}
