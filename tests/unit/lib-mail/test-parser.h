/* Copyright (c) dovecot-like authors. The suites of the lib-mail structure
   test program, and helpers they share. */
#ifndef TEST_PARSER_H
#define TEST_PARSER_H

#include <check.h>

struct message_part;
struct str;
struct istream;

Suite *test_message_header_parser_suite(void);
Suite *test_message_parser_suite(void);
Suite *test_message_part_suite(void);
Suite *test_message_header_filter_suite(void);
Suite *test_imap_msgpart_suite(void);

/* A non-blocking stream giving data chunk bytes per read and 0 ("would
   block") between reads. */
struct istream *test_istream_create_trickle(const void *data, size_t size,
					    size_t chunk);
/* The tree as "pos hP/hV/hL bP/bV/bL flags(children)" text. */
void test_part_tree_str(const struct message_part *part, struct str *dest);
/* Reads a corpus file; the buffer is in tmp_pool. */
const unsigned char *test_corpus_read(const char *name, size_t *size_r);

#endif
