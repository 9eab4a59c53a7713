/* Copyright (c) dovecot-like authors. Typed setting values (booleans, numbers,
   modes, sizes, times with units) parsed by the same rules as Dovecot 2.3, so a
   config error is caught at start-up instead of in a child. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "settings-private.h"

#include <ctype.h>
#include <limits.h>

int settings_parse_bool(const char *value, bool *result_r, const char **error_r)
{
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "y") == 0 ||
	    strcmp(value, "1") == 0) {
		*result_r = true;
		return 0;
	}
	if (strcasecmp(value, "no") == 0) {
		*result_r = false;
		return 0;
	}
	*error_r = tmp_printf("Invalid boolean value '%s' (use yes or no)", value);
	return -1;
}

/* Leading digits of value into *num_r; *end_r after them. */
static int parse_number(const char *value, unsigned int base, uint64_t *num_r,
			const char **end_r)
{
	uint64_t num = 0;
	const char *p = value;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int digit = (unsigned int)(*p - '0');

		if (digit >= base)
			return -1;
		if (num > (UINT64_MAX - digit) / base)
			return -1;
		num = num * base + digit;
	}
	*num_r = num;
	*end_r = p;
	return 0;
}

int settings_parse_uint(const char *value, unsigned int *result_r, const char **error_r)
{
	uint64_t num;
	const char *end;

	if (parse_number(value, 10, &num, &end) < 0 || *end != '\0' ||
	    num > UINT_MAX) {
		*error_r = tmp_printf("Invalid number '%s'", value);
		return -1;
	}
	*result_r = (unsigned int)num;
	return 0;
}

int settings_parse_mode(const char *value, unsigned int *result_r, const char **error_r)
{
	uint64_t num;
	const char *end;

	if (parse_number(value, value[0] == '0' ? 8 : 10, &num, &end) < 0 ||
	    *end != '\0' || num > 07777) {
		*error_r = tmp_printf("Invalid file mode '%s' (use octal, e.g. 0600)",
				      value);
		return -1;
	}
	*result_r = (unsigned int)num;
	return 0;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int settings_parse_size(const char *value, uoff_t *result_r, const char **error_r)
{
	uint64_t num, mult = 1;
	const char *p;

	if (parse_number(value, 10, &num, &p) < 0)
		goto fail;
	p = skip_spaces(p);
	switch (toupper((unsigned char)*p)) {
	case '\0':
		break;
	case 'B':
		/* "B" alone: bytes; fall through the suffix check below */
		p--;
		break;
	case 'K': mult = 1ULL << 10; break;
	case 'M': mult = 1ULL << 20; break;
	case 'G': mult = 1ULL << 30; break;
	case 'T': mult = 1ULL << 40; break;
	default:
		goto fail;
	}
	if (*p != '\0') {
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
		if (*p == 'B' || *p == 'b')
			p++;
		if (*p != '\0')
			goto fail;
	}
	if (num > UINT64_MAX / mult)
		goto fail;
	*result_r = num * mult;
	return 0;
fail:
	*error_r = tmp_printf("Invalid size '%s' (e.g. 256M, 64 k, 1 G)", value);
	return -1;
}

static const struct {
	const char *name;
	uint64_t msecs;
} time_units[] = {
	{ "ms", 1 }, { "msec", 1 }, { "msecs", 1 }, { "millisecond", 1 },
	{ "milliseconds", 1 },
	{ "s", 1000 }, { "sec", 1000 }, { "secs", 1000 }, { "second", 1000 },
	{ "seconds", 1000 },
	{ "m", 60000 }, { "min", 60000 }, { "mins", 60000 },
	{ "minute", 60000 }, { "minutes", 60000 },
	{ "h", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
	{ "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 },
	{ "w", 604800000 }, { "week", 604800000 }, { "weeks", 604800000 },
};

/* Returns 1 ok, 0 if a unit is missing, -1 on junk. */
static int parse_time(const char *value, uint64_t *msecs_r)
{
	uint64_t num;
	const char *p;
	unsigned int i;

	if (parse_number(value, 10, &num, &p) < 0)
		return -1;
	p = skip_spaces(p);
	if (*p == '\0') {
		*msecs_r = num * 1000;
		return num == 0 ? 1 : 0;
	}
	for (i = 0; i < N_ELEMENTS(time_units); i++) {
		if (strcasecmp(p, time_units[i].name) == 0) {
			if (num > UINT64_MAX / time_units[i].msecs)
				return -1;
			*msecs_r = num * time_units[i].msecs;
			return 1;
		}
	}
	return -1;
}

int settings_parse_time(const char *value, uint64_t *msecs_r, const char **error_r)
{
	int ret = parse_time(value, msecs_r);

	if (ret > 0)
		return 0;
	if (ret == 0) {
		*error_r = tmp_printf("Time interval '%s' is missing units "
				      "(e.g. 30 secs, 5 mins, 1 hour)", value);
	} else {
		*error_r = tmp_printf("Invalid time interval '%s'", value);
	}
	return -1;
}

static bool enum_has(const char *values, const char *value)
{
	const char *const *v;

	for (v = tmp_strsplit_spaces(values, " "); *v != NULL; v++) {
		if (strcmp(*v, value) == 0)
			return true;
	}
	return false;
}

/* Every word of value is one of values, and none repeats. */
static int enum_list_check(const char *values, const char *value,
			   const char **error_r)
{
	const char *const *words = tmp_strsplit_spaces(value, " ");
	unsigned int i, j;

	for (i = 0; words[i] != NULL; i++) {
		if (!enum_has(values, words[i])) {
			*error_r = tmp_printf("Invalid value '%s' (allowed: %s)",
					      words[i], values);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(words[i], words[j]) == 0) {
				*error_r = tmp_printf("'%s' listed twice",
						      words[i]);
				return -1;
			}
		}
	}
	return 0;
}

int settings_value_check(const struct settings_def *def, const char *value,
			 const char **fixed_r, const char **warning_r,
			 const char **error_r)
{
	unsigned int uint;
	uint64_t u64;
	bool b;

	*fixed_r = NULL;
	*warning_r = NULL;
	switch (def->type) {
	case SETTINGS_TYPE_STR:
		return 0;
	case SETTINGS_TYPE_BOOL:
		return settings_parse_bool(value, &b, error_r);
	case SETTINGS_TYPE_UINT:
		return settings_parse_uint(value, &uint, error_r);
	case SETTINGS_TYPE_MODE:
		return settings_parse_mode(value, &uint, error_r);
	case SETTINGS_TYPE_PORT:
		if (settings_parse_uint(value, &uint, error_r) < 0)
			return -1;
		if (uint > 65535) {
			*error_r = tmp_printf("Invalid port '%s'", value);
			return -1;
		}
		return 0;
	case SETTINGS_TYPE_SIZE:
		return settings_parse_size(value, &u64, error_r);
	case SETTINGS_TYPE_TIME:
		switch (parse_time(value, &u64)) {
		case 1:
			return 0;
		case 0:
			/* Dovecot 1.x style: bare seconds. 2.3 refuses it; we
			   keep old configs loading and say so. */
			*fixed_r = tmp_printf("%s secs", value);
			*warning_r = tmp_printf("Time interval '%s' is missing units, "
						"using '%s' (Dovecot 1.x style)",
						value, *fixed_r);
			return 0;
		default:
			return settings_parse_time(value, &u64, error_r);
		}
	case SETTINGS_TYPE_ENUM:
		if (enum_has(def->enum_values, value))
			return 0;
		*error_r = tmp_printf("Invalid value '%s' (allowed: %s)",
				      value, def->enum_values);
		return -1;
	case SETTINGS_TYPE_ENUM_LIST:
		return enum_list_check(def->enum_values, value, error_r);
	case SETTINGS_TYPE_WORKAROUNDS:
		return settings_parse_workarounds(value,
			tmp_strsplit_spaces(def->enum_values, " "), &uint,
			error_r);
	}
	ASSERT(false);
	return -1;
}

void settings_value_append_quoted(struct str *dest, const char *value)
{
	size_t len = strlen(value);
	bool quote = false;
	const char *p;

	if (len > 0 && (value[0] == ' ' || value[0] == '\t' ||
			value[len - 1] == ' ' || value[len - 1] == '\t' ||
			value[0] == '"' || value[0] == '\'' || value[0] == '<' ||
			value[len - 1] == '\\'))
		quote = true;
	for (p = value; *p != '\0' && !quote; p++) {
		/* '#' would start a comment, "$x" would be expanded again */
		if (*p == '#' || *p == '\n' ||
		    (*p == '$' && (p == value || p[-1] == ' ' || p[-1] == '\t')))
			quote = true;
	}
	if (!quote) {
		str_append(dest, value);
		return;
	}
	str_append_c(dest, '"');
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			str_append_c(dest, '\\');
		str_append_c(dest, *p);
	}
	str_append_c(dest, '"');
}
