/* Copyright (c) dovecot-like authors. The IMAP session's connection handling:
   reading commands off the parser, running them with bounded output, and the
   idle and output-stall timeouts. */
#include "imap-common.h"
#include "net.h"
#include "var-expand.h"
#include "login-handoff.h"
#include "mail-storage-service.h"
#include "imap-commands.h"
#include "imap-sync.h"
#include "imap-search.h"
#include "imap-search-update.h"
#include "imap-mailbox-name.h"
#include "imap-client.h"
#include "istream-zlib.h"
#include "ostream-zlib.h"

#include <unistd.h>

/* Bound on what the output stream buffers before sends start to fail; we
   keep it far lower with CLIENT_OUTPUT_OPTIMAL_SIZE. */
#define CLIENT_OUTPUT_MAX_BUFFER (4 * 1024 * 1024)

/* Dovecot 2.3's replies to a line whose tag or command name is unusable */
#define IMAP_BAD_TAG_REPLY "* BAD Error in IMAP tag: Invalid tag."
#define IMAP_BAD_COMMAND_NAME_REPLY \
	"BAD Error in IMAP command: Invalid command name."

struct client *imap_client = NULL;
static bool client_in_handle_input = false;

static void client_input(void *context);
static int client_output(void *context);

void client_send_line(struct client *client, const char *line)
{
	if (client->disconnected)
		return;
	/* one write: a line and its CRLF in two segments stall on Nagle +
	   delayed ACK when the stream isn't corked */
	ostream_send_str(client->output, tmp_strconcat(line, "\r\n", NULL));
}

void client_send_tagline(struct client_command *cmd, const char *line)
{
	client_send_line(cmd->client, tmp_strconcat(cmd->tag, " ", line, NULL));
}

void client_send_command_error(struct client_command *cmd, const char *msg)
{
	const char *name = cmd->name == NULL ? "" : cmd->name;

	if (cmd->uid)
		name = tmp_strconcat("UID ", name, NULL);
	client_send_tagline(cmd, tmp_printf("BAD Error in IMAP command %s: %s",
					    name, msg));
}

const char *client_storage_error_reply(enum mail_storage_error error,
				       const char *str)
{
	bool have = str != NULL && *str != '\0';

	switch (error) {
	case MAIL_ERROR_NONE:
	case MAIL_ERROR_TEMP:
		break;
	case MAIL_ERROR_NOTFOUND:
		return tmp_strconcat("NO [NONEXISTENT] ",
				     have ? str : "Mailbox doesn't exist.", NULL);
	case MAIL_ERROR_PERM:
		return tmp_strconcat("NO [NOPERM] ",
				     have ? str : "Permission denied.", NULL);
	case MAIL_ERROR_NOQUOTA:
		return tmp_strconcat("NO [OVERQUOTA] ", have ? str :
				     "Quota exceeded (mailbox for user is full)", NULL);
	case MAIL_ERROR_PARAMS:
		return tmp_strconcat("NO [CANNOT] ",
				     have ? str : "Invalid parameters.", NULL);
	case MAIL_ERROR_EXISTS:
		return tmp_strconcat("NO [ALREADYEXISTS] ",
				     have ? str : "Mailbox already exists.", NULL);
	case MAIL_ERROR_EXPUNGED:
		return "NO [EXPUNGEISSUED] Some of the requested messages no longer exist.";
	case MAIL_ERROR_INUSE:
		return tmp_strconcat("NO [INUSE] ", have ? str :
				     "Mailbox is in use, try again later.", NULL);
	case MAIL_ERROR_LIMIT:
		return tmp_strconcat("NO [LIMIT] ", have ? str :
				     "Limit reached.", NULL);
	}
	/* RFC 5530: details stay in our log */
	return "NO [SERVERBUG] " IMAP_SERVERBUG_MSG;
}

void client_send_storage_error(struct client_command *cmd)
{
	enum mail_storage_error error = MAIL_ERROR_TEMP;
	const char *str = NULL;

	if (cmd->client->box != NULL)
		error = mailbox_get_last_error(cmd->client->box, &str);
	client_send_tagline(cmd, client_storage_error_reply(error, str));
}

void client_send_storage_error_str(struct client_command *cmd,
				   enum mail_storage_error error,
				   const char *str)
{
	client_send_tagline(cmd, client_storage_error_reply(error, str));
}

void client_send_box_error(struct client_command *cmd, struct mailbox *box)
{
	const char *str;
	enum mail_storage_error error = mailbox_get_last_error(box, &str);

	client_send_tagline(cmd, client_storage_error_reply(error, str));
}

const char *client_mailbox_error_reply(const char *name,
				       enum mail_storage_error error,
				       const char *str, bool trycreate)
{
	if (error != MAIL_ERROR_NOTFOUND)
		return client_storage_error_reply(error, str);
	/* the client's name, not the storage's; RFC 3501 6.3.11/6.4.7:
	   TRYCREATE where a CREATE would let the command succeed */
	return tmp_strconcat(trycreate ? "NO [TRYCREATE] " : "NO [NONEXISTENT] ",
			     "Mailbox doesn't exist: ", name, NULL);
}

bool client_output_is_full(const struct client *client)
{
	return ostream_get_buffer_used(client->output) >= CLIENT_OUTPUT_OPTIMAL_SIZE;
}

void client_send_highestmodseq(struct client *client)
{
	uint64_t modseq = mailbox_get_highest_modseq(client->box);

	if (modseq == 0) {
		client_send_line(client, "* OK [NOMODSEQ] "
				 "No permanent modsequences");
	} else {
		client_send_line(client, tmp_printf(
			"* OK [HIGHESTMODSEQ %llu] Highest",
			(unsigned long long)modseq));
	}
}

bool client_box_has_modseqs(struct client *client)
{
	return mailbox_get_highest_modseq(client->box) != 0;
}

void client_enable_condstore(struct client *client)
{
	if (client->condstore_enabled)
		return;
	client->condstore_enabled = true;
	if (client->box != NULL)
		client_send_highestmodseq(client);
}

void client_enable_qresync(struct client *client)
{
	client_enable_condstore(client);
	client->qresync_enabled = true;
}

void client_close_mailbox(struct client *client)
{
	if (client->box != NULL)
		mailbox_close(&client->box);
	client->box_ns = NULL;
	client->box_readonly = false;
	imap_search_saved_reset(client);	/* RFC 5182 2.1: "$" goes too */
	imap_search_updates_clear(client);	/* RFC 5267 4.3 */
	client->messages_count = 0;
	client->recent_count = 0;
}

void client_input_stop(struct client *client)
{
	io_remove(&client->io);
}

static void client_input_pending(void *context)
{
	struct client *client = context;

	if (client->io != NULL && !client->disconnected)
		client_input(client);
}

void client_input_resume(struct client *client)
{
	if (client->io == NULL && !client->disconnected) {
		client->io = io_add(client->fd, IO_READ, client_input, client);
		/* the fd may stay quiet while inflated input is pending */
		if (client_input_has_pending(client))
			(void)timeout_add_short_once(0, client_input_pending,
						     client);
	}
}

bool client_input_has_pending(struct client *client)
{
	return client->compress_active &&
		istream_zlib_has_pending(client->input);
}

void client_enable_compression(struct client *client)
{
	struct istream *input = client->input;
	struct ostream *output = client->output;

	ASSERT(!client->compress_active);
	/* the tagged OK goes out uncompressed (RFC 4978 3) */
	ostream_uncork(output);
	ostream_set_flush_callback(output, NULL, NULL);
	client->input = istream_create_zlib(input,
		istream_get_max_buffer_size(input));
	client->output = ostream_create_zlib(output, 6);
	istream_unref(&input);
	ostream_unref(&output);
	ostream_set_flush_callback(client->output, client_output, client);
	/* we are inside a command: the caller uncorks the new stream */
	ostream_cork(client->output);
	/* the parser keeps the streams: give it the new ones */
	imap_parser_destroy(&client->parser);
	client->parser = imap_parser_create(client->input, client->output,
					    &client->parser_limits);
	client->compress_active = true;
}

static void client_output_timeout(void *context)
{
	struct client *client = context;

	client_disconnect(client, tmp_printf(
		"Disconnected for inactivity while waiting for client to read "
		"output (%u secs)", CLIENT_OUTPUT_TIMEOUT_MSECS / 1000));
}

static void client_output_timer_start(struct client *client)
{
	if (client->to_output == NULL)
		client->to_output = timeout_add(CLIENT_OUTPUT_TIMEOUT_MSECS,
						client_output_timeout, client);
}

static void client_idle_timeout(void *context)
{
	struct client *client = context;

	client_send_line(client, "* BYE Disconnected for inactivity.");
	client_disconnect(client, "Disconnected for inactivity");
}

static struct client_command *client_command_new(struct client *client)
{
	struct pool *pool = pool_create("imap command", 2048, POOL_FLAG_NONE);
	struct client_command *cmd = pool_new(pool, struct client_command, 1);

	cmd->pool = pool;
	cmd->client = client;
	return cmd;
}

/* Free the finished command; the caller resumes input. */
static void client_command_free(struct client *client)
{
	struct client_command *cmd = client->cmd;
	struct pool *pool;

	client->cmd = NULL;
	client->cmd_parsed_name = false;
	client->cmd_running = false;
	client->input_owned = false;
	timeout_remove(&client->to_output);
	imap_parser_reset(client->parser);
	if (cmd != NULL) {
		pool = cmd->pool;
		pool_unref(&pool);
	}
}

void client_command_finished(struct client *client)
{
	client_command_free(client);
	if (client->disconnected)
		return;
	client_input_resume(client);
	client_handle_input(client);
}

/* Run the current command until it finishes or has to wait for the client
   to read. Returns true when it finished. */
static bool client_command_run(struct client *client)
{
	struct client_command *cmd = client->cmd;

	for (;;) {
		ostream_cork(client->output);
		bool done = cmd->func(cmd);
		ostream_uncork(client->output);
		if (done)
			return true;
		if (client->disconnected || client->input_owned)
			return false;
		if (ostream_get_buffer_used(client->output) > 0) {
			client->cmd_running = true;
			client_input_stop(client);
			client_output_timer_start(client);
			return false;
		}
		/* everything was written at once: no flush callback will
		   come, so go on right away */
	}
}

/* RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+">; the word reader
   already refused the other atom-specials except the list wildcards. */
static bool imap_client_tag_is_valid(const char *tag)
{
	return *tag != '\0' && strpbrk(tag, "+%*") == NULL;
}

static void client_skip_line(struct client *client)
{
	client->input_skip_line = true;
}

static void client_line_too_long(struct client *client, const char *msg)
{
	client_send_line(client, tmp_printf(
		"* BAD Error in IMAP command received by server: %s", msg));
	client_send_line(client, "* BYE Too long argument.");
	client_disconnect(client, "Disconnected: Too long argument");
}

/* Dovecot 2.3 answers an over-long line with BAD and goes on reading:
   "* BAD Error in IMAP tag: ..." for a tag, "x BAD Error in IMAP command:
   ..." for a command name, and the usual command error for arguments. The
   rest of the line is then discarded as it arrives. */
static void client_line_too_long_bad(struct client *client, bool have_tag,
				     const char *msg)
{
	struct client_command *cmd = client->cmd;

	msg = tmp_strconcat(msg, ".", NULL);
	if (!have_tag)
		client_send_line(client, tmp_strconcat(
			"* BAD Error in IMAP tag: ", msg, NULL));
	else if (cmd->name == NULL)
		client_send_tagline(cmd, tmp_strconcat(
			"BAD Error in IMAP command: ", msg, NULL));
	else
		client_send_command_error(cmd, msg);
}

/* After a NULL word or -1 from the parser: error reply and skip the line,
   or false if it only needs more input. */
static bool client_parse_error(struct client *client, bool have_tag)
{
	struct client_command *cmd = client->cmd;
	enum imap_parser_error error;
	const char *msg;

	error = imap_parser_get_error(client->parser, &msg);
	if (error == IMAP_PARSER_ERROR_NONE)
		return false;
	if (msg == NULL)
		msg = "Invalid arguments.";
	if (error == IMAP_PARSER_ERROR_LITERAL_TOO_BIG) {
		/* as Dovecot, for {n} and {n+} alike (RFC 7888 4: the data
		   of {n+} is already on its way) */
		client_send_line(client, "* BYE Literal size too large");
		client_disconnect(client, "Disconnected: Literal size too large");
		return false;
	}
	/* the only other fatal error: the parser skips the line */
	if (error == IMAP_PARSER_ERROR_LINE_TOO_LONG)
		client_line_too_long_bad(client, have_tag, msg);
	else if (!have_tag)
		client_send_line(client, IMAP_BAD_TAG_REPLY);
	else if (cmd->name == NULL)
		client_send_tagline(cmd, IMAP_BAD_COMMAND_NAME_REPLY);
	else
		client_send_command_error(cmd, msg);
	client_command_free(client);
	client_skip_line(client);
	return true;
}

static bool client_command_reject(struct client *client, const char *reply)
{
	client_send_tagline(client->cmd, reply);
	client_command_free(client);
	client_skip_line(client);
	return true;
}

/* Parse and run one command. Returns false when more input is needed (or
   the client got disconnected or a command now runs asynchronously). */
static bool client_handle_next_command(struct client *client)
{
	struct client_command *cmd;
	const struct command *command;
	const struct imap_arg *args;
	const char *word;
	int ret;

	if (client->input_skip_line) {
		if (!imap_parser_skip_line(client->parser))
			return false;
		client->input_skip_line = false;
		imap_parser_reset(client->parser);
	}
	if (client->cmd == NULL)
		client->cmd = client_command_new(client);
	cmd = client->cmd;

	if (cmd->tag == NULL) {
		word = imap_parser_read_word(client->parser);
		if (word == NULL)
			return client_parse_error(client, false);
		if (!imap_client_tag_is_valid(word)) {
			client_send_line(client, IMAP_BAD_TAG_REPLY);
			client_command_free(client);
			client_skip_line(client);
			return true;
		}
		cmd->tag = p_strdup(cmd->pool, word);
	}
	while (!client->cmd_parsed_name) {
		word = imap_parser_read_word(client->parser);
		if (word == NULL)
			return client_parse_error(client, true);
		if (*word == '\0')
			return client_command_reject(client,
						     IMAP_BAD_COMMAND_NAME_REPLY);
		if (!cmd->uid && strcasecmp(word, "UID") == 0) {
			cmd->uid = true;
			continue;
		}
		cmd->name = p_strdup(cmd->pool, tmp_str_ucase(word));
		client->cmd_parsed_name = true;
	}

	command = command_find(cmd->name);
	if (command == NULL || (cmd->uid && (command->flags & COMMAND_FLAG_UID) == 0)) {
		client_send_command_error(cmd, "Unknown command.");
		client_command_free(client);
		client_skip_line(client);
		return true;
	}
	if ((command->flags & COMMAND_FLAG_REQUIRES_SELECTED) != 0 &&
	    client->box == NULL)
		return client_command_reject(client, "BAD No mailbox selected.");

	if ((command->flags & COMMAND_FLAG_LITERAL_SIZE) != 0)
		imap_parser_enable_literal_size(client->parser, 1);
	if ((command->flags & COMMAND_FLAG_IGNORE_ARGS) != 0)
		imap_parser_ignore_args(client->parser);
	ret = imap_parser_read_args(client->parser, &args);
	if (ret == 0)
		return false;
	if (ret < 0)
		return client_parse_error(client, true);

	cmd->args = args;
	cmd->func = command->func;
	if (!client_command_run(client))
		return false;
	client_command_free(client);
	return !client->disconnected;
}

void client_handle_input(struct client *client)
{
	bool continue_cmd;

	if (client_in_handle_input)
		return;
	client_in_handle_input = true;
	do {
		continue_cmd = false;
		ostream_cork(client->output);
		while (!client->disconnected && !client->cmd_running &&
		       !client->input_owned) {
			if (client_output_is_full(client)) {
				/* let the client read before we produce more */
				client->waiting_output = true;
				client_input_stop(client);
				client_output_timer_start(client);
				break;
			}
			if (!client_handle_next_command(client))
				break;
		}
		ostream_uncork(client->output);
		if (client->disconnected)
			break;
		if (client->waiting_output &&
		    ostream_get_buffer_used(client->output) == 0) {
			client->waiting_output = false;
			timeout_remove(&client->to_output);
			client_input_resume(client);
			continue_cmd = true;
		}
		if (client->cmd_running &&
		    ostream_get_buffer_used(client->output) == 0) {
			client->cmd_running = false;
			if (client_command_run(client)) {
				client_command_free(client);
				client_input_resume(client);
			}
			continue_cmd = !client->cmd_running && !client->input_owned;
		}
	} while (continue_cmd);
	client_in_handle_input = false;
}

static void client_input(void *context)
{
	struct client *client = context;
	ssize_t ret;

	ret = istream_read(client->input);
	if (ret == -1) {
		client_disconnect(client, client->input->stream_errno == 0 ?
				  "Disconnected: Connection closed" :
				  tmp_strconcat("Disconnected: ",
						istream_get_error(client->input), NULL));
		return;
	}
	timeout_reset(client->to_idle);
	client_handle_input(client);
	/* RFC 4978: compressed input may be buffered past what one read
	   inflated; take it now, the fd will not wake us for it */
	while (ret > 0 && client->io != NULL && !client->disconnected &&
	       client_input_has_pending(client)) {
		ret = istream_read(client->input);
		if (ret == -1) {
			client_input(client);	/* reports the EOF/error */
			return;
		}
		client_handle_input(client);
	}
	if (ret == -2 && !client->disconnected && client->io != NULL &&
	    !client->input_owned && !client->input_skip_line) {
		size_t size;

		/* the parser could not consume a full buffer */
		(void)istream_get_data(client->input, &size);
		if (size >= istream_get_max_buffer_size(client->input))
			client_line_too_long(client, "Too long argument.");
	}
}

static int client_output(void *context)
{
	struct client *client = context;

	if (client->output->stream_errno != 0 || client->output->closed) {
		client_disconnect(client, tmp_strconcat("Disconnected: ",
			ostream_get_error(client->output), NULL));
		return 1;
	}
	timeout_reset(client->to_idle);
	if (client->to_output != NULL)
		timeout_reset(client->to_output);
	if (client_in_handle_input || client->disconnected)
		return 1;
	if (client->cmd_running) {
		client->cmd_running = false;
		if (!client_command_run(client))
			return client->cmd_running ? 0 : 1;
		client_command_finished(client);
		return 1;
	}
	if (client->waiting_output) {
		client->waiting_output = false;
		timeout_remove(&client->to_output);
		client_input_resume(client);
		client_handle_input(client);
	}
	return 1;
}

static void client_handle_preread_input(void *context)
{
	client_handle_input(context);
}

int client_create(const struct mail_storage_service_client *sclient,
		  void *context ATTR_UNUSED)
{
	const struct login_handoff *h = sclient->handoff;
	struct imap_parser_limits *limits;
	struct client *client;

	client = pool_new(sclient->pool, struct client, 1);
	client->pool = sclient->pool;
	client->username = sclient->username;
	client->session_id = sclient->session_id;
	client->fd = sclient->fd;
	client->user = sclient->mail_user;
	imap_mailbox_names_init(mail_user_get_namespaces(client->user));
	imap_client = client;
	/* room for a whole line plus what the parser keeps of literals */
	client->input = istream_create_fd(client->fd,
					  imap_set.max_line_length + 8192, false);
	client->output = ostream_create_fd(client->fd, CLIENT_OUTPUT_MAX_BUFFER,
					   false);
	limits = &client->parser_limits;
	limits->max_line_length = imap_set.max_line_length;
	limits->max_literal_size = imap_set.max_line_length;
	limits->max_list_depth = IMAP_MAX_LIST_DEPTH;
	limits->max_args = IMAP_MAX_ARGS;
	client->parser = imap_parser_create(client->input, client->output, limits);
	ostream_set_flush_callback(client->output, client_output, client);

	if (h->input_len > 0)
		istream_prepend(client->input, h->input, h->input_len);

	/* RFC 3501 6.2.3 + RFC 9051: the capabilities may change at login, so
	   say them in the tagged OK. */
	client_send_line(client, tmp_printf("%s OK [CAPABILITY %s] Logged in",
					    *h->tag == '\0' ? "*" : h->tag,
					    imap_set.capability));
	client->io = io_add(client->fd, IO_READ, client_input, client);
	client->to_idle = timeout_add(CLIENT_IDLE_TIMEOUT_MSECS,
				      client_idle_timeout, client);
	if (h->input_len > 0)
		(void)timeout_add_short_once(0, client_handle_preread_input, client);
	return 0;
}

static const char *client_stats_string(struct client *client)
{
	const struct client_stats *s = &client->stats;
	const char *in = tmp_printf("%llu",
		(unsigned long long)client->input->v_offset);
	const char *out = tmp_printf("%llu",
		(unsigned long long)client->output->offset);
	const struct var_expand_table table[] = {
		{ 'i', in, "input" },
		{ 'o', out, "output" },
		{ '\0', tmp_printf("%u", s->deleted), "deleted" },
		{ '\0', tmp_printf("%u", s->expunged), "expunged" },
		{ '\0', tmp_printf("%u", s->trashed), "trashed" },
		{ '\0', "0", "autoexpunged" },
		{ '\0', tmp_printf("%u", s->fetch_hdr_count), "fetch_hdr_count" },
		{ '\0', tmp_printf("%llu", (unsigned long long)s->fetch_hdr_bytes),
		  "fetch_hdr_bytes" },
		{ '\0', tmp_printf("%u", s->fetch_body_count), "fetch_body_count" },
		{ '\0', tmp_printf("%llu", (unsigned long long)s->fetch_body_bytes),
		  "fetch_body_bytes" },
		{ '\0', client->session_id, "session" },
		{ '\0', NULL, NULL },
	};
	struct str *dest = t_str_new(256);
	const char *error;

	if (var_expand(dest, imap_set.logout_format, table, &error) < 0)
		return tmp_printf("in=%s out=%s", in, out);
	return str_c(dest);
}

void client_disconnect(struct client *client, const char *reason)
{
	if (client->disconnected)
		return;
	log_info("%s %s", reason, client_stats_string(client));
	client->disconnected = true;
	io_remove(&client->io);
	timeout_remove(&client->to_idle);
	timeout_remove(&client->to_output);
	/* best effort for the final BYE/OK; never waits */
	(void)ostream_flush(client->output);
	io_loop_stop(current_ioloop);
}

void client_destroy(struct client **_client)
{
	struct client *client = *_client;
	struct pool *pool = client->pool;

	*_client = NULL;
	client_disconnect(client, "Disconnected: Shutting down");
	if (client->cmd != NULL) {
		struct pool *cmd_pool = client->cmd->pool;
		pool_unref(&cmd_pool);
		client->cmd = NULL;
	}
	client_close_mailbox(client);
	imap_parser_destroy(&client->parser);
	istream_unref(&client->input);
	ostream_destroy(&client->output);
	if (client->user != NULL)
		mail_user_unref(&client->user);
	if (close(client->fd) < 0)
		log_error("close(client) failed: %m");
	pool_unref(&pool);
}
