/* Copyright (c) dovecot-like authors. maildir-filename.h: Maildir message file
   names as Dovecot writes and reads them (maildir-format.md section 2):
   <base>[,S=<n>][,W=<n>][:2,<flags>[,<other>]]. */
#ifndef MAILDIR_FILENAME_H
#define MAILDIR_FILENAME_H

#include "mail-storage.h"

#define MAILDIR_INFO_SEP ':'
#define MAILDIR_FLAGS_PREFIX ":2,"

/* true if a directory entry may be a message: not empty, not a dot file,
   no '/'. */
bool maildir_filename_is_valid(const char *fname);
/* Length of the message identity: up to the first ':' (includes ,S=/,W=).
   This is what dovecot-uidlist stores and what %f expands to. */
size_t maildir_filename_base_len(const char *fname);
/* Looks for ",<key>=<digits>" in the identity part; valid only if followed by
   ':', ',' or the end. Returns true and the value, else false. */
bool maildir_filename_get_size(const char *fname, char key, uoff_t *size_r);
/* System flags from the ":2," info part (D F R S T); other letters ignored. */
enum mail_flags maildir_filename_get_flags(const char *fname);
/* true if the name has a ":2," info part. */
bool maildir_filename_has_info(const char *fname);
/* The name with its info part rewritten to carry flags (system flags only;
   keyword letters and other letters are kept, all sorted by ASCII; anything
   after a further ',' kept). Always has ":2,". Result in pool. */
const char *maildir_filename_set_flags(struct pool *pool, const char *fname,
				       enum mail_flags flags);
/* Keyword letters a..z of the info part: bit i = 'a'+i. */
uint32_t maildir_filename_get_letters(const char *fname);
/* As maildir_filename_set_flags(), and the keyword letters in
   known_letters become exactly those in letters (others kept). */
const char *maildir_filename_set_flags_kw(struct pool *pool, const char *fname,
					  enum mail_flags flags,
					  uint32_t letters,
					  uint32_t known_letters);
/* Dovecot's order for assigning UIDs to new files: leading decimal seconds,
   then the M<usecs> of the second dot-part if both have one, then bytes of
   the identity. strcmp()-style result. */
int maildir_filename_sort_cmp(const char *fname1, const char *fname2);
/* A new unique base name "<secs>.M<usecs>P<pid>Q<counter>.<host>" for a
   file we create: seconds+microseconds strictly increase within the
   process; '/' and ':' in the host name are written as "\057" and "\072"
   (Maildir spec). Result in pool. */
const char *maildir_filename_generate(struct pool *pool);
/* Default message GUID: the name up to the first ',' or ':'. Result in pool. */
const char *maildir_filename_guid(struct pool *pool, const char *fname);

#endif
