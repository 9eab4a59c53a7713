/* Copyright (c) dovecot-like authors. Small string helpers: splitting,
   joining, case folding and strict number parsing of untrusted text. */
#include "lib.h"
#include "strfuncs.h"
#include "str.h"

#include <ctype.h>
#include <limits.h>

static const char **
p_strsplit_full(struct pool *pool, const char *data, const char *separators,
		bool drop_empty)
{
	const char **fields;
	unsigned int count = 0, alloc = 8;
	const char *p, *start;

	fields = pool_new(pool, const char *, alloc);
	if (data == NULL)
		return fields;
	for (start = p = data;; p++) {
		if (*p != '\0' && strchr(separators, *p) == NULL)
			continue;
		if (p != start || !drop_empty) {
			if (count + 2 > alloc) {
				fields = p_realloc(pool, fields,
						   sizeof(*fields) * alloc,
						   sizeof(*fields) * alloc * 2);
				alloc *= 2;
			}
			fields[count++] = p_strndup(pool, start,
						    (size_t)(p - start));
		}
		if (*p == '\0')
			break;
		start = p + 1;
	}
	fields[count] = NULL;
	return fields;
}

const char **p_strsplit(struct pool *pool, const char *data, const char *separators)
{
	return p_strsplit_full(pool, data, separators, false);
}

const char **tmp_strsplit(const char *data, const char *separators)
{
	return p_strsplit_full(tmp_pool, data, separators, false);
}

const char **tmp_strsplit_spaces(const char *data, const char *separators)
{
	return p_strsplit_full(tmp_pool, data, separators, true);
}

unsigned int str_array_length(const char *const *arr)
{
	unsigned int n = 0;

	if (arr == NULL)
		return 0;
	while (arr[n] != NULL)
		n++;
	return n;
}

const char *tmp_strarray_join(const char *const *arr, const char *separator)
{
	struct str *str = t_str_new(128);
	unsigned int i;

	for (i = 0; arr[i] != NULL; i++) {
		if (i > 0)
			str_append(str, separator);
		str_append(str, arr[i]);
	}
	return str_c(str);
}

const char *tmp_str_lcase(const char *str)
{
	char *ret = p_strdup(tmp_pool, str);
	char *p;

	for (p = ret; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return ret;
}

const char *tmp_str_ucase(const char *str)
{
	char *ret = p_strdup(tmp_pool, str);
	char *p;

	for (p = ret; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return ret;
}

bool str_begins(const char *str, const char *prefix, const char **suffix_r)
{
	size_t len = strlen(prefix);

	if (strncmp(str, prefix, len) != 0)
		return false;
	if (suffix_r != NULL)
		*suffix_r = str + len;
	return true;
}

int str_to_uint64(const char *str, uint64_t *num_r)
{
	uint64_t n = 0;

	if (*str == '\0')
		return -1;
	for (; *str != '\0'; str++) {
		unsigned int digit = (unsigned char)*str - '0';

		if (digit > 9 || n > (UINT64_MAX - digit) / 10)
			return -1;
		n = n * 10 + digit;
	}
	*num_r = n;
	return 0;
}

static int str_to_uint_max(const char *str, uint64_t max, uint64_t *num_r)
{
	if (str_to_uint64(str, num_r) < 0 || *num_r > max)
		return -1;
	return 0;
}

int str_to_uint(const char *str, unsigned int *num_r)
{
	uint64_t n;

	if (str_to_uint_max(str, UINT_MAX, &n) < 0)
		return -1;
	*num_r = (unsigned int)n;
	return 0;
}

int str_to_uint32(const char *str, uint32_t *num_r)
{
	uint64_t n;

	if (str_to_uint_max(str, UINT32_MAX, &n) < 0)
		return -1;
	*num_r = (uint32_t)n;
	return 0;
}

int str_to_ulong(const char *str, unsigned long *num_r)
{
	uint64_t n;

	if (str_to_uint_max(str, ULONG_MAX, &n) < 0)
		return -1;
	*num_r = (unsigned long)n;
	return 0;
}

bool mem_equals_timing_safe(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *p1 = a, *p2 = b;
	unsigned char diff = 0;
	size_t i;

	/* no early exit: the time taken must not depend on the contents */
	for (i = 0; i < len; i++)
		diff |= p1[i] ^ p2[i];
	return diff == 0;
}

int hex_digit_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void binary_to_hex(char *dest, const unsigned char *data, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < size; i++) {
		dest[i * 2] = digits[data[i] >> 4];
		dest[i * 2 + 1] = digits[data[i] & 0x0f];
	}
	dest[size * 2] = '\0';
}
