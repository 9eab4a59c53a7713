/* Copyright (c) dovecot-like authors. db-passwd-file.h: Dovecot's passwd-file
   format (shared/reference/passwd-file-and-schemes.md s.1): the line parser,
   the cached and mtime-reloaded files, and the passdb/userdb args. No daemon
   state, so it is unit-testable. */
#ifndef DB_PASSWD_FILE_H
#define DB_PASSWD_FILE_H

#include "array.h"
#include <sys/types.h>

struct passwd_user {
	const char *name;
	/* With "{SCHEME}" for the [13]/[34]/[56] compatibility forms. NULL when
	   the line had only a user name. */
	const char *password;
	uid_t uid;
	gid_t gid;
	bool uid_set, gid_set;
	const char *home;	/* NULL if empty */
	/* The line has fields after the password, so a userdb finds it. */
	bool userdb_found;
	/* NULL-terminated raw (unexpanded) extra fields, "key=value"/"key". */
	const char *const *extra_fields;
};

/* Parses one line (without its LF) into pool. userdb: uid/gid must be
   valid (non-zero number or existing name). Returns 1 with *user_r, 0 for an
   empty/comment line, -1 with *error_r for a line to ignore. */
int passwd_file_parse_line(struct pool *pool, const char *line, bool userdb,
			   struct passwd_user *user_r, const char **error_r);

struct passwd_file {
	struct pool *pool;	/* the parsed users; recreated on reload */
	char *path;
	bool userdb;
	bool stamp_valid;
	time_t mtime;
	off_t size;
	ino_t ino;
	struct hash_table *users;	/* name -> struct passwd_user */
	ARRAY(struct passwd_user *) user_list;	/* file order, for LIST */
};

/* A file shared by every passdb/userdb that names the same path (so a
   userdb's uid checks also hide a bad line from the passdb, as in Dovecot).
   Never freed before passwd_files_deinit(). */
struct passwd_file *passwd_file_get(const char *path, bool userdb);
void passwd_files_deinit(void);
/* stat()s the file and re-reads it when its mtime, size or inode changed
   (blocking local file I/O). Returns 0, or -1 with *error_r. Errors about
   single lines are logged and the lines skipped. */
int passwd_file_refresh(struct passwd_file *file, const char **error_r);
/* Replace the contents with data (tests). Returns the number of users. */
unsigned int passwd_file_parse_data(struct passwd_file *file, const char *data,
				    size_t len);
/* NULL if unknown. Valid until the next refresh. */
const struct passwd_user *passwd_file_lookup(const struct passwd_file *file,
					     const char *user);

/* The parsed "args" of a passwd-file passdb/userdb. */
struct db_passwd_file_args {
	const char *path;		/* may contain %variables */
	const char *default_scheme;	/* "CRYPT" unless scheme= */
	const char *username_format;	/* "%u" unless username_format= */
};
/* "[scheme=X] [username_format=Y] <path>"; scheme= only for passdbs.
   Returns 0, or -1 with *error_r. Results in pool. */
int db_passwd_file_parse_args(struct pool *pool, const char *args, bool passdb,
			      struct db_passwd_file_args *args_r,
			      const char **error_r);

#endif
