/* Copyright (c) dovecot-like authors. imap-base-subject.c: RFC 5256 2.1
   over the casemapped text (i;unicode-casemap leaves ASCII letters upper
   case, so "re:", "FWD:" and "[fwd:" all match their upper-case forms).
   The steps work on one buffer, only moving its start and end. */
#include "lib.h"
#include "str.h"
#include "message-header-decode.h"
#include "unicode-casefold.h"
#include "imap-base-subject.h"

#include <string.h>

struct subject_text {
	const char *start, *end;
	bool changed;		/* a leader, trailer or wrapper went */
};

static bool is_wsp(char c)
{
	return c == ' ';	/* step 1 left only single spaces */
}

static bool starts_with(const struct subject_text *s, const char *prefix)
{
	size_t len = strlen(prefix);

	return (size_t)(s->end - s->start) >= len &&
		memcmp(s->start, prefix, len) == 0;
}

static bool is_subject_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Step 1 for a value of plain ASCII (no NUL) without "=?": decoding
   changes nothing and casemapping only upper-cases a-z, so one pass over
   the value does it (the common case). FALSE if the value isn't such. */
static bool subject_normalize_ascii(struct str *dest,
				    const unsigned char *value, size_t size)
{
	unsigned char out[512];
	size_t i, n = 0;
	bool space = false;

	if (size > sizeof(out))
		return false;
	for (i = 0; i < size; i++) {
		if (value[i] >= 0x80 || value[i] == 0 ||
		    (value[i] == '=' && i + 1 < size && value[i + 1] == '?'))
			return false;
	}
	for (i = 0; i < size; i++) {
		unsigned char c = value[i];

		if (is_subject_space(c)) {
			space = true;
			continue;
		}
		if (space && (n > 0 || str_len(dest) > 0))
			out[n++] = ' ';
		space = false;
		out[n++] = c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
	}
	str_append_n(dest, out, n);
	return true;
}

/* Step 1: decoded, casemapped, every whitespace run one space (no
   leading or trailing one). */
static void subject_normalize(struct pool *pool, struct str *dest,
			      const unsigned char *value, size_t size)
{
	struct str *decoded, *mapped;
	const char *p;
	size_t i, len;
	bool space = false;

	if (subject_normalize_ascii(dest, value, size))
		return;
	decoded = str_new(pool, size + 16);
	mapped = str_new(pool, size + 16);
	message_header_decode_utf8(value, size, decoded);
	unicode_casefold_append(mapped, str_data(decoded), str_len(decoded));
	p = str_c(mapped);
	len = str_len(mapped);
	for (i = 0; i < len; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
		    p[i] == '\n') {
			space = true;
			continue;
		}
		if (space && str_len(dest) > 0)
			str_append_c(dest, ' ');
		space = false;
		str_append_c(dest, p[i]);
	}
}

/* Step 2: trailing "(fwd)" and whitespace, repeatedly. */
static void subject_strip_trailers(struct subject_text *s)
{
	for (;;) {
		while (s->end > s->start && is_wsp(s->end[-1]))
			s->end--;
		if (s->end - s->start < 5 ||
		    memcmp(s->end - 5, "(FWD)", 5) != 0)
			return;
		s->end -= 5;
		s->changed = true;
	}
}

/* subj-blob = "[" *BLOBCHAR "]" *WSP at p: returns its end or NULL. */
static const char *subject_skip_blob(const char *p, const char *end)
{
	if (p == end || *p != '[')
		return NULL;
	for (p++; p < end && *p != ']'; p++) {
		if (*p == '[')
			return NULL;
	}
	if (p == end)
		return NULL;
	for (p++; p < end && is_wsp(*p); p++) ;
	return p;
}

/* subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" at p: returns
   its end or NULL. */
static const char *subject_skip_refwd(const char *p, const char *end)
{
	const char *q;

	if (end - p >= 2 && memcmp(p, "RE", 2) == 0)
		p += 2;
	else if (end - p >= 2 && memcmp(p, "FW", 2) == 0) {
		p += 2;
		if (p < end && *p == 'D')
			p++;
	} else
		return NULL;
	while (p < end && is_wsp(*p))
		p++;
	if ((q = subject_skip_blob(p, end)) != NULL)
		p = q;
	return p < end && *p == ':' ? p + 1 : NULL;
}

/* Step 3: one subj-leader (*subj-blob subj-refwd, or whitespace). */
static bool subject_strip_leader(struct subject_text *s)
{
	const char *p = s->start, *q;

	if (p < s->end && is_wsp(*p)) {
		s->start++;
		return true;
	}
	while ((q = subject_skip_blob(p, s->end)) != NULL)
		p = q;
	if ((q = subject_skip_refwd(p, s->end)) == NULL)
		return false;
	s->start = q;
	s->changed = true;
	return true;
}

/* Step 4: a leading subj-blob, unless the base subject would be empty. */
static bool subject_strip_blob(struct subject_text *s)
{
	const char *q = subject_skip_blob(s->start, s->end);

	if (q == NULL || q == s->end)
		return false;
	s->start = q;
	return true;
}

void imap_base_subject_append(struct pool *pool, struct str *dest,
			      const unsigned char *value, size_t size,
			      bool *is_reply_or_fwd_r)
{
	struct str *text = str_new(pool, size + 16);
	struct subject_text s;

	subject_normalize(pool, text, value, size);
	memset(&s, 0, sizeof(s));
	s.start = str_c(text);
	s.end = s.start + str_len(text);
	for (;;) {
		subject_strip_trailers(&s);
		/* steps 3-5 */
		while (subject_strip_leader(&s) || subject_strip_blob(&s)) ;
		/* step 6: "[fwd:" ... "]" */
		if (!starts_with(&s, "[FWD:") || s.end[-1] != ']')
			break;
		s.start += 5;
		s.end--;
		s.changed = true;
	}
	str_append_n(dest, s.start, (size_t)(s.end - s.start));
	if (is_reply_or_fwd_r != NULL)
		*is_reply_or_fwd_r = s.changed;
}
