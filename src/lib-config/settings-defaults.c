/* Copyright (c) dovecot-like authors. The settings we implement, their types
   and built-in defaults (Dovecot 2.3's defaults unless our design differs), so
   every process agrees on what an unset key means. */
#include "lib.h"
#include "settings-private.h"

#define STR SETTINGS_TYPE_STR
#define BOOL SETTINGS_TYPE_BOOL
#define UINT SETTINGS_TYPE_UINT
#define MODE SETTINGS_TYPE_MODE
#define PORT SETTINGS_TYPE_PORT
#define SIZE SETTINGS_TYPE_SIZE
#define TIME SETTINGS_TYPE_TIME
#define ENUM SETTINGS_TYPE_ENUM
#define ENUMS SETTINGS_TYPE_ENUM_LIST

#define RESULT_VALUES "return-ok return return-fail continue continue-ok continue-fail"

const struct settings_def settings_defs[] = {
	/* master, processes */
	{ "base_dir", STR, "/run/dovecot-like", NULL },
	{ "state_dir", STR, "/var/lib/dovecot-like", NULL },
	{ "instance_name", STR, "dovecot-like", NULL },
	{ "listen", STR, "*, ::", NULL },
	{ "protocols", STR, "imap pop3", NULL },
	{ "default_login_user", STR, "dovenull", NULL },
	{ "default_internal_user", STR, "dovecot", NULL },
	{ "default_internal_group", STR, "dovecot", NULL },
	{ "default_process_limit", UINT, "100", NULL },
	{ "default_client_limit", UINT, "1000", NULL },
	{ "default_vsz_limit", SIZE, "256 M", NULL },
	{ "default_idle_kill", TIME, "1 mins", NULL },
	{ "verbose_proctitle", BOOL, "no", NULL },
	{ "shutdown_clients", BOOL, "yes", NULL },
	{ "version_ignore", BOOL, "no", NULL },
	{ "hostname", STR, "", NULL },
	{ "postmaster_address", STR, "postmaster@%{if;%d;ne;;%d;%{hostname}}", NULL },
	{ "haproxy_trusted_networks", STR, "", NULL },
	{ "haproxy_timeout", TIME, "3 secs", NULL },

	/* logging */
	{ "log_path", STR, "syslog", NULL },
	{ "info_log_path", STR, "", NULL },
	{ "debug_log_path", STR, "", NULL },
	{ "log_timestamp", STR, "%b %d %H:%M:%S ", NULL },
	{ "syslog_facility", STR, "mail", NULL },

	/* auth */
	{ "auth_debug", BOOL, "no", NULL },
	{ "auth_debug_passwords", BOOL, "no", NULL },
	{ "auth_verbose", BOOL, "no", NULL },
	{ "auth_verbose_passwords", STR, "no", NULL },
	{ "auth_mechanisms", STR, "plain", NULL },
	{ "auth_failure_delay", TIME, "2 secs", NULL },
	{ "auth_cache_size", SIZE, "0", NULL },
	{ "auth_cache_ttl", TIME, "1 hours", NULL },
	{ "auth_cache_negative_ttl", TIME, "1 hours", NULL },
	{ "auth_username_format", STR, "%Lu", NULL },
	{ "auth_username_chars", STR,
	  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@", NULL },
	{ "auth_username_translation", STR, "", NULL },
	{ "auth_master_user_separator", STR, "", NULL },
	{ "auth_anonymous_username", STR, "anonymous", NULL },
	{ "auth_realms", STR, "", NULL },
	{ "auth_default_realm", STR, "", NULL },
	{ "auth_worker_max_count", UINT, "30", NULL },
	{ "auth_socket_path", STR, "auth-userdb", NULL },
	{ "auth_ssl_require_client_cert", BOOL, "no", NULL },
	{ "auth_ssl_username_from_cert", BOOL, "no", NULL },
	{ "disable_plaintext_auth", BOOL, "yes", NULL },

	/* mail */
	{ "mail_location", STR, "", NULL },
	{ "mail_home", STR, "", NULL },
	{ "mail_uid", STR, "", NULL },
	{ "mail_gid", STR, "", NULL },
	{ "mail_chroot", STR, "", NULL },
	{ "mail_privileged_group", STR, "", NULL },
	{ "mail_access_groups", STR, "", NULL },
	{ "first_valid_uid", UINT, "500", NULL },
	{ "last_valid_uid", UINT, "0", NULL },
	{ "first_valid_gid", UINT, "1", NULL },
	{ "last_valid_gid", UINT, "0", NULL },
	{ "mail_debug", BOOL, "no", NULL },
	{ "mail_max_userip_connections", UINT, "10", NULL },
	{ "mail_fsync", ENUM, "optimized", "optimized always never" },
	{ "mail_max_keyword_length", UINT, "50", NULL },
	/* the cache file's initial decisions (field names, e.g.
	   imap.bodystructure); unlike Dovecot, imap.envelope is not in
	   mail_never_cache_fields by default: we don't cache the headers an
	   ENVELOPE could be built from */
	{ "mail_cache_fields", STR, "flags", NULL },
	{ "mail_always_cache_fields", STR, "", NULL },
	{ "mail_never_cache_fields", STR, "", NULL },
	/* the largest message APPEND takes (0 = no limit: literals go to
	   disk, never into memory); advertised as APPENDLIMIT */
	{ "quota_mail_size", SIZE, "0", NULL },
	{ "mail_temp_dir", STR, "/tmp", NULL },
	{ "mailbox_idle_check_interval", TIME, "30 secs", NULL },
	{ "lock_method", ENUM, "fcntl", "fcntl flock dotlock" },
	{ "mbox_read_locks", ENUMS, "fcntl", "dotlock dotlock_try fcntl flock" },
	{ "mbox_write_locks", ENUMS, "dotlock fcntl", "dotlock dotlock_try fcntl flock" },
	{ "mbox_lock_timeout", TIME, "5 mins", NULL },
	{ "mbox_dotlock_change_timeout", TIME, "2 mins", NULL },
	{ "mbox_lazy_writes", BOOL, "yes", NULL },
	{ "maildir_very_dirty_syncs", BOOL, "no", NULL },
	{ "maildir_copy_with_hardlinks", BOOL, "yes", NULL },

	/* imap */
	{ "imap_max_line_length", SIZE, "64 k", NULL },
	{ "imap_capability", STR, "", NULL },
	{ "imap_idle_notify_interval", TIME, "2 mins", NULL },
	{ "imap_client_workarounds", SETTINGS_TYPE_WORKAROUNDS, "",
	  "delay-newmail tb-extra-mailbox-sep tb-lsub-flags" },
	{ "imap_logout_format", STR,
	  "in=%i out=%o deleted=%{deleted} expunged=%{expunged} "
	  "trashed=%{trashed} hdr_count=%{fetch_hdr_count} "
	  "hdr_bytes=%{fetch_hdr_bytes} body_count=%{fetch_body_count} "
	  "body_bytes=%{fetch_body_bytes}", NULL },
	{ "imap_id_send", STR, "name *", NULL },
	{ "imap_id_log", STR, "", NULL },
	{ "imap_literal_minus", BOOL, "no", NULL },

	/* pop3 */
	{ "pop3_uidl_format", STR, "%08Xu%08Xv", NULL },
	{ "pop3_logout_format", STR, "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s", NULL },
	{ "pop3_client_workarounds", SETTINGS_TYPE_WORKAROUNDS, "",
	  "outlook-no-nuls oe-ns-eoh" },
	{ "pop3_lock_session", BOOL, "no", NULL },
	{ "pop3_reuse_xuidl", BOOL, "no", NULL },
	{ "pop3_enable_last", BOOL, "no", NULL },
	{ "pop3_no_flag_updates", BOOL, "no", NULL },

	/* login */
	{ "login_greeting", STR, "Dovecot ready.", NULL },
	{ "login_trusted_networks", STR, "", NULL },
	/* ours (Dovecot hard-codes 3 min): the whole pre-login phase, from
	   connect to login, input or not, so a slowloris is cut off too */
	{ "login_timeout", TIME, "3 mins", NULL },
	{ "login_log_format_elements", STR,
	  "user=<%u> method=%m rip=%r lip=%l mpid=%e %c session=<%{session}>", NULL },
	{ "login_log_format", STR, "%$: %s", NULL },

	/* ssl */
	{ "ssl", ENUM, "yes", "yes no required" },
	{ "ssl_cert", STR, "", NULL },
	{ "ssl_key", STR, "", NULL },
	{ "ssl_key_password", STR, "", NULL },
	{ "ssl_ca", STR, "", NULL },
	{ "ssl_dh", STR, "", NULL },
	{ "ssl_min_protocol", STR, "TLSv1.2", NULL },
	{ "ssl_cipher_list", STR,
	  "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:"
	  "!RC4:!ADH:!LOW@STRENGTH", NULL },
	{ "ssl_cipher_suites", STR, "", NULL },
	{ "ssl_curve_list", STR, "", NULL },
	{ "ssl_prefer_server_ciphers", BOOL, "no", NULL },
	{ "ssl_verify_client_cert", BOOL, "no", NULL },
	{ "ssl_cert_username_field", STR, "commonName", NULL },
	{ "ssl_require_crl", BOOL, "yes", NULL },
	{ "verbose_ssl", BOOL, "no", NULL },

	/* service { } and its listeners (defaults: settings-services.c) */
	{ "service/executable", STR, NULL, NULL },
	{ "service/user", STR, NULL, NULL },
	{ "service/group", STR, NULL, NULL },
	{ "service/chroot", STR, NULL, NULL },
	{ "service/protocol", STR, NULL, NULL },
	{ "service/process_min_avail", UINT, NULL, NULL },
	{ "service/process_limit", UINT, NULL, NULL },
	{ "service/client_limit", UINT, NULL, NULL },
	{ "service/service_count", UINT, NULL, NULL },
	{ "service/idle_kill", TIME, NULL, NULL },
	{ "service/vsz_limit", SIZE, NULL, NULL },
	{ "service/unix_listener/mode", MODE, NULL, NULL },
	{ "service/unix_listener/user", STR, NULL, NULL },
	{ "service/unix_listener/group", STR, NULL, NULL },
	{ "service/inet_listener/address", STR, NULL, NULL },
	{ "service/inet_listener/port", PORT, NULL, NULL },
	{ "service/inet_listener/ssl", BOOL, NULL, NULL },
	{ "service/inet_listener/haproxy", BOOL, NULL, NULL },
	{ "service/inet_listener/reuse_port", BOOL, NULL, NULL },

	/* passdb { } / userdb { }: read by the auth process */
	{ "passdb/driver", STR, NULL, NULL },
	{ "passdb/args", STR, NULL, NULL },
	{ "passdb/default_fields", STR, NULL, NULL },
	{ "passdb/override_fields", STR, NULL, NULL },
	{ "passdb/deny", BOOL, NULL, NULL },
	{ "passdb/master", BOOL, NULL, NULL },
	{ "passdb/pass", BOOL, NULL, NULL },
	{ "passdb/skip", ENUM, NULL, "never authenticated unauthenticated" },
	{ "passdb/result_success", ENUM, NULL, RESULT_VALUES },
	{ "passdb/result_failure", ENUM, NULL, RESULT_VALUES },
	{ "passdb/result_internalfail", ENUM, NULL, RESULT_VALUES },
	{ "passdb/mechanisms", STR, NULL, NULL },
	{ "passdb/username_filter", STR, NULL, NULL },
	{ "passdb/name", STR, NULL, NULL },
	{ "passdb/auth_verbose", STR, NULL, NULL },
	{ "userdb/driver", STR, NULL, NULL },
	{ "userdb/args", STR, NULL, NULL },
	{ "userdb/default_fields", STR, NULL, NULL },
	{ "userdb/override_fields", STR, NULL, NULL },
	{ "userdb/skip", ENUM, NULL, "never found notfound" },
	{ "userdb/result_success", ENUM, NULL, RESULT_VALUES },
	{ "userdb/result_failure", ENUM, NULL, RESULT_VALUES },
	{ "userdb/result_internalfail", ENUM, NULL, RESULT_VALUES },
	{ "userdb/name", STR, NULL, NULL },
	{ "userdb/auth_verbose", STR, NULL, NULL },

	/* namespace { mailbox { } }: read by lib-storage */
	{ "namespace/type", ENUM, NULL, "private shared public" },
	{ "namespace/separator", STR, NULL, NULL },
	{ "namespace/prefix", STR, NULL, NULL },
	{ "namespace/location", STR, NULL, NULL },
	{ "namespace/inbox", BOOL, NULL, NULL },
	{ "namespace/hidden", BOOL, NULL, NULL },
	{ "namespace/list", ENUM, NULL, "yes no children" },
	{ "namespace/subscriptions", BOOL, NULL, NULL },
	{ "namespace/alias_for", STR, NULL, NULL },
	{ "namespace/ignore_on_failure", BOOL, NULL, NULL },
	{ "namespace/disabled", BOOL, NULL, NULL },
	{ "namespace/order", UINT, NULL, NULL },
	{ "namespace/mailbox/special_use", STR, NULL, NULL },
	{ "namespace/mailbox/auto", ENUM, NULL, "no create subscribe" },
	{ "namespace/mailbox/autoexpunge", TIME, NULL, NULL },
	{ "namespace/mailbox/autoexpunge_max_mails", UINT, NULL, NULL },
	{ "namespace/mailbox/comment", STR, NULL, NULL },
	{ "namespace/mailbox/driver", STR, NULL, NULL },
};
const unsigned int settings_defs_count = N_ELEMENTS(settings_defs);

const struct settings_def *settings_def_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < settings_defs_count; i++) {
		if (strcmp(settings_defs[i].name, name) == 0)
			return &settings_defs[i];
	}
	return NULL;
}
