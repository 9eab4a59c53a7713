/* Copyright (c) dovecot-like authors. imap-bodystructure.c: BODY and
   BODYSTRUCTURE (RFC 3501 7.4.2 / RFC 9051 7.5.2) from the MIME tree:
   each part's Content-* header fields are kept in part->data while the
   message is parsed, then the tree is written in IMAP's list form. */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "imap-quote.h"
#include "rfc822-parser.h"
#include "message-parser.h"
#include "imap-envelope.h"
#include "imap-bodystructure.h"

#include <strings.h>

/* Content-Language values beyond this many are dropped. */
#define IMAP_BODYSTRUCTURE_MAX_LANGUAGES 64

struct imap_bodystructure_part_data {
	const char *content_type, *content_subtype;	/* as written */
	ARRAY_TYPE(rfc822_param) content_type_params;
	const char *content_transfer_encoding;
	const char *content_id, *content_description;
	const char *content_disposition;
	ARRAY_TYPE(rfc822_param) content_disposition_params;
	ARRAY_TYPE(string) content_language;
	const char *content_location, *content_md5;
	/* the headers of a message/rfc822 part's enclosed message */
	struct imap_envelope *envelope;
	bool seen_type, seen_encoding, seen_id, seen_description;
	bool seen_disposition, seen_language, seen_location, seen_md5;
};

static struct imap_bodystructure_part_data *
part_data_get(struct pool *pool, struct message_part *part)
{
	struct imap_bodystructure_part_data *data = part->data;

	if (data == NULL) {
		data = pool_new(pool, struct imap_bodystructure_part_data, 1);
		part->data = data;
	}
	return data;
}

/* Dovecot-compatible results for broken values: "text" alone is type
   "text" with an empty subtype; anything else unparsable is "" "" with no
   parameters (RFC 2045 5.2 leaves the representation to us). */
static void parse_content_type(struct pool *pool,
			       struct imap_bodystructure_part_data *data,
			       const unsigned char *value, size_t len)
{
	struct rfc822_parser_context parser;
	struct str *str = t_str_new(64);
	size_t type_len;
	int ret;

	rfc822_parser_init(&parser, value, len, NULL);
	if (rfc822_skip_lwsp(&parser) <= 0 ||
	    (ret = rfc822_parse_mime_token(&parser, str)) < 0) {
		data->content_type = data->content_subtype = "";
		return;
	}
	if (ret > 0 && *parser.data == '/') {
		/* type "/" subtype, going on from the type just read */
		type_len = str_len(str);
		parser.data++;
		if (rfc822_skip_lwsp(&parser) <= 0 ||
		    rfc822_parse_mime_token(&parser, str) < 0) {
			data->content_type = data->content_subtype = "";
			return;
		}
		data->content_type = p_strndup(pool, str_c(str), type_len);
		data->content_subtype = p_strdup(pool, str_c(str) + type_len);
	} else if (ret == 0) {
		data->content_type = p_strdup(pool, str_c(str));
		data->content_subtype = "";
	} else {
		data->content_type = data->content_subtype = "";
		return;
	}
	array_init(&data->content_type_params, pool, 4);
	(void)rfc2231_parse(&parser, pool, &data->content_type_params);
}

static void parse_content_disposition(struct pool *pool,
				      struct imap_bodystructure_part_data *data,
				      const unsigned char *value, size_t len)
{
	struct rfc822_parser_context parser;
	struct str *str = t_str_new(64);

	rfc822_parser_init(&parser, value, len, NULL);
	if (rfc822_skip_lwsp(&parser) <= 0 ||
	    rfc822_parse_mime_token(&parser, str) < 0)
		return;
	data->content_disposition = p_strdup(pool, str_c(str));
	array_init(&data->content_disposition_params, pool, 4);
	(void)rfc2231_parse(&parser, pool, &data->content_disposition_params);
}

/* RFC 3282: Language-List = Language-Tag *("," Language-Tag) */
static void parse_content_language(struct pool *pool,
				   struct imap_bodystructure_part_data *data,
				   const unsigned char *value, size_t len)
{
	struct rfc822_parser_context parser;
	struct str *str = t_str_new(32);
	const char *lang;

	array_init(&data->content_language, pool, 2);
	rfc822_parser_init(&parser, value, len, NULL);
	while (rfc822_skip_lwsp(&parser) > 0 &&
	       array_count(&data->content_language) <
	       IMAP_BODYSTRUCTURE_MAX_LANGUAGES) {
		str_reset(str);
		if (*parser.data == ',') {
			parser.data++;
			continue;
		}
		if (rfc822_parse_mime_token(&parser, str) < 0) {
			parser.data++;	/* junk byte */
			continue;
		}
		lang = p_strdup(pool, str_c(str));
		array_append(&data->content_language, &lang);
	}
}

static void parse_content_encoding(struct pool *pool,
				   struct imap_bodystructure_part_data *data,
				   const unsigned char *value, size_t len)
{
	struct rfc822_parser_context parser;
	struct str *str = t_str_new(32);

	rfc822_parser_init(&parser, value, len, NULL);
	if (rfc822_skip_lwsp(&parser) > 0 &&
	    rfc822_parse_mime_token(&parser, str) >= 0)
		data->content_transfer_encoding = p_strdup(pool, str_c(str));
}

/* Dispatches one Content-* field; the first occurrence wins. */
static void parse_content_header(struct pool *pool,
				 struct imap_bodystructure_part_data *data,
				 const char *name, const unsigned char *value,
				 size_t len)
{
	if (strcasecmp(name, "Type") == 0 && !data->seen_type) {
		data->seen_type = true;
		parse_content_type(pool, data, value, len);
	} else if (strcasecmp(name, "Transfer-Encoding") == 0 &&
		   !data->seen_encoding) {
		data->seen_encoding = true;
		parse_content_encoding(pool, data, value, len);
	} else if (strcasecmp(name, "ID") == 0 && !data->seen_id) {
		data->seen_id = true;
		data->content_id =
			imap_envelope_clean_value(pool, value, len, true, NULL);
	} else if (strcasecmp(name, "Description") == 0 &&
		   !data->seen_description) {
		data->seen_description = true;
		data->content_description =
			imap_envelope_clean_value(pool, value, len, true, NULL);
	} else if (strcasecmp(name, "Disposition") == 0 &&
		   !data->seen_disposition) {
		data->seen_disposition = true;
		parse_content_disposition(pool, data, value, len);
	} else if (strcasecmp(name, "Language") == 0 && !data->seen_language) {
		data->seen_language = true;
		parse_content_language(pool, data, value, len);
	} else if (strcasecmp(name, "Location") == 0 && !data->seen_location) {
		data->seen_location = true;
		data->content_location =
			imap_envelope_clean_value(pool, value, len, true, NULL);
	} else if (strcasecmp(name, "MD5") == 0 && !data->seen_md5) {
		data->seen_md5 = true;
		data->content_md5 =
			imap_envelope_clean_value(pool, value, len, true, NULL);
	}
}

void imap_bodystructure_parse_header(struct pool *pool, struct message_part *part,
				     struct message_header_line *hdr)
{
	struct imap_bodystructure_part_data *data;
	int env_field = -1;

	data = part_data_get(pool, part);
	if (hdr == NULL || hdr->eoh)
		return;
	if (part->parent != NULL &&
	    (part->parent->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0)
		env_field = imap_envelope_header_field(hdr->name);
	if (env_field >= 0) {
		/* the enclosed message's envelope for the parent's
		   BODYSTRUCTURE (it asks for folded fields itself) */
		imap_envelope_parse_header_field(pool, &data->envelope, hdr,
						 env_field);
		return;
	}
	if (strncasecmp(hdr->name, "Content-", 8) != 0)
		return;
	if (hdr->continues) {
		hdr->use_full_value = true;
		return;
	}
	parse_content_header(pool, data, hdr->name + 8, hdr->full_value,
			     hdr->full_value_len);
}

struct bodystructure_parse_ctx {
	struct pool *pool;
};

static void bodystructure_parse_callback(struct message_block *block,
					 void *context)
{
	struct bodystructure_parse_ctx *ctx = context;

	if (block->hdr != NULL)
		imap_bodystructure_parse_header(ctx->pool, block->part, block->hdr);
	else if (block->size == 0 && block->data == NULL)
		(void)part_data_get(ctx->pool, block->part);
}

struct message_part *imap_bodystructure_parse_full(struct pool *pool,
						   struct istream *input)
{
	struct message_parser_settings set;
	struct bodystructure_parse_ctx ctx;

	memset(&set, 0, sizeof(set));
	ctx.pool = pool;
	return message_parse_all(pool, input, &set,
				 bodystructure_parse_callback, &ctx);
}

static void write_params(struct str *dest,
			 const ARRAY_TYPE(rfc822_param) *params,
			 bool default_charset)
{
	const struct rfc822_param *param;
	bool first = true, seen_charset = false;

	if ((params == NULL || !array_is_created(params) ||
	     array_count(params) == 0) && !default_charset) {
		str_append(dest, "NIL");
		return;
	}
	str_append_c(dest, '(');
	if (params != NULL && array_is_created(params)) {
		array_foreach(params, param) {
			if (!first)
				str_append_c(dest, ' ');
			first = false;
			if (strcasecmp(param->key, "charset") == 0)
				seen_charset = true;
			/* RFC 2231 values go out still encoded, as key* */
			if (param->extended)
				imap_append_string(dest, tmp_strconcat(
					param->key_written, "*", NULL));
			else
				imap_append_string(dest, param->key_written);
			str_append_c(dest, ' ');
			imap_append_string(dest, param->value);
		}
	}
	if (default_charset && !seen_charset) {
		if (!first)
			str_append_c(dest, ' ');
		str_append(dest, "\"charset\" \"us-ascii\"");
	}
	str_append_c(dest, ')');
}

/* body-fld-dsp SP body-fld-lang SP body-fld-loc */
static void write_dsp_lang_loc(struct str *dest,
			       const struct imap_bodystructure_part_data *data)
{
	const char *const *lang;

	if (data == NULL || data->content_disposition == NULL)
		str_append(dest, "NIL");
	else {
		str_append_c(dest, '(');
		imap_append_string(dest, data->content_disposition);
		str_append_c(dest, ' ');
		write_params(dest, &data->content_disposition_params, false);
		str_append_c(dest, ')');
	}
	str_append_c(dest, ' ');
	if (data == NULL || !array_is_created(&data->content_language) ||
	    array_count(&data->content_language) == 0)
		str_append(dest, "NIL");
	else {
		str_append_c(dest, '(');
		array_foreach(&data->content_language, lang) {
			if (lang != array_front(&data->content_language))
				str_append_c(dest, ' ');
			imap_append_string(dest, *lang);
		}
		str_append_c(dest, ')');
	}
	str_append_c(dest, ' ');
	imap_append_nstring(dest, data == NULL ? NULL : data->content_location);
}

static void write_part(const struct message_part *part, struct str *dest,
		       bool extended);

static void write_multipart(const struct message_part *part, struct str *dest,
			    bool extended)
{
	const struct imap_bodystructure_part_data *data = part->data;
	const struct message_part *child;

	if (part->children == NULL) {
		/* RFC 3501 needs 1*body: an empty text part stands in */
		str_append(dest, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") "
			   "NIL NIL \"7bit\" 0 0");
		if (extended)
			str_append(dest, " NIL NIL NIL NIL");
		str_append_c(dest, ')');
	}
	for (child = part->children; child != NULL; child = child->next)
		write_part(child, dest, extended);
	str_append_c(dest, ' ');
	imap_append_string(dest, data != NULL && data->content_subtype != NULL ?
			   data->content_subtype : "mixed");
	if (!extended)
		return;
	str_append_c(dest, ' ');
	write_params(dest, data == NULL ? NULL : &data->content_type_params,
		     false);
	str_append_c(dest, ' ');
	write_dsp_lang_loc(dest, data);
}

static void write_single(const struct message_part *part, struct str *dest,
			 bool extended)
{
	const struct imap_bodystructure_part_data *data = part->data;
	const struct imap_bodystructure_part_data *child_data;
	const char *type = "text", *subtype = "plain";
	bool text, rfc822;

	rfc822 = (part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0 &&
		part->children != NULL;
	if (rfc822 || ((data == NULL || data->content_type == NULL) &&
		       (part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0)) {
		/* the parser decided (multipart/digest default, RFC 2046
		   5.1.5, or a broken Content-Type there): the structure
		   follows its part tree so section numbers match */
		type = "message";
		subtype = "rfc822";
	} else if (data != NULL && data->content_type != NULL) {
		type = data->content_type;
		subtype = data->content_subtype;
	}
	text = strcasecmp(type, "text") == 0;
	if ((!rfc822 && strcasecmp(type, "message") == 0 &&
	     strcasecmp(subtype, "rfc822") == 0) ||
	    strcasecmp(type, "multipart") == 0) {
		/* no enclosed message was parsed, or a multipart without a
		   subtype: opaque data (as Dovecot writes it) */
		type = "application";
		subtype = "octet-stream";
	}
	imap_append_string(dest, type);
	str_append_c(dest, ' ');
	imap_append_string(dest, subtype);
	str_append_c(dest, ' ');
	write_params(dest, data == NULL ? NULL : &data->content_type_params,
		     text);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, data == NULL ? NULL : data->content_id);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, data == NULL ? NULL : data->content_description);
	str_append_c(dest, ' ');
	imap_append_string(dest, data != NULL &&
			   data->content_transfer_encoding != NULL ?
			   data->content_transfer_encoding : "7bit");
	str_printfa(dest, " %llu",
		    (unsigned long long)part->body_size.virtual_size);
	if (text)
		str_printfa(dest, " %u", part->body_size.lines);
	else if (rfc822) {
		/* body-type-msg: envelope body body-fld-lines */
		child_data = part->children->data;
		str_append_c(dest, ' ');
		imap_envelope_write(child_data == NULL ? NULL :
				    child_data->envelope, dest);
		str_append_c(dest, ' ');
		write_part(part->children, dest, extended);
		str_printfa(dest, " %u", part->body_size.lines);
	}
	if (!extended)
		return;
	/* body-ext-1part: md5 dsp lang loc */
	str_append_c(dest, ' ');
	imap_append_nstring(dest, data == NULL ? NULL : data->content_md5);
	str_append_c(dest, ' ');
	write_dsp_lang_loc(dest, data);
}

/* Whether part is written as a multipart: as the parser decided, or a
   multipart/x without a boundary (Dovecot writes those with a stand-in
   child); "multipart" without a subtype and without children is opaque. */
static bool part_is_multipart(const struct message_part *part)
{
	const struct imap_bodystructure_part_data *data = part->data;
	bool typed, no_subtype;

	typed = data != NULL && data->content_type != NULL &&
		strcasecmp(data->content_type, "multipart") == 0;
	no_subtype = typed && *data->content_subtype == '\0';
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		return part->children != NULL || !no_subtype;
	return typed && !no_subtype;
}

/* Recursion depth is bounded by the parser's max_nested_mime_parts. */
static void write_part(const struct message_part *part, struct str *dest,
		       bool extended)
{
	str_append_c(dest, '(');
	if (part_is_multipart(part))
		write_multipart(part, dest, extended);
	else
		write_single(part, dest, extended);
	str_append_c(dest, ')');
}

void imap_bodystructure_write(const struct message_part *root, struct str *dest,
			      bool extended)
{
	write_part(root, dest, extended);
}
