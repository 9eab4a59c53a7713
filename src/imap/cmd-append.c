/* Copyright (c) dovecot-like authors. APPEND (RFC 3501 6.3.11, RFC 3502
   MULTIAPPEND, RFC 4315 APPENDUID, RFC 7888 LITERAL+, RFC 6855 4's
   UTF8 (~{n}...) after ENABLE UTF8=ACCEPT): each message's
   literal is streamed from the client straight into the storage's save,
   never held in memory; all messages of one command commit together. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-date.h"
#include "imap-flags.h"
#include "imap-mailbox-name.h"
#include "imap-sync.h"

#include <strings.h>

struct cmd_append_context {
	struct client_command *cmd;
	struct client *client;
	struct mailbox *box;
	struct mailbox_transaction *t;
	struct mail_save_context *save;	/* NULL while discarding */
	struct io *io;

	uoff_t literal_left;	/* data bytes of the current literal to read */
	/* the reply is decided (an error): read the rest without saving */
	const char *failed_reply;
	bool fatal;		/* after the reply, disconnect */
	bool reading_literal;
	unsigned int count;
};

static void cmd_append_deinit(struct cmd_append_context *ctx)
{
	io_remove(&ctx->io);
	if (ctx->save != NULL)
		mailbox_save_cancel(&ctx->save);
	if (ctx->t != NULL)
		mailbox_transaction_rollback(&ctx->t);
	if (ctx->box != NULL)
		mailbox_close(&ctx->box);
}

/* The target's last storage error as a tagged reply (tmp). */
static const char *cmd_append_storage_reply(struct cmd_append_context *ctx)
{
	const char *str;
	enum mail_storage_error error = mailbox_get_last_error(ctx->box, &str);

	return client_storage_error_reply(error, str);
}

/* Commits and sends the tagged OK [APPENDUID ...]. */
static void cmd_append_commit(struct cmd_append_context *ctx)
{
	struct mail_transaction_commit_result result;
	struct client *client = ctx->client;
	struct str *reply;
	const uint32_t *uids;
	unsigned int count;

	if (mailbox_transaction_commit(&ctx->t, ctx->cmd->pool, &result) < 0) {
		client_send_tagline(ctx->cmd, cmd_append_storage_reply(ctx));
		return;
	}
	/* RFC 3501 6.3.11: the selected mailbox shows the new message */
	if (client->box != NULL &&
	    strcmp(mailbox_get_name(client->box), mailbox_get_name(ctx->box)) == 0 &&
	    imap_sync(client, true) < 0)
		log_error("APPEND: syncing the selected mailbox failed");
	uids = array_get(&result.uids, &count);
	reply = t_str_new(128);
	str_printfa(reply, "OK [APPENDUID %u ", result.uidvalidity);
	imap_write_uid_list(reply, uids, count);
	str_append(reply, "] Append completed.");
	client_send_tagline(ctx->cmd, str_c(reply));
}

/* Decides the command's failure (the first one wins); the rest of its
   input is read without saving. */
static void cmd_append_fail(struct cmd_append_context *ctx, const char *reply)
{
	if (ctx->failed_reply == NULL)
		ctx->failed_reply = p_strdup(ctx->cmd->pool, reply);
	if (ctx->save != NULL)
		mailbox_save_cancel(&ctx->save);
}

static void cmd_append_fail_bad(struct cmd_append_context *ctx, const char *msg)
{
	cmd_append_fail(ctx, tmp_strconcat("BAD Error in IMAP command APPEND: ",
					   msg, NULL));
}

/* The stop literal when arg is a list of just that one ("(" literal8 ")"
   of utf8-literal), else NULL. */
static const struct imap_arg *cmd_append_literal_list(const struct imap_arg *arg)
{
	const struct imap_arg *list;
	unsigned int count;

	if (!imap_arg_get_list(arg, &list, &count) || count != 1 ||
	    list[0].type != IMAP_ARG_LITERAL_SIZE)
		return NULL;
	return &list[0];
}

/* RFC 6855 4: utf8-literal = "UTF8" SP "(" literal8 ")": the stop
   literal inside the list when args is one, else NULL. */
static const struct imap_arg *cmd_append_utf8_literal(const struct imap_arg *args)
{
	const char *atom;

	if (!imap_arg_get_atom(args, &atom) || strcasecmp(atom, "UTF8") != 0)
		return NULL;
	return cmd_append_literal_list(&args[1]);
}

/* Reads the optional flag list and date-time before a literal (plain, or
   UTF8's). Returns the literal arg, or NULL with the failure set. */
static const struct imap_arg *
cmd_append_parse_message(struct cmd_append_context *ctx,
			 const struct imap_arg *args, struct mail_save_data *data)
{
	const struct imap_arg *list, *utf8_lit;
	const char *const *keywords;
	const char *error;
	unsigned int count;
	int tz;

	memset(data, 0, sizeof(*data));
	data->received_date = (time_t)-1;
	if (imap_arg_get_list(args, &list, &count)) {
		if (imap_parse_flags(list, &data->flags, &keywords,
				     &error) < 0) {
			cmd_append_fail_bad(ctx, error);
			return NULL;
		}
		if (keywords[0] != NULL)
			data->keywords = keywords;
		args++;
	}
	if (args->type == IMAP_ARG_STRING) {
		if (!imap_parse_datetime(args->u.str, &data->received_date, &tz)) {
			cmd_append_fail_bad(ctx, "Invalid internal date.");
			return NULL;
		}
		args++;
	}
	utf8_lit = cmd_append_utf8_literal(args);
	if (utf8_lit != NULL && IMAP_ARG_IS_EOL(&args[2])) {
		/* the parser stops there for any APPEND: refused as any
		   other misplaced literal8 without ENABLE UTF8=ACCEPT (not
		   IMAP4rev2: RFC 9051's grammar has no utf8-literal) */
		if (!ctx->client->utf8_accept_enabled) {
			cmd_append_fail_bad(ctx, "literal8 not allowed here");
			return NULL;
		}
		return utf8_lit;
	}
	if (args->type != IMAP_ARG_LITERAL_SIZE || !IMAP_ARG_IS_EOL(&args[1])) {
		cmd_append_fail_bad(ctx, "Invalid arguments.");
		return NULL;
	}
	return args;
}

/* The arg the parser stopped at, if it stopped at a literal (also one in
   a UTF8 list). */
static const struct imap_arg *cmd_append_find_literal(const struct imap_arg *args)
{
	const struct imap_arg *first = args;

	while (!IMAP_ARG_IS_EOL(args))
		args++;
	if (args == first)
		return NULL;
	if (args[-1].type == IMAP_ARG_LITERAL_SIZE)
		return &args[-1];
	return cmd_append_literal_list(&args[-1]);
}

/* Size checks and the storage's save for one literal. */
static void cmd_append_begin_save(struct cmd_append_context *ctx,
				  const struct imap_arg *lit,
				  const struct mail_save_data *data)
{
	if (imap_set.max_append_size > 0 &&
	    lit->literal_size > imap_set.max_append_size) {
		cmd_append_fail(ctx, "NO [TOOBIG] Mail size is larger than the "
				"maximum size allowed by server configuration");
		/* RFC 7888 4: a {n+} we refuse can't be told from commands */
		ctx->fatal = lit->literal_nonsync;
		return;
	}
	if (lit->literal_size == 0) {
		cmd_append_fail(ctx, "NO Can't save a zero byte message.");
		return;
	}
	ctx->save = mailbox_save_begin(ctx->t, data);
	if (ctx->save == NULL)
		cmd_append_fail(ctx, cmd_append_storage_reply(ctx));
}

/* Handles args up to the next literal (or the EOL that ends the command).
   Returns true when the command is over (reply sent). */
static bool cmd_append_next(struct cmd_append_context *ctx,
			    const struct imap_arg *args)
{
	struct client *client = ctx->client;
	const struct imap_arg *lit;
	struct mail_save_data data;

	if (IMAP_ARG_IS_EOL(args)) {
		if (ctx->failed_reply == NULL && ctx->count == 0)
			cmd_append_fail_bad(ctx, "Invalid arguments.");
		if (ctx->failed_reply != NULL)
			client_send_tagline(ctx->cmd, ctx->failed_reply);
		else
			cmd_append_commit(ctx);
		return true;
	}
	lit = cmd_append_parse_message(ctx, args, &data);
	if (lit == NULL) {
		lit = cmd_append_find_literal(args);
		if (lit == NULL) {
			/* the whole line is parsed */
			client_send_tagline(ctx->cmd, ctx->failed_reply);
			return true;
		}
	} else {
		ctx->count++;
		if (ctx->failed_reply == NULL)
			cmd_append_begin_save(ctx, lit, &data);
	}
	if (ctx->failed_reply != NULL) {
		if (ctx->fatal) {
			client_send_tagline(ctx->cmd, ctx->failed_reply);
			client_send_line(client, "* BYE Too big literal.");
			client_disconnect(client, "Disconnected: APPEND literal too big");
			return true;
		}
		if (!lit->literal_nonsync) {
			/* no "+ OK": the client sends no data and the next line
			   is a new command */
			client_send_tagline(ctx->cmd, ctx->failed_reply);
			return true;
		}
		/* {n+}: its data is coming: read past it */
	} else if (!lit->literal_nonsync) {
		client_send_line(client, "+ OK");
	}
	ctx->literal_left = lit->literal_size;
	ctx->reading_literal = true;
	return false;
}

/* Feeds buffered literal data to the save (or drops it after a failure).
   Returns true when the literal is complete. */
static bool cmd_append_read_literal(struct cmd_append_context *ctx)
{
	struct client *client = ctx->client;
	const unsigned char *data;
	size_t size;

	data = istream_get_data(client->input, &size);
	if (size > ctx->literal_left)
		size = (size_t)ctx->literal_left;
	if (size > 0) {
		if (ctx->save != NULL &&
		    mailbox_save_write(ctx->save, data, size) < 0)
			cmd_append_fail(ctx, cmd_append_storage_reply(ctx));
		istream_skip(client->input, size);
		ctx->literal_left -= size;
	}
	return ctx->literal_left == 0;
}

/* Runs as far as the buffered input allows. Returns true when the command
   is over. */
static bool cmd_append_run(struct cmd_append_context *ctx)
{
	struct client *client = ctx->client;
	const struct imap_arg *args;
	const char *msg;
	int ret;

	for (;;) {
		if (ctx->reading_literal) {
			if (!cmd_append_read_literal(ctx))
				return false;
			ctx->reading_literal = false;
			if (ctx->save != NULL && mailbox_save_finish(&ctx->save) < 0)
				cmd_append_fail(ctx, cmd_append_storage_reply(ctx));
			imap_parser_literal_data_done(client->parser);
		}
		ret = imap_parser_read_args(client->parser, &args);
		if (ret == 0)
			return false;	/* the rest of the line isn't here yet */
		if (ret < 0) {
			(void)imap_parser_get_error(client->parser, &msg);
			cmd_append_fail_bad(ctx, msg != NULL ? msg : "Invalid arguments.");
			client_send_tagline(ctx->cmd, ctx->failed_reply);
			if (imap_parser_error_is_fatal(client->parser)) {
				client_send_line(client, "* BYE Too long argument.");
				client_disconnect(client, "Disconnected: Too long argument");
			} else {
				client->input_skip_line = true;
			}
			return true;
		}
		if (cmd_append_next(ctx, args))
			return true;
	}
}

static void cmd_append_input(void *context)
{
	struct cmd_append_context *ctx = context;
	struct client *client = ctx->client;
	bool done;

	/* RFC 4978: a compression layer may hold more input than one read
	   returns while the fd stays quiet: loop until it is taken */
	do {
		if (istream_read(client->input) == -1) {
			cmd_append_deinit(ctx);
			client_disconnect(client,
				"Disconnected: Connection closed in APPEND");
			return;
		}
		timeout_reset(client->to_idle);
		ostream_cork(client->output);
		done = cmd_append_run(ctx);
		ostream_uncork(client->output);
	} while (!done && !client->disconnected &&
		 client_input_has_pending(client));
	if (done) {
		cmd_append_deinit(ctx);
		if (!client->disconnected)
			client_command_finished(client);
	}
}

/* Opens the target mailbox; on failure the reply is decided (the literal
   is still read past when it is {n+}). */
static void cmd_append_open(struct cmd_append_context *ctx, const char *name)
{
	const char *reply;

	if (imap_mailbox_open_target(ctx->client, name,
				     MAILBOX_FLAG_SAVE_ONLY, &ctx->box, &reply) < 0) {
		ctx->box = NULL;
		cmd_append_fail(ctx, reply);
		return;
	}
	ctx->t = mailbox_transaction_begin(ctx->box);
}

bool cmd_append(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct cmd_append_context *ctx;
	const char *name;

	ctx = pool_new(cmd->pool, struct cmd_append_context, 1);
	ctx->cmd = cmd;
	ctx->client = client;
	cmd->context = ctx;
	if (!imap_arg_get_astring(&cmd->args[0], &name) ||
	    IMAP_ARG_IS_EOL(&cmd->args[1]))
		cmd_append_fail_bad(ctx, "Invalid arguments.");
	else
		cmd_append_open(ctx, name);
	if (cmd_append_next(ctx, IMAP_ARG_IS_EOL(&cmd->args[0]) ?
			    &cmd->args[0] : &cmd->args[1]) ||
	    cmd_append_run(ctx)) {
		cmd_append_deinit(ctx);
		return true;
	}
	/* RFC 4978: input a compression layer holds would not wake the fd */
	while (client_input_has_pending(client)) {
		if (istream_read(client->input) == -1) {
			cmd_append_deinit(ctx);
			client_disconnect(client,
				"Disconnected: Connection closed in APPEND");
			return true;
		}
		if (cmd_append_run(ctx)) {
			cmd_append_deinit(ctx);
			return true;
		}
	}
	/* the literal's data comes from the client: read it ourselves */
	client->input_owned = true;
	client_input_stop(client);
	ctx->io = io_add(client->fd, IO_READ, cmd_append_input, ctx);
	return false;
}
