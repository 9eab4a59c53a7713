/* Copyright (c) dovecot-like authors. The post-login bootstrap shared by the
   imap and pop3 workers: one handoff from login, verified by a one-use
   auth-master REQUEST, then the privilege drop and the user's storage. */
#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "fdpass.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "base64.h"
#include "var-expand.h"
#include "login-handoff.h"
#include "restrict-access.h"
#include "process-title.h"
#include "master-service.h"
#include "auth-master.h"
#include "anvil-client.h"
#include "mail-storage.h"
#include "mail-storage-service.h"
#include "mail-namespace.h"
#include "mbox-lock.h"

#include <unistd.h>
#include <stdlib.h>
#include <pwd.h>
#include <grp.h>
#include <sys/random.h>

struct mss_bootstrap {
	struct pool *pool;
	struct master_service *service;
	const char *protocol;
	mail_storage_service_client_callback_t *callback;
	void *context;

	unsigned int listener_idx;
	int listen_fd;
	struct io *io_listen;

	int conn_fd;		/* the login process's handoff connection */
	struct io *io_conn;
	struct timeout *to;
	unsigned char *buf;
	size_t buf_used;
	int client_fd;

	struct login_handoff handoff;
};

/* One bootstrap per process: a worker serves one user. */
static struct mss_bootstrap *mss = NULL;
/* The anvil registration of this session: open until the process exits. */
static int mss_anvil_fd = -1;

static void mss_reply_login(const char *line)
{
	size_t len = strlen(line);
	ssize_t ret;

	if (mss->conn_fd == -1)
		return;
	/* A few bytes on a fresh unix socket: the send buffer takes them. */
	ret = write(mss->conn_fd, line, len);
	if (ret < 0 && errno == EPIPE) {
		/* the login process stopped (server shutdown) after our
		   client got its reply: the session itself is fine */
		return;
	}
	if (ret < 0)
		log_error("write(login handoff reply) failed: %m");
	else if ((size_t)ret != len)
		log_error("write(login handoff reply) was truncated");
}

static void ATTR_NORETURN ATTR_FORMAT(2, 3)
mss_fail(const char *client_reason, const char *fmt, ...)
{
	struct str *line = t_str_new(128);
	va_list args;

	va_start(args, fmt);
	log_write(LOG_LEVEL_ERROR, fmt, args);
	va_end(args);

	str_append(line, "FAIL\t");
	str_append_tabescaped(line, client_reason);
	str_append_c(line, '\n');
	mss_reply_login(str_c(line));
	if (mss->client_fd != -1)
		close(mss->client_fd);
	if (mss->conn_fd != -1)
		close(mss->conn_fd);
	/* A failed login is not a crash of the service: exit quietly. */
	exit(0);
}

static void mss_timeout(void *context ATTR_UNUSED)
{
	mss->to = NULL;
	if (mss->client_fd == -1)
		mss_fail("Handoff timed out",
			 "Login process sent no complete handoff in %u secs",
			 MAIL_STORAGE_SERVICE_HANDOFF_TIMEOUT_MSECS / 1000);
	mss_fail("Auth timed out",
		 "auth-master REQUEST got no reply in %u secs",
		 MAIL_STORAGE_SERVICE_AUTH_TIMEOUT_MSECS / 1000);
}

static const char *mss_field(const char *const *fields, const char *key)
{
	size_t key_len = strlen(key);

	for (; fields != NULL && *fields != NULL; fields++) {
		if (strncmp(*fields, key, key_len) == 0 && (*fields)[key_len] == '=')
			return *fields + key_len + 1;
	}
	return NULL;
}

static int mss_parse_uid(const char *str, uid_t *uid_r)
{
	unsigned int num;
	gid_t gid;

	if (str_to_uint(str, &num) == 0) {
		*uid_r = (uid_t)num;
		return 0;
	}
	return restrict_lookup_user(str, uid_r, &gid);
}

static int mss_parse_gid(const char *str, gid_t *gid_r)
{
	unsigned int num;
	struct group *gr;

	if (str_to_uint(str, &num) == 0) {
		*gid_r = (gid_t)num;
		return 0;
	}
	gr = getgrnam(str);
	if (gr == NULL)
		return -1;
	*gid_r = gr->gr_gid;
	return 0;
}

/* Dovecot semantics: first_valid_* inclusive, last_valid_* 0 = no limit.
   Root is never a mail user. */
static void mss_check_ids(const char *user, uid_t uid, gid_t gid)
{
	const struct settings *set = mss->service->set;
	unsigned int first_uid, last_uid, first_gid, last_gid;

	first_uid = settings_get_uint(set, mss->protocol, "first_valid_uid");
	last_uid = settings_get_uint(set, mss->protocol, "last_valid_uid");
	first_gid = settings_get_uint(set, mss->protocol, "first_valid_gid");
	last_gid = settings_get_uint(set, mss->protocol, "last_valid_gid");

	if (uid == 0 || uid < first_uid || (last_uid != 0 && uid > last_uid)) {
		mss_fail("Internal error",
			 "user %s: Mail access for users with UID %u not permitted "
			 "(see first_valid_uid in config file, uid from userdb lookup).",
			 user, (unsigned int)uid);
	}
	if (gid < first_gid || (last_gid != 0 && gid > last_gid)) {
		mss_fail("Internal error",
			 "user %s: Mail access for users with GID %u not permitted "
			 "(see first_valid_gid in config file, gid from userdb lookup).",
			 user, (unsigned int)gid);
	}
}

/* The name to initgroups() with: the userdb's system_groups_user, else the
   user itself if it is the system user with this uid, else none (only gid). */
static const char *mss_groups_user(const char *user, const char *const *fields,
				   uid_t uid)
{
	const char *name = mss_field(fields, "system_groups_user");
	uid_t sys_uid;
	gid_t sys_gid;

	if (name != NULL && *name != '\0')
		return name;
	if (restrict_lookup_user(user, &sys_uid, &sys_gid) == 0 && sys_uid == uid)
		return user;
	return NULL;
}

static const char *mss_session_id(void)
{
	unsigned char rand[9];
	struct buf *dest;

	if (getrandom(rand, sizeof(rand), 0) != (ssize_t)sizeof(rand)) {
		/* not secret, only a log correlation id */
		for (unsigned int i = 0; i < sizeof(rand); i++)
			rand[i] = (unsigned char)(getpid() >> (i % 4) * 8) ^
				(unsigned char)ioloop_time;
	}
	dest = buf_create(mss->pool, BASE64_ENCODED_SIZE(sizeof(rand)) + 1);
	base64_encode(rand, sizeof(rand), dest);
	return p_strndup(mss->pool, dest->data, dest->used);
}

static const char *
mss_expand_location(const char *location, const char *user, const char *home,
		    const char *session)
{
	const char *at = strchr(user, '@');
	const char *n = at == NULL ? user : tmp_strndup(user, (size_t)(at - user));
	const char *d = at == NULL ? "" : at + 1;
	const char *pid = tmp_printf("%ld", (long)getpid());
	const char *lip = net_ip2addr(&mss->handoff.local_ip);
	const char *rip = net_ip2addr(&mss->handoff.remote_ip);
	const struct var_expand_table table[] = {
		{ 'u', user, "user" },
		{ 'n', n, "username" },
		{ 'd', d, "domain" },
		{ 'h', home, "home" },
		{ 's', mss->protocol, "service" },
		{ 'l', lip, "local_ip" },
		{ 'r', rip, "remote_ip" },
		{ 'p', pid, "pid" },
		{ '\0', session, "session" },
		{ '\0', NULL, NULL },
	};
	struct str *dest = t_str_new(128);
	const char *error;
	int ret;

	ret = var_expand(dest, location, table, &error);
	if (ret < 0) {
		mss_fail("Internal error", "user %s: Invalid mail location '%s': %s",
			 user, location, error);
	}
	if (ret == 0) {
		log_warning("user %s: mail location '%s': %s", user, location,
			    error);
	}
	return p_strdup(mss->pool, str_c(dest));
}

static void mss_chdir_home(const char *home)
{
	if (home == NULL) {
		if (chdir("/") < 0)
			log_error("chdir(/) failed: %m");
		return;
	}
	if (chdir(home) == 0)
		return;
	if (errno == EACCES)
		mss_fail("Internal error", "chdir(%s) failed: %m (euid=%u egid=%u)",
			 home, (unsigned int)geteuid(), (unsigned int)getegid());
	if (errno != ENOENT)
		log_error("chdir(%s) failed: %m", home);
	/* a missing home is created by the storage when it needs it */
	if (chdir("/") < 0)
		log_error("chdir(/) failed: %m");
}

/* A lock method list from the config; a bad one fails the login with the
   config's file:line (the config parser only knows it as a string). */
static const char *mss_lock_methods(const char *user, const char *key)
{
	enum mbox_lock_method methods[MBOX_LOCK_MAX_METHODS];
	const char *value, *where, *error;
	unsigned int count;

	value = settings_get(mss->service->set, mss->protocol, key);
	if (mbox_lock_methods_parse(value, methods, &count, &error) < 0) {
		where = settings_get_location(mss->service->set, mss->protocol,
					      key);
		mss_fail("Internal error", "user %s: %s%sInvalid %s = %s: %s",
			 user, where == NULL ? "" : where,
			 where == NULL ? "" : ": ", key, value, error);
	}
	return p_strdup(mss->pool, value);
}

/* Seconds, rounding sub-second values up so "500 ms" still waits. */
static unsigned int mss_get_secs(const char *key)
{
	unsigned int msecs = settings_get_msecs(mss->service->set,
						mss->protocol, key);

	return msecs / 1000 + (msecs % 1000 != 0 ? 1 : 0);
}

static void mss_mbox_settings(const char *user,
			      struct mail_user_mbox_settings *set_r)
{
	mail_user_mbox_settings_default(set_r);
	set_r->read_locks = mss_lock_methods(user, "mbox_read_locks");
	set_r->write_locks = mss_lock_methods(user, "mbox_write_locks");
	set_r->lock_timeout_secs = mss_get_secs("mbox_lock_timeout");
	set_r->dotlock_change_timeout_secs =
		mss_get_secs("mbox_dotlock_change_timeout");
	set_r->lazy_writes = settings_get_bool(mss->service->set, mss->protocol,
					       "mbox_lazy_writes");
}

/* mail_privileged_group's gid, looked up while still root: (gid_t)-1 if
   unset or if it is the user's own gid anyway. Root's group is refused:
   it would make every dotlock creation a root-group operation. */
static gid_t mss_privileged_gid(const char *user, gid_t gid)
{
	const char *name = settings_get(mss->service->set, mss->protocol,
					"mail_privileged_group");
	gid_t priv_gid;

	if (*name == '\0')
		return (gid_t)-1;
	if (!mss->service->privileged) {
		log_debug("mail_privileged_group = %s ignored: "
			  "unprivileged mode can't switch groups", name);
		return (gid_t)-1;
	}
	if (mss_parse_gid(name, &priv_gid) < 0) {
		mss_fail("Internal error", "user %s: mail_privileged_group: "
			 "unknown group name: %s", user, name);
	}
	if (priv_gid == 0) {
		mss_fail("Internal error", "user %s: mail_privileged_group "
			 "= %s: the root group is not allowed", user, name);
	}
	return priv_gid == gid ? (gid_t)-1 : priv_gid;
}

static void mss_become_user(const char *user, const char *const *fields,
			    uid_t *uid_r, gid_t *gid_r, gid_t *priv_gid_r)
{
	const char *uid_str = mss_field(fields, "uid");
	const char *gid_str = mss_field(fields, "gid");
	uid_t uid = 0;
	gid_t gid = 0;

	/* Dovecot: a userdb without uid/gid falls back to mail_uid/mail_gid */
	if (uid_str == NULL || *uid_str == '\0')
		uid_str = settings_get(mss->service->set, mss->protocol, "mail_uid");
	if (gid_str == NULL || *gid_str == '\0')
		gid_str = settings_get(mss->service->set, mss->protocol, "mail_gid");
	if (uid_str != NULL && *uid_str == '\0')
		uid_str = NULL;
	if (gid_str != NULL && *gid_str == '\0')
		gid_str = NULL;

	if (uid_str != NULL && mss_parse_uid(uid_str, &uid) < 0)
		mss_fail("Internal error", "user %s: userdb returned invalid uid=%s",
			 user, uid_str);
	if (gid_str != NULL && mss_parse_gid(gid_str, &gid) < 0)
		mss_fail("Internal error", "user %s: userdb returned invalid gid=%s",
			 user, gid_str);

	if (mss->service->privileged) {
		if (uid_str == NULL)
			mss_fail("Internal error",
				 "user %s: userdb returned no uid "
				 "(and mail_uid is not set)", user);
		if (gid_str == NULL)
			mss_fail("Internal error",
				 "user %s: userdb returned no gid "
				 "(and mail_gid is not set)", user);
		mss_check_ids(user, uid, gid);
		*priv_gid_r = mss_privileged_gid(user, gid);
		if (*priv_gid_r == (gid_t)-1) {
			restrict_access(uid, gid,
					mss_groups_user(user, fields, uid), NULL);
		} else {
			restrict_access_keep_gid(uid, gid,
				mss_groups_user(user, fields, uid), NULL,
				*priv_gid_r);
		}
	} else {
		/* Unprivileged mode: the whole server runs as the invoking user,
		   which can only serve mail that belongs to it. */
		if (uid_str != NULL && uid != getuid()) {
			mss_fail("Internal error",
				 "user %s: userdb uid=%u differs from our uid %u, "
				 "and we cannot switch users in unprivileged mode "
				 "(DLIKE_PRIVILEGED=0)", user, (unsigned int)uid,
				 (unsigned int)getuid());
		}
		uid = getuid();
		if (gid_str == NULL || gid != getgid())
			gid = getgid();
		if (uid == 0)
			mss_fail("Internal error", "user %s: refusing to serve mail "
				 "as root in unprivileged mode", user);
		if (uid_str != NULL)
			mss_check_ids(user, uid, gid);
		*priv_gid_r = mss_privileged_gid(user, gid);
		restrict_access(uid, gid, NULL, NULL);
	}
	*uid_r = uid;
	*gid_r = gid;
}

/* mail_max_userip_connections was reached: refuse the session the way
   Dovecot does. The login process words the reply (it owns the TLS layer,
   and the client must get exactly one answer) and logs the disconnect, so
   we only tell it why, close our copy of the client and exit. */
static void ATTR_NORETURN
mss_refuse_userip(unsigned int limit)
{
	const char *reason = tmp_printf("Maximum number of connections from "
		"user+IP exceeded (mail_max_userip_connections=%u)", limit);

	if (mss->conn_fd != -1 &&
	    login_handoff_reply_refused(mss->conn_fd, reason) < 0)
		log_error("write(login handoff reply) failed: %m");
	close(mss->client_fd);
	close(mss->conn_fd);
	exit(0);
}

/* Register the session with anvil while still privileged (the socket is
   0600). An unreachable anvil is logged and the login allowed: a dead
   anvil must not lock everyone out. */
static void mss_anvil_register(const char *user)
{
	const struct settings *set = mss->service->set;
	unsigned int limit = settings_get_uint(set, mss->protocol,
					       "mail_max_userip_connections");
	const char *path = tmp_printf("%s/anvil",
				      settings_get(set, NULL, "base_dir"));
	const char *rip = net_ip2addr(&mss->handoff.remote_ip);
	const char *error;
	unsigned int count;

	switch (anvil_client_connect(path, mss->protocol, rip, user, limit,
				     ANVIL_CLIENT_TIMEOUT_MSECS, &mss_anvil_fd,
				     &count, &error)) {
	case ANVIL_CLIENT_RESULT_OK:
		break;
	case ANVIL_CLIENT_RESULT_FULL:
		mss_refuse_userip(limit);
	case ANVIL_CLIENT_RESULT_ERROR:
		log_error("user %s: anvil: %s (login allowed without the "
			  "mail_max_userip_connections check)", user, error);
		break;
	}
}

/* The config's namespaces in their own pool (handed to the user). NULL
   with *error_r on a configuration error. */
static struct mail_namespaces *mss_namespaces(const char **error_r)
{
	struct pool *pool = pool_create("namespaces", 1024, POOL_FLAG_NONE);
	struct mail_namespaces *nss;

	nss = mail_namespaces_from_settings(pool, mss->service->set, error_r);
	if (nss == NULL)
		pool_unref(&pool);
	return nss;
}

static void mss_auth_callback(enum auth_master_result result, const char *user,
			      const char *const *fields, const char *error,
			      void *context ATTR_UNUSED)
{
	const struct login_handoff *h = &mss->handoff;
	struct mail_storage_service_client client;
	struct mail_user_settings uset;
	struct mail_user_mbox_settings mbox_set;
	struct mail_namespaces *nss;
	const char *home, *location, *session, *rip, *const *fields_copy;
	const char *create_error;
	unsigned int i, count;
	const char **copy;

	timeout_remove(&mss->to);
	if (result != AUTH_MASTER_RESULT_OK || user == NULL || *user == '\0') {
		mss_fail("Authentication failed",
			 "auth-master REQUEST for %s (auth pid %ld id %u) failed: %s",
			 h->user, (long)h->auth_pid, h->auth_id,
			 error != NULL ? error :
			 result == AUTH_MASTER_RESULT_NOTFOUND ? "user not found" :
			 "request not found or already used");
	}
	user = p_strdup(mss->pool, user);
	count = fields == NULL ? 0 : str_array_length(fields);
	copy = pool_new(mss->pool, const char *, count + 1);
	for (i = 0; i < count; i++)
		copy[i] = p_strdup(mss->pool, fields[i]);
	fields_copy = copy;

	home = mss_field(fields_copy, "home");
	if (home != NULL && *home == '\0')
		home = NULL;
	if (home != NULL && home[0] != '/')
		mss_fail("Internal error",
			 "user %s: Relative home directory paths not supported: %s",
			 user, home);
	location = mss_field(fields_copy, "mail");
	if (location == NULL || *location == '\0')
		location = settings_get(mss->service->set, mss->protocol,
					"mail_location");
	if (location == NULL || *location == '\0')
		mss_fail("Internal error", "user %s: mail_location not set and "
			 "userdb returned no mail field", user);

	mss_anvil_register(user);
	memset(&uset, 0, sizeof(uset));
	mss_mbox_settings(user, &mbox_set);
	mss_become_user(user, fields_copy, &uset.uid, &uset.gid,
			&mbox_set.privileged_gid);
	uset.mbox = &mbox_set;
	uset.cache_fields = settings_get(mss->service->set, mss->protocol,
					 "mail_cache_fields");
	uset.always_cache_fields = settings_get(mss->service->set,
		mss->protocol, "mail_always_cache_fields");
	uset.never_cache_fields = settings_get(mss->service->set,
		mss->protocol, "mail_never_cache_fields");
	mss_chdir_home(home);

	session = mss_session_id();
	rip = net_ip2addr(&h->remote_ip);
	log_set_prefix(tmp_printf("%s(%s)<%ld><%s>", mss->protocol, user,
				  (long)getpid(), session));
	process_title_set(tmp_printf("dovecot-like/%s [%s %s]", mss->protocol,
				     user, rip));

	uset.username = user;
	uset.home = home;
	uset.mail_location = mss_expand_location(location, user,
						 home == NULL ? "" : home, session);
	memset(&client, 0, sizeof(client));
	if (mail_user_create(&uset, &client.mail_user, &create_error) < 0)
		mss_fail("Internal error", "Couldn't open mail storage: %s",
			 create_error);
	nss = mss_namespaces(&create_error);
	if (nss == NULL) {
		mail_user_unref(&client.mail_user);
		mss_fail("Internal error", "user %s: %s", user, create_error);
	}
	/* auto = create/subscribe mailboxes: created when first opened
	   (mail-namespace-auto.h), never at login */
	mail_user_set_namespaces(client.mail_user, nss);

	client.pool = mss->pool;
	client.service = mss->service;
	client.fd = mss->client_fd;
	client.handoff = h;
	client.username = user;
	client.session_id = session;
	client.userdb_fields = fields_copy;
	if (mss->callback(&client, mss->context) < 0) {
		/* the callback owns the user and the fd now and cleaned up */
		mss->client_fd = -1;
		mss_fail("Internal error", "Couldn't start the %s session",
			 mss->protocol);
	}
	/* The session has its success reply queued: login may let go. */
	mss_reply_login(tmp_printf("OK\t%ld\n", (long)getpid()));
	close(mss->conn_fd);
	mss->conn_fd = -1;
	mss->client_fd = -1;
	mss = NULL;	/* its pool now belongs to the session */
}

static void mss_handoff_received(const char *line, size_t len)
{
	struct login_handoff *h = &mss->handoff;
	const char *error, *path;

	if (login_handoff_parse(mss->pool, line, len, h, &error) < 0)
		mss_fail("Invalid handoff", "Invalid login handoff: %s", error);
	if (strcmp(h->protocol, mss->protocol) != 0)
		mss_fail("Wrong protocol", "Login handoff is for protocol %s, "
			 "we serve %s", h->protocol, mss->protocol);
	if (mss->client_fd == -1)
		mss_fail("No client fd", "Login handoff came without a client fd");
	fd_set_nonblock(mss->client_fd, true);
	fd_close_on_exec(mss->client_fd, true);
	if (h->input_len > LOGIN_HANDOFF_MAX_INPUT)
		mss_fail("Invalid handoff", "Login handoff pre-read input too "
			 "large (%zu bytes)", h->input_len);

	path = p_printf(mss->pool, "%s/auth-master",
			settings_get(mss->service->set, NULL, "base_dir"));
	mss->to = timeout_add(MAIL_STORAGE_SERVICE_AUTH_TIMEOUT_MSECS,
			      mss_timeout, NULL);
	auth_master_request(path, h->auth_pid, h->auth_id, h->cookie,
			    mss_auth_callback, NULL);
}

static void mss_conn_input(void *context ATTR_UNUSED)
{
	const unsigned char *nl;
	ssize_t ret;
	int fd = -1;

	ret = fd_read(mss->conn_fd, mss->buf + mss->buf_used,
		      LOGIN_HANDOFF_MAX_SIZE - mss->buf_used, &fd);
	if (fd != -1) {
		if (mss->client_fd != -1) {
			close(fd);
			mss_fail("Invalid handoff", "Login handoff sent two fds");
		}
		mss->client_fd = fd;
	}
	if (ret < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		mss_fail("Read error", "read(login handoff) failed: %m");
	}
	if (ret == 0)
		mss_fail("Disconnected", "Login process disconnected before "
			 "sending a complete handoff");
	nl = memchr(mss->buf + mss->buf_used, '\n', (size_t)ret);
	mss->buf_used += (size_t)ret;
	if (nl == NULL) {
		if (mss->buf_used >= LOGIN_HANDOFF_MAX_SIZE)
			mss_fail("Invalid handoff", "Login handoff too large");
		return;
	}
	if ((size_t)(nl - mss->buf) + 1 != mss->buf_used)
		mss_fail("Invalid handoff", "Login handoff has trailing data");

	io_remove(&mss->io_conn);
	timeout_remove(&mss->to);
	mss->buf[mss->buf_used - 1] = '\0';
	mss_handoff_received((const char *)mss->buf, mss->buf_used - 1);
}

static void mss_listen_input(void *context ATTR_UNUSED)
{
	int fd;

	fd = net_accept(mss->listen_fd, NULL, NULL);
	if (fd == -1)
		return;	/* another idle worker took it */
	if (fd < 0) {
		log_error("accept(%s) failed: %m",
			  mss->service->listeners[mss->listener_idx].name);
		return;
	}
	mss->conn_fd = fd;

	/* One client per worker: let master start the next idle one now. */
	io_remove(&mss->io_listen);
	if (close(mss->listen_fd) < 0)
		log_error("close(listener) failed: %m");
	mss->service->listeners[mss->listener_idx].fd = -1;
	mss->listen_fd = -1;
	master_service_send_status(mss->service, "BUSY");

	mss->buf = p_malloc(mss->pool, LOGIN_HANDOFF_MAX_SIZE + 1);
	mss->to = timeout_add(MAIL_STORAGE_SERVICE_HANDOFF_TIMEOUT_MSECS,
			      mss_timeout, NULL);
	mss->io_conn = io_add(mss->conn_fd, IO_READ, mss_conn_input, NULL);
}

static bool mss_find_listener(struct master_service *service,
			      const char *protocol, unsigned int *idx_r)
{
	const char *want = tmp_printf("login/%s", protocol);
	size_t want_len = strlen(want);
	unsigned int i, first_unix = UINT32_MAX;

	for (i = 0; i < service->listener_count; i++) {
		const char *name = service->listeners[i].name;
		size_t len = strlen(name);

		if (!service->listeners[i].is_unix || service->listeners[i].fd < 0)
			continue;
		if (first_unix == UINT32_MAX)
			first_unix = i;
		if (len >= want_len && strcmp(name + len - want_len, want) == 0 &&
		    (len == want_len || name[len - want_len - 1] == '/')) {
			*idx_r = i;
			return true;
		}
	}
	if (first_unix == UINT32_MAX)
		return false;
	*idx_r = first_unix;
	return true;
}

void mail_storage_service_stop(void)
{
	if (mss == NULL)
		return;	/* not started, or the session has taken over */
	if (mss->conn_fd != -1) {
		/* a login is half-way: tell the login process, then exit */
		mss_fail("Server shutting down",
			 "Shutting down during a login handoff");
	}
	io_remove(&mss->io_listen);
}

void mail_storage_service_start(struct master_service *service,
				const char *protocol,
				mail_storage_service_client_callback_t *callback,
				void *context)
{
	struct pool *pool;
	unsigned int idx;

	ASSERT(mss == NULL);
	if (!mss_find_listener(service, protocol, &idx))
		log_fatal("No login/%s unix listener inherited from master",
			  protocol);

	pool = pool_create("mail storage service", 4096, POOL_FLAG_NONE);
	mss = pool_new(pool, struct mss_bootstrap, 1);
	mss->pool = pool;
	mss->service = service;
	mss->protocol = p_strdup(pool, protocol);
	mss->callback = callback;
	mss->context = context;
	mss->listener_idx = idx;
	mss->listen_fd = service->listeners[idx].fd;
	mss->conn_fd = -1;
	mss->client_fd = -1;
	fd_set_nonblock(mss->listen_fd, true);
	mss->io_listen = io_add(mss->listen_fd, IO_READ, mss_listen_input, NULL);
}
