/* Copyright (c) dovecot-like authors. FETCH response building (RFC 3501
   6.4.5, 7.4.2): fetch-att parsing and the per-message state machine that
   lets a large FETCH wait for the client between literal chunks. */
#include "imap-common.h"
#include "buffer.h"
#include "imap-quote.h"
#include "imap-flags.h"
#include "imap-date.h"
#include "istream.h"
#include "mail-fetch-cache.h"
#include "imap-msgpart.h"
#include "imap-fetch.h"
#include "imap-sync.h"
#include "imap-objectid.h"

struct imap_fetch {
	struct client_command *cmd;
	struct client *client;
	struct pool *msg_pool;	/* cleared per message */
	/* the current message's MIME tree for BODY[n] (in msg_pool) */
	struct message_part *msg_parts;

	enum imap_fetch_field fields;
	ARRAY(struct imap_fetch_body) bodies;
	bool set_seen;		/* some body item isn't PEEK */
	/* seqs this FETCH set \Seen on (CONDSTORE): their new MODSEQ goes
	   out after the one commit at the end (imap_fetch_commit_seen()) */
	ARRAY_TYPE(uint32) seen_seqs;
	/* RFC 7162 3.1.4.2 (CHANGEDSINCE n): only messages with modseq > n */
	uint64_t changedsince;
	bool changedsince_set;
	bool vanished;		/* UID FETCH (VANISHED), RFC 7162 3.2.6 */

	const struct seq_range *ranges;
	unsigned int range_count, range_idx;
	uint32_t next_seq;

	uint32_t cur_seq;
	bool in_message;
	bool msg_has_items;
	unsigned int body_idx;
	bool body_active;
	struct imap_fetch_body_state body_state;

	bool expunged_seen, failed;
	bool unknown_cte;	/* RFC 3516 4.3: some BINARY couldn't decode */
};

static int fetch_parse_partial(const char *p, struct imap_fetch_body *body)
{
	const char *dot, *end;
	uint64_t start, size;

	/* "<" number "." nz-number ">" */
	if (*p == '\0')
		return 0;
	if (*p != '<')
		return -1;
	dot = strchr(p, '.');
	end = strchr(p, '>');
	if (dot == NULL || end == NULL || end[1] != '\0' || dot > end)
		return -1;
	if (str_to_uint64(tmp_strndup(p + 1, (size_t)(dot - p - 1)), &start) < 0 ||
	    str_to_uint64(tmp_strndup(dot + 1, (size_t)(end - dot - 1)), &size) < 0 ||
	    size == 0)
		return -1;
	body->partial = true;
	body->partial_start = start;
	body->partial_size = size;
	return 0;
}

/* A parsed <partial> goes into the reply name (RFC 3501 7.4.2: the origin
   octet is echoed, the size not) and to the section's reader. */
static void fetch_body_apply_partial(struct imap_fetch_body *body,
				     struct str *name)
{
	if (!body->partial)
		return;
	str_printfa(name, "<%llu>", (unsigned long long)body->partial_start);
	body->msgpart->partial = true;
	body->msgpart->partial_offset = body->partial_start;
	body->msgpart->partial_size = body->partial_size;
}

/* The statistics class of a section (headers vs. bodies). */
static enum imap_fetch_section fetch_section_class(const struct imap_msgpart *mp)
{
	switch (mp->text) {
	case IMAP_MSGPART_TEXT_ALL:
		return IMAP_FETCH_SECTION_ALL;
	case IMAP_MSGPART_TEXT_TEXT:
		return IMAP_FETCH_SECTION_TEXT;
	case IMAP_MSGPART_TEXT_HEADER_FIELDS:
		return IMAP_FETCH_SECTION_HEADER_FIELDS;
	case IMAP_MSGPART_TEXT_HEADER_FIELDS_NOT:
		return IMAP_FETCH_SECTION_HEADER_FIELDS_NOT;
	default:
		return IMAP_FETCH_SECTION_HEADER;
	}
}

/* The header list of BODY[...HEADER.FIELDS (A B)]: the parser split it
   into "BODY[1.HEADER.FIELDS" "(A B)" "]<partial>". Appends the echo form
   to name. */
static int fetch_parse_header_list(struct pool *pool, const struct imap_arg **_args,
				   struct str *name, const char *const **fields_r,
				   const char **rest_r)
{
	const struct imap_arg *args = *_args, *list;
	const char *field, *rest, **fields;
	unsigned int i, count;

	if (!imap_arg_get_list(&args[1], &list, &count) ||
	    count == 0 || !imap_arg_get_atom(&args[2], &rest) ||
	    rest[0] != ']')
		return -1;
	fields = pool_new(pool, const char *, count + 1);
	str_append(name, " (");
	for (i = 0; i < count; i++) {
		if (!imap_arg_get_astring(&list[i], &field) ||
		    strlen(field) != list[i].str_len || *field == '\0')
			return -1;
		fields[i] = p_strdup(pool, tmp_str_ucase(field));
		if (i > 0)
			str_append_c(name, ' ');
		imap_append_astring(name, fields[i]);
	}
	str_append_c(name, ')');
	*fields_r = fields;
	*rest_r = rest + 1;
	*_args = args + 2;
	return 0;
}

/* RFC 3501 6.4.5 BODY[section]<partial>: every section form through
   lib-imap's imap-msgpart. */
static int fetch_parse_body_section(struct imap_fetch *fetch,
				    const struct imap_arg **_args, const char *atom,
				    bool peek, const char **error_r)
{
	struct pool *pool = fetch->cmd->pool;
	const struct imap_arg *args = *_args;
	struct imap_fetch_body *body;
	const char *section, *rest;
	const char *const *fields = NULL;
	struct str *name;

	body = array_append_space(&fetch->bodies);
	body->peek = peek;
	section = atom;
	rest = strchr(atom, ']');
	name = t_str_new(64);
	str_append(name, "BODY[");
	if (rest != NULL) {
		section = tmp_strndup(atom, (size_t)(rest - atom));
		rest++;
	}
	section = tmp_str_ucase(section);
	str_append(name, section);
	if (rest == NULL) {
		if (fetch_parse_header_list(pool, &args, name, &fields, &rest) < 0) {
			*error_r = "Invalid BODY[..] parameter: Invalid header fields";
			return -1;
		}
	}
	if (imap_msgpart_parse(pool, section, fields, &body->msgpart, error_r) < 0)
		return -1;
	body->section = fetch_section_class(body->msgpart);
	body->fields = fields;
	str_append_c(name, ']');
	if (fetch_parse_partial(rest, body) < 0) {
		*error_r = "Invalid BODY[..] parameter: Invalid partial";
		return -1;
	}
	fetch_body_apply_partial(body, name);
	body->reply_name = p_strdup(pool, str_c(name));
	if (!peek)
		fetch->set_seen = true;
	*_args = args;
	return 0;
}

/* RFC 3516 BINARY[section-part]<partial>, BINARY.PEEK[..] and
   BINARY.SIZE[section-part]; atom is the text after the item name. The
   error texts are Dovecot's. */
static int fetch_parse_binary(struct imap_fetch *fetch, const char *atom,
			      const char *item, bool peek, bool size_only,
			      const char **error_r)
{
	struct pool *pool = fetch->cmd->pool;
	struct imap_fetch_body *body;
	const char *section, *end;
	struct str *name;

	if (*atom != '[') {
		*error_r = "Invalid BINARY[..] parameter: Missing '['";
		return -1;
	}
	atom++;
	end = strchr(atom, ']');
	if (end == NULL) {
		*error_r = "Invalid BINARY[..] parameter: Missing ']'";
		return -1;
	}
	section = tmp_strndup(atom, (size_t)(end - atom));
	body = array_append_space(&fetch->bodies);
	body->peek = peek || size_only;
	body->binary = true;
	body->binary_size = size_only;
	/* section-binary is only a part number (RFC 3516 5) */
	if (strspn(section, "0123456789.") != strlen(section) ||
	    imap_msgpart_parse(pool, section, NULL, &body->msgpart,
			       error_r) < 0 ||
	    body->msgpart->text != IMAP_MSGPART_TEXT_ALL) {
		*error_r = "Invalid BINARY[..] section";
		return -1;
	}
	body->section = IMAP_FETCH_SECTION_ALL;
	name = t_str_new(64);
	str_printfa(name, "%s[%s]", item, section);
	if (fetch_parse_partial(end + 1, body) < 0 ||
	    (size_only && body->partial)) {
		*error_r = "Invalid BINARY[..] parameter: Invalid partial";
		return -1;
	}
	fetch_body_apply_partial(body, name);
	body->reply_name = p_strdup(pool, str_c(name));
	if (!body->peek)
		fetch->set_seen = true;
	return 0;
}

static void fetch_add_rfc822(struct imap_fetch *fetch, const char *name,
			     enum imap_fetch_section section, bool peek)
{
	static const char *const sections[] = {
		[IMAP_FETCH_SECTION_ALL] = "",
		[IMAP_FETCH_SECTION_HEADER] = "HEADER",
		[IMAP_FETCH_SECTION_TEXT] = "TEXT",
	};
	struct imap_fetch_body *body = array_append_space(&fetch->bodies);
	const char *error;

	ASSERT(section < N_ELEMENTS(sections) && sections[section] != NULL);
	body->reply_name = name;
	body->section = section;
	body->peek = peek;
	if (imap_msgpart_parse(fetch->cmd->pool, sections[section], NULL,
			       &body->msgpart, &error) < 0)
		ASSERT(!"RFC822 section didn't parse");
	if (!peek)
		fetch->set_seen = true;
}

static int fetch_parse_att(struct imap_fetch *fetch, const struct imap_arg **args,
			   const char **error_r)
{
	const char *atom, *upper, *rest;

	if ((*args)->type != IMAP_ARG_ATOM || !imap_arg_get_atom(*args, &atom)) {
		*error_r = "Invalid arguments.";
		return -1;
	}
	upper = tmp_str_ucase(atom);
	if (strcmp(upper, "FLAGS") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_FLAGS;
	else if (strcmp(upper, "UID") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_UID;
	else if (strcmp(upper, "RFC822.SIZE") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_RFC822_SIZE;
	else if (strcmp(upper, "MODSEQ") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_MODSEQ;
	else if (strcmp(upper, "INTERNALDATE") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_INTERNALDATE;
	else if (strcmp(upper, "SAVEDATE") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_SAVEDATE;
	else if (strcmp(upper, "EMAILID") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_EMAILID;
	else if (strcmp(upper, "THREADID") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_THREADID;
	else if (strcmp(upper, "ENVELOPE") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_ENVELOPE;
	else if (strcmp(upper, "BODY") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_BODY;
	else if (strcmp(upper, "BODYSTRUCTURE") == 0)
		fetch->fields |= IMAP_FETCH_FIELD_BODYSTRUCTURE;
	else if (strcmp(upper, "RFC822") == 0)
		fetch_add_rfc822(fetch, "RFC822", IMAP_FETCH_SECTION_ALL, false);
	else if (strcmp(upper, "RFC822.HEADER") == 0)
		fetch_add_rfc822(fetch, "RFC822.HEADER", IMAP_FETCH_SECTION_HEADER, true);
	else if (strcmp(upper, "RFC822.TEXT") == 0)
		fetch_add_rfc822(fetch, "RFC822.TEXT", IMAP_FETCH_SECTION_TEXT, false);
	else if (str_begins(upper, "BODY[", &rest))
		return fetch_parse_body_section(fetch, args, atom + 5, false, error_r);
	else if (str_begins(upper, "BODY.PEEK[", &rest))
		return fetch_parse_body_section(fetch, args, atom + 10, true, error_r);
	else if (str_begins(upper, "BINARY.PEEK", &rest))
		return fetch_parse_binary(fetch, atom + 11, "BINARY", true,
					  false, error_r);
	else if (str_begins(upper, "BINARY.SIZE", &rest))
		return fetch_parse_binary(fetch, atom + 11, "BINARY.SIZE", true,
					  true, error_r);
	else if (str_begins(upper, "BINARY", &rest))
		return fetch_parse_binary(fetch, atom + 6, "BINARY", false,
					  false, error_r);
	else {
		/* BODY, BODYSTRUCTURE, BINARY etc. need lib-mail's MIME parser */
		*error_r = tmp_strconcat("Unknown parameter ", atom, NULL);
		return -1;
	}
	return 0;
}

/* After the fetch-att: EOL or the modifier list "(CHANGEDSINCE n)"
   (RFC 4466 2.4, RFC 7162 3.1.4.2), with VANISHED in UID FETCH once
   QRESYNC is enabled (3.2.6). 0 or -1 with *error_r. */
static int fetch_parse_modifiers(struct imap_fetch *fetch,
				 const struct imap_arg *args,
				 const char **error_r)
{
	const struct imap_arg *list;
	const char *name;
	unsigned int i, count;

	*error_r = "Invalid arguments.";
	if (IMAP_ARG_IS_EOL(&args[0]))
		return 0;
	if (!imap_arg_get_list(&args[0], &list, &count) || count == 0 ||
	    !IMAP_ARG_IS_EOL(&args[1]))
		return -1;
	for (i = 0; i < count; i++) {
		*error_r = "Invalid FETCH modifiers.";
		if (!imap_arg_get_atom(&list[i], &name))
			return -1;
		if (strcasecmp(name, "VANISHED") == 0 && fetch->cmd->uid &&
		    fetch->client->qresync_enabled && !fetch->vanished) {
			fetch->vanished = true;
			continue;
		}
		if (strcasecmp(name, "CHANGEDSINCE") != 0 ||
		    fetch->changedsince_set)
			return -1;
		if (i + 1 == count) {
			*error_r = "Invalid arguments.";
			return -1;
		}
		if (!imap_arg_get_modseq(&list[++i], &fetch->changedsince)) {
			*error_r = "Invalid CHANGEDSINCE modseq";
			return -1;
		}
		fetch->changedsince_set = true;
	}
	if (fetch->vanished && !fetch->changedsince_set) {
		*error_r = "VANISHED used without CHANGEDSINCE";
		return -1;
	}
	return 0;
}

bool imap_fetch_get_vanished(const struct imap_fetch *fetch,
			     uint64_t *changedsince_r)
{
	*changedsince_r = fetch->changedsince;
	return fetch->vanished;
}

static int fetch_parse_args(struct imap_fetch *fetch, const struct imap_arg *args,
			    const char **error_r)
{
	const struct imap_arg *list;
	unsigned int count;
	const char *atom;

	if (imap_arg_get_list(&args[0], &list, &count)) {
		if (count == 0) {
			*error_r = "Invalid arguments.";
			return -1;
		}
		for (; !IMAP_ARG_IS_EOL(list); list++) {
			if (fetch_parse_att(fetch, &list, error_r) < 0)
				return -1;
		}
		return fetch_parse_modifiers(fetch, &args[1], error_r);
	}
	if (args[0].type != IMAP_ARG_ATOM || !imap_arg_get_atom(&args[0], &atom)) {
		*error_r = "Invalid arguments.";
		return -1;
	}
	/* RFC 3501 6.4.5 macros */
	if (strcasecmp(atom, "ALL") == 0 || strcasecmp(atom, "FAST") == 0) {
		fetch->fields |= IMAP_FETCH_FIELD_FLAGS | IMAP_FETCH_FIELD_INTERNALDATE |
			IMAP_FETCH_FIELD_RFC822_SIZE;
		if (strcasecmp(atom, "ALL") == 0)
			fetch->fields |= IMAP_FETCH_FIELD_ENVELOPE;
	} else if (strcasecmp(atom, "FULL") == 0) {
		fetch->fields |= IMAP_FETCH_FIELD_FLAGS | IMAP_FETCH_FIELD_INTERNALDATE |
			IMAP_FETCH_FIELD_RFC822_SIZE | IMAP_FETCH_FIELD_ENVELOPE |
			IMAP_FETCH_FIELD_BODY;
	} else if (fetch_parse_att(fetch, &args, error_r) < 0) {
		return -1;
	}
	return fetch_parse_modifiers(fetch, &args[1], error_r);
}

/* RFC 7162 3.1: MODSEQ and CHANGEDSINCE enable CONDSTORE (CHANGEDSINCE
   implies MODSEQ); in a NOMODSEQ mailbox they are a BAD (3.1.2). */
static int fetch_init_condstore(struct imap_fetch *fetch, const char **error_r)
{
	if (fetch->changedsince_set)
		fetch->fields |= IMAP_FETCH_FIELD_MODSEQ;
	if ((fetch->fields & IMAP_FETCH_FIELD_MODSEQ) == 0)
		return 0;
	client_enable_condstore(fetch->client);
	if (!client_box_has_modseqs(fetch->client)) {
		*error_r = "FETCH MODSEQ can't be used with non-permanent "
			"modseqs";
		return -1;
	}
	return 0;
}

struct imap_fetch *imap_fetch_init(struct client_command *cmd,
				   const struct imap_arg *args,
				   const struct seq_range_array *seqs,
				   const char **error_r)
{
	struct imap_fetch *fetch;

	fetch = pool_new(cmd->pool, struct imap_fetch, 1);
	fetch->cmd = cmd;
	fetch->client = cmd->client;
	array_init(&fetch->bodies, cmd->pool, 4);
	array_init(&fetch->seen_seqs, cmd->pool, 4);
	if (fetch_parse_args(fetch, args, error_r) < 0 ||
	    fetch_init_condstore(fetch, error_r) < 0)
		return NULL;
	/* RFC 3501 6.4.8: UID FETCH always returns UID */
	if (cmd->uid)
		fetch->fields |= IMAP_FETCH_FIELD_UID;
	if (cmd->client->box_readonly)
		fetch->set_seen = false;	/* EXAMINE: RFC 3501 6.3.2 */
	fetch->ranges = seq_range_array_get(seqs, &fetch->range_count);
	if (fetch->range_count > 0)
		fetch->next_seq = fetch->ranges[0].seq1;
	fetch->msg_pool = pool_create("imap fetch message", 4096, POOL_FLAG_NONE);
	return fetch;
}

static bool fetch_next_seq(struct imap_fetch *fetch, uint32_t *seq_r)
{
	while (fetch->range_idx < fetch->range_count) {
		const struct seq_range *range = &fetch->ranges[fetch->range_idx];

		if (fetch->next_seq >= range->seq1 && fetch->next_seq <= range->seq2) {
			*seq_r = fetch->next_seq;
			if (fetch->next_seq == range->seq2) {
				if (++fetch->range_idx < fetch->range_count)
					fetch->next_seq = fetch->ranges[fetch->range_idx].seq1;
			} else {
				fetch->next_seq++;
			}
			return true;
		}
		if (++fetch->range_idx < fetch->range_count)
			fetch->next_seq = fetch->ranges[fetch->range_idx].seq1;
	}
	return false;
}

static void fetch_add_sep(struct imap_fetch *fetch, struct str *line)
{
	if (fetch->msg_has_items)
		str_append_c(line, ' ');
	fetch->msg_has_items = true;
}

/* ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 7.4.2), from the storage's
   cache or a parse of the message (mail-fetch-cache.h), in the order the
   reply always uses. */
/* RFC 8514 SAVEDATE, RFC 8474 EMAILID / THREADID (imap-objectid.c). */
static int fetch_write_objectid_items(struct imap_fetch *fetch, uint32_t seq,
				      enum imap_fetch_field fields,
				      struct str *line)
{
	struct mailbox *box = fetch->client->box;

	if ((fields & IMAP_FETCH_FIELD_SAVEDATE) != 0) {
		fetch_add_sep(fetch, line);
		if (imap_objectid_append_savedate(box, seq, line) < 0)
			return -1;
	}
	if ((fields & IMAP_FETCH_FIELD_EMAILID) != 0) {
		fetch_add_sep(fetch, line);
		if (imap_objectid_append_emailid(box, seq, line) < 0)
			return -1;
	}
	if ((fields & IMAP_FETCH_FIELD_THREADID) != 0) {
		fetch_add_sep(fetch, line);
		imap_objectid_append_threadid(line);
	}
	return 0;
}

static int fetch_write_parsed_items(struct imap_fetch *fetch, uint32_t seq,
				    enum imap_fetch_field fields,
				    struct str *line)
{
	static const struct {
		enum imap_fetch_field field;
		enum mail_fetch_cache_field cache_field;
		const char *name;
	} items[] = {
		{ IMAP_FETCH_FIELD_ENVELOPE, MAIL_FETCH_CACHE_ENVELOPE,
		  "ENVELOPE " },
		{ IMAP_FETCH_FIELD_BODY, MAIL_FETCH_CACHE_BODY, "BODY " },
		{ IMAP_FETCH_FIELD_BODYSTRUCTURE,
		  MAIL_FETCH_CACHE_BODYSTRUCTURE, "BODYSTRUCTURE " },
	};
	struct mail_fetch_cache_result result;
	unsigned int i, want = 0;

	for (i = 0; i < N_ELEMENTS(items); i++) {
		if ((fields & items[i].field) != 0)
			want |= MAIL_FETCH_CACHE_WANT(items[i].cache_field);
	}
	if (want == 0)
		return 0;
	if (mail_get_fetch_fields(fetch->client->box, seq, want,
				  fetch->msg_pool, &result) < 0)
		return -1;
	/* a parsed tree serves this message's BODY[n] sections too */
	fetch->msg_parts = result.parts;
	for (i = 0; i < N_ELEMENTS(items); i++) {
		if ((fields & items[i].field) == 0)
			continue;
		fetch_add_sep(fetch, line);
		str_append(line, items[i].name);
		str_append(line, result.values[items[i].cache_field]);
	}
	return 0;
}

/* Starts "* n FETCH (" with every non-body item. 0, 1 = skipped (expunged),
   -1 = storage error. */
static int fetch_message_start(struct imap_fetch *fetch, uint32_t seq)
{
	struct client *client = fetch->client;
	struct mailbox *box = client->box;
	enum imap_fetch_field fields = fetch->fields;
	enum mail_flags flags;
	struct str *line;
	uoff_t size;
	time_t date;

	pool_clear(fetch->msg_pool);
	fetch->msg_parts = NULL;
	flags = mail_get_flags(box, seq);
	if (fetch->set_seen && (flags & MAIL_SEEN) == 0) {
		/* RFC 3501 6.4.5: BODY[] sets \Seen; show the change */
		if (mail_update_flags(box, seq, MODIFY_ADD, MAIL_SEEN, NULL) < 0)
			return -1;
		/* committed once for the command (a commit per message
		   would be O(n^2) for FETCH 1:* BODY[]); with CONDSTORE the
		   new FLAGS go out then, with the change's new MODSEQ
		   (RFC 7162 3.1.4), in their own FETCH response */
		if (client->condstore_enabled && mail_get_modseq(box, seq) != 0)
			array_append(&fetch->seen_seqs, &seq);
		else
			fields |= IMAP_FETCH_FIELD_FLAGS;
		flags = mail_get_flags(box, seq);
	}

	/* per-message memory comes from msg_pool, not tmp: a FETCH 1:* to a
	   fast reader runs many messages within one ioloop callback */
	line = str_new(fetch->msg_pool, 256);
	fetch->msg_has_items = false;
	str_printfa(line, "* %u FETCH (", seq);
	if ((fields & IMAP_FETCH_FIELD_UID) != 0) {
		fetch_add_sep(fetch, line);
		str_printfa(line, "UID %u", mailbox_seq_to_uid(box, seq));
	}
	if ((fields & IMAP_FETCH_FIELD_FLAGS) != 0) {
		fetch_add_sep(fetch, line);
		str_append(line, "FLAGS ");
		imap_write_flags(line, flags, client, mail_get_keywords(box, seq));
	}
	if ((fields & IMAP_FETCH_FIELD_MODSEQ) != 0 ||
	    ((fields & IMAP_FETCH_FIELD_FLAGS) != 0 &&
	     client->condstore_enabled)) {
		/* RFC 7162 3.1.4: with FLAGS too once CONDSTORE is on (after
		   an uncommitted \Seen: the modseq before it, never newer
		   than the flags; the new one follows the commit) */
		uint64_t modseq = mail_get_modseq(box, seq);

		if ((fields & IMAP_FETCH_FIELD_MODSEQ) != 0 || modseq != 0) {
			fetch_add_sep(fetch, line);
			str_printfa(line, "MODSEQ (%llu)",
				    (unsigned long long)modseq);
		}
	}
	if ((fields & IMAP_FETCH_FIELD_RFC822_SIZE) != 0) {
		if (mail_get_virtual_size(box, seq, &size) < 0)
			return -1;
		fetch_add_sep(fetch, line);
		str_printfa(line, "RFC822.SIZE %llu", (unsigned long long)size);
	}
	if ((fields & IMAP_FETCH_FIELD_INTERNALDATE) != 0) {
		if (mail_get_received_date(box, seq, &date) < 0)
			return -1;
		fetch_add_sep(fetch, line);
		str_append(line, "INTERNALDATE \"");
		imap_append_datetime(line, date);
		str_append_c(line, '"');
	}
	if (fetch_write_objectid_items(fetch, seq, fields, line) < 0)
		return -1;
	if (fetch_write_parsed_items(fetch, seq, fields, line) < 0)
		return -1;
	if (array_count(&fetch->bodies) > 0) {
		/* notice an expunged message before the line is started */
		if (mail_get_virtual_size(box, seq, &size) < 0)
			return -1;
	}
	ostream_send(client->output, str_data(line), str_len(line));
	fetch->cur_seq = seq;
	fetch->in_message = true;
	fetch->body_idx = 0;
	return 0;
}

static int fetch_body_start(struct imap_fetch *fetch)
{
	struct client *client = fetch->client;
	const struct imap_fetch_body *body =
		array_idx(&fetch->bodies, fetch->body_idx);
	struct str *line = str_new(fetch->msg_pool, 128);

	if (imap_fetch_body_open(client->box, fetch->cur_seq, body,
				 fetch->msg_pool, &fetch->msg_parts,
				 &fetch->body_state) < 0)
		return -1;
	if (fetch->body_state.unknown_cte) {
		/* RFC 3516 4.3: the item is left out, the command fails */
		fetch->unknown_cte = true;
		fetch->body_idx++;
		return 0;
	}
	fetch_add_sep(fetch, line);
	if (body->binary_size) {
		str_printfa(line, "%s %llu", body->reply_name,
			    (unsigned long long)fetch->body_state.size);
		ostream_send(client->output, str_data(line), str_len(line));
		fetch->body_idx++;
		return 0;
	}
	str_printfa(line, "%s %s{%llu}\r\n", body->reply_name,
		    fetch->body_state.literal8 ? "~" : "",
		    (unsigned long long)fetch->body_state.size);
	ostream_send(client->output, str_data(line), str_len(line));
	if (body->section == IMAP_FETCH_SECTION_ALL ||
	    body->section == IMAP_FETCH_SECTION_TEXT) {
		client->stats.fetch_body_count++;
		client->stats.fetch_body_bytes += fetch->body_state.size;
	} else {
		client->stats.fetch_hdr_count++;
		client->stats.fetch_hdr_bytes += fetch->body_state.size;
	}
	fetch->body_idx++;
	fetch->body_active = true;
	return 0;
}

static bool fetch_storage_failed(struct imap_fetch *fetch, bool line_started)
{
	const char *str;
	enum mail_storage_error error =
		mailbox_get_last_error(fetch->client->box, &str);

	if (line_started) {
		/* the FETCH line can't be completed validly any more */
		log_error("FETCH for UID %u failed in the middle of the reply: %s",
			  mailbox_seq_to_uid(fetch->client->box, fetch->cur_seq),
			  str == NULL ? "unknown error" : str);
		client_disconnect(fetch->client, "Disconnected: FETCH failed");
		fetch->failed = true;
		return true;
	}
	if (error == MAIL_ERROR_EXPUNGED || error == MAIL_ERROR_NOTFOUND) {
		/* RFC 5530 EXPUNGEISSUED at the end; go on with the rest */
		fetch->expunged_seen = true;
		return false;
	}
	log_error("FETCH failed: %s", str == NULL ? "unknown error" : str);
	fetch->failed = true;
	return true;
}

bool imap_fetch_more(struct imap_fetch *fetch)
{
	struct client *client = fetch->client;
	uint32_t seq;
	int ret;

	while (!client->disconnected) {
		if (fetch->body_active) {
			ret = imap_fetch_body_send(client, &fetch->body_state);
			if (ret == 0)
				return false;
			imap_fetch_body_close(&fetch->body_state);
			fetch->body_active = false;
			if (ret < 0) {
				client_disconnect(client,
					"Disconnected: FETCH got too little data");
				fetch->failed = true;
				return true;
			}
			continue;
		}
		if (fetch->in_message) {
			if (fetch->body_idx < array_count(&fetch->bodies)) {
				if (fetch_body_start(fetch) < 0 &&
				    fetch_storage_failed(fetch, true))
					return true;
				continue;
			}
			if (!fetch->msg_has_items) {
				/* every item failed (UNKNOWN-CTE): the
				   response needs one, Dovecot sends UID */
				struct str *uid = str_new(fetch->msg_pool, 32);

				str_printfa(uid, "UID %u", mailbox_seq_to_uid(
					client->box, fetch->cur_seq));
				ostream_send(client->output, str_data(uid),
					     str_len(uid));
			}
			ostream_send(client->output, ")\r\n", 3);
			fetch->in_message = false;
			continue;
		}
		if (client_output_is_full(client))
			return false;
		if (!fetch_next_seq(fetch, &seq))
			return true;
		if (fetch->changedsince_set &&
		    mail_get_modseq(client->box, seq) <= fetch->changedsince)
			continue;
		if (fetch_message_start(fetch, seq) < 0 &&
		    fetch_storage_failed(fetch, false))
			return true;
	}
	return true;
}

int imap_fetch_commit_seen(struct imap_fetch *fetch)
{
	struct client *client = fetch->client;
	const uint32_t *seqp;
	const char *error;

	if (mailbox_changes_commit(client->box) < 0) {
		(void)mailbox_get_last_error(client->box, &error);
		log_error("FETCH in %s: writing the \\Seen flags failed: %s",
			  mailbox_get_name(client->box),
			  error == NULL ? "unknown error" : error);
		return -1;
	}
	/* RFC 7162 3.1.4: the implicit change's modseq, now committed */
	array_foreach(&fetch->seen_seqs, seqp) {
		imap_sync_send_flags_fetch(client, *seqp, fetch->cmd->uid,
					   true);
	}
	return 0;
}

int imap_fetch_deinit(struct imap_fetch **_fetch)
{
	struct imap_fetch *fetch = *_fetch;

	*_fetch = NULL;
	if (fetch->body_active)
		imap_fetch_body_close(&fetch->body_state);
	pool_unref(&fetch->msg_pool);
	if (fetch->failed)
		return -1;
	if (fetch->unknown_cte)
		return 2;
	return fetch->expunged_seen ? 1 : 0;
}
