/* Copyright (c) dovecot-like authors. IDLE (RFC 2177, RFC 9051 6.3.13): the
   client waits for changes; the mailbox's files are watched (inotify, or a
   poll timer where that is unavailable), each change is synced to the
   client, and the link is kept alive until DONE. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-sync.h"

/* A delivery or a STORE touches several files (tmp/ -> new/ rename, the
   uidlist, the index log) within a few ms: wait this long after the first
   wakeup so that one sync, and one batch of untagged replies, covers them
   all. Short enough that the client sees the change at once. */
#define IDLE_NOTIFY_COALESCE_MSECS 100

struct cmd_idle_context {
	struct client_command *cmd;
	struct io *io;
	struct timeout *to_check, *to_keepalive;
	/* one-shot coalescing timer, NULL when not pending (cleared by its
	   callback) */
	struct timeout *to_notify;
	bool notifying;		/* mailbox_notify_changes() is active */
};

static void idle_stop(struct cmd_idle_context *ctx)
{
	struct client *client = ctx->cmd->client;

	io_remove(&ctx->io);
	timeout_remove(&ctx->to_check);
	timeout_remove(&ctx->to_keepalive);
	timeout_remove(&ctx->to_notify);
	if (ctx->notifying && client->box != NULL)
		mailbox_notify_changes_stop(client->box);
	ctx->notifying = false;
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

static void idle_notify_timeout(void *context)
{
	struct cmd_idle_context *ctx = context;

	ctx->to_notify = NULL;	/* one-shot: already freed */
	idle_check(ctx);
}

static void idle_notify(void *context)
{
	struct cmd_idle_context *ctx = context;

	if (ctx->to_notify == NULL) {
		ctx->to_notify = timeout_add_short_once(
			IDLE_NOTIFY_COALESCE_MSECS, idle_notify_timeout, ctx);
	}
}

/* Watches the mailbox, or falls back to polling (logged once per process:
   the inotify limit is a host setting, not this client's fault). */
static void idle_watch_mailbox(struct cmd_idle_context *ctx)
{
	static bool fallback_logged = false;
	struct client *client = ctx->cmd->client;

	if (mailbox_notify_changes(client->box, idle_notify, ctx) == 0) {
		ctx->notifying = true;
		return;
	}
	if (!fallback_logged) {
		log_info("IDLE: can't watch %s for changes (%m), "
			 "checking every %u ms instead",
			 mailbox_get_name(client->box),
			 imap_set.idle_check_msecs);
		fallback_logged = true;
	}
	if (imap_set.idle_check_msecs > 0)
		ctx->to_check = timeout_add(imap_set.idle_check_msecs,
					    idle_check, ctx);
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
	if (client->box != NULL)
		idle_watch_mailbox(ctx);
	if (imap_set.idle_notify_msecs > 0)
		ctx->to_keepalive = timeout_add(imap_set.idle_notify_msecs,
						idle_keepalive, ctx);
	return false;
}
