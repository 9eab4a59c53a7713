/* Copyright (c) dovecot-like authors. mail-search-build.h: IMAP SEARCH keys
   (RFC 3501 9 search-key) to a mail_search_arg tree. */
#ifndef MAIL_SEARCH_BUILD_H
#define MAIL_SEARCH_BUILD_H

#include "mail-search.h"
#include "imap-parser.h"

/* Deepest nesting of lists / NOT / OR accepted (a setting-like bound). */
#define MAIL_SEARCH_MAX_DEPTH 100

enum mail_search_build_result {
	MAIL_SEARCH_BUILD_OK = 0,
	MAIL_SEARCH_BUILD_BAD = -1,	/* syntax: *error_r for BAD */
	MAIL_SEARCH_BUILD_BADCHARSET = -2,	/* unknown charset */
};

/* args: the search keys, ending with an IMAP_ARG_EOL (CHARSET already taken
   off). charset: what strings are in (NULL = UTF-8); they are converted to
   UTF-8. The tree (an AND list) is allocated from pool. *error_r is a
   client-safe message. */
enum mail_search_build_result
mail_search_build(struct pool *pool, const struct imap_arg *args,
		  const char *charset, struct mail_search_arg **args_r,
		  const char **error_r);
/* The same where the key "$" (and "UID $", RFC 5182 2.1) is the UID set
   saved_uids (NULL or "" = an empty set, matching nothing); saved_uids is
   copied. mail_search_build() is this with saved_uids NULL. */
enum mail_search_build_result
mail_search_build_saved(struct pool *pool, const struct imap_arg *args,
			const char *charset, const char *saved_uids,
			struct mail_search_arg **args_r, const char **error_r);

#endif
