/* Copyright (c) dovecot-like authors. The auth protocols' TAB escaping
   (auth-protocol.md section 2), so values can carry TAB, LF and 0x01. */
#include "lib.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"

void str_append_tabescaped(struct str *dest, const char *src)
{
	const char *p, *start = src;

	for (p = src; *p != '\0'; p++) {
		char esc;

		switch (*p) {
		case '\001': esc = '1'; break;
		case '\t': esc = 't'; break;
		case '\n': esc = 'n'; break;
		case '\r': esc = 'r'; break;
		default: continue;
		}
		str_append_n(dest, start, (size_t)(p - start));
		str_append_c(dest, '\001');
		str_append_c(dest, esc);
		start = p + 1;
	}
	str_append_n(dest, start, (size_t)(p - start));
}

const char *tmp_str_tabescape(const char *src)
{
	struct str *str;

	if (strpbrk(src, "\001\t\n\r") == NULL)
		return src;
	str = t_str_new(strlen(src) + 8);
	str_append_tabescaped(str, src);
	return str_c(str);
}

char *str_tabunescape(char *str)
{
	char *src, *dest;

	src = strchr(str, '\001');
	if (src == NULL)
		return str;
	for (dest = src; *src != '\0'; src++) {
		if (*src != '\001') {
			*dest++ = *src;
			continue;
		}
		src++;
		switch (*src) {
		case '\0':
			/* trailing lone 0x01 is dropped */
			*dest = '\0';
			return str;
		case '0': *dest++ = '\0'; break;
		case '1': *dest++ = '\001'; break;
		case 't': *dest++ = '\t'; break;
		case 'n': *dest++ = '\n'; break;
		case 'r': *dest++ = '\r'; break;
		default: *dest++ = *src; break;
		}
	}
	*dest = '\0';
	return str;
}

const char *const *tmp_strsplit_tabescaped(const char *line)
{
	const char **fields = tmp_strsplit(line, "\t");
	unsigned int i;

	for (i = 0; fields[i] != NULL; i++)
		fields[i] = str_tabunescape((char *)fields[i]);
	return fields;
}
