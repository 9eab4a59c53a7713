/* Copyright (c) dovecot-like authors. Dovecot 1.x configs keep loading: each
   1.x key or section is mapped to its 2.3 meaning (see config-syntax.md 4.1)
   with one warning naming it. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "settings-parser-private.h"

enum legacy_kind {
	LEGACY_RENAME,		/* same value, new name */
	LEGACY_FILE,		/* file name -> "<file" value */
	LEGACY_INVERT,		/* boolean inverted */
	LEGACY_REMOVED,		/* ignored */
	LEGACY_LOGIN_SERVICE,	/* service imap-login/pop3-login key */
	LEGACY_MAIL_SERVICE,	/* service imap/pop3 key */
	LEGACY_AUTH_SERVICE,	/* service auth key */
	LEGACY_SSL_LISTEN,
	LEGACY_FSYNC_DISABLE,
	LEGACY_SSL_PROTOCOLS,
	LEGACY_PLUGIN,		/* plugin { arg = value } */
};

enum legacy_conv {
	CONV_NONE,
	CONV_MB,	/* "64" (MB) -> "64 M" */
	CONV_CHROOT,	/* yes -> login, no -> "" */
	CONV_COUNT,	/* yes -> 1, no -> 0 */
};

struct legacy_key {
	const char *key;
	enum legacy_kind kind;
	const char *arg;
	enum legacy_conv conv;
};

static const struct legacy_key legacy_keys[] = {
	{ "ssl_disable", LEGACY_INVERT, "ssl", CONV_NONE },
	{ "ssl_cert_file", LEGACY_FILE, "ssl_cert", CONV_NONE },
	{ "ssl_key_file", LEGACY_FILE, "ssl_key", CONV_NONE },
	{ "ssl_ca_file", LEGACY_FILE, "ssl_ca", CONV_NONE },
	{ "ssl_listen", LEGACY_SSL_LISTEN, NULL, CONV_NONE },
	{ "ssl_protocols", LEGACY_SSL_PROTOCOLS, "ssl_min_protocol", CONV_NONE },
	{ "ssl_parameters_regenerate", LEGACY_REMOVED, "2.3 reads DH parameters "
	  "from ssl_dh = </path", CONV_NONE },
	{ "ssl_require_client_cert", LEGACY_RENAME, "auth_ssl_require_client_cert", CONV_NONE },
	{ "ssl_username_from_cert", LEGACY_RENAME, "auth_ssl_username_from_cert", CONV_NONE },
	{ "login_dir", LEGACY_REMOVED, "login sockets live under base_dir/login/", CONV_NONE },
	{ "login_greeting_capability", LEGACY_REMOVED, "CAPABILITY is always sent "
	  "in the greeting", CONV_NONE },
	{ "login_chroot", LEGACY_LOGIN_SERVICE, "chroot", CONV_CHROOT },
	{ "login_user", LEGACY_LOGIN_SERVICE, "user", CONV_NONE },
	{ "login_executable", LEGACY_LOGIN_SERVICE, "executable", CONV_NONE },
	{ "login_process_size", LEGACY_LOGIN_SERVICE, "vsz_limit", CONV_MB },
	{ "login_process_per_connection", LEGACY_LOGIN_SERVICE, "service_count", CONV_COUNT },
	{ "login_processes_count", LEGACY_LOGIN_SERVICE, "process_min_avail", CONV_NONE },
	{ "login_max_processes_count", LEGACY_LOGIN_SERVICE, "process_limit", CONV_NONE },
	{ "login_max_connections", LEGACY_LOGIN_SERVICE, "client_limit", CONV_NONE },
	{ "max_mail_processes", LEGACY_MAIL_SERVICE, "process_limit", CONV_NONE },
	{ "mail_executable", LEGACY_MAIL_SERVICE, "executable", CONV_NONE },
	{ "mail_process_size", LEGACY_MAIL_SERVICE, "vsz_limit", CONV_MB },
	{ "mail_drop_priv_before_exec", LEGACY_MAIL_SERVICE, "drop_priv_before_exec", CONV_NONE },
	{ "auth_executable", LEGACY_AUTH_SERVICE, "executable", CONV_NONE },
	{ "auth_process_size", LEGACY_AUTH_SERVICE, "vsz_limit", CONV_MB },
	{ "default_mail_env", LEGACY_RENAME, "mail_location", CONV_NONE },
	{ "mail_extra_groups", LEGACY_RENAME, "mail_access_groups", CONV_NONE },
	{ "dbox_rotate_size", LEGACY_RENAME, "mdbox_rotate_size", CONV_NONE },
	{ "fsync_disable", LEGACY_FSYNC_DISABLE, "mail_fsync", CONV_NONE },
	{ "umask", LEGACY_REMOVED, "permissions follow the mailbox directory", CONV_NONE },
	{ "maildir_copy_preserve_filename", LEGACY_REMOVED, NULL, CONV_NONE },
	{ "dbox_rotate_min_size", LEGACY_REMOVED, NULL, CONV_NONE },
	{ "dbox_rotate_days", LEGACY_REMOVED, NULL, CONV_NONE },
	{ "mail_log_max_lines_per_sec", LEGACY_REMOVED, NULL, CONV_NONE },
	{ "mail_cache_min_mail_count", LEGACY_REMOVED, NULL, CONV_NONE },
	{ "mail_cache_compress_delete_percentage", LEGACY_REMOVED,
	  "renamed mail_cache_purge_delete_percentage, not implemented", CONV_NONE },
	{ "mail_cache_compress_continued_percentage", LEGACY_REMOVED,
	  "renamed mail_cache_purge_continued_percentage, not implemented", CONV_NONE },
	{ "mail_cache_compress_header_continue_count", LEGACY_REMOVED,
	  "renamed mail_cache_purge_header_continue_count, not implemented", CONV_NONE },
	{ "mail_cache_compress_min_size", LEGACY_REMOVED,
	  "renamed mail_cache_purge_min_size, not implemented", CONV_NONE },
	{ "sieve", LEGACY_PLUGIN, "sieve", CONV_NONE },
	{ "sieve_storage", LEGACY_PLUGIN, "sieve_dir", CONV_NONE },
};

static const struct legacy_key *legacy_key_find(const char *key)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(legacy_keys); i++) {
		if (strcmp(legacy_keys[i].key, key) == 0)
			return &legacy_keys[i];
	}
	return NULL;
}

/* Set key in service (and listener, if ltype != NULL) as if the config had
   said so at this line. */
static void legacy_service_set(struct settings_parser *p, const char *service,
			       const char *ltype, const char *lname,
			       const char *key, const char *value)
{
	struct pool *pool = p->set->pool;
	struct settings_section *sec;
	const char *path = "service";

	sec = settings_section_get_or_add(pool, p->set->root, "service", service,
					  p->file, p->line);
	if (ltype != NULL) {
		sec = settings_section_get_or_add(pool, sec, ltype, lname,
						  p->file, p->line);
		path = tmp_printf("service/%s", ltype);
	}
	parser_set_section_key(p, sec, path, key, value, NULL);
}

/* The services a 1.x login_* or mail_* key applied to in this context. */
static const char *const *
legacy_services(struct settings_parser *p, const struct parser_frame *frame,
		bool login, const char *key)
{
	static const char *const login_both[] = { "imap-login", "pop3-login", NULL };
	static const char *const login_imap[] = { "imap-login", NULL };
	static const char *const login_pop3[] = { "pop3-login", NULL };
	static const char *const mail_both[] = { "imap", "pop3", NULL };
	static const char *const mail_imap[] = { "imap", NULL };
	static const char *const mail_pop3[] = { "pop3", NULL };

	if (frame->protocol == NULL)
		return login ? login_both : mail_both;
	if (strcmp(frame->protocol, "imap") == 0)
		return login ? login_imap : mail_imap;
	if (strcmp(frame->protocol, "pop3") == 0)
		return login ? login_pop3 : mail_pop3;
	parser_warning(p, "Obsolete setting %s inside protocol %s { }: "
		       "dovecot-like has no such service; ignored",
		       key, frame->protocol);
	return NULL;
}

static const char *legacy_convert(struct settings_parser *p, const char *key,
				  const char *value, enum legacy_conv conv)
{
	const char *error;
	bool b;

	switch (conv) {
	case CONV_NONE:
		return value;
	case CONV_MB:
		return tmp_printf("%s M", value);
	case CONV_CHROOT:
	case CONV_COUNT:
		if (settings_parse_bool(value, &b, &error) < 0) {
			parser_error(p, "Invalid value for setting %s: %s", key, error);
			return NULL;
		}
		if (conv == CONV_CHROOT)
			return b ? "login" : "";
		return b ? "1" : "0";
	}
	return value;
}

/* "*:143", "[::1]:993", "10.0.0.1:143" -> address and port. Returns false
   if value has no port. */
static bool legacy_split_listen(const char *value, const char **addr_r,
				const char **port_r)
{
	const char *colon = strrchr(value, ':');
	unsigned int port;
	const char *error;

	if (colon == NULL || settings_parse_uint(colon + 1, &port, &error) < 0)
		return false;
	if (value[0] == '[') {
		if (colon[-1] != ']')
			return false;
		*addr_r = tmp_strndup(value + 1, (size_t)(colon - value - 2));
	} else {
		if (strchr(value, ':') != colon)
			return false;	/* "::1" style IPv6 without port */
		*addr_r = tmp_strndup(value, (size_t)(colon - value));
	}
	*port_r = colon + 1;
	return true;
}

static void legacy_listen(struct settings_parser *p, const struct parser_frame *frame,
			  const char *key, const char *value, bool ssl)
{
	const char *addr = value, *port = NULL, *service, *listener;
	bool pop3 = frame->protocol != NULL && strcmp(frame->protocol, "pop3") == 0;

	if (frame->protocol != NULL && !pop3 && strcmp(frame->protocol, "imap") != 0) {
		parser_warning(p, "Obsolete setting %s inside protocol %s { }: "
			       "not supported; ignored", key, frame->protocol);
		return;
	}
	(void)legacy_split_listen(value, &addr, &port);
	service = pop3 ? "pop3-login" : "imap-login";
	listener = pop3 ? (ssl ? "pop3s" : "pop3") : (ssl ? "imaps" : "imap");
	parser_warning(p, "Obsolete setting %s = %s: using service %s { "
		       "inet_listener %s { address = %s%s%s } }", key, value,
		       service, listener, addr, port == NULL ? "" : " port = ",
		       port == NULL ? "" : port);
	legacy_service_set(p, service, "inet_listener", listener, "address", addr);
	if (port != NULL)
		legacy_service_set(p, service, "inet_listener", listener, "port", port);
}

static const char *legacy_protocols(struct settings_parser *p, const char *value)
{
	const char *const *words = tmp_strsplit_spaces(value, " \t,");
	struct str *out = t_str_new(64);
	bool imap = false, imaps = false, pop3 = false, pop3s = false, changed = false;
	unsigned int i;

	for (i = 0; words[i] != NULL; i++) {
		const char *w = words[i];

		if (strcmp(w, "imaps") == 0) {
			imaps = changed = true;
			continue;
		}
		if (strcmp(w, "pop3s") == 0) {
			pop3s = changed = true;
			continue;
		}
		if (strcmp(w, "managesieve") == 0) {
			w = "sieve";
			changed = true;
		}
		if (strcmp(w, "imap") == 0)
			imap = true;
		if (strcmp(w, "pop3") == 0)
			pop3 = true;
		if (str_len(out) > 0)
			str_append_c(out, ' ');
		str_append(out, w);
	}
	if (!changed)
		return value;
	if (imaps && !imap) {
		/* imaps only: the plaintext listener stays off */
		str_append(out, str_len(out) > 0 ? " imap" : "imap");
		legacy_service_set(p, "imap-login", "inet_listener", "imap", "port", "0");
	}
	if (pop3s && !pop3) {
		str_append(out, str_len(out) > 0 ? " pop3" : "pop3");
		legacy_service_set(p, "pop3-login", "inet_listener", "pop3", "port", "0");
	}
	parser_warning(p, "Obsolete value protocols = %s: imaps/pop3s are the ssl "
		       "listeners of imap-login/pop3-login now; using protocols = %s",
		       value, str_c(out));
	return str_c(out);
}

const char *settings_legacy_value(struct settings_parser *p, struct parser_frame *frame,
				  const char *key, const char *value)
{
	const char *addr, *port;

	if (strcmp(key, "protocols") == 0)
		return legacy_protocols(p, value);
	if (strcmp(key, "listen") == 0 &&
	    (frame->protocol != NULL || legacy_split_listen(value, &addr, &port))) {
		legacy_listen(p, frame, key, value, false);
		return NULL;
	}
	if (strcmp(key, "imap_client_workarounds") == 0) {
		const char *const *words = tmp_strsplit_spaces(value, " ");
		struct str *out = t_str_new(64);

		for (; *words != NULL; words++) {
			if (strcmp(*words, "outlook-idle") == 0 ||
			    strcmp(*words, "netscape-eoh") == 0) {
				parser_warning(p, "Obsolete imap_client_workarounds "
					       "value %s: no longer needed; dropped", *words);
				continue;
			}
			if (str_len(out) > 0)
				str_append_c(out, ' ');
			str_append(out, *words);
		}
		return str_c(out);
	}
	if (strcmp(key, "auth_cache_size") == 0 && strcmp(value, "0") != 0 &&
	    value[strspn(value, "0123456789")] == '\0') {
		parser_warning(p, "Obsolete value auth_cache_size = %s: Dovecot 1.x "
			       "meant kilobytes; using %s k", value, value);
		return tmp_printf("%s k", value);
	}
	return value;
}

static const char *legacy_ssl_protocols(const char *value)
{
	/* 1.x/2.2 listed protocols to disable; the lowest one left is the
	   minimum. */
	if (strstr(value, "!TLSv1.1") != NULL)
		return "TLSv1.2";
	if (strstr(value, "!TLSv1") != NULL)
		return "TLSv1.1";
	return "TLSv1";
}

bool settings_legacy_key(struct settings_parser *p, struct parser_frame *frame,
			 const char *key, const char *value)
{
	const struct legacy_key *lk = legacy_key_find(key);
	const char *const *services, *error;
	struct settings_section *sec;
	bool b;

	if (lk == NULL)
		return false;
	switch (lk->kind) {
	case LEGACY_RENAME:
		parser_warning(p, "Obsolete setting %s: using %s", key, lk->arg);
		(void)parser_set_global(p, frame->sec, lk->arg, value, NULL);
		break;
	case LEGACY_FILE: {
		const char *path = value[0] == '<' ? value + 1 : value;
		const char *file_ref = tmp_printf("<%s", path), *data, *note = "";

		if (parser_read_value_file(p, path, &data) < 0) {
			/* 1.x read it only when needed: not fatal here,
			   TLS setup reports the empty value */
			note = tmp_printf(" (can't read the file now: %s)",
					  strerror(errno));
			data = "";
		}
		parser_warning(p, "Obsolete setting %s = %s: using %s = <%s%s",
			       key, value, lk->arg, path, note);
		settings_section_set(p->set->pool, frame->sec, lk->arg, data,
				     p->location, file_ref);
		break;
	}
	case LEGACY_INVERT:
		if (settings_parse_bool(value, &b, &error) < 0) {
			parser_error(p, "Invalid value for setting %s: %s", key, error);
			break;
		}
		parser_warning(p, "Obsolete setting %s = %s: using %s = %s",
			       key, value, lk->arg, b ? "no" : "yes");
		(void)parser_set_global(p, frame->sec, lk->arg, b ? "no" : "yes", NULL);
		break;
	case LEGACY_REMOVED:
		parser_warning(p, "Obsolete setting %s: removed in Dovecot 2%s%s; ignored",
			       key, lk->arg == NULL ? "" : ", ",
			       lk->arg == NULL ? "" : lk->arg);
		break;
	case LEGACY_LOGIN_SERVICE:
	case LEGACY_MAIL_SERVICE:
		services = legacy_services(p, frame, lk->kind == LEGACY_LOGIN_SERVICE, key);
		if (services == NULL || (value = legacy_convert(p, key, value, lk->conv)) == NULL)
			break;
		parser_warning(p, "Obsolete setting %s: using service %s { %s = %s }%s",
			       key, services[0], lk->arg, value,
			       services[1] == NULL ? "" :
			       tmp_printf(" and the same in service %s", services[1]));
		for (; *services != NULL; services++)
			legacy_service_set(p, *services, NULL, NULL, lk->arg, value);
		break;
	case LEGACY_AUTH_SERVICE:
		if ((value = legacy_convert(p, key, value, lk->conv)) == NULL)
			break;
		parser_warning(p, "Obsolete setting %s: using service auth { %s = %s }",
			       key, lk->arg, value);
		legacy_service_set(p, "auth", NULL, NULL, lk->arg, value);
		break;
	case LEGACY_SSL_LISTEN:
		legacy_listen(p, frame, key, value, true);
		break;
	case LEGACY_FSYNC_DISABLE:
		if (settings_parse_bool(value, &b, &error) < 0) {
			parser_error(p, "Invalid value for setting %s: %s", key, error);
			break;
		}
		parser_warning(p, "Obsolete setting %s = %s: using mail_fsync = %s",
			       key, value, b ? "never" : "optimized");
		(void)parser_set_global(p, frame->sec, lk->arg,
					b ? "never" : "optimized", NULL);
		break;
	case LEGACY_SSL_PROTOCOLS:
		parser_warning(p, "Obsolete setting %s = %s: using ssl_min_protocol = %s",
			       key, value, legacy_ssl_protocols(value));
		(void)parser_set_global(p, frame->sec, lk->arg,
					legacy_ssl_protocols(value), NULL);
		break;
	case LEGACY_PLUGIN:
		parser_warning(p, "Obsolete setting %s: using plugin { %s = %s }",
			       key, lk->arg, value);
		sec = settings_section_get_or_add(p->set->pool, p->set->root,
						  "plugin", "", p->file, p->line);
		settings_section_set(p->set->pool, sec, lk->arg, value,
				     p->location, NULL);
		break;
	}
	return true;
}

void settings_legacy_frame_key(struct settings_parser *p, struct parser_frame *frame,
			       const char *key, const char *value)
{
	const char *new_key;

	if (frame->kind == PARSER_FRAME_LEGACY_SOCKET_LISTENER) {
		if (strcmp(key, "path") != 0 && strcmp(key, "mode") != 0 &&
		    strcmp(key, "user") != 0 && strcmp(key, "group") != 0) {
			parser_error(p, "Unknown setting in socket listen %s { }: %s",
				     frame->sec->type, key);
			return;
		}
		settings_section_set(p->set->pool, frame->sec, key, value,
				     p->location, NULL);
		return;
	}
	if (frame->kind == PARSER_FRAME_LEGACY_SOCKET) {
		parser_error(p, "Unknown setting in socket { }: %s", key);
		return;
	}
	/* auth default { } */
	if (strcmp(key, "user") == 0 || strcmp(key, "chroot") == 0 ||
	    strcmp(key, "executable") == 0) {
		parser_warning(p, "Obsolete setting %s in auth { }: using "
			       "service auth { %s = %s }", key, key, value);
		legacy_service_set(p, "auth", NULL, NULL, key, value);
		return;
	}
	if (strcmp(key, "process_size") == 0) {
		parser_warning(p, "Obsolete setting %s in auth { }: using "
			       "service auth { vsz_limit = %s M }", key, value);
		legacy_service_set(p, "auth", NULL, NULL, "vsz_limit",
				   tmp_printf("%s M", value));
		return;
	}
	if (strcmp(key, "count") == 0) {
		parser_warning(p, "Obsolete setting count in auth { }: removed "
			       "(there is one auth process); ignored");
		return;
	}
	/* the prefix rule: mechanisms -> auth_mechanisms,
	   ssl_require_client_cert -> auth_ssl_require_client_cert */
	new_key = tmp_printf("auth_%s", key);
	if (!settings_is_dovecot_key(new_key)) {
		parser_error(p, "Unknown setting in auth { } section: %s", key);
		return;
	}
	parser_warning(p, "Obsolete setting %s in auth { }: using %s", key, new_key);
	value = settings_legacy_value(p, parser_frame_top(p), new_key, value);
	if (value != NULL)
		(void)parser_set_global(p, p->set->root, new_key, value, NULL);
}

bool settings_legacy_section(struct settings_parser *p, const char *type,
			     const char *name)
{
	struct parser_frame *parent = parser_frame_top(p);
	struct settings_section *sec;

	switch (parent->kind) {
	case PARSER_FRAME_ROOT:
		if (strcmp(type, "auth") != 0)
			return false;
		if (p->legacy_auth_seen) {
			parser_error(p, "Only one auth { } section is allowed");
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
			return true;
		}
		parser_warning(p, "Obsolete section auth %s { }: its settings become "
			       "auth_* settings, passdb { }, userdb { } and "
			       "service auth { } (Dovecot 1.x syntax)", name);
		p->legacy_auth_seen = true;
		sec = settings_section_new(p->pool, "auth", name, p->file, p->line);
		(void)parser_frame_push(p, PARSER_FRAME_LEGACY_AUTH, sec, "auth");
		return true;
	case PARSER_FRAME_LEGACY_AUTH:
		if (strcmp(type, "passdb") == 0 || strcmp(type, "userdb") == 0) {
			sec = settings_section_new(p->set->pool, type, "", p->file, p->line);
			settings_section_add_child(p->set->root, sec);
			(void)parser_frame_push(p, PARSER_FRAME_SECTION, sec, type);
			if (name[0] != '\0') {
				parser_warning(p, "Obsolete %s %s { } in auth { }: using "
					       "%s { driver = %s }", type, name, type, name);
				settings_section_set(p->set->pool, sec, "driver", name,
						     p->location, NULL);
			}
			return true;
		}
		if (strcmp(type, "socket") == 0 && strcmp(name, "listen") == 0) {
			sec = settings_section_new(p->pool, "socket", name, p->file, p->line);
			(void)parser_frame_push(p, PARSER_FRAME_LEGACY_SOCKET, sec, "");
			return true;
		}
		if (strcmp(type, "socket") == 0) {
			parser_error(p, "socket %s { } (external auth server) is not "
				     "supported", name);
			(void)parser_frame_push(p, PARSER_FRAME_IGNORE, NULL, "");
			return true;
		}
		return false;
	case PARSER_FRAME_LEGACY_SOCKET:
		if (strcmp(type, "client") != 0 && strcmp(type, "master") != 0)
			return false;
		sec = settings_section_new(p->pool, type, name, p->file, p->line);
		(void)parser_frame_push(p, PARSER_FRAME_LEGACY_SOCKET_LISTENER, sec, "");
		return true;
	default:
		return false;
	}
}

void settings_legacy_section_close(struct settings_parser *p,
				   struct parser_frame *frame)
{
	const char *path, *base_dir, *rel, *location = p->location;
	struct settings_section *sec = frame->sec;
	unsigned int i;

	if (frame->kind != PARSER_FRAME_LEGACY_SOCKET_LISTENER)
		return;
	p->location = tmp_printf("%s:%u", sec->file, sec->line);
	path = settings_section_get(sec, "path");
	if (path == NULL) {
		parser_error(p, "socket listen { %s { } } needs a path", sec->type);
		p->location = location;
		return;
	}
	/* a path under base_dir becomes relative, like 2.3 writes it */
	base_dir = settings_lookup(p->set, NULL, "base_dir");
	if (str_begins(path, base_dir, &rel) && rel[0] == '/')
		path = rel + 1;
	parser_warning(p, "Obsolete socket listen { %s { path = %s } }: using "
		       "service auth { unix_listener %s { } }", sec->type,
		       settings_section_get(sec, "path"), path);
	for (i = 0; i < array_count(&sec->keys); i++) {
		const char *key = *array_idx(&sec->keys, i);

		if (strcmp(key, "path") == 0)
			continue;
		p->location = *array_idx(&sec->key_locations, i);
		legacy_service_set(p, "auth", "unix_listener", path, key,
				   *array_idx(&sec->values, i));
	}
	p->location = location;
}
