/* Copyright (c) dovecot-like authors. pop3-client.h: one authenticated POP3
   session (RFC 1939 TRANSACTION state): INBOX with message numbers fixed for
   the session, DELE marks applied at QUIT. */
#ifndef POP3_CLIENT_H
#define POP3_CLIENT_H

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage.h"

struct mail_storage_service_client;

/* RFC 1939 3: at least a ten minute autologout timer */
#define POP3_CLIENT_IDLE_TIMEOUT_MSECS (10 * 60 * 1000)
#define POP3_CLIENT_OUTPUT_TIMEOUT_MSECS (10 * 60 * 1000)
/* RFC 2449 4: commands are at most 255 octets; allow slack */
#define POP3_MAX_INPUT_LINE 4096
#define POP3_OUTPUT_OPTIMAL_SIZE (64 * 1024)

struct pop3_settings {
	const char *uidl_format;
	const char *logout_format;
	bool no_flag_updates;
	unsigned int workarounds;	/* POP3_WORKAROUND_* */
};

/* pop3_client_workarounds (Dovecot 2.3's values; bit i = names[i] in
   pop3_workaround_names, main.c) */
enum pop3_workaround {
	/* RETR/TOP send each NUL byte as 0x80 */
	POP3_WORKAROUND_OUTLOOK_NO_NULS = 0x01,
	/* a header without its ending empty line gets one */
	POP3_WORKAROUND_OE_NS_EOH = 0x02,
};
extern struct pop3_settings pop3_set;

struct client;
/* A streaming command: returns 1 when done, 0 when waiting for the client
   to read (called again from the flush callback), -1 when the client must
   be disconnected. */
typedef int pop3_stream_func_t(struct client *client);

struct client {
	struct pool *pool;
	const char *username, *session_id;
	int fd;
	struct istream *input;
	struct ostream *output;
	struct io *io;
	struct timeout *to_idle, *to_output;
	struct mail_user *user;
	struct mailbox *box;

	uint32_t messages_count;	/* fixed at login */
	uoff_t *message_sizes;		/* [seq-1], virtual (CRLF) sizes */
	bool *deleted;			/* [seq-1] DELE marks */
	uoff_t total_size;
	unsigned int deleted_count;
	uoff_t deleted_size;

	pop3_stream_func_t *stream_func;	/* RETR/TOP in progress */
	struct istream *stream;
	uoff_t stream_lines_left;	/* TOP body lines */
	bool stream_top, stream_in_header, stream_line_start;
	unsigned int stream_hdr_state;
	char stream_last[2];

	bool waiting_output, disconnected;

	unsigned int top_count, retr_count;
	uoff_t top_bytes, retr_bytes;
	unsigned int expunged_count;
};

extern struct client *pop3_client;

/* Takes over the session from the bootstrap, opens INBOX and writes
   "+OK Logged in.". 0, or -1 (nothing written; fd closed, user released). */
int client_create(const struct mail_storage_service_client *sclient,
		  void *context);
void client_disconnect(struct client *client, const char *reason);
void client_destroy(struct client **client);
void client_send_line(struct client *client, const char *line);
bool client_output_is_full(const struct client *client);
/* Start a streaming reply: func is run now and again as output drains. */
void client_stream_start(struct client *client, pop3_stream_func_t *func);

/* pop3-commands.c: one command line. Returns false if the client got
   disconnected or a streaming reply is now running. */
bool client_command_execute(struct client *client, const char *line);

#endif
