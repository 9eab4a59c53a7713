/* Copyright (c) dovecot-like authors. FETCH ENVELOPE (RFC 3501 7.4.2): the
   ten header-derived fields, with a small RFC 5322 address splitter
   (display names, angle addresses, groups, quoted strings, comments). */
#include "imap-common.h"
#include "imap-quote.h"
#include "imap-envelope.h"

enum env_field {
	ENV_DATE, ENV_SUBJECT, ENV_FROM, ENV_SENDER, ENV_REPLY_TO, ENV_TO,
	ENV_CC, ENV_BCC, ENV_IN_REPLY_TO, ENV_MESSAGE_ID, ENV_COUNT
};
static const char *const env_names[ENV_COUNT] = {
	"Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"In-Reply-To", "Message-ID"
};

/* Unfolded value (RFC 5322 2.2.3) with surrounding whitespace trimmed. */
static const char *unfold(const unsigned char *p, size_t len)
{
	struct str *str = t_str_new(len + 1);
	size_t start, end;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		str_append_c(str, p[i] == '\t' ? ' ' : (char)p[i]);
	}
	const char *s = str_c(str);
	start = 0;
	end = strlen(s);
	while (start < end && s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	return tmp_strndup(s + start, end - start);
}

static void env_parse_header(const unsigned char *hdr, size_t size,
			     const char *values[ENV_COUNT])
{
	const unsigned char *p = hdr, *end = hdr + size, *field, *colon, *name_end;

	while (p < end && *p != '\r' && *p != '\n') {
		field = p;
		do {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl == NULL ? end : nl + 1;
		} while (p < end && (*p == ' ' || *p == '\t'));
		colon = memchr(field, ':', (size_t)(p - field));
		if (colon == NULL)
			continue;
		name_end = colon;
		while (name_end > field && (name_end[-1] == ' ' || name_end[-1] == '\t'))
			name_end--;
		for (unsigned int i = 0; i < ENV_COUNT; i++) {
			if (values[i] == NULL &&
			    strlen(env_names[i]) == (size_t)(name_end - field) &&
			    strncasecmp(env_names[i], (const char *)field,
					(size_t)(name_end - field)) == 0) {
				values[i] = unfold(colon + 1, (size_t)(p - colon - 1));
				break;
			}
		}
	}
}

/* Remove comments and quotes, trim. */
static const char *env_clean(const char *s, size_t len, bool keep_quoted)
{
	struct str *str = t_str_new(len + 1);
	unsigned int depth = 0;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (quoted) {
			if (c == '\\' && i + 1 < len)
				c = s[++i];
			else if (c == '"') {
				quoted = false;
				continue;
			}
			str_append_c(str, c);
		} else if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
		} else if (c == '(') {
			depth++;
		} else if (c == '"' && keep_quoted) {
			quoted = true;
		} else {
			str_append_c(str, c);
		}
	}
	return unfold((const unsigned char *)str_c(str), str_len(str));
}

static void env_write_addr(struct str *dest, const char *s, size_t len)
{
	const char *lt = memchr(s, '<', len), *gt, *name = NULL, *addr, *at;

	if (lt != NULL && (gt = memchr(lt, '>', len - (size_t)(lt - s))) != NULL) {
		name = env_clean(s, (size_t)(lt - s), true);
		addr = env_clean(lt + 1, (size_t)(gt - lt - 1), false);
	} else {
		addr = env_clean(s, len, false);
	}
	if (*addr == '\0' && (name == NULL || *name == '\0'))
		return;
	/* strip a source route "@a,@b:" (RFC 5322 4.4 obs-route) */
	if (addr[0] == '@' && strchr(addr, ':') != NULL)
		addr = strchr(addr, ':') + 1;
	at = strrchr(addr, '@');
	str_append_c(dest, '(');
	imap_append_nstring(dest, name == NULL || *name == '\0' ? NULL : name);
	str_append(dest, " NIL ");
	if (at == NULL) {
		imap_append_string(dest, *addr == '\0' ? "MISSING_MAILBOX" : addr);
		str_append(dest, " \"MISSING_DOMAIN\")");
		return;
	}
	imap_append_string(dest, tmp_strndup(addr, (size_t)(at - addr)));
	str_append_c(dest, ' ');
	imap_append_string(dest, at[1] == '\0' ? "MISSING_DOMAIN" : at + 1);
	str_append_c(dest, ')');
}

static void env_write_addresses(struct str *dest, const char *value)
{
	size_t start_len = str_len(dest), i, start = 0, len;
	unsigned int depth = 0;
	bool quoted = false, angle = false, in_group = false;

	if (value == NULL) {
		str_append(dest, "NIL");
		return;
	}
	str_append_c(dest, '(');
	len = strlen(value);
	for (i = 0; i <= len; i++) {
		char c = i < len ? value[i] : ',';

		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (depth > 0) {
			if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '(')
			depth++;
		else if (c == '<')
			angle = true;
		else if (c == '>')
			angle = false;
		else if (c == ':' && !angle && !in_group) {
			/* group start: (NIL NIL "name" NIL) */
			str_append(dest, "(NIL NIL ");
			imap_append_string(dest, env_clean(value + start, i - start, true));
			str_append(dest, " NIL)");
			in_group = true;
			start = i + 1;
		} else if ((c == ',' || c == ';') && !angle) {
			env_write_addr(dest, value + start, i - start);
			if (c == ';' && in_group) {
				str_append(dest, "(NIL NIL NIL NIL)");
				in_group = false;
			}
			start = i + 1;
		}
	}
	if (in_group)
		str_append(dest, "(NIL NIL NIL NIL)");
	if (str_len(dest) == start_len + 1) {
		str_truncate(dest, start_len);
		str_append(dest, "NIL");
		return;
	}
	str_append_c(dest, ')');
}

void imap_envelope_write(struct str *dest, const unsigned char *hdr, size_t size)
{
	const char *values[ENV_COUNT] = { NULL };

	env_parse_header(hdr, size, values);
	/* RFC 3501 7.4.2: sender and reply-to default to from */
	if (values[ENV_SENDER] == NULL || *values[ENV_SENDER] == '\0')
		values[ENV_SENDER] = values[ENV_FROM];
	if (values[ENV_REPLY_TO] == NULL || *values[ENV_REPLY_TO] == '\0')
		values[ENV_REPLY_TO] = values[ENV_FROM];

	str_append_c(dest, '(');
	imap_append_nstring(dest, values[ENV_DATE]);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, values[ENV_SUBJECT]);
	for (unsigned int i = ENV_FROM; i <= ENV_BCC; i++) {
		str_append_c(dest, ' ');
		env_write_addresses(dest, values[i]);
	}
	str_append_c(dest, ' ');
	imap_append_nstring(dest, values[ENV_IN_REPLY_TO]);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, values[ENV_MESSAGE_ID]);
	str_append_c(dest, ')');
}
