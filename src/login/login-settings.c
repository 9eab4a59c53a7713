/* Copyright (c) dovecot-like authors. Reads the settings a login process
   needs once at start-up into a plain struct, so the hot paths never look
   keys up, and decides which client addresses count as trusted. */

#include "lib.h"
#include "net.h"
#include "strfuncs.h"
#include "settings.h"
#include "login-common.h"

#include <stdlib.h>

struct login_settings login_set;

void login_settings_read(const struct settings *set, const char *service_name,
			 struct login_settings *set_r)
{
	const char *protocol = login_binary->protocol;
	const struct settings_section *service;
	const char *value;
	uoff_t max_line;
	unsigned int uint_value;

	memset(set_r, 0, sizeof(*set_r));
	set_r->greeting = settings_get(set, protocol, "login_greeting");
	set_r->disable_plaintext_auth =
		settings_get_bool(set, protocol, "disable_plaintext_auth");
	value = settings_get(set, protocol, "ssl");
	if (strcmp(value, "no") == 0)
		set_r->ssl = LOGIN_SSL_NO;
	else if (strcmp(value, "required") == 0)
		set_r->ssl = LOGIN_SSL_REQUIRED;
	else
		set_r->ssl = LOGIN_SSL_YES;
	set_r->auth_ssl_require_client_cert =
		settings_get_bool(set, protocol, "auth_ssl_require_client_cert");
	set_r->auth_ssl_username_from_cert =
		settings_get_bool(set, protocol, "auth_ssl_username_from_cert");
	/* like Dovecot: requiring a cert (or a name from it) means asking
	   for one */
	set_r->ssl_verify_client_cert =
		settings_get_bool(set, protocol, "ssl_verify_client_cert") ||
		set_r->auth_ssl_require_client_cert ||
		set_r->auth_ssl_username_from_cert;
	set_r->trusted_networks = settings_get(set, protocol, "login_trusted_networks");
	set_r->login_timeout_msecs = settings_get_msecs(set, protocol, "login_timeout");
	if (set_r->login_timeout_msecs == 0)
		log_fatal("login_timeout must not be 0");
	set_r->log_format_elements =
		settings_get(set, protocol, "login_log_format_elements");
	set_r->verbose_proctitle = settings_get_bool(set, protocol, "verbose_proctitle");
	set_r->base_dir = settings_get(set, NULL, "base_dir");

	set_r->max_line_length = LOGIN_MAX_INBUF_SIZE;
	if (strcmp(protocol, "imap") == 0) {
		max_line = settings_get_size(set, protocol, "imap_max_line_length");
		if (max_line > 0 && max_line < set_r->max_line_length)
			set_r->max_line_length = (size_t)max_line;
		set_r->imap_capability = settings_get(set, protocol, "imap_capability");
		set_r->imap_literal_minus =
			settings_get_bool(set, protocol, "imap_literal_minus");
	} else {
		set_r->imap_capability = "";
	}
	/* a useful command must fit */
	if (set_r->max_line_length < 512)
		set_r->max_line_length = 512;

	set_r->service_user = settings_get(set, NULL, "default_login_user");
	set_r->service_chroot = "";
	set_r->client_limit = settings_get_uint(set, NULL, "default_client_limit");
	service = settings_find_section(set, "service", service_name);
	if (service != NULL) {
		if ((value = settings_section_get(service, "user")) != NULL &&
		    value[0] != '\0')
			set_r->service_user = value;
		if ((value = settings_section_get(service, "chroot")) != NULL)
			set_r->service_chroot = value;
		if ((value = settings_section_get(service, "client_limit")) != NULL &&
		    str_to_uint(value, &uint_value) == 0 && uint_value > 0)
			set_r->client_limit = uint_value;
		if ((value = settings_section_get(service, "service_count")) != NULL &&
		    str_to_uint(value, &uint_value) == 0)
			set_r->service_count = uint_value;
	}
	if (set_r->client_limit == 0)
		set_r->client_limit = 1000;
}

bool login_ip_in_network(const struct ip_addr *ip, const char *network)
{
	struct ip_addr net_ip, v4mapped;
	const char *slash, *addr;
	unsigned int bits, max_bits;

	slash = strchr(network, '/');
	addr = slash == NULL ? network : tmp_strndup(network, (size_t)(slash - network));
	if (net_addr2ip(addr, &net_ip) < 0)
		return false;
	max_bits = net_ip.family == AF_INET6 ? 128 : 32;
	if (slash == NULL)
		bits = max_bits;
	else if (str_to_uint(slash + 1, &bits) < 0 || bits > max_bits)
		return false;

	/* ::ffff:a.b.c.d clients match IPv4 networks */
	if (ip->family == AF_INET6 && net_ip.family == AF_INET &&
	    IN6_IS_ADDR_V4MAPPED(&ip->u.ip6)) {
		memset(&v4mapped, 0, sizeof(v4mapped));
		v4mapped.family = AF_INET;
		memcpy(&v4mapped.u.ip4, &ip->u.ip6.s6_addr[12], 4);
		ip = &v4mapped;
	}
	return net_is_in_network(ip, &net_ip, bits);
}

bool login_ip_is_secured(const struct ip_addr *remote_ip)
{
	return net_ip_is_loopback(remote_ip) || login_ip_is_trusted(remote_ip);
}

bool login_ip_is_trusted(const struct ip_addr *ip)
{
	const char **networks;
	unsigned int i;

	if (login_set.trusted_networks == NULL || login_set.trusted_networks[0] == '\0')
		return false;
	networks = tmp_strsplit_spaces(login_set.trusted_networks, " ,");
	for (i = 0; networks[i] != NULL; i++) {
		if (login_ip_in_network(ip, networks[i]))
			return true;
	}
	return false;
}
