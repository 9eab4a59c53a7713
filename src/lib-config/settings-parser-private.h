/* Copyright (c) dovecot-like authors. settings-parser-private.h: the parser
   state shared by the line lexer (settings-parser.c), the key/section rules
   (settings-parser-keys.c) and the Dovecot 1.x mapping (settings-legacy.c). */
#ifndef SETTINGS_PARSER_PRIVATE_H
#define SETTINGS_PARSER_PRIVATE_H

#include "settings-private.h"

enum parser_frame_kind {
	PARSER_FRAME_ROOT,
	PARSER_FRAME_FILTER,	/* protocol/local/local_name/remote { } */
	PARSER_FRAME_SECTION,	/* service, listeners, passdb, namespace ... */
	PARSER_FRAME_FREEFORM,	/* plugin { }, dict { }: any key */
	PARSER_FRAME_IGNORE,	/* inside a section that already failed */
	/* Dovecot 1.x: auth default { socket listen { client { } } } */
	PARSER_FRAME_LEGACY_AUTH,
	PARSER_FRAME_LEGACY_SOCKET,
	PARSER_FRAME_LEGACY_SOCKET_LISTENER,
};

struct parser_frame {
	enum parser_frame_kind kind;
	/* where keys go (for legacy listeners: a detached scratch section) */
	struct settings_section *sec;
	/* schema path of keys in sec: "", "service", "service/inet_listener" */
	const char *path;
	/* innermost protocol filter around this frame, or NULL */
	const char *protocol;
	/* filter nesting rank: local 1, local_name 2, remote 3, protocol 4 */
	unsigned int filter_rank;
	const char *file;
	unsigned int line;
};

struct settings_parser {
	struct pool *pool;	/* parser lifetime */
	struct settings *set;
	struct str *errors, *warnings;
	unsigned int error_count;
	ARRAY(struct parser_frame) frames;
	ARRAY(const char *) include_stack;	/* real paths */
	struct hash_table *warned_keys;
	bool legacy_auth_seen;

	const char *file;	/* current file and line */
	unsigned int line;
	const char *location;	/* "file:line" */
};

void parser_error(struct settings_parser *p, const char *fmt, ...) ATTR_FORMAT(2, 3);
void parser_warning(struct settings_parser *p, const char *fmt, ...) ATTR_FORMAT(2, 3);
/* Warn only the first time for this key (in this parse). */
void parser_warning_once(struct settings_parser *p, const char *key,
			 const char *fmt, ...) ATTR_FORMAT(3, 4);

struct parser_frame *parser_frame_top(struct settings_parser *p);
struct parser_frame *parser_frame_push(struct settings_parser *p,
				       enum parser_frame_kind kind,
				       struct settings_section *sec,
				       const char *path);

/* Contents of a <file value (path relative to the current file). Returns 0,
   or -1 with errno set (nothing reported). */
int parser_read_value_file(struct settings_parser *p, const char *path,
			   const char **data_r);

/* settings-parser-keys.c */
/* A key = value line. file_ref is "<path" when the value came from a file. */
void parser_key(struct settings_parser *p, const char *key, const char *value,
		const char *file_ref);
void parser_section_open(struct settings_parser *p, const char *type,
			 const char *name);
/* Returns -1 if there is no section to close in the current file. */
void parser_section_close(struct settings_parser *p);
/* $name, $ENV:name. Returns 0 or -1 after reporting the error. */
int parser_expand_vars(struct settings_parser *p, const char *key,
		       const char *value, const char **result_r);
/* Validate and set a 2.3 global setting in target (root or a filter); for a
   key we do not implement, warn and keep it. Returns false if key is unknown
   to Dovecot 2.3 (nothing done, nothing reported). */
bool parser_set_global(struct settings_parser *p, struct settings_section *target,
		       const char *key, const char *value, const char *file_ref);
/* Validate and set a key in a section whose schema path is path. Reports
   unknown keys. */
void parser_set_section_key(struct settings_parser *p, struct settings_section *sec,
			    const char *path, const char *key, const char *value,
			    const char *file_ref);

/* settings-legacy.c: Dovecot 1.x */
/* A 2.3 key with a 1.x value (protocols = imaps, listen = *:143 ...). Returns
   the value to use, or NULL when the key was fully handled here. */
const char *settings_legacy_value(struct settings_parser *p, struct parser_frame *frame,
				  const char *key, const char *value);
/* A key 2.3 doesn't know. Returns false if it isn't a 1.x key either. */
bool settings_legacy_key(struct settings_parser *p, struct parser_frame *frame,
			 const char *key, const char *value);
/* Keys inside the legacy auth/socket frames. */
void settings_legacy_frame_key(struct settings_parser *p, struct parser_frame *frame,
			       const char *key, const char *value);
/* A section 2.3 doesn't know at this point (auth default, passdb pam inside
   auth, socket listen ...). Returns false if it isn't 1.x syntax either. */
bool settings_legacy_section(struct settings_parser *p, const char *type,
			     const char *name);
/* A legacy frame is being closed. */
void settings_legacy_section_close(struct settings_parser *p,
				   struct parser_frame *frame);

#endif
