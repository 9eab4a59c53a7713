/* Copyright (c) dovecot-like authors. auth-protocol.h: parsing the auth
   protocols' command arguments (shared/reference/auth-protocol.md s.3.2, s.3.3,
   s.5.2), apart from any connection so it can be unit-tested and fuzzed. */
#ifndef AUTH_PROTOCOL_H
#define AUTH_PROTOCOL_H

#include "net.h"

/* The request parameters of AUTH, and the "info" parameters of the master
   protocol's USER/PASS/LIST. */
struct auth_client_params {
	unsigned int id;
	const char *mech;
	const char *service;	/* NULL until given */
	const char *session, *client_id, *local_name, *cert_username;
	struct ip_addr local_ip, remote_ip, real_local_ip, real_remote_ip;
	unsigned int local_port, remote_port, real_local_port, real_remote_port;
	bool secured, secured_tls, valid_client_cert, no_penalty, debug;
	bool final_resp_ok;
	/* resp= given (after s.3.3's empty-resp rules); initial_resp is the
	   base64 text, "" for a zero-length response. */
	bool have_initial_resp;
	const char *initial_resp;
};

/* Request id: decimal uint32, non-zero. Returns 0 or -1. */
int auth_protocol_parse_id(const char *str, unsigned int *id_r);

/* Applies one optional parameter ("name=value" or a bare word) to params;
   unknown ones are ignored. Values are copied into pool. */
void auth_protocol_parse_param(struct auth_client_params *params,
			       struct pool *pool, const char *param);

/* AUTH: args are the fields after "AUTH" (id, mechanism, params...), already
   TAB-split and unescaped. client_minor decides the empty-resp rule. Returns 0,
   or -1 with *error_r for a protocol violation (the caller disconnects). */
int auth_protocol_parse_auth(const char *const *args, unsigned int client_minor,
			     struct pool *pool, struct auth_client_params *params_r,
			     const char **error_r);

/* "VERSION <major> <minor>": args after "VERSION". Returns 0 and the minor,
   or -1 if malformed or the major differs from major. */
int auth_protocol_parse_version(const char *const *args, unsigned int major,
				unsigned int *minor_r);

/* SASL payloads of the plaintext mechanisms (s.3.6). The strings are copied
   into pool (use a POOL_FLAG_WIPE pool: they hold the password). */
/* PLAIN "[authzid] NUL authcid NUL password": *authzid_r is NULL when empty.
   Returns 0, or -1 with *error_r (wrong NUL count, empty authcid). */
int sasl_plain_parse(struct pool *pool, const unsigned char *data, size_t size,
		     const char **authzid_r, const char **authcid_r,
		     const char **password_r, const char **error_r);
/* One LOGIN value (user name or password): must not contain NUL; the user
   name must not be empty (empty_ok for passwords). */
int sasl_login_parse_value(struct pool *pool, const unsigned char *data,
			   size_t size, bool empty_ok, const char **value_r,
			   const char **error_r);

/* allow_nets: does ip match the comma/space-separated list of IPs and CIDR
   networks? "local" matches a request without an IP (family 0). IPv4-mapped
   IPv6 addresses compare as IPv4. Returns 1/0, or -1 with *error_r for an
   invalid entry. */
int auth_net_list_match(const struct ip_addr *ip, const char *list,
			const char **error_r);

/* A client-sent string made safe for a log line: control characters become
   '?', and it is cut at 64 bytes. tmp. */
const char *auth_str_sanitize(const char *str);

enum auth_listener_type {
	AUTH_LISTENER_CLIENT,	/* client protocol only */
	AUTH_LISTENER_LOGIN,	/* client protocol; REQUEST may pick up logins */
	AUTH_LISTENER_MASTER,
	AUTH_LISTENER_USERDB,
	AUTH_LISTENER_TOKEN,	/* DOVECOT-TOKEN logins: not implemented */
};
/* s.1: the part of the listener name after the last '/', then after the
   last '-', decides ("login/login" = login, "auth-master" = master, anything
   unknown = client). */
enum auth_listener_type auth_listener_type_from_name(const char *name);

#endif
