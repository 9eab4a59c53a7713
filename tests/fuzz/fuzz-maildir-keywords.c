/* Copyright (c) dovecot-like authors. Fuzzes the dovecot-keywords parser
   (maildir-keywords.c), whose file another process (Dovecot, a broken
   tool) may have written, and the Maildir file name keyword letters: every
   accepted name is bounded and printable, writing the names back the way
   we write the file parses to the same names, and setting keyword letters
   on a fuzzed file name reads them back. */
#include "fuzz-common.h"
#include "str.h"
#include "mail-index.h"
#include "maildir-keywords.h"
#include "maildir-filename.h"

static void check_names(const char *const *names)
{
	size_t len;

	for (unsigned int i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (names[i] == NULL)
			continue;
		len = strlen(names[i]);
		if (len == 0 || len > MAIL_INDEX_MAX_KEYWORD_LEN)
			abort();
		for (size_t j = 0; j < len; j++) {
			if ((unsigned char)names[i][j] <= 0x20 ||
			    names[i][j] == 0x7f)
				abort();
		}
	}
}

static void check_letters(struct pool *pool, const char *fname,
			  uint32_t letters, uint32_t known)
{
	const char *renamed;
	uint32_t old = maildir_filename_get_letters(fname), got;

	renamed = maildir_filename_set_flags_kw(pool, fname, MAIL_SEEN,
						letters, known);
	got = maildir_filename_get_letters(renamed);
	/* known letters as asked, the others as they were */
	if ((got & known) != (letters & known) ||
	    (got & ~known) != (old & ~known))
		abort();
	if (maildir_filename_base_len(renamed) > strlen(renamed))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[MAILDIR_MAX_KEYWORDS], *names2[MAILDIR_MAX_KEYWORDS];
	struct pool *pool;
	struct str *out;
	uint32_t letters, known;
	char *fname;

	fuzz_init();
	pool = pool_create("fuzz maildir keywords", 1024, POOL_FLAG_NONE);
	(void)maildir_keywords_parse(pool, (const char *)data, size, names);
	check_names(names);
	out = str_new(pool, 256);
	for (unsigned int i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if (names[i] != NULL)
			str_printfa(out, "%u %s\n", i, names[i]);
	}
	if (maildir_keywords_parse(pool, str_c(out), str_len(out), names2) != 0)
		abort();
	for (unsigned int i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
		if ((names[i] == NULL) != (names2[i] == NULL) ||
		    (names[i] != NULL && strcmp(names[i], names2[i]) != 0))
			abort();
	}
	/* [4 bytes letters][4 bytes known] file name */
	if (size >= 8) {
		memcpy(&letters, data, 4);
		memcpy(&known, data + 4, 4);
		fname = fuzz_strndup(data + 8, size - 8);
		check_letters(pool, fname, letters & 0x3ffffff,
			      known & 0x3ffffff);
		free(fname);
	}
	pool_unref(&pool);
	tmp_reset();
	return 0;
}
