/* Copyright (c) dovecot-like authors. imap-client.h: one authenticated IMAP
   session: its connection, the command being run and the selected mailbox. */
#ifndef IMAP_CLIENT_H
#define IMAP_CLIENT_H

#include "imap-common.h"

struct client;
struct client_command;
struct mail_storage_service_client;

/* Returns true when the command has finished (its tagged reply is sent),
   false when it is waiting for the client to read output: it is called again
   from the output flush callback. */
typedef bool command_func_t(struct client_command *cmd);

struct client_command {
	struct client *client;
	struct pool *pool;	/* freed when the command finishes */
	const char *tag;
	const char *name;	/* uppercase, without "UID " */
	bool uid;		/* UID FETCH etc. */
	const struct imap_arg *args;
	command_func_t *func;
	void *context;
};

struct client_stats {
	unsigned int deleted, expunged, trashed;
	unsigned int fetch_hdr_count, fetch_body_count;
	uint64_t fetch_hdr_bytes, fetch_body_bytes;
};

struct client {
	struct pool *pool;
	const char *username, *session_id;
	int fd;
	struct istream *input;
	struct ostream *output;
	struct imap_parser *parser;
	struct imap_parser_limits parser_limits;	/* to recreate parser */
	struct io *io;
	struct timeout *to_idle, *to_output;
	struct mail_user *user;

	struct mailbox *box;
	/* the namespace the client selected box through */
	const struct mail_namespace *box_ns;
	bool box_readonly;
	/* RFC 7162 3.1: a CONDSTORE enabling command was seen; flag
	   changes are then reported with MODSEQ */
	bool condstore_enabled;
	/* RFC 7162 3.2.3: ENABLE QRESYNC was seen (implies CONDSTORE):
	   expunges are reported as VANISHED, flag changes with UID */
	bool qresync_enabled;
	/* RFC 9051: ENABLE IMAP4rev2 was seen; the session follows
	   IMAP4rev2's rules where they differ from IMAP4rev1's */
	bool imap4rev2_enabled;
	/* RFC 6855: ENABLE UTF8=ACCEPT was seen */
	bool utf8_accept_enabled;
	uint32_t messages_count;	/* as the client knows it */
	uint32_t recent_count;
	/* keywords of box the client was told of in FLAGS */
	unsigned int keywords_sent;

	/* RFC 5182: the SEARCH RETURN (SAVE) result "$" as a UID set (UIDs,
	   so expunges shrink it); NULL or "" when empty */
	struct str *search_saved;
	/* RFC 5267 4.3: the RETURN (UPDATE) searches (imap-search-update.c) */
	struct imap_search_update *search_updates;
	/* UIDs changed since the last sync point, for search_updates */
	ARRAY_TYPE(uint32) search_updates_changed;

	struct client_command *cmd;	/* being parsed or run */
	bool cmd_parsed_name;
	bool cmd_running;	/* func returned false: waits for output */
	bool input_skip_line;	/* after a parse error */
	bool waiting_output;	/* input paused: output buffer is full */
	bool input_owned;	/* IDLE or APPEND reads the input itself */
	bool compress_active;	/* RFC 4978 COMPRESS=DEFLATE is on */
	bool disconnected;

	struct client_stats stats;
};

/* The one session of this process (NULL before login). */
extern struct client *imap_client;

/* Takes over the session from the bootstrap: writes the tagged login OK and
   starts serving (pre-read input first). 0, or -1 on failure. */
int client_create(const struct mail_storage_service_client *sclient,
		  void *context);
/* Logs reason (with the logout statistics), stops serving and stops the
   ioloop; the process then exits. Safe to call more than once. */
void client_disconnect(struct client *client, const char *reason);
/* Free everything after the ioloop stopped. */
void client_destroy(struct client **client);

/* Append CRLF and queue. */
void client_send_line(struct client *client, const char *line);
void client_send_tagline(struct client_command *cmd, const char *line);
/* "<tag> BAD Error in IMAP command <NAME>: <msg>" */
void client_send_command_error(struct client_command *cmd, const char *msg);
/* Map the box's last storage error to a tagged NO (RFC 5530 codes). */
void client_send_storage_error(struct client_command *cmd);
/* The same for an error that isn't the box's (mailbox management). */
void client_send_storage_error_str(struct client_command *cmd,
				   enum mail_storage_error error,
				   const char *str);
/* The same for the last error of another mailbox (APPEND/COPY target). */
void client_send_box_error(struct client_command *cmd, struct mailbox *box);
/* The tagged "NO [code] text" for a storage error (RFC 5530 codes; TEMP
   is [SERVERBUG], details are in the log). tmp. */
const char *client_storage_error_reply(enum mail_storage_error error,
				       const char *str);
/* The same about a mailbox the client named name: NOTFOUND is
   "NO [NONEXISTENT] Mailbox doesn't exist: <name>" ([TRYCREATE] for the
   target of APPEND/COPY/MOVE). tmp. */
const char *client_mailbox_error_reply(const char *name,
				       enum mail_storage_error error,
				       const char *str, bool trycreate);
/* TRUE when the output buffer is over CLIENT_OUTPUT_OPTIMAL_SIZE. */
bool client_output_is_full(const struct client *client);

/* Called by IDLE when it gives the input back, and by the command loop. */
void client_command_finished(struct client *client);
/* Process whatever input is buffered (from the ioloop). */
void client_handle_input(struct client *client);
void client_input_stop(struct client *client);
void client_input_resume(struct client *client);
/* RFC 4978: from now on input and output go through deflate layers. Call
   after the tagged OK was queued (it is flushed uncompressed first). */
void client_enable_compression(struct client *client);
/* True when input is waiting in a compression layer with no new bytes on the
   fd: a reader that waits on io_add(fd) must istream_read() again first. */
bool client_input_has_pending(struct client *client);

/* A CONDSTORE enabling command (RFC 7162 3.1): the first one while a
   mailbox is selected sends its HIGHESTMODSEQ (or NOMODSEQ). */
void client_enable_condstore(struct client *client);
/* ENABLE QRESYNC: CONDSTORE too (RFC 7162 3.2.3). */
void client_enable_qresync(struct client *client);
/* Are mailbox names exchanged in UTF-8 instead of modified UTF-7? After
   ENABLE UTF8=ACCEPT (RFC 6855 3) or ENABLE IMAP4rev2 (RFC 9051 5.1). */
static inline bool client_utf8_names(const struct client *client)
{
	return client->utf8_accept_enabled || client->imap4rev2_enabled;
}
/* Does the selected mailbox keep permanent modseqs (no NOMODSEQ)? The one
   check of CONDSTORE commands (RFC 7162 3.1.2). */
bool client_box_has_modseqs(struct client *client);
/* The selected mailbox's "* OK [HIGHESTMODSEQ n]" / "* OK [NOMODSEQ]". */
void client_send_highestmodseq(struct client *client);
/* Close the selected mailbox (no expunge). */
void client_close_mailbox(struct client *client);

#endif
