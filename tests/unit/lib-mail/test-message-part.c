/* Copyright (c) dovecot-like authors. Check suite for the part tree:
   IMAP section numbers (RFC 3501 6.4.5) and the cache form, whose
   deserializer must reject every inconsistent input. */

#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "istream.h"
#include "message-parser.h"
#include "test-parser.h"

static struct message_part *parse_corpus(struct pool *pool, const char *name)
{
	struct istream *input;
	struct message_part *parts;
	const unsigned char *msg;
	size_t size;

	msg = test_corpus_read(name, &size);
	input = istream_create_from_data(msg, size);
	parts = message_parse_all(pool, input, NULL, NULL, NULL);
	istream_unref(&input);
	ck_assert(parts != NULL);
	return parts;
}

static const struct {
	const char *file, *section;
	long long physical_pos;	/* -1 = no such part */
} section_tests[] = {
	{ "plain.eml", "1", 0 },
	{ "plain.eml", "2", -1 },
	{ "plain.eml", "1.1", 0 },	/* not RFC-valid, but harmless */
	{ "forwarded.eml", "1", 116 },
	{ "forwarded.eml", "2", 163 },
	{ "forwarded.eml", "2.1", 308 },
	{ "forwarded.eml", "2.2", 355 },
	{ "forwarded.eml", "2.3", -1 },
	{ "forwarded.eml", "3", -1 },
	{ "forwarded.eml", "0", -1 },
	{ "forwarded.eml", "01", -1 },
	{ "forwarded.eml", "1.", -1 },
	{ "forwarded.eml", ".1", -1 },
	{ "forwarded.eml", "", -1 },
	{ "forwarded.eml", "99999999999999", -1 },
	{ "forwarded.eml", "2.1.1", 308 },
	{ "forwarded.eml", "2.1.2", -1 },
	{ "mixed-alternative.eml", "1.2", 355 },
	{ "mixed-alternative.eml", "3", 616 },
	{ "digest.eml", "1", 77 },
	{ "digest.eml", "1.1", 79 },
	{ "digest.eml", "3.1", 181 },
	{ "digest.eml", "2.1", 130 },
	{ "nested5.eml", "1.1.1.1.1", 245 },
	{ "nested5.eml", "1.1.1.1.2", -1 },
};

START_TEST(test_section_lookup)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_part *parts, *part;

	parts = parse_corpus(pool, section_tests[_i].file);
	part = message_part_by_section(parts, section_tests[_i].section);
	if (section_tests[_i].physical_pos < 0) {
		ck_assert_msg(part == NULL, "%s", section_tests[_i].section);
	} else {
		ck_assert_msg(part != NULL, "%s", section_tests[_i].section);
		ck_assert_uint_eq(part->physical_pos,
				  (uoff_t)section_tests[_i].physical_pos);
	}
	pool_unref(&pool);
}
END_TEST

static const char *const serialize_files[] = {
	"plain.eml", "forwarded.eml", "digest.eml", "mixed-alternative.eml",
	"nested5.eml", "missing-end.eml", "header-only.eml",
};

START_TEST(test_serialize_roundtrip)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_part *parts, *parts2;
	struct buf *ser = buf_create(pool, 256), *ser2 = buf_create(pool, 256);
	struct str *tree1 = t_str_new(256), *tree2 = t_str_new(256);
	const char *error;
	size_t i;

	parts = parse_corpus(pool, serialize_files[_i]);
	message_part_serialize(parts, ser);
	parts2 = message_part_deserialize(pool, ser->data, ser->used, &error);
	ck_assert(parts2 != NULL);
	test_part_tree_str(parts, tree1);
	test_part_tree_str(parts2, tree2);
	ck_assert_str_eq(str_c(tree1), str_c(tree2));
	message_part_serialize(parts2, ser2);
	ck_assert_uint_eq(ser->used, ser2->used);
	ck_assert(memcmp(ser->data, ser2->data, ser->used) == 0);

	/* every truncation fails */
	for (i = 0; i < ser->used; i++) {
		error = NULL;
		ck_assert(message_part_deserialize(pool, ser->data, i, &error) == NULL);
		ck_assert(error != NULL);
	}
	/* trailing garbage fails */
	(void)buf_append(ser, "x", 1);
	ck_assert(message_part_deserialize(pool, ser->data, ser->used, &error) == NULL);
	pool_unref(&pool);
}
END_TEST

/* Children lie inside their parent's body, in order, and a part's
   virtual sizes are at least its physical ones. */
static void part_check_consistent(const struct message_part *part)
{
	const struct message_part *child;
	uoff_t body_start, end, prev_end;

	body_start = part->physical_pos + part->header_size.physical_size;
	end = body_start + part->body_size.physical_size;
	ck_assert_uint_ge(part->header_size.virtual_size,
			  part->header_size.physical_size);
	ck_assert_uint_ge(part->body_size.virtual_size,
			  part->body_size.physical_size);
	prev_end = body_start;
	for (child = part->children; child != NULL; child = child->next) {
		ck_assert(child->parent == part);
		ck_assert_uint_ge(child->physical_pos, prev_end);
		prev_end = child->physical_pos +
			child->header_size.physical_size +
			child->body_size.physical_size;
		ck_assert_uint_le(prev_end, end);
		part_check_consistent(child);
	}
}

START_TEST(test_deserialize_bitflips)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	struct message_part *parts, *part;
	struct buf *ser = buf_create(pool, 256);
	struct buf *reser = buf_create(pool, 256);
	const char *error;
	size_t i;
	unsigned int bit, accepted = 0;

	parts = parse_corpus(pool, "forwarded.eml");
	message_part_serialize(parts, ser);
	/* a corrupted record is either rejected or still consistent */
	for (i = 0; i < ser->used; i++) {
		for (bit = 0; bit < 8; bit++) {
			ser->data[i] ^= (unsigned char)(1 << bit);
			part = message_part_deserialize(pool, ser->data,
							ser->used, &error);
			if (part != NULL) {
				accepted++;
				ck_assert_uint_eq(part->physical_pos, 0);
				part_check_consistent(part);
				/* what was accepted is exactly what it reads */
				buf_reset(reser);
				message_part_serialize(part, reser);
				ck_assert_uint_eq(reser->used, ser->used);
				ck_assert(memcmp(reser->data, ser->data,
						 ser->used) == 0);
			}
			ser->data[i] ^= (unsigned char)(1 << bit);
		}
	}
	ck_assert(accepted < ser->used * 8);
	pool_unref(&pool);
}
END_TEST

START_TEST(test_deserialize_bad)
{
	struct pool *pool = pool_create("test", 1024, POOL_FLAG_NONE);
	const char *error = NULL;
	uint32_t version = 2;

	ck_assert(message_part_deserialize(pool, "", 0, &error) == NULL);
	ck_assert(error != NULL);
	ck_assert(message_part_deserialize(pool, &version, sizeof(version),
					   &error) == NULL);
	ck_assert_str_eq(error, "unknown version");
	pool_unref(&pool);
}
END_TEST

Suite *test_message_part_suite(void)
{
	Suite *s = suite_create("message-part");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_section_lookup, 0, N_ELEMENTS(section_tests));
	tcase_add_loop_test(tc, test_serialize_roundtrip, 0,
			    N_ELEMENTS(serialize_files));
	tcase_add_test(tc, test_deserialize_bitflips);
	tcase_add_test(tc, test_deserialize_bad);
	suite_add_tcase(s, tc);
	return s;
}
