/* Copyright (c) dovecot-like authors. login-common.h: what imap-login and
   pop3-login share: their limits, settings, the per-protocol vtable and the
   process-wide objects (auth connection, handoff socket path). */
#ifndef LOGIN_COMMON_H
#define LOGIN_COMMON_H

#include "lib.h"
#include "net.h"

struct client;
struct settings;
struct auth_client;
struct master_service;

/* Pre-login bounds. Dovecot's login processes use 1 kB for commands and 8 kB
   for SASL; one limit of 8 kB (or imap_max_line_length if smaller) keeps a
   long SASL-IR line working. */
#define LOGIN_MAX_INBUF_SIZE 8192
/* Replies are small; more unsent output than this pauses command input. */
#define LOGIN_MAX_OUTBUF_SIZE 4096
/* Pre-auth inactivity (Dovecot: 3 minutes). */
/* A client that does not read our replies for this long is dropped. */
#define CLIENT_OUTPUT_STALL_TIMEOUT_MSECS (60 * 1000)
/* A TLS handshake (imaps/pop3s or after STARTTLS) must finish within this,
   so a client trickling handshake bytes cannot hold a slot for long. */
#define LOGIN_TLS_HANDSHAKE_TIMEOUT_MSECS (30 * 1000)
/* Post-login TLS proxy: at most this much unsent data per direction before
   the proxy stops reading the other side. */
#define LOGIN_PROXY_MAX_OUTBUF_SIZE (64 * 1024)
#define LOGIN_PROXY_MAX_INBUF_SIZE (16 * 1024)
/* How long a worker may take to accept the handoff and answer. */
#define LOGIN_HANDOFF_TIMEOUT_MSECS (30 * 1000)
/* Dovecot's CLIENT_MAX_BAD_COMMANDS: the third bad command disconnects. */
#define CLIENT_MAX_BAD_COMMANDS 3
/* Failed authentications per connection before it is closed. */
#define CLIENT_MAX_AUTH_FAILURES 3
/* RFC 2971 3.3: at most 30 field-value pairs in ID. */
#define IMAP_ID_MAX_FIELDS 30

#define LOGIN_PLAINTEXT_DISALLOWED_MSG \
	"Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
#define LOGIN_SSL_REQUIRED_MSG \
	"Authentication not allowed until SSL/TLS is enabled."
#define LOGIN_AUTH_FAILED_MSG "Authentication failed."
#define LOGIN_TEMP_FAILED_MSG "Temporary authentication failure."
#define LOGIN_INTERNAL_ERROR_MSG \
	"Internal error occurred. Refer to server log for more information."

enum login_ssl_mode {
	LOGIN_SSL_NO,
	LOGIN_SSL_YES,
	LOGIN_SSL_REQUIRED,	/* no auth at all on an unsecured connection */
};

struct login_settings {
	const char *greeting;
	enum login_ssl_mode ssl;
	/* ask clients for a certificate (also forced by the two below) */
	bool ssl_verify_client_cert;
	bool auth_ssl_require_client_cert;
	bool auth_ssl_username_from_cert;
	bool disable_plaintext_auth;
	const char *trusted_networks;	/* space/comma separated ip[/bits] */
	const char *log_format_elements;
	size_t max_line_length;		/* pre-login input line bound */
	/* login_timeout: connect to login, not reset by input */
	unsigned int login_timeout_msecs;
	const char *imap_capability;	/* "" = default; "+X" appends */
	bool imap_literal_minus;
	bool verbose_proctitle;
	const char *base_dir;
	const char *service_user;	/* service <name>-login { user } */
	const char *service_chroot;	/* "" = none; relative to base_dir */
	unsigned int client_limit;	/* concurrent clients */
	unsigned int service_count;	/* clients per process, 0 = unlimited */
};

/* Outcome of an authentication as the protocol must word it. */
enum client_auth_result {
	CLIENT_AUTH_RESULT_FAILED,		/* text: reason from auth or NULL */
	CLIENT_AUTH_RESULT_TEMPFAIL,
	CLIENT_AUTH_RESULT_NOLOGIN,		/* text: reason or NULL */
	CLIENT_AUTH_RESULT_AUTHZFAILED,
	CLIENT_AUTH_RESULT_USER_DISABLED,
	CLIENT_AUTH_RESULT_PASS_EXPIRED,
	CLIENT_AUTH_RESULT_PRIVACY_REQUIRED,	/* plaintext on insecure conn */
	CLIENT_AUTH_RESULT_SSL_REQUIRED,	/* ssl = required, not secured */
	CLIENT_AUTH_RESULT_MECH_UNSUPPORTED,
	CLIENT_AUTH_RESULT_ABORTED,		/* client sent "*" */
	CLIENT_AUTH_RESULT_INTERNAL_ERROR,	/* handoff to worker failed */
	/* the worker refused the session (mail_max_userip_connections);
	   text: its reason, never NULL */
	CLIENT_AUTH_RESULT_LIMIT_REACHED,
};

/* Why the server closes a connection; the protocol sends its last words. */
enum client_disconnect_reason {
	CLIENT_DISCONNECT_IDLE,
	CLIENT_DISCONNECT_LINE_TOO_LONG,
	CLIENT_DISCONNECT_OUTPUT_STALL,
	CLIENT_DISCONNECT_SHUTDOWN,
	CLIENT_DISCONNECT_TOO_MANY_FAILURES,
	CLIENT_DISCONNECT_INTERNAL_ERROR,
};

/* The protocol half of a login process. All callbacks run from the ioloop
   and must not block. */
struct login_binary {
	const char *protocol;		/* "imap": auth service= and handoff */
	const char *process_name;	/* "imap-login" */
	size_t client_size;		/* protocol struct, struct client first */

	void (*client_init)(struct client *client);
	void (*client_deinit)(struct client *client);
	void (*send_greeting)(struct client *client);
	/* Handle buffered input: run as many commands as possible; stop when
	   the client gets blocked or destroyed. */
	void (*input)(struct client *client);
	/* SASL: send a server challenge ("+ data") to the client. */
	void (*auth_send_challenge)(struct client *client, const char *data_base64);
	void (*auth_result)(struct client *client, enum client_auth_result result,
			    const char *text);
	/* Last words before the server disconnects. */
	void (*notify_disconnect)(struct client *client,
				  enum client_disconnect_reason reason);
	/* IMAP tag of the login command for the worker's reply; "" for POP3. */
	const char *(*get_handoff_tag)(struct client *client);
	/* STARTTLS replaced client->input/output with TLS streams: drop
	   anything that still points to the old ones. */
	void (*streams_changed)(struct client *client);
};

extern const struct login_binary *login_binary;
extern struct login_settings login_set;
extern struct master_service *login_service;
extern struct auth_client *login_auth_client;
/* Path of the worker's handoff socket ("/imap" inside the chroot). */
extern const char *login_handoff_socket_path;

/* login-main.c: the shared main() of both binaries. */
int login_main(const struct login_binary *binary, int argc, char *argv[]);

/* login-settings.c */
void login_settings_read(const struct settings *set, const char *service_name,
			 struct login_settings *set_r);
/* TRUE for a login_trusted_networks address. */
bool login_ip_is_trusted(const struct ip_addr *ip);
/* The one place that decides whether a client address counts as secured
   without TLS (plaintext auth allowed, ssl = required satisfied): loopback
   or login_trusted_networks. Only the remote address matters. */
bool login_ip_is_secured(const struct ip_addr *remote_ip);
/* TRUE if ip is inside "ip[/bits]"; FALSE also for unparsable networks. */
bool login_ip_in_network(const struct ip_addr *ip, const char *network);

/* login-listener.c */
void login_listeners_init(void);
void login_listeners_deinit(void);
/* Stop accepting; end the process when the last client is gone. */
void login_listeners_quit(void);
/* Called when a client or a post-login proxy goes away: maybe accept
   again, maybe exit. */
void login_listeners_client_gone(void);
/* Pre-login clients plus post-login TLS proxies: what client_limit and the
   SIGQUIT drain count. */
unsigned int login_connections_count(void);

#endif
