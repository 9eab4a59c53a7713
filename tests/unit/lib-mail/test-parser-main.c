/* Copyright (c) dovecot-like authors. Runs the lib-mail structure suites
   (header parser, MIME parser, part tree, header filter, IMAP sections),
   plus the helpers they share. */

#include "lib.h"
#include "str.h"
#include "istream-private.h"
#include "message-part.h"
#include "test-parser.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct trickle_istream {
	const unsigned char *data;
	size_t size, pos, chunk;
	bool block_next;
};

static ssize_t trickle_read(struct istream_private *stream, void *data,
			    size_t size)
{
	struct trickle_istream *ts = stream->context;
	size_t n;

	if (ts->pos == ts->size) {
		errno = 0;
		return -1;
	}
	ts->block_next = !ts->block_next;
	if (!ts->block_next)
		return 0;	/* every other read "would block" */
	n = MIN(MIN(ts->chunk, size), ts->size - ts->pos);
	memcpy(data, ts->data + ts->pos, n);
	ts->pos += n;
	return (ssize_t)n;
}

static void trickle_destroy(struct istream_private *stream)
{
	p_free(system_pool, stream->context);
}

static const struct istream_vfuncs trickle_vfuncs = {
	.read = trickle_read,
	.destroy = trickle_destroy,
};

struct istream *test_istream_create_trickle(const void *data, size_t size,
					    size_t chunk)
{
	struct trickle_istream *ts = pool_new(system_pool, struct trickle_istream, 1);

	ts->data = data;
	ts->size = size;
	ts->chunk = chunk;
	return istream_create_private(&trickle_vfuncs, ts, -1, 4096);
}

void test_part_tree_str(const struct message_part *part, struct str *dest)
{
	for (; part != NULL; part = part->next) {
		str_printfa(dest, "%llu %llu/%llu/%u %llu/%llu/%u %x",
			    (unsigned long long)part->physical_pos,
			    (unsigned long long)part->header_size.physical_size,
			    (unsigned long long)part->header_size.virtual_size,
			    part->header_size.lines,
			    (unsigned long long)part->body_size.physical_size,
			    (unsigned long long)part->body_size.virtual_size,
			    part->body_size.lines, (unsigned int)part->flags);
		if (part->children != NULL) {
			str_append_c(dest, '(');
			test_part_tree_str(part->children, dest);
			str_append_c(dest, ')');
		}
		if (part->next != NULL)
			str_append_c(dest, ' ');
	}
}

const unsigned char *test_corpus_read(const char *name, size_t *size_r)
{
	const char *path = tmp_printf("%s/%s", PARSER_CORPUS_DIR, name);
	unsigned char *buf;
	struct stat st;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "open(%s) failed", path);
	ck_assert(fstat(fd, &st) == 0);
	buf = p_malloc(tmp_pool, (size_t)st.st_size + 1);
	ret = read(fd, buf, (size_t)st.st_size);
	ck_assert_int_eq(ret, st.st_size);
	close(fd);
	*size_r = (size_t)st.st_size;
	return buf;
}

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_message_header_parser_suite());
	srunner_add_suite(sr, test_message_parser_suite());
	srunner_add_suite(sr, test_message_part_suite());
	srunner_add_suite(sr, test_message_header_filter_suite());
	srunner_add_suite(sr, test_imap_msgpart_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
