/* Copyright (c) dovecot-like authors. maildir-keywords.h: dovecot-keywords
   (maildir-format.md section 3): keyword names <-> the letters a..z in
   Maildir file names, and the mapping of those letters to the mailbox's
   keyword bits (struct mail_keywords). */
#ifndef MAILDIR_KEYWORDS_H
#define MAILDIR_KEYWORDS_H

#include "mail-storage.h"

#define MAILDIR_KEYWORDS_FNAME "dovecot-keywords"
#define MAILDIR_KEYWORDS_LOCK_FNAME "dovecot-keywords.lock"
/* letters a..z */
#define MAILDIR_MAX_KEYWORDS 26
/* a bigger dovecot-keywords is not read (26 lines of 200 bytes fit) */
#define MAILDIR_KEYWORDS_MAX_FILE_SIZE (64 * 1024)

struct pool;
struct mailbox;
struct maildir_uidlist;
struct maildir_keywords;

/* Parses dovecot-keywords content: names_r[i] = name of letter 'a'+i (in
   pool) or NULL. Bad lines (index outside 0..25, no name, name too long or
   with control characters, index already used) are skipped; returns how
   many were. A last line without LF counts like the others. */
unsigned int maildir_keywords_parse(struct pool *pool, const char *data,
				    size_t size,
				    const char *names_r[MAILDIR_MAX_KEYWORDS]);

/* In the box pool: lives and dies with the mailbox. */
struct maildir_keywords *maildir_keywords_init(struct mailbox *box,
					       const char *control_path);
/* Re-reads dovecot-keywords if it changed (inode, size, mtime) and adds its
   names to the mailbox. 0, or -1 (logged; the old mapping stays). */
int maildir_keywords_refresh(struct maildir_keywords *mk);
/* Bit i = letter 'a'+i. Letters with no name in dovecot-keywords are not
   in known_letters. */
uint32_t maildir_keywords_known_letters(const struct maildir_keywords *mk);
uint32_t maildir_keywords_to_letters(const struct maildir_keywords *mk,
				     const struct mail_keywords *kw);
void maildir_keywords_from_letters(const struct maildir_keywords *mk,
				   uint32_t letters, struct mail_keywords *kw_r);
/* Gives the box keywords [first_idx..) letters and writes dovecot-keywords
   (under the uidlist lock, merged with the file as it is now). 0, or -1
   with the error set on the mailbox (MAIL_ERROR_LIMIT: no letters left). */
int maildir_keywords_create(struct maildir_keywords *mk,
			    struct maildir_uidlist *uidlist,
			    unsigned int first_idx);
/* true if every keyword of the mailbox has a letter (then
   maildir_keywords_ensure() never takes the uidlist lock) */
bool maildir_keywords_all_lettered(const struct maildir_keywords *mk);
/* Makes sure every keyword of kw has a letter (a keyword the mailbox
   knows only from the index gets one as in maildir_keywords_create()).
   0, or -1 with the error set. */
int maildir_keywords_ensure(struct maildir_keywords *mk,
			    struct maildir_uidlist *uidlist,
			    const struct mail_keywords *kw);

#endif
