/* Copyright (c) dovecot-like authors. The POP3 session's connection: line
   input, bounded streaming output for RETR/TOP, the timeouts, and the
   session's fixed view of INBOX. */
#include "pop3-client.h"
#include "var-expand.h"
#include "login-handoff.h"
#include "mail-storage-service.h"

#include <unistd.h>

#define POP3_OUTPUT_MAX_BUFFER (4 * 1024 * 1024)

struct client *pop3_client = NULL;
static bool client_in_input = false;

static void client_input(void *context);
static void client_handle_input(struct client *client);

void client_send_line(struct client *client, const char *line)
{
	if (client->disconnected)
		return;
	/* one write per line: a separate CRLF segment stalls on Nagle +
	   delayed ACK when the stream isn't corked */
	ostream_send_str(client->output, tmp_strconcat(line, "\r\n", NULL));
}

bool client_output_is_full(const struct client *client)
{
	return ostream_get_buffer_used(client->output) >= POP3_OUTPUT_OPTIMAL_SIZE;
}

static void client_output_timeout(void *context)
{
	client_disconnect(context, tmp_printf(
		"Disconnected for inactivity while waiting for client to read "
		"output (%u secs)", POP3_CLIENT_OUTPUT_TIMEOUT_MSECS / 1000));
}

static void client_idle_timeout(void *context)
{
	struct client *client = context;

	client_send_line(client, "-ERR Disconnected for inactivity.");
	client_disconnect(client, "Disconnected for inactivity");
}

/* Input stops while output waits, so a client can't make us buffer
   without bound by pipelining. */
static void client_wait_output(struct client *client)
{
	io_remove(&client->io);
	if (client->to_output == NULL)
		client->to_output = timeout_add(POP3_CLIENT_OUTPUT_TIMEOUT_MSECS,
						client_output_timeout, client);
}

static void client_resume_input(struct client *client)
{
	timeout_remove(&client->to_output);
	if (client->io == NULL && !client->disconnected)
		client->io = io_add(client->fd, IO_READ, client_input, client);
}

/* Runs the streaming reply while the output drains at once. true = done. */
static bool client_stream_run(struct client *client)
{
	int ret;

	for (;;) {
		ostream_cork(client->output);
		ret = client->stream_func(client);
		ostream_uncork(client->output);
		if (ret != 0)
			break;
		if (ostream_get_buffer_used(client->output) > 0)
			return false;
	}
	client->stream_func = NULL;
	istream_unref(&client->stream);
	if (ret < 0)
		client_disconnect(client, "Disconnected: message stream failed");
	return true;
}

void client_stream_start(struct client *client, pop3_stream_func_t *func)
{
	/* run by client_handle_input() once the reply so far is uncorked */
	client->stream_func = func;
}

static void client_handle_input(struct client *client)
{
	const char *line;
	size_t len;

	if (client_in_input)
		return;
	client_in_input = true;
	for (;;) {
		ostream_cork(client->output);
		while (!client->disconnected && client->stream_func == NULL &&
		       !client->waiting_output) {
			if (client_output_is_full(client)) {
				client->waiting_output = true;
				client_wait_output(client);
				break;
			}
			line = istream_next_line(client->input, &len);
			if (line == NULL)
				break;
			if (strlen(line) != len) {
				client_send_line(client, "-ERR Invalid command.");
				continue;
			}
			(void)client_command_execute(client, line);
		}
		ostream_uncork(client->output);
		if (client->disconnected)
			break;
		if (client->stream_func != NULL) {
			if (!client_stream_run(client)) {
				client_wait_output(client);
				break;
			}
			continue;
		}
		if (client->waiting_output &&
		    ostream_get_buffer_used(client->output) == 0) {
			client->waiting_output = false;
			client_resume_input(client);
			continue;
		}
		break;
	}
	if (!client->disconnected && client->input->stream_errno == ENOBUFS) {
		client_send_line(client, "-ERR Input line too long.");
		client_disconnect(client, "Disconnected: Input line too long");
	}
	client_in_input = false;
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
	if (ret == -2 && !client->disconnected && client->io != NULL &&
	    client->stream_func == NULL) {
		size_t size;

		(void)istream_get_data(client->input, &size);
		if (size >= POP3_MAX_INPUT_LINE) {
			client_send_line(client, "-ERR Input line too long.");
			client_disconnect(client, "Disconnected: Input line too long");
		}
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
	if (client_in_input || client->disconnected)
		return 1;
	if (client->stream_func != NULL) {
		if (!client_stream_run(client))
			return 0;
	}
	client->waiting_output = false;
	client_resume_input(client);
	client_handle_input(client);
	return 1;
}

static void client_handle_preread_input(void *context)
{
	client_handle_input(context);
}

static int client_open_inbox(struct client *client)
{
	enum mail_storage_error error;
	const char *error_str;
	uint32_t seq;

	if (mailbox_open(client->user, "INBOX", MAILBOX_FLAG_POP3_SESSION,
			 &client->box, &error, &error_str) < 0) {
		log_error("Couldn't open INBOX: %s",
			  error_str == NULL ? "unknown error" : error_str);
		return -1;
	}
	client->messages_count = mailbox_get_messages_count(client->box);
	client->message_sizes = pool_new(client->pool, uoff_t,
					 client->messages_count + 1);
	client->deleted = pool_new(client->pool, bool, client->messages_count + 1);
	/* STAT needs them all; RFC 1939 counts CRLF line ends */
	for (seq = 1; seq <= client->messages_count; seq++) {
		if (mail_get_virtual_size(client->box, seq,
					  &client->message_sizes[seq - 1]) < 0) {
			(void)mailbox_get_last_error(client->box, &error_str);
			log_error("Couldn't get size of message %u: %s", seq,
				  error_str == NULL ? "unknown error" : error_str);
			mailbox_close(&client->box);
			return -1;
		}
		client->total_size += client->message_sizes[seq - 1];
	}
	return 0;
}

int client_create(const struct mail_storage_service_client *sclient,
		  void *context ATTR_UNUSED)
{
	const struct login_handoff *h = sclient->handoff;
	struct client *client;

	client = pool_new(sclient->pool, struct client, 1);
	client->pool = sclient->pool;
	client->username = sclient->username;
	client->session_id = sclient->session_id;
	client->fd = sclient->fd;
	client->user = sclient->mail_user;
	if (client_open_inbox(client) < 0) {
		/* login answers the client with -ERR [SYS/TEMP] */
		mail_user_unref(&client->user);
		(void)close(client->fd);
		return -1;
	}
	pop3_client = client;
	client->input = istream_create_fd(client->fd, POP3_MAX_INPUT_LINE, false);
	client->output = ostream_create_fd(client->fd, POP3_OUTPUT_MAX_BUFFER, false);
	ostream_set_flush_callback(client->output, client_output, client);
	if (h->input_len > 0)
		istream_prepend(client->input, h->input, h->input_len);

	client_send_line(client, "+OK Logged in.");
	client->io = io_add(client->fd, IO_READ, client_input, client);
	client->to_idle = timeout_add(POP3_CLIENT_IDLE_TIMEOUT_MSECS,
				      client_idle_timeout, client);
	if (h->input_len > 0)
		(void)timeout_add_short_once(0, client_handle_preread_input, client);
	return 0;
}

static const char *client_stats_string(struct client *client)
{
	const char *t = tmp_printf("%u", client->top_count);
	const char *p = tmp_printf("%llu", (unsigned long long)client->top_bytes);
	const char *r = tmp_printf("%u", client->retr_count);
	const char *b = tmp_printf("%llu", (unsigned long long)client->retr_bytes);
	const char *d = tmp_printf("%u", client->expunged_count);
	const char *m = tmp_printf("%u", client->messages_count);
	const char *s = tmp_printf("%llu", (unsigned long long)client->total_size);
	const char *i = tmp_printf("%llu", client->input == NULL ? 0ULL :
				   (unsigned long long)client->input->v_offset);
	const char *o = tmp_printf("%llu", client->output == NULL ? 0ULL :
				   (unsigned long long)client->output->offset);
	const struct var_expand_table table[] = {
		{ 't', t, "top_count" }, { 'p', p, "top_bytes" },
		{ 'r', r, "retr_count" }, { 'b', b, "retr_bytes" },
		{ 'd', d, "deleted_count" }, { 'm', m, "message_count" },
		{ 's', s, "message_bytes" }, { 'i', i, "input" },
		{ 'o', o, "output" }, { 'u', "", "uidl_change" },
		{ '\0', client->session_id, "session" },
		{ '\0', NULL, NULL },
	};
	struct str *dest = t_str_new(256);
	const char *error;

	if (var_expand(dest, pop3_set.logout_format, table, &error) < 0)
		return tmp_printf("in=%s out=%s", i, o);
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
	(void)ostream_flush(client->output);
	io_loop_stop(current_ioloop);
}

void client_destroy(struct client **_client)
{
	struct client *client = *_client;
	struct pool *pool = client->pool;

	*_client = NULL;
	client_disconnect(client, "Disconnected: Shutting down");
	istream_unref(&client->stream);
	if (client->box != NULL)
		mailbox_close(&client->box);
	istream_unref(&client->input);
	ostream_destroy(&client->output);
	if (client->user != NULL)
		mail_user_unref(&client->user);
	if (close(client->fd) < 0)
		log_error("close(client) failed: %m");
	pool_unref(&pool);
}
