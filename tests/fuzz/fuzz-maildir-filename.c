/* Copyright (c) dovecot-like authors. Fuzzes Maildir file name parsing and
   rewriting, since anyone who can deliver mail (or another MUA sharing the
   Maildir) chooses the names we read. */
#include "fuzz-common.h"
#include "maildir-filename.h"

#define SYSTEM_FLAGS (MAIL_ANSWERED | MAIL_FLAGGED | MAIL_DELETED | \
		      MAIL_SEEN | MAIL_DRAFT)

static void check_name(struct pool *pool, const char *fname, enum mail_flags flags)
{
	const char *renamed, *guid;
	size_t base_len;
	uoff_t size;

	(void)maildir_filename_is_valid(fname);
	base_len = maildir_filename_base_len(fname);
	if (base_len > strlen(fname))
		abort();
	(void)maildir_filename_get_size(fname, 'S', &size);
	(void)maildir_filename_get_size(fname, 'W', &size);
	(void)maildir_filename_get_flags(fname);
	(void)maildir_filename_has_info(fname);
	guid = maildir_filename_guid(pool, fname);
	if (strlen(guid) > base_len)
		abort();
	if (maildir_filename_sort_cmp(fname, fname) != 0)
		abort();

	/* setting flags: they read back, the identity is unchanged, and
	   setting them again changes nothing */
	renamed = maildir_filename_set_flags(pool, fname, flags);
	if (!maildir_filename_has_info(renamed))
		abort();
	if ((maildir_filename_get_flags(renamed) & SYSTEM_FLAGS) !=
	    (flags & SYSTEM_FLAGS))
		abort();
	if (maildir_filename_base_len(renamed) != base_len ||
	    strncmp(renamed, fname, base_len) != 0)
		abort();
	if (strcmp(maildir_filename_set_flags(pool, renamed, flags), renamed) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool;
	const uint8_t *nul;
	char *name1, *name2;
	enum mail_flags flags;
	int c1, c2;

	fuzz_init();
	if (size < 1)
		return 0;
	/* [flags] name1 [NUL name2] */
	flags = (enum mail_flags)(data[0] & SYSTEM_FLAGS);
	data++; size--;
	nul = memchr(data, '\0', size);
	name1 = fuzz_strndup(data, nul == NULL ? size : (size_t)(nul - data));
	name2 = nul == NULL ? fuzz_strndup((const uint8_t *)"", 0) :
		fuzz_strndup(nul + 1, size - (size_t)(nul - data) - 1);

	pool = pool_create("fuzz maildir filename", 256, POOL_FLAG_NONE);
	check_name(pool, name1, flags);
	check_name(pool, name2, flags ^ SYSTEM_FLAGS);
	/* the UID assignment order is a consistent comparison */
	c1 = maildir_filename_sort_cmp(name1, name2);
	c2 = maildir_filename_sort_cmp(name2, name1);
	if ((c1 < 0 && c2 <= 0) || (c1 > 0 && c2 >= 0) || (c1 == 0 && c2 != 0))
		abort();
	pool_unref(&pool);
	free(name1);
	free(name2);
	tmp_reset();
	return 0;
}
