/* Copyright (c) dovecot-like authors. The POP3 TRANSACTION-state commands
   (RFC 1939 5, RFC 2449 CAPA), with RETR/TOP byte-stuffed and streamed. */
#include "pop3-client.h"

static int get_msgnum(struct client *client, const char *arg, uint32_t *seq_r,
		      bool allow_deleted)
{
	unsigned int num;

	if (arg == NULL || *arg == '\0') {
		client_send_line(client, "-ERR Missing message number.");
		return -1;
	}
	if (str_to_uint(arg, &num) < 0) {
		client_send_line(client, tmp_printf(
			"-ERR Invalid message number: %s", arg));
		return -1;
	}
	if (num == 0 || num > client->messages_count) {
		client_send_line(client, tmp_printf(
			"-ERR There's no message %u.", num));
		return -1;
	}
	if (!allow_deleted && client->deleted[num - 1]) {
		client_send_line(client, "-ERR Message is deleted.");
		return -1;
	}
	*seq_r = num;
	return 0;
}

static bool args_none(struct client *client, const char *args)
{
	if (args != NULL && *args != '\0') {
		client_send_line(client, "-ERR Too many arguments.");
		return false;
	}
	return true;
}

static void cmd_stat(struct client *client, const char *args)
{
	if (!args_none(client, args))
		return;
	client_send_line(client, tmp_printf("+OK %u %llu",
		client->messages_count - client->deleted_count,
		(unsigned long long)(client->total_size - client->deleted_size)));
}

static void cmd_list(struct client *client, const char *args)
{
	uint32_t seq;

	if (args != NULL && *args != '\0') {
		if (get_msgnum(client, args, &seq, false) == 0) {
			client_send_line(client, tmp_printf("+OK %u %llu", seq,
				(unsigned long long)client->message_sizes[seq - 1]));
		}
		return;
	}
	client_send_line(client, tmp_printf("+OK %u messages:",
		client->messages_count - client->deleted_count));
	for (seq = 1; seq <= client->messages_count; seq++) {
		if (client->deleted[seq - 1])
			continue;
		client_send_line(client, tmp_printf("%u %llu", seq,
			(unsigned long long)client->message_sizes[seq - 1]));
	}
	client_send_line(client, ".");
}

static int get_uidl(struct client *client, uint32_t seq, const char **uidl_r)
{
	const char *error;

	if (mail_get_pop3_uidl(client->box, seq, pop3_set.uidl_format, uidl_r) == 0)
		return 0;
	(void)mailbox_get_last_error(client->box, &error);
	log_error("UIDL for message %u failed: %s", seq,
		  error == NULL ? "unknown error" : error);
	return -1;
}

static void cmd_uidl(struct client *client, const char *args)
{
	const char *uidl;
	uint32_t seq;

	if (args != NULL && *args != '\0') {
		if (get_msgnum(client, args, &seq, false) < 0)
			return;
		if (get_uidl(client, seq, &uidl) < 0) {
			client_send_line(client, "-ERR [SYS/TEMP] Internal error occurred.");
			return;
		}
		client_send_line(client, tmp_printf("+OK %u %s", seq, uidl));
		return;
	}
	/* look them all up first: an error must not truncate the list */
	const char **uidls = pool_new(tmp_pool, const char *,
				      client->messages_count + 1);
	for (seq = 1; seq <= client->messages_count; seq++) {
		if (client->deleted[seq - 1])
			continue;
		if (get_uidl(client, seq, &uidls[seq - 1]) < 0) {
			client_send_line(client, "-ERR [SYS/TEMP] Internal error occurred.");
			return;
		}
	}
	client_send_line(client, "+OK");
	for (seq = 1; seq <= client->messages_count; seq++) {
		if (!client->deleted[seq - 1])
			client_send_line(client, tmp_printf("%u %s", seq, uidls[seq - 1]));
	}
	client_send_line(client, ".");
}

/* Follows the header byte by byte: it ends at an empty line (LF or
   CRLF alone). */
static void stream_header_track(struct client *client, unsigned char c)
{
	/* 0 line start, 1 CR at line start, 2 inside a line */
	if (c == '\n') {
		if (client->stream_hdr_state != 2)
			client->stream_in_header = false;
		client->stream_hdr_state = 0;
	} else if (c == '\r') {
		client->stream_hdr_state =
			client->stream_hdr_state == 0 ? 1 : 2;
	} else {
		client->stream_hdr_state = 2;
	}
}

/* RETR: where the header ends, for oe-ns-eoh. */
static void stream_header_scan(struct client *client,
			       const unsigned char *data, size_t size)
{
	size_t i;

	for (i = 0; i < size && client->stream_in_header; i++)
		stream_header_track(client, data[i]);
}

/* How many bytes of data[0..size) TOP still sends; clears stream_func's
   need for more when the wanted body lines are done. */
static size_t top_limit(struct client *client, const unsigned char *data,
			size_t size, bool *done_r)
{
	size_t i;

	*done_r = false;
	for (i = 0; i < size; i++) {
		unsigned char c = data[i];

		if (client->stream_in_header) {
			stream_header_track(client, c);
			if (!client->stream_in_header &&
			    client->stream_lines_left == 0) {
				*done_r = true;
				return i + 1;
			}
		} else if (c == '\n') {
			if (--client->stream_lines_left == 0) {
				*done_r = true;
				return i + 1;
			}
		}
	}
	return size;
}

/* Sends data[0..size) byte-stuffed (RFC 1939 3: a line starting with
   "." gets another "."); outlook-no-nuls sends each NUL as 0x80. */
static void stream_send_chunk(struct client *client,
			      const unsigned char *data, size_t size)
{
	static const unsigned char nul_replacement = 0x80;
	bool no_nuls = (pop3_set.workarounds & POP3_WORKAROUND_OUTLOOK_NO_NULS) != 0;
	size_t i, start;

	for (i = start = 0; i < size; i++) {
		if (client->stream_line_start && data[i] == '.') {
			ostream_send(client->output, data + start, i - start);
			ostream_send(client->output, ".", 1);
			start = i;
		} else if (data[i] == '\0' && no_nuls) {
			ostream_send(client->output, data + start, i - start);
			ostream_send(client->output, &nul_replacement, 1);
			start = i + 1;
		}
		client->stream_line_start = data[i] == '\n';
	}
	ostream_send(client->output, data + start, size - start);
}

/* The reply ends with CRLF "." CRLF; oe-ns-eoh adds the empty line a
   header without one lacks (as Dovecot, also after TOP). */
static void stream_send_end(struct client *client)
{
	if (client->stream_last[1] != '\n')
		ostream_send(client->output, "\r\n", 2);
	if (client->stream_in_header &&
	    (pop3_set.workarounds & POP3_WORKAROUND_OE_NS_EOH) != 0)
		ostream_send(client->output, "\r\n", 2);
	ostream_send(client->output, ".\r\n", 3);
}

/* RETR/TOP: the message streamed as output drains. */
static int stream_send_stuffed(struct client *client)
{
	const unsigned char *data;
	size_t size, send_size;
	uoff_t *bytes = client->stream_top ? &client->top_bytes : &client->retr_bytes;
	bool done = false;
	ssize_t ret;

	while (!client_output_is_full(client)) {
		data = istream_get_data(client->stream, &size);
		if (size == 0) {
			ret = istream_read(client->stream);
			if (ret == -1 && client->stream->stream_errno != 0) {
				log_error("Reading message failed: %s",
					  istream_get_error(client->stream));
				return -1;
			}
			data = istream_get_data(client->stream, &size);
			if (size == 0) {
				done = true;	/* EOF */
				break;
			}
		}
		if (size > 8192)
			size = 8192;
		send_size = size;
		if (client->stream_top)
			send_size = top_limit(client, data, size, &done);
		else if (client->stream_in_header)
			stream_header_scan(client, data, size);
		stream_send_chunk(client, data, send_size);
		*bytes += send_size;
		if (send_size >= 2) {
			client->stream_last[0] = (char)data[send_size - 2];
			client->stream_last[1] = (char)data[send_size - 1];
		} else if (send_size == 1) {
			client->stream_last[0] = client->stream_last[1];
			client->stream_last[1] = (char)data[0];
		}
		istream_skip(client->stream, send_size);
		if (done)
			break;
	}
	if (!done)
		return 0;
	stream_send_end(client);
	return 1;
}

static void stream_message(struct client *client, uint32_t seq, bool top,
			   uoff_t lines)
{
	const char *error;

	if (mail_get_stream(client->box, seq, &client->stream) < 0) {
		enum mail_storage_error err =
			mailbox_get_last_error(client->box, &error);
		if (err == MAIL_ERROR_EXPUNGED || err == MAIL_ERROR_NOTFOUND) {
			client_send_line(client, "-ERR Message was deleted by "
					 "another session.");
		} else {
			log_error("Opening message %u failed: %s", seq,
				  error == NULL ? "unknown error" : error);
			client_send_line(client, "-ERR [SYS/TEMP] Internal error occurred.");
		}
		return;
	}
	client->stream_top = top;
	client->stream_in_header = true;
	client->stream_hdr_state = 0;
	client->stream_lines_left = lines;
	client->stream_line_start = true;
	client->stream_last[0] = client->stream_last[1] = '\n';
	if (top) {
		client->top_count++;
		client_send_line(client, "+OK");
	} else {
		client->retr_count++;
		client_send_line(client, tmp_printf("+OK %llu octets",
			(unsigned long long)client->message_sizes[seq - 1]));
	}
	client_stream_start(client, stream_send_stuffed);
}

static void cmd_retr(struct client *client, const char *args)
{
	uint32_t seq;

	if (get_msgnum(client, args, &seq, false) < 0)
		return;
	stream_message(client, seq, false, 0);
	if (client->stream != NULL && !pop3_set.no_flag_updates &&
	    (mail_get_flags(client->box, seq) & MAIL_SEEN) == 0) {
		/* like Dovecot: a retrieved message counts as read */
		if (mail_update_flags(client->box, seq, MODIFY_ADD, MAIL_SEEN, NULL) < 0 ||
		    mailbox_changes_commit(client->box) < 0)
			log_warning("Couldn't set \\Seen on message %u", seq);
	}
}

static void cmd_top(struct client *client, const char *args)
{
	const char *const *argv = tmp_strsplit_spaces(args == NULL ? "" : args, " ");
	unsigned int lines;
	uint32_t seq;

	if (argv[0] == NULL || argv[1] == NULL) {
		client_send_line(client, "-ERR Missing arguments.");
		return;
	}
	if (argv[2] != NULL) {
		client_send_line(client, "-ERR Too many arguments.");
		return;
	}
	if (get_msgnum(client, argv[0], &seq, false) < 0)
		return;
	if (str_to_uint(argv[1], &lines) < 0) {
		client_send_line(client, tmp_printf("-ERR Invalid number of lines: %s",
						    argv[1]));
		return;
	}
	stream_message(client, seq, true, lines);
}

static void cmd_dele(struct client *client, const char *args)
{
	uint32_t seq;

	if (get_msgnum(client, args, &seq, false) < 0)
		return;
	client->deleted[seq - 1] = true;
	client->deleted_count++;
	client->deleted_size += client->message_sizes[seq - 1];
	client_send_line(client, "+OK Marked to be deleted.");
}

static void cmd_rset(struct client *client, const char *args)
{
	if (!args_none(client, args))
		return;
	memset(client->deleted, 0, sizeof(bool) * client->messages_count);
	client->deleted_count = 0;
	client->deleted_size = 0;
	client_send_line(client, "+OK");
}

static void cmd_noop(struct client *client, const char *args)
{
	if (args_none(client, args))
		client_send_line(client, "+OK");
}

static void cmd_capa(struct client *client, const char *args ATTR_UNUSED)
{
	/* RFC 2449 5; the post-login list Dovecot gives */
	client_send_line(client, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
			 "PIPELINING\r\nAUTH-RESP-CODE\r\n.");
}

static void cmd_quit(struct client *client, const char *args ATTR_UNUSED)
{
	uint32_t *seqs, seq;
	unsigned int count = 0;

	/* RFC 1939 6: UPDATE state, only on QUIT */
	if (client->deleted_count > 0) {
		seqs = pool_new(tmp_pool, uint32_t, client->deleted_count);
		for (seq = 1; seq <= client->messages_count; seq++) {
			if (client->deleted[seq - 1])
				seqs[count++] = seq;
		}
		if (mailbox_expunge_seqs(client->box, seqs, count) < 0) {
			const char *error;

			(void)mailbox_get_last_error(client->box, &error);
			log_error("Expunging deleted messages failed: %s",
				  error == NULL ? "unknown error" : error);
			client_send_line(client, "-ERR [SYS/TEMP] Couldn't delete "
					 "all messages, try again later.");
			client_disconnect(client, "Disconnected: Expunge failed");
			return;
		}
		client->expunged_count = count;
	}
	client_send_line(client, "+OK Logging out.");
	client_disconnect(client, "Disconnected: Logged out");
}

static const struct {
	const char *name;
	void (*func)(struct client *client, const char *args);
} pop3_commands[] = {
	{ "STAT", cmd_stat }, { "LIST", cmd_list }, { "UIDL", cmd_uidl },
	{ "RETR", cmd_retr }, { "TOP", cmd_top }, { "DELE", cmd_dele },
	{ "RSET", cmd_rset }, { "NOOP", cmd_noop }, { "CAPA", cmd_capa },
	{ "QUIT", cmd_quit },
};

bool client_command_execute(struct client *client, const char *line)
{
	const char *sp = strchr(line, ' ');
	const char *name, *args = NULL;

	name = sp == NULL ? line : tmp_strndup(line, (size_t)(sp - line));
	if (sp != NULL)
		args = sp + 1;
	for (unsigned int i = 0; i < N_ELEMENTS(pop3_commands); i++) {
		if (strcasecmp(pop3_commands[i].name, name) == 0) {
			pop3_commands[i].func(client, args);
			return !client->disconnected && client->stream_func == NULL;
		}
	}
	client_send_line(client, tmp_strconcat("-ERR Unknown command: ",
					       tmp_str_ucase(name), NULL));
	return true;
}
