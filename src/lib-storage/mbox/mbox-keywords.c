/* Copyright (c) dovecot-like authors. mbox-keywords.c: keywords in an mbox
   as Dovecot keeps them: the mailbox's names in the first message's
   X-IMAPbase (after UIDVALIDITY and the last UID), each message's in its
   X-Keywords. Words that can't be used (invalid names, over the limit, not
   listed in X-IMAPbase) are kept in the file untouched. */
#include "lib.h"
#include "str.h"
#include "mbox-storage.h"
#include "mbox-headers.h"

#include <strings.h>

/* Is name (case-insensitively) one of list's words? */
static bool mbox_keywords_list_has(const char *list, const char *name)
{
	const char *word;
	size_t pos = 0, len, name_len = strlen(name);

	while (mbox_keywords_next(list, &pos, &word, &len)) {
		if (len == name_len && strncasecmp(word, name, len) == 0)
			return true;
	}
	return false;
}

/* The box index of a word from the file, -1 if it isn't a keyword. */
static int mbox_keyword_word_add(struct mbox_mailbox *mbox, const char *word,
				 size_t len)
{
	int idx;

	if (!mbox_keyword_name_ok(word, len))
		return -1;
	idx = mailbox_keyword_lookup_n(&mbox->box, word, len);
	if (idx >= 0)
		return idx;
	idx = mailbox_keyword_add(&mbox->box, tmp_strndup(word, len));
	if (idx < 0 && !mbox->keywords_full_logged) {
		log_warning("mbox %s: more than %u keywords, the rest are "
			    "left in the file but not used", mbox->path,
			    MAILBOX_MAX_KEYWORDS);
		mbox->keywords_full_logged = true;
	}
	return idx;
}

void mbox_keywords_parse_base(struct mbox_mailbox *mbox, const char *list)
{
	const char *word;
	size_t pos = 0, len;
	int idx;

	memset(&mbox->base_mask, 0, sizeof(mbox->base_mask));
	while (mbox_keywords_next(list, &pos, &word, &len)) {
		idx = mbox_keyword_word_add(mbox, word, len);
		if (idx >= 0)
			mail_keywords_set(&mbox->base_mask,
					  (unsigned int)idx, true);
	}
}

/* The box index of a word, -1 if it isn't one of the box's keywords. */
static int mbox_keyword_word_lookup(struct mbox_mailbox *mbox,
				    const char *word, size_t len)
{
	if (!mbox_keyword_name_ok(word, len))
		return -1;
	return mailbox_keyword_lookup_n(&mbox->box, word, len);
}

void mbox_keywords_parse_msg(struct mbox_mailbox *mbox, const char *list,
			     struct mail_keywords *kw_r)
{
	const char *word;
	size_t pos = 0, len;
	int idx;

	memset(kw_r, 0, sizeof(*kw_r));
	while (mbox_keywords_next(list, &pos, &word, &len)) {
		/* as Dovecot: only names X-IMAPbase lists count, so a
		   header forged in incoming mail sets no keyword (the word
		   stays in the file); base_mask = the box indexes the
		   last mbox_keywords_parse_base() saw listed */
		idx = mbox_keyword_word_lookup(mbox, word, len);
		if (idx >= 0 &&
		    mail_keywords_has(&mbox->base_mask, (unsigned int)idx))
			mail_keywords_set(kw_r, (unsigned int)idx, true);
	}
}

static void str_append_word(struct str *dest, const char *word, size_t len)
{
	if (str_len(dest) > 0)
		str_append_c(dest, ' ');
	str_append_n(dest, word, len);
}

const char *mbox_keywords_msg_str(struct mbox_mailbox *mbox,
				  const struct mail_keywords *kw,
				  const char *old)
{
	struct str *dest = t_str_new(128);
	const char *const *names, *word;
	unsigned int i, count;
	size_t pos = 0, len;

	names = mailbox_get_keywords(&mbox->box, &count);
	for (i = 0; i < count; i++) {
		if (mail_keywords_has(kw, i))
			str_append_word(dest, names[i], strlen(names[i]));
	}
	while (mbox_keywords_next(old, &pos, &word, &len)) {
		if (mbox_keyword_word_lookup(mbox, word, len) < 0)
			str_append_word(dest, word, len);
	}
	return str_c(dest);
}

const char *mbox_keywords_base_str(struct mbox_mailbox *mbox, const char *old)
{
	struct str *dest = t_str_new(128);
	const char *const *names, *word;
	unsigned int i, count;
	size_t pos = 0, len;

	while (mbox_keywords_next(old, &pos, &word, &len))
		str_append_word(dest, word, len);
	names = mailbox_get_keywords(&mbox->box, &count);
	for (i = 0; i < count; i++) {
		if (!mbox_keywords_list_has(old, names[i]))
			str_append_word(dest, names[i], strlen(names[i]));
	}
	return str_c(dest);
}

bool mbox_keywords_base_lacks_names(struct mbox_mailbox *mbox)
{
	const char *const *names;
	unsigned int i, count;

	names = mailbox_get_keywords(&mbox->box, &count);
	for (i = 0; i < count; i++) {
		if (!mbox_keywords_list_has(mbox->parsed.base_keywords,
					    names[i]))
			return true;
	}
	return false;
}
