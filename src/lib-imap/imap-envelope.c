/* Copyright (c) dovecot-like authors. imap-envelope.c: FETCH ENVELOPE
   (RFC 3501 7.4.2, RFC 9051 7.5.2) from header lines: the first of each
   field wins, addresses go through message-address, strings keep their
   raw (RFC 2047 encoded) text with the folding CR/LF removed. */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "imap-quote.h"
#include "message-address.h"
#include "imap-envelope.h"

#include <strings.h>

enum imap_envelope_field {
	ENVELOPE_FIELD_DATE = 0,
	ENVELOPE_FIELD_SUBJECT,
	ENVELOPE_FIELD_FROM,
	ENVELOPE_FIELD_SENDER,
	ENVELOPE_FIELD_REPLY_TO,
	ENVELOPE_FIELD_TO,
	ENVELOPE_FIELD_CC,
	ENVELOPE_FIELD_BCC,
	ENVELOPE_FIELD_IN_REPLY_TO,
	ENVELOPE_FIELD_MESSAGE_ID,

	ENVELOPE_FIELD_COUNT
};

/* In RFC 3501 envelope order. */
const char *const imap_envelope_headers[] = {
	"Date", "Subject", "From", "Sender", "Reply-To",
	"To", "Cc", "Bcc", "In-Reply-To", "Message-ID", NULL
};

struct imap_envelope {
	bool seen[ENVELOPE_FIELD_COUNT];
	/* string fields (date, subject, in-reply-to, message-id) */
	const char *strings[ENVELOPE_FIELD_COUNT];
	size_t string_lens[ENVELOPE_FIELD_COUNT];
	/* the value was folded: sent as a literal, as Dovecot does */
	bool string_folded[ENVELOPE_FIELD_COUNT];
	/* address fields; NULL = no address in the header */
	struct message_address *addrs[ENVELOPE_FIELD_COUNT];
};

int imap_envelope_header_field(const char *name)
{
	unsigned int i;

	for (i = 0; i < ENVELOPE_FIELD_COUNT; i++) {
		if (strcasecmp(name, imap_envelope_headers[i]) == 0)
			return (int)i;
	}
	return -1;
}

bool imap_envelope_want_header(const char *name)
{
	return imap_envelope_header_field(name) >= 0;
}

static bool imap_envelope_field_is_address(enum imap_envelope_field field)
{
	return field >= ENVELOPE_FIELD_FROM && field <= ENVELOPE_FIELD_BCC;
}

const char *
imap_envelope_clean_value(struct pool *pool, const unsigned char *value,
			  size_t len, bool trim_trailing, size_t *len_r)
{
	char *dest = p_malloc(pool, len + 1);
	size_t i, j = 0;

	for (i = 0; i < len; i++) {
		/* NUL is not allowed even in an IMAP literal (CHAR8) */
		if (value[i] == '\0')
			dest[j++] = (char)0x80;
		else if (value[i] != '\r' && value[i] != '\n')
			dest[j++] = (char)value[i];
	}
	if (trim_trailing) {
		while (j > 0 && (dest[j - 1] == ' ' || dest[j - 1] == '\t'))
			j--;
	}
	for (i = 0; i < j && (dest[i] == ' ' || dest[i] == '\t'); i++) ;
	dest[j] = '\0';
	if (len_r != NULL)
		*len_r = j - i;
	/* the pool keeps the skipped bytes: no copy to move them */
	return dest + i;
}

void imap_envelope_parse_header(struct pool *pool, struct imap_envelope **env,
				struct message_header_line *hdr)
{
	int field = -1;

	if (hdr != NULL && !hdr->eoh)
		field = imap_envelope_header_field(hdr->name);
	imap_envelope_parse_header_field(pool, env, hdr, field);
}

void imap_envelope_parse_header_field(struct pool *pool,
				      struct imap_envelope **_env,
				      struct message_header_line *hdr, int field)
{
	struct imap_envelope *env = *_env;
	const unsigned char *value;
	size_t value_len;

	if (env == NULL)
		*_env = env = pool_new(pool, struct imap_envelope, 1);
	if (hdr == NULL || hdr->eoh || field < 0 || env->seen[field])
		return;
	ASSERT(field < ENVELOPE_FIELD_COUNT);
	if (hdr->continues) {
		/* wait for the last line: its full_value is the field */
		hdr->use_full_value = true;
		return;
	}
	/* the header parser gives full_value for a single line, and for a
	   folded field because use_full_value was set on its first line */
	value = hdr->full_value;
	value_len = hdr->full_value_len;
	env->seen[field] = true;
	if (imap_envelope_field_is_address(field)) {
		env->addrs[field] = message_address_parse(pool, value, value_len,
							  0, true);
	} else {
		/* trailing whitespace is kept as Dovecot keeps it */
		env->strings[field] = imap_envelope_clean_value(pool, value,
				value_len, false, &env->string_lens[field]);
		env->string_folded[field] = hdr->continued ||
			memchr(value, '\n', value_len) != NULL ||
			memchr(value, '\r', value_len) != NULL;
	}
}

static void imap_envelope_write_nstring(struct str *dest, const char *str,
					size_t len)
{
	if (str == NULL)
		str_append(dest, "NIL");
	else
		imap_append_string_n(dest, str, len);
}

static bool is_lwsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One pass of the "for humans" cleaning over src: appends the cleaned
   bytes to dest if it's not NULL; returns their count and whether the
   value changed or needs a literal. */
static size_t imap_envelope_human_clean(struct str *dest, const char *src,
					size_t len, bool *modified,
					bool *literal)
{
	bool space = false;
	size_t i = 0, out = 0;

	while (i < len && is_lwsp((unsigned char)src[i]))
		i++;
	for (; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (is_lwsp(c)) {
			if (space || c != ' ')
				*modified = true;
			space = true;
			continue;
		}
		if (space) {
			if (dest != NULL)
				str_append_c(dest, ' ');
			out++;
		}
		space = false;
		if (c == '"' || c == '\\' || c >= 0x80 || c == '\0')
			*literal = true;
		if (dest != NULL)
			str_append_c(dest, c == '\0' ? 0x80 : c);
		out++;
	}
	if (space)
		*modified = true;	/* trailing whitespace dropped */
	return out;
}

/* Subjects and display names as Dovecot writes them "for humans": runs of
   whitespace (folding included) become one space, the ends are trimmed;
   a value that changed so, or holds '"', '\\' or 8-bit bytes, goes as a
   literal, others quoted. Byte-compatible replies help clients that cache
   ENVELOPEs across servers. Two passes over src (length, then the bytes)
   so nothing is copied aside. */
static void imap_envelope_write_human(struct str *dest, const char *src,
				      size_t len, bool folded)
{
	bool modified = folded, literal = false;
	size_t clean_len;

	clean_len = imap_envelope_human_clean(NULL, src, len, &modified,
					      &literal);
	if (!modified && !literal) {
		/* only leading whitespace was dropped: the rest of src is
		   the value */
		imap_append_string_n(dest, src + (len - clean_len), clean_len);
		return;
	}
	str_printfa(dest, "{%zu}\r\n", clean_len);
	(void)imap_envelope_human_clean(dest, src, len, &modified, &literal);
}

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")";
   groups: RFC 3501 7.4.2 "[RFC-2822] group syntax is indicated by a
   special form of address structure in which the host name field is
   NIL". */
static void imap_envelope_write_addresses(struct str *dest,
					  const struct message_address *addr)
{
	if (addr == NULL) {
		str_append(dest, "NIL");
		return;
	}
	str_append_c(dest, '(');
	for (; addr != NULL; addr = addr->next) {
		str_append_c(dest, '(');
		if (addr->name == NULL)
			str_append(dest, "NIL");
		else
			imap_envelope_write_human(dest, addr->name,
						  strlen(addr->name), false);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->route);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->mailbox);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->domain);
		str_append_c(dest, ')');
	}
	str_append_c(dest, ')');
}

void imap_envelope_write(const struct imap_envelope *env, struct str *dest)
{
	const struct message_address *addr;
	unsigned int i;

	str_append_c(dest, '(');
	for (i = 0; i < ENVELOPE_FIELD_COUNT; i++) {
		if (i > 0)
			str_append_c(dest, ' ');
		if (env == NULL) {
			str_append(dest, "NIL");
			continue;
		}
		if (i == ENVELOPE_FIELD_SUBJECT && env->strings[i] != NULL) {
			imap_envelope_write_human(dest, env->strings[i],
						  env->string_lens[i],
						  env->string_folded[i]);
			continue;
		}
		if (!imap_envelope_field_is_address(i)) {
			if (env->string_folded[i]) {
				imap_append_literal(dest, env->strings[i],
						    env->string_lens[i]);
				continue;
			}
			imap_envelope_write_nstring(dest, env->strings[i],
						    env->string_lens[i]);
			continue;
		}
		addr = env->addrs[i];
		/* RFC 3501 7.4.2: "If the Sender or Reply-To lines are absent
		   in the [RFC-2822] header, or are present but empty, the
		   server sets the corresponding member of the envelope to be
		   the same value as the from member" */
		if (addr == NULL && (i == ENVELOPE_FIELD_SENDER ||
				     i == ENVELOPE_FIELD_REPLY_TO))
			addr = env->addrs[ENVELOPE_FIELD_FROM];
		imap_envelope_write_addresses(dest, addr);
	}
	str_append_c(dest, ')');
}

int imap_envelope_from_stream(struct pool *pool, struct istream *input,
			      uoff_t max_header_size, struct str *dest)
{
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct imap_envelope *env = NULL;
	uoff_t start = input->v_offset;
	int ret = 0;

	/* line by line: a folded field is seen as such (see string_folded);
	   the parser stops at the blank line ending the header */
	parser = message_header_parser_init(input, NULL, 0);
	while (message_parse_header_next(parser, &hdr) > 0) {
		if (max_header_size != 0 &&
		    hdr->name_offset - start >= max_header_size)
			break;	/* fields starting later are ignored */
		imap_envelope_parse_header(pool, &env, hdr);
	}
	if (input->stream_errno != 0)
		ret = -1;
	message_header_parser_deinit(&parser);
	if (ret == 0)
		imap_envelope_write(env, dest);
	return ret;
}
