/* Copyright (c) dovecot-like authors. mbox-headers.c: parsing and writing
   the mbox metadata headers byte-compatibly with Dovecot (reference
   mbox-format.md 3 and 4), and splitting their keyword lists into words. */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "mail-storage-private.h"
#include "mbox-headers.h"

#include <ctype.h>
#include <strings.h>

static const struct {
	const char *name;
	enum mbox_header_type type;
} mbox_header_names[] = {
	{ "Status", MBOX_HDR_STATUS },
	{ "X-Status", MBOX_HDR_X_STATUS },
	{ "X-Keywords", MBOX_HDR_X_KEYWORDS },
	{ "X-UID", MBOX_HDR_X_UID },
	{ "X-IMAPbase", MBOX_HDR_X_IMAPBASE },
	{ "X-IMAP", MBOX_HDR_X_IMAP },
	{ "Content-Length", MBOX_HDR_CONTENT_LENGTH },
};

static enum mbox_header_type
mbox_header_lookup(const unsigned char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(mbox_header_names); i++) {
		if (strlen(mbox_header_names[i].name) == len &&
		    strncasecmp(mbox_header_names[i].name,
				(const char *)name, len) == 0)
			return mbox_header_names[i].type;
	}
	return MBOX_HDR_OTHER;
}

/* End of the line starting at pos: index after its LF, or len. */
static size_t line_end(const unsigned char *data, size_t len, size_t pos)
{
	const unsigned char *lf = memchr(data + pos, '\n', len - pos);

	return lf == NULL ? len : (size_t)(lf - data) + 1;
}

bool mbox_header_next(const unsigned char *data, size_t len, size_t *pos,
		      struct mbox_header_field *field_r)
{
	size_t p = *pos, end, i, vend;

	if (p >= len || data[p] == '\n' ||
	    (data[p] == '\r' && p + 1 < len && data[p + 1] == '\n'))
		return false;
	memset(field_r, 0, sizeof(*field_r));
	field_r->start = p;
	end = line_end(data, len, p);
	/* continuation lines */
	while (end < len && (data[end] == ' ' || data[end] == '\t'))
		end = line_end(data, len, end);
	field_r->end = end;
	*pos = end;

	vend = end;
	if (vend > p && data[vend - 1] == '\n')
		vend--;
	if (vend > p && data[vend - 1] == '\r')
		vend--;
	for (i = p; i < vend && data[i] != ':'; i++) ;
	if (i == vend)
		return true;	/* no colon: not a field we know */
	field_r->name = data + p;
	field_r->name_len = i - p;
	while (field_r->name_len > 0 &&
	       (data[p + field_r->name_len - 1] == ' ' ||
		data[p + field_r->name_len - 1] == '\t'))
		field_r->name_len--;
	for (i++; i < vend && (data[i] == ' ' || data[i] == '\t'); i++) ;
	field_r->value = data + i;
	field_r->value_len = vend - i;
	field_r->type = mbox_header_lookup(field_r->name, field_r->name_len);
	return true;
}

/* Leading decimal number of value; false if none or it overflows. */
static bool parse_uint(const unsigned char *v, size_t len, size_t *pos,
		       uint64_t max, uint64_t *num_r)
{
	uint64_t num = 0;
	size_t p = *pos;

	if (p >= len || !isdigit(v[p]))
		return false;
	for (; p < len && isdigit(v[p]); p++) {
		num = num * 10 + (uint64_t)(v[p] - '0');
		if (num > max)
			return false;
	}
	*pos = p;
	*num_r = num;
	return true;
}

static const char *trimmed(struct pool *pool, const unsigned char *v,
			   size_t len)
{
	while (len > 0 && isspace(v[len - 1]))
		len--;
	while (len > 0 && isspace(*v)) {
		v++;
		len--;
	}
	return p_strndup(pool, v, len);
}

static void parse_imapbase(const struct mbox_header_field *f,
			   struct pool *pool, struct mbox_header_info *info)
{
	uint64_t validity, last;
	size_t p = 0;

	if (!parse_uint(f->value, f->value_len, &p, UINT32_MAX, &validity) ||
	    validity == 0 || p >= f->value_len || f->value[p] != ' ')
		return;
	while (p < f->value_len && f->value[p] == ' ')
		p++;
	if (!parse_uint(f->value, f->value_len, &p, UINT32_MAX - 1, &last))
		return;
	info->uidvalidity = (uint32_t)validity;
	info->last_uid = (uint32_t)last;
	info->base_keywords = trimmed(pool, f->value + p, f->value_len - p);
	if (f->type == MBOX_HDR_X_IMAP)
		info->have_ximap = true;
	info->have_imapbase = true;
}

static void parse_flags(const struct mbox_header_field *f,
			struct mbox_header_info *info)
{
	size_t i;

	for (i = 0; i < f->value_len; i++) {
		switch (f->value[i]) {
		case 'R': if (f->type == MBOX_HDR_STATUS) info->flags |= MAIL_SEEN; break;
		case 'O': if (f->type == MBOX_HDR_STATUS) info->status_old = true; break;
		case 'A': if (f->type == MBOX_HDR_X_STATUS) info->flags |= MAIL_ANSWERED; break;
		case 'F': if (f->type == MBOX_HDR_X_STATUS) info->flags |= MAIL_FLAGGED; break;
		case 'T': if (f->type == MBOX_HDR_X_STATUS) info->flags |= MAIL_DRAFT; break;
		case 'D': if (f->type == MBOX_HDR_X_STATUS) info->flags |= MAIL_DELETED; break;
		default: break;
		}
	}
}

void mbox_headers_parse(const unsigned char *data, size_t len, bool first_msg,
			struct pool *pool, struct mbox_header_info *info_r)
{
	struct mbox_header_field f;
	uint64_t num;
	size_t pos = 0, p;

	memset(info_r, 0, sizeof(*info_r));
	while (mbox_header_next(data, len, &pos, &f)) {
		p = 0;
		switch (f.type) {
		case MBOX_HDR_OTHER:
			break;
		case MBOX_HDR_STATUS:
		case MBOX_HDR_X_STATUS:
			parse_flags(&f, info_r);
			break;
		case MBOX_HDR_X_KEYWORDS:
			/* several X-Keywords fields: all their words count */
			info_r->keywords = info_r->keywords == NULL ?
				trimmed(pool, f.value, f.value_len) :
				p_strconcat(pool, info_r->keywords, " ",
					    trimmed(pool, f.value, f.value_len),
					    NULL);
			break;
		case MBOX_HDR_X_UID:
			if (first_msg && !info_r->have_imapbase)
				break;	/* may be forged: reference 4 */
			if (parse_uint(f.value, f.value_len, &p, UINT32_MAX - 1,
				       &num) && num > 0) {
				info_r->uid = (uint32_t)num;
				info_r->have_uid = true;
			}
			break;
		case MBOX_HDR_X_IMAPBASE:
		case MBOX_HDR_X_IMAP:
			if (first_msg && !info_r->have_imapbase)
				parse_imapbase(&f, pool, info_r);
			break;
		case MBOX_HDR_CONTENT_LENGTH:
			if (parse_uint(f.value, f.value_len, &p,
				       (uint64_t)INT64_MAX, &num)) {
				info_r->content_length = num;
				info_r->have_content_length = true;
			}
			break;
		}
	}
}

static bool is_kw_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool mbox_keywords_next(const char *list, size_t *pos, const char **word_r,
			size_t *len_r)
{
	size_t p = *pos, start;

	if (list == NULL)
		return false;
	while (list[p] != '\0' && is_kw_space(list[p]))
		p++;
	if (list[p] == '\0') {
		*pos = p;
		return false;
	}
	start = p;
	while (list[p] != '\0' && !is_kw_space(list[p]))
		p++;
	*word_r = list + start;
	*len_r = p - start;
	*pos = p;
	return true;
}

bool mbox_keyword_name_ok(const char *word, size_t len)
{
	return mail_keyword_name_is_valid(word, len, MBOX_KEYWORD_MAX_LEN);
}

void mbox_headers_filter(const unsigned char *data, size_t len,
			 struct buf *dest)
{
	struct mbox_header_field f;
	size_t pos = 0;

	while (mbox_header_next(data, len, &pos, &f)) {
		if (f.type == MBOX_HDR_OTHER)
			(void)buf_append(dest, data + f.start, f.end - f.start);
	}
}

static unsigned int content_length_line_len(const struct mbox_header_write *w)
{
	if (!w->have_content_length)
		return 0;
	return (unsigned int)strlen(tmp_printf("Content-Length: %llu\n",
		(unsigned long long)w->content_length)) + (w->crlf ? 1 : 0);
}

unsigned int mbox_headers_default_padding(const struct mbox_header_write *w)
{
	unsigned int cl = content_length_line_len(w);

	return cl >= MBOX_HEADER_PADDING ? 0 : MBOX_HEADER_PADDING - cl;
}

void mbox_headers_write(struct str *dest, const struct mbox_header_write *w)
{
	const char *nl = w->crlf ? "\r\n" : "\n";
	unsigned int i;

	if (w->imapbase) {
		str_printfa(dest, "X-IMAPbase: %u %010u", w->uidvalidity,
			    w->last_uid);
		if (w->base_keywords != NULL && w->base_keywords[0] != '\0')
			str_printfa(dest, " %s", w->base_keywords);
		str_append(dest, nl);
	}
	str_printfa(dest, "X-UID: %u%s", w->uid, nl);
	str_append(dest, "Status: ");
	if ((w->flags & MAIL_SEEN) != 0)
		str_append_c(dest, 'R');
	if (w->status_old)
		str_append_c(dest, 'O');
	str_append(dest, nl);
	if ((w->flags & (MAIL_ANSWERED | MAIL_FLAGGED | MAIL_DRAFT |
			 MAIL_DELETED)) != 0) {
		str_append(dest, "X-Status: ");
		if ((w->flags & MAIL_ANSWERED) != 0)
			str_append_c(dest, 'A');
		if ((w->flags & MAIL_FLAGGED) != 0)
			str_append_c(dest, 'F');
		if ((w->flags & MAIL_DRAFT) != 0)
			str_append_c(dest, 'T');
		if ((w->flags & MAIL_DELETED) != 0)
			str_append_c(dest, 'D');
		str_append(dest, nl);
	}
	str_append(dest, "X-Keywords: ");
	if (w->keywords != NULL)
		str_append(dest, w->keywords);
	for (i = 0; i < w->padding; i++)
		str_append_c(dest, ' ');
	str_append(dest, nl);
	if (w->have_content_length) {
		str_printfa(dest, "Content-Length: %llu%s",
			    (unsigned long long)w->content_length, nl);
	}
}
