/* Copyright (c) dovecot-like authors. Reads dovecot-like.conf line by line
   (Dovecot 2.3 lexical rules: comments, quoting, continuation lines, <file
   values, !include globs) and collects every error with file:line. */
#include "lib.h"
#include "str.h"
#include "hash.h"
#include "settings-parser-private.h"

#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#define PARSER_MAX_INCLUDE_DEPTH 20
#define PARSER_MAX_FILE_SIZE (64 * 1024 * 1024)
#define PARSER_MAX_ERRORS 1000

static void parser_parse_data(struct settings_parser *p, const char *file,
			      const char *data, size_t len);

void parser_error(struct settings_parser *p, const char *fmt, ...)
{
	va_list args;

	if (++p->error_count > PARSER_MAX_ERRORS)
		return;
	if (str_len(p->errors) > 0)
		str_append_c(p->errors, '\n');
	str_printfa(p->errors, "%s: ", p->location);
	va_start(args, fmt);
	str_vprintfa(p->errors, fmt, args);
	va_end(args);
}

static void parser_vwarning(struct settings_parser *p, const char *fmt, va_list args)
{
	const char *msg = tmp_printf("%s: %s", p->location, p_vprintf(p->pool, fmt, args));

	if (str_len(p->warnings) > 0)
		str_append_c(p->warnings, '\n');
	str_append(p->warnings, msg);
	log_warning("%s", msg);
}

void parser_warning(struct settings_parser *p, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	parser_vwarning(p, fmt, args);
	va_end(args);
}

void parser_warning_once(struct settings_parser *p, const char *key,
			 const char *fmt, ...)
{
	va_list args;

	if (hash_table_lookup(p->warned_keys, key) != NULL)
		return;
	hash_table_insert(p->warned_keys, p_strdup(p->pool, key), POINTER_CAST(1));
	va_start(args, fmt);
	parser_vwarning(p, fmt, args);
	va_end(args);
}

struct parser_frame *parser_frame_top(struct settings_parser *p)
{
	return array_idx_modifiable(&p->frames, array_count(&p->frames) - 1);
}

struct parser_frame *parser_frame_push(struct settings_parser *p,
				       enum parser_frame_kind kind,
				       struct settings_section *sec,
				       const char *path)
{
	const struct parser_frame *parent = parser_frame_top(p);
	const char *protocol = parent->protocol;
	unsigned int rank = parent->filter_rank;
	struct parser_frame *frame;

	frame = array_append_space(&p->frames);
	frame->kind = kind;
	frame->sec = sec;
	frame->path = p_strdup(p->pool, path);
	frame->protocol = protocol;
	frame->filter_rank = rank;
	frame->file = p->file;
	frame->line = p->line;
	return frame;
}

/* Read a whole file. Returns 0, or -1 with errno set. */
static int read_file(struct pool *pool, const char *path, char **data_r, size_t *len_r)
{
	struct stat st;
	size_t pos = 0;
	ssize_t ret;
	char *data;
	int fd, saved_errno;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st.st_size > PARSER_MAX_FILE_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	data = p_malloc(pool, (size_t)st.st_size + 1);
	while (pos < (size_t)st.st_size) {
		ret = read(fd, data + pos, (size_t)st.st_size - pos);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			goto fail;
		if (ret == 0)
			break;	/* shrank under us */
		pos += (size_t)ret;
	}
	close(fd);
	data[pos] = '\0';
	*data_r = data;
	*len_r = pos;
	return 0;
fail:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return -1;
}

/* Relative paths are relative to the file being parsed. */
static const char *parser_full_path(struct settings_parser *p, const char *path)
{
	const char *slash;

	if (path[0] == '/')
		return path;
	slash = strrchr(p->file, '/');
	if (slash == NULL)
		return path;
	return tmp_printf("%.*s/%s", (int)(slash - p->file), p->file, path);
}

static bool parser_in_include_stack(struct settings_parser *p, const char *real)
{
	const char *const *pathp;

	array_foreach(&p->include_stack, pathp) {
		if (strcmp(*pathp, real) == 0)
			return true;
	}
	return false;
}

/* Parse one file (top-level or included). Returns -1 if it couldn't be
   read (errno set); nothing is reported then. */
static int parser_parse_file(struct settings_parser *p, const char *path,
			     bool *recursive_r)
{
	char real[PATH_MAX], *data;
	size_t len;

	*recursive_r = false;
	if (realpath(path, real) == NULL)
		return -1;
	if (parser_in_include_stack(p, real)) {
		*recursive_r = true;
		return 0;
	}
	if (read_file(p->pool, path, &data, &len) < 0)
		return -1;
	const char *realp = p_strdup(p->pool, real);
	array_append(&p->include_stack, &realp);
	parser_parse_data(p, p_strdup(p->pool, path), data, len);
	array_delete(&p->include_stack, array_count(&p->include_stack) - 1, 1);
	return 0;
}

static void parser_include(struct settings_parser *p, const char *path, bool try)
{
	const char *pattern = parser_full_path(p, path);
	const char *directive = try ? "!include_try" : "!include";
	bool recursive;
	glob_t gl;
	size_t i;
	int ret;

	if (array_count(&p->include_stack) >= PARSER_MAX_INCLUDE_DEPTH) {
		parser_error(p, "%s %s: includes nested too deeply", directive, path);
		return;
	}
	memset(&gl, 0, sizeof(gl));
	ret = glob(pattern, GLOB_ERR | GLOB_BRACE, NULL, &gl);
	if (ret == GLOB_NOMATCH) {
		if (!try)
			parser_error(p, "!include %s: No matches", path);
		globfree(&gl);
		return;
	}
	if (ret != 0) {
		if (!try)
			parser_error(p, "!include %s: glob() failed: %s", path,
				     strerror(errno));
		globfree(&gl);
		return;
	}
	/* glob() sorts the matches, so 20-b.conf overrides 10-a.conf */
	for (i = 0; i < gl.gl_pathc; i++) {
		const char *file = p->file, *location = p->location;
		unsigned int line = p->line;

		ret = parser_parse_file(p, gl.gl_pathv[i], &recursive);
		p->file = file;
		p->line = line;
		p->location = location;
		if (recursive) {
			parser_error(p, "%s %s: Recursive include of file %s",
				     directive, path, gl.gl_pathv[i]);
		} else if (ret < 0 && !try) {
			parser_error(p, "!include %s: Can't read file %s: %s",
				     path, gl.gl_pathv[i], strerror(errno));
		}
	}
	globfree(&gl);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Strip the comment, report an ambiguous '#'. Returns the new length. */
static size_t line_strip_comment(struct settings_parser *p, const char *line, size_t len)
{
	char quote = '\0';
	size_t i;

	for (i = 0; i < len; i++) {
		if (quote != '\0') {
			if (line[i] == '\\' && i + 1 < len)
				i++;
			else if (line[i] == quote)
				quote = '\0';
		} else if (line[i] == '"' || line[i] == '\'') {
			quote = line[i];
		} else if (line[i] == '#') {
			if (i > 0 && !is_space(line[i - 1])) {
				parser_warning(p, "Ambiguous '#' character in line, "
					       "treating it as comment. Add a space "
					       "before it to remove this warning.");
			}
			return i;
		}
	}
	return len;
}

/* "value" or 'value' with \x escapes. Returns 0 or -1 (reported). */
static int parser_unquote(struct settings_parser *p, const char *what,
			  const char *value, const char **result_r)
{
	struct str *str = t_str_new(strlen(value));
	char quote = value[0];
	const char *s;

	for (s = value + 1; *s != '\0' && *s != quote; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		str_append_c(str, *s);
	}
	if (*s != quote) {
		parser_error(p, "%s: Missing closing quote (%c)", what, quote);
		return -1;
	}
	for (s++; is_space(*s); s++) ;
	if (*s != '\0') {
		parser_error(p, "%s: Unexpected text after closing quote: %s", what, s);
		return -1;
	}
	*result_r = str_c(str);
	return 0;
}

int parser_read_value_file(struct settings_parser *p, const char *path,
			   const char **data_r)
{
	char *data;
	size_t len;

	if (read_file(tmp_pool, parser_full_path(p, path), &data, &len) < 0)
		return -1;
	if (strlen(data) != len) {
		errno = EINVAL;
		return -1;
	}
	*data_r = data;
	return 0;
}

static void parser_value(struct settings_parser *p, const char *key, const char *value)
{
	const char *what = tmp_printf("Setting %s", key);
	const char *result, *path, *file_ref = NULL;

	if (value[0] == '"' || value[0] == '\'') {
		if (parser_unquote(p, what, value, &result) < 0)
			return;
	} else if (value[0] == '<') {
		for (path = value + 1; is_space(*path); path++) ;
		if (path[0] == '\0') {
			parser_error(p, "%s: Missing file name after '<'", what);
			return;
		}
		file_ref = tmp_printf("<%s", path);
		if (parser_read_value_file(p, path, &result) < 0) {
			parser_error(p, "%s: Can't read file %s: %s", what, path,
				     errno == EINVAL ? "File contains NUL bytes" :
				     strerror(errno));
			return;
		}
	} else if (parser_expand_vars(p, key, value, &result) < 0) {
		return;
	}
	parser_key(p, key, result, file_ref);
}

static void parser_line(struct settings_parser *p, const char *line)
{
	const char *key, *rest, *end;
	size_t len = strlen(line);

	for (end = line; *end != '\0' && !is_space(*end) && *end != '='; end++) ;
	key = tmp_strndup(line, (size_t)(end - line));
	for (rest = end; is_space(*rest); rest++) ;

	if (key[0] == '!') {
		const char *path = rest;

		if (strcmp(key, "!include") != 0 && strcmp(key, "!include_try") != 0) {
			parser_error(p, "Unknown directive: %s", key);
			return;
		}
		if (path[0] == '\0') {
			parser_error(p, "%s: Missing file name", key);
			return;
		}
		if ((path[0] == '"' || path[0] == '\'') &&
		    parser_unquote(p, key, rest, &path) < 0)
			return;
		parser_include(p, path, strcmp(key, "!include_try") == 0);
		return;
	}
	if (rest[0] == '=') {
		for (rest++; is_space(*rest); rest++) ;
		if (key[0] == '\0') {
			parser_error(p, "Missing setting name before '='");
			return;
		}
		parser_value(p, key, rest);
		return;
	}
	if (strcmp(key, "}") == 0) {
		if (rest[0] != '\0')
			parser_error(p, "Unexpected text after '}': %s", rest);
		parser_section_close(p);
		return;
	}
	if (line[len - 1] == '{') {
		const char *name;

		if (key[0] != '\0' && key[strlen(key) - 1] == '{') {
			/* "service{" */
			key = tmp_strndup(key, strlen(key) - 1);
			rest = "{";
		}
		if (key[0] == '\0') {
			parser_error(p, "Missing section type before '{'");
			return;
		}
		name = tmp_strndup(rest, strlen(rest) - 1);
		len = strlen(name);
		while (len > 0 && is_space(name[len - 1]))
			len--;
		name = tmp_strndup(name, len);
		if ((name[0] == '"' || name[0] == '\'') &&
		    parser_unquote(p, tmp_printf("Section %s", key), name, &name) < 0) {
			/* keep the nesting right for the following lines */
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
			return;
		}
		parser_section_open(p, key, name);
		return;
	}
	if (strchr(rest, '{') != NULL) {
		parser_error(p, "%s: '{' must be the last thing on the line "
			     "(one-line sections are not supported)", key);
	} else {
		parser_error(p, "%s: Expecting '=' (setting) or '{' (section)", key);
	}
}

static void parser_parse_data(struct settings_parser *p, const char *file,
			      const char *data, size_t len)
{
	unsigned int start_depth = array_count(&p->frames), line_no = 0;
	unsigned int first_line = 0;
	struct str *logical = str_new(p->pool, 256);
	const char *pos = data, *end = data + len;

	p->file = file;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *line = pos, *line_end = nl == NULL ? end : nl;
		size_t llen;

		pos = nl == NULL ? end : nl + 1;
		line_no++;
		while (line < line_end && is_space(*line))
			line++;
		llen = (size_t)(line_end - line);
		if (str_len(logical) == 0 && (llen == 0 || line[0] == '#'))
			continue;
		if (str_len(logical) == 0)
			first_line = line_no;
		p->line = first_line;
		p->location = tmp_printf("%s:%u", file, line_no);
		llen = line_strip_comment(p, line, llen);
		while (llen > 0 && is_space(line[llen - 1]))
			llen--;
		if (llen > 0 && line[llen - 1] == '\\') {
			/* continuation: "\" and the whitespace around it
			   become one space */
			llen--;
			while (llen > 0 && is_space(line[llen - 1]))
				llen--;
			str_append_n(logical, line, llen);
			str_append_c(logical, ' ');
			if (pos < end)
				continue;
		} else {
			str_append_n(logical, line, llen);
		}
		p->location = tmp_printf("%s:%u", file, first_line);
		if (str_len(logical) > 0 && memchr(str_c(logical), '\0',
						   str_len(logical)) != NULL)
			parser_error(p, "Line contains a NUL byte");
		else if (str_len(logical) > 0)
			parser_line(p, str_c(logical));
		str_truncate(logical, 0);
		p->file = file;
	}
	while (array_count(&p->frames) > start_depth) {
		const struct parser_frame *frame = parser_frame_top(p);

		p->location = tmp_printf("%s:%u", frame->file, frame->line);
		parser_error(p, "Missing '}': section %s%s%s is not closed by the "
			     "end of %s",
			     frame->sec == NULL ? "" : frame->sec->type,
			     frame->sec == NULL || frame->sec->name[0] == '\0' ? "" : " ",
			     frame->sec == NULL ? "" : frame->sec->name, file);
		array_delete(&p->frames, array_count(&p->frames) - 1, 1);
	}
}

static struct settings_parser *parser_init(void)
{
	struct pool *pool = pool_create("settings parser", 8192, POOL_FLAG_NONE);
	struct settings_parser *p = pool_new(pool, struct settings_parser, 1);
	struct parser_frame *root;

	p->pool = pool;
	p->set = settings_alloc();
	p->errors = str_new(pool, 256);
	p->warnings = str_new(pool, 256);
	p->warned_keys = hash_table_create_str(pool, 32);
	p->file = "";
	p->location = "";
	array_init(&p->frames, pool, 8);
	array_init(&p->include_stack, pool, 8);
	root = array_append_space(&p->frames);
	root->kind = PARSER_FRAME_ROOT;
	root->sec = p->set->root;
	root->path = "";
	root->file = "";
	return p;
}

static struct settings *parser_deinit(struct settings_parser **_p, const char **errors_r)
{
	struct settings_parser *p = *_p;
	struct settings *set = p->set;
	struct pool *pool = p->pool;

	*_p = NULL;
	if (p->error_count > PARSER_MAX_ERRORS) {
		str_printfa(p->errors, "\n(%u more errors not shown)",
			    p->error_count - PARSER_MAX_ERRORS);
	}
	if (p->error_count > 0) {
		*errors_r = tmp_strdup(str_c(p->errors));
		settings_free(&set);
	} else {
		set->warnings = p_strdup(set->pool, str_c(p->warnings));
		settings_finalize(set);
		*errors_r = NULL;
	}
	hash_table_destroy(&p->warned_keys);
	pool_unref(&pool);
	return set;
}

struct settings *settings_parse_file(const char *path, const char **errors_r)
{
	struct settings_parser *p = parser_init();
	bool recursive;

	if (parser_parse_file(p, path, &recursive) < 0) {
		const char *error = strerror(errno);

		p->location = path;
		parser_error(p, "Can't read config file: %s", error);
	}
	return parser_deinit(&p, errors_r);
}

struct settings *settings_parse_data(const char *name, const char *data, size_t len,
				     const char **errors_r)
{
	struct settings_parser *p = parser_init();
	char real[PATH_MAX];

	if (realpath(name, real) != NULL) {
		const char *realp = p_strdup(p->pool, real);

		array_append(&p->include_stack, &realp);
	}
	parser_parse_data(p, p_strdup(p->pool, name), data, len);
	return parser_deinit(&p, errors_r);
}
