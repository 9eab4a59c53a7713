/* Copyright (c) dovecot-like authors. %-variable expansion in settings
   (config-syntax.md section 3): %u, %{user}, modifiers, width and offset. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "var-expand.h"

#include <ctype.h>
#include <stdlib.h>

#define VAR_MODIFIERS "LUNnDdXERT"
#define VAR_MAX_MODIFIERS 16

struct var_spec {
	bool zero_pad, have_offset, have_width, neg_offset, neg_width;
	size_t offset, width;
	char modifiers[VAR_MAX_MODIFIERS + 1];
	char key;
	const char *long_key;	/* points into the input, not NUL-ended */
	size_t long_key_len;
};

/* Is c a variable name here rather than a modifier? */
typedef bool var_is_key_t(char c, const void *context);

static size_t var_parse_number(const char **p, bool *found_r)
{
	size_t n = 0;

	*found_r = false;
	while (**p >= '0' && **p <= '9') {
		if (n < 100000)	/* widths beyond this are nonsense anyway */
			n = n * 10 + (size_t)(**p - '0');
		(*p)++;
		*found_r = true;
	}
	return n;
}

/* *p points after '%'. Returns 1 for a variable, 0 for "%%", -1 on error. */
static int var_parse(const char **p, struct var_spec *spec,
		     var_is_key_t *is_key, const void *context,
		     const char **error_r)
{
	const char *s = *p, *end;
	size_t n, mod_count = 0;
	bool neg = false, found;

	memset(spec, 0, sizeof(*spec));
	if (*s == '%') {
		*p = s + 1;
		return 0;
	}
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '0') {
		spec->zero_pad = true;
		s++;
	}
	n = var_parse_number(&s, &found);
	if (*s == '.') {
		spec->have_offset = true;
		spec->offset = n;
		spec->neg_offset = neg;
		s++;
		if (*s == '-') {
			spec->neg_width = true;
			s++;
		}
		spec->width = var_parse_number(&s, &spec->have_width);
		if (!spec->have_width && spec->neg_width) {
			*error_r = "Missing width after '-'";
			return -1;
		}
	} else if (found) {
		spec->have_width = true;
		spec->width = n;
		spec->neg_width = neg;
	} else if (neg) {
		*error_r = "Missing number after '-'";
		return -1;
	}
	while (*s != '\0' && strchr(VAR_MODIFIERS, *s) != NULL &&
	       s[1] != '\0' && !is_key(*s, context)) {
		if (mod_count == VAR_MAX_MODIFIERS) {
			*error_r = "Too many modifiers";
			return -1;
		}
		spec->modifiers[mod_count++] = *s++;
	}
	if (*s == '\0') {
		*error_r = "Missing variable name after '%'";
		return -1;
	}
	if (*s == '{') {
		end = strchr(s + 1, '}');
		if (end == NULL) {
			*error_r = "Missing '}' in %{...}";
			return -1;
		}
		if (end == s + 1) {
			*error_r = "Empty variable name %{}";
			return -1;
		}
		spec->long_key = s + 1;
		spec->long_key_len = (size_t)(end - (s + 1));
		*p = end + 1;
		return 1;
	}
	spec->key = *s;
	*p = s + 1;
	return 1;
}

static bool table_is_key(char c, const void *context)
{
	const struct var_expand_table *t;

	for (t = context; t->key != '\0' || t->long_key != NULL; t++) {
		if (t->key == c)
			return true;
	}
	return false;
}

static const char *
var_lookup(const struct var_expand_table *table, const struct var_spec *spec,
	   bool *found_r)
{
	const struct var_expand_table *t;
	const char *name = NULL;

	*found_r = false;
	if (spec->long_key != NULL)
		name = tmp_strndup(spec->long_key, spec->long_key_len);
	for (t = table; t->key != '\0' || t->long_key != NULL; t++) {
		if (name == NULL ? (t->key == spec->key) :
		    (t->long_key != NULL && strcmp(t->long_key, name) == 0)) {
			*found_r = t->value != NULL;
			return t->value;
		}
	}
	if (name != NULL && str_begins(name, "env:", &name)) {
		const char *value = getenv(name);

		*found_r = value != NULL;
		return value;
	}
	return NULL;
}

static const char *var_apply_modifier(char mod, const char *value)
{
	const char *p;
	char *s;
	size_t len, i;

	switch (mod) {
	case 'L':
		return tmp_str_lcase(value);
	case 'U':
		return tmp_str_ucase(value);
	case 'N':
	case 'n':
		p = strchr(value, '@');
		return p == NULL ? value : tmp_strndup(value, (size_t)(p - value));
	case 'D':
	case 'd':
		p = strchr(value, '@');
		return p == NULL ? "" : p + 1;
	case 'X':
		return tmp_printf("%llx", strtoull(value, NULL, 10));
	case 'E': {
		struct str *str = t_str_new(strlen(value) + 8);

		for (p = value; *p != '\0'; p++) {
			if (*p == '"' || *p == '\'' || *p == '\\')
				str_append_c(str, '\\');
			str_append_c(str, *p);
		}
		return str_c(str);
	}
	case 'R':
		len = strlen(value);
		s = p_malloc(tmp_pool, len + 1);
		for (i = 0; i < len; i++)
			s[i] = value[len - 1 - i];
		return s;
	case 'T':
		len = strlen(value);
		while (len > 0 && isspace((unsigned char)value[len - 1]))
			len--;
		return tmp_strndup(value, len);
	}
	return value;
}

static void var_append(struct str *dest, const char *value,
		       const struct var_spec *spec)
{
	size_t len, i;

	for (i = 0; spec->modifiers[i] != '\0'; i++)
		value = var_apply_modifier(spec->modifiers[i], value);
	len = strlen(value);

	if (spec->zero_pad && spec->have_width) {
		/* pad, never truncate */
		for (i = len; i < spec->width; i++)
			str_append_c(dest, '0');
		str_append_n(dest, value, len);
		return;
	}
	if (spec->have_offset) {
		size_t start = spec->offset > len ? len : spec->offset;

		if (spec->neg_offset)
			start = len - start;
		value += start;
		len -= start;
	}
	if (spec->have_width) {
		size_t w = spec->width > len ? len : spec->width;

		if (!spec->neg_width)
			len = w;
		else if (spec->have_offset)
			len -= w;	/* all but the last w */
		else {
			value += len - w;	/* the last w */
			len = w;
		}
	}
	str_append_n(dest, value, len);
}

int var_expand(struct str *dest, const char *str,
	       const struct var_expand_table *table, const char **error_r)
{
	const char *p = str, *pct, *value, *error, *unknown_error = NULL;
	struct var_spec spec;
	bool found;
	int ret;

	while ((pct = strchr(p, '%')) != NULL) {
		str_append_n(dest, p, (size_t)(pct - p));
		p = pct + 1;
		ret = var_parse(&p, &spec, table_is_key, table, &error);
		if (ret < 0) {
			if (error_r != NULL)
				*error_r = tmp_printf("%s in \"%s\"", error, str);
			return -1;
		}
		if (ret == 0) {
			str_append_c(dest, '%');
			continue;
		}
		value = var_lookup(table, &spec, &found);
		if (!found) {
			if (unknown_error == NULL) {
				unknown_error = spec.long_key != NULL ?
					tmp_printf("Unknown variable '%%{%s}'",
						   tmp_strndup(spec.long_key,
							       spec.long_key_len)) :
					tmp_printf("Unknown variable '%%%c'",
						   spec.key);
			}
			value = "";
		}
		var_append(dest, value, &spec);
	}
	str_append(dest, p);
	if (unknown_error != NULL) {
		if (error_r != NULL)
			*error_r = unknown_error;
		return 0;
	}
	return 1;
}

struct var_has_key_context {
	char key;
};

static bool has_key_is_key(char c, const void *context)
{
	const struct var_has_key_context *ctx = context;

	return c == ctx->key;
}

bool var_has_key(const char *str, char key, const char *long_key)
{
	struct var_has_key_context ctx = { .key = key };
	struct var_spec spec;
	const char *p = str, *error;
	int ret;

	while ((p = strchr(p, '%')) != NULL) {
		p++;
		ret = var_parse(&p, &spec, has_key_is_key, &ctx, &error);
		if (ret < 0)
			return false;
		if (ret == 0)
			continue;
		if (spec.long_key == NULL) {
			if (key != '\0' && spec.key == key)
				return true;
		} else if (long_key != NULL &&
			   spec.long_key_len == strlen(long_key) &&
			   memcmp(spec.long_key, long_key, spec.long_key_len) == 0) {
			return true;
		}
	}
	return false;
}
