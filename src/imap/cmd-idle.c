/* Copyright (c) dovecot-like authors. IDLE (RFC 2177, RFC 9051 6.3.13): the
   client waits for changes; we poll the mailbox and keep the link alive
   until DONE. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"

struct cmd_idle_context {
	struct client_command *cmd;
	struct io *io;
	struct timeout *to_check, *to_keepalive;
};

static void idle_stop(struct cmd_idle_context *ctx)
{
	io_remove(&ctx->io);
	timeout_remove(&ctx->to_check);
	timeout_remove(&ctx->to_keepalive);
}

/* Handles buffered lines. Returns true when IDLE is over. */
static bool idle_handle_lines(struct cmd_idle_context *ctx)
{
	struct client *client = ctx->cmd->client;
	const char *line;
	size_t len;

	while ((line = istream_next_line(client->input, &len)) != NULL) {
		if (len == 0)
			continue;
		idle_stop(ctx);
		if (strcasecmp(line, "DONE") == 0)
			client_send_tagline(ctx->cmd, "OK Idle completed.");
		else
			client_send_tagline(ctx->cmd, "BAD Expected DONE.");
		return true;
	}
	if (client->input->stream_errno == ENOBUFS) {
		idle_stop(ctx);
		client_send_line(client, "* BYE Too long argument.");
		client_disconnect(client, "Disconnected: Too long line in IDLE");
		return true;
	}
	return false;
}

static void idle_input(void *context)
{
	struct cmd_idle_context *ctx = context;
	struct client *client = ctx->cmd->client;

	if (istream_read(client->input) == -1) {
		idle_stop(ctx);
		client_disconnect(client, "Disconnected: Connection closed in IDLE");
		return;
	}
	timeout_reset(client->to_idle);
	ostream_cork(client->output);
	if (idle_handle_lines(ctx)) {
		ostream_uncork(client->output);
		client_command_finished(client);
		return;
	}
	ostream_uncork(client->output);
}

static void idle_check(void *context)
{
	struct cmd_idle_context *ctx = context;

	if (imap_sync(ctx->cmd->client, true) < 0)
		log_error("IDLE: mailbox sync failed");
}

static void idle_keepalive(void *context)
{
	struct cmd_idle_context *ctx = context;

	client_send_line(ctx->cmd->client, "* OK Still here");
}

bool cmd_idle(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct cmd_idle_context *ctx;

	if (!IMAP_ARG_IS_EOL(&cmd->args[0])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	ctx = pool_new(cmd->pool, struct cmd_idle_context, 1);
	ctx->cmd = cmd;
	cmd->context = ctx;

	client_send_line(client, "+ idling");
	if (imap_sync(client, true) < 0)
		log_error("IDLE: mailbox sync failed");
	if (idle_handle_lines(ctx))
		return true;	/* DONE was pipelined */

	client->input_owned = true;
	client_input_stop(client);
	ctx->io = io_add(client->fd, IO_READ, idle_input, ctx);
	if (client->box != NULL && imap_set.idle_check_msecs > 0)
		ctx->to_check = timeout_add(imap_set.idle_check_msecs, idle_check, ctx);
	if (imap_set.idle_notify_msecs > 0)
		ctx->to_keepalive = timeout_add(imap_set.idle_notify_msecs,
						idle_keepalive, ctx);
	return false;
}
