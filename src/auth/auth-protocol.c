/* Copyright (c) dovecot-like authors. auth-protocol.c: argument parsing of the
   auth protocols and the plaintext SASL payloads; pure functions, so every
   malformed input can be tested without a daemon. */
#include "lib.h"
#include "strfuncs.h"
#include "auth-protocol.h"

int auth_protocol_parse_id(const char *str, unsigned int *id_r)
{
	uint32_t id;

	if (str == NULL || str_to_uint32(str, &id) < 0 || id == 0)
		return -1;
	*id_r = id;
	return 0;
}

static void parse_ip(const char *value, struct ip_addr *ip_r)
{
	struct ip_addr ip;

	/* s.3.3: unparsable values are ignored */
	if (net_addr2ip(value, &ip) == 0)
		*ip_r = ip;
}

static void parse_port(const char *value, unsigned int *port_r)
{
	unsigned int port;

	if (str_to_uint(value, &port) == 0 && port <= 65535)
		*port_r = port;
}

void auth_protocol_parse_param(struct auth_client_params *params,
			       struct pool *pool, const char *param)
{
	const char *value;

	if (str_begins(param, "service=", &value))
		params->service = p_strdup(pool, value);
	else if (str_begins(param, "session=", &value))
		params->session = p_strdup(pool, value);
	else if (str_begins(param, "lip=", &value))
		parse_ip(value, &params->local_ip);
	else if (str_begins(param, "rip=", &value))
		parse_ip(value, &params->remote_ip);
	else if (str_begins(param, "lport=", &value))
		parse_port(value, &params->local_port);
	else if (str_begins(param, "rport=", &value))
		parse_port(value, &params->remote_port);
	else if (str_begins(param, "real_lip=", &value))
		parse_ip(value, &params->real_local_ip);
	else if (str_begins(param, "real_rip=", &value))
		parse_ip(value, &params->real_remote_ip);
	else if (str_begins(param, "real_lport=", &value))
		parse_port(value, &params->real_local_port);
	else if (str_begins(param, "real_rport=", &value))
		parse_port(value, &params->real_remote_port);
	else if (str_begins(param, "local_name=", &value))
		params->local_name = p_strdup(pool, value);
	else if (str_begins(param, "client_id=", &value))
		params->client_id = p_strdup(pool, value);
	else if (str_begins(param, "cert_username=", &value))
		params->cert_username = p_strdup(pool, value);
	else if (strcmp(param, "secured") == 0)
		params->secured = true;
	else if (str_begins(param, "secured=", &value)) {
		params->secured = true;
		params->secured_tls = strcmp(value, "tls") == 0;
	} else if (strcmp(param, "valid-client-cert") == 0)
		params->valid_client_cert = true;
	else if (strcmp(param, "no-penalty") == 0)
		params->no_penalty = true;
	else if (strcmp(param, "debug") == 0)
		params->debug = true;
	else if (strcmp(param, "final-resp-ok") == 0)
		params->final_resp_ok = true;
	/* anything else (nologin, transport=, tls_*...) is ignored */
}

int auth_protocol_parse_auth(const char *const *args, unsigned int client_minor,
			     struct pool *pool, struct auth_client_params *params_r,
			     const char **error_r)
{
	const char *value;
	unsigned int i;

	memset(params_r, 0, sizeof(*params_r));
	if (args[0] == NULL || args[1] == NULL) {
		*error_r = "AUTH: Missing parameters";
		return -1;
	}
	if (auth_protocol_parse_id(args[0], &params_r->id) < 0) {
		*error_r = "AUTH: Invalid id";
		return -1;
	}
	if (args[1][0] == '\0') {
		*error_r = "AUTH: Empty mechanism name";
		return -1;
	}
	params_r->mech = p_strdup(pool, args[1]);
	for (i = 2; args[i] != NULL; i++) {
		if (params_r->have_initial_resp) {
			*error_r = "AUTH: sent AUTH parameters after 'resp'";
			return -1;
		}
		if (str_begins(args[i], "resp=", &value)) {
			if (value[0] == '\0' && client_minor < 2) {
				/* s.3.3: old clients send an empty resp= */
				continue;
			}
			if (strcmp(value, "=") == 0)
				value = "";
			params_r->have_initial_resp = true;
			params_r->initial_resp = p_strdup(pool, value);
		} else {
			auth_protocol_parse_param(params_r, pool, args[i]);
		}
	}
	if (params_r->service == NULL) {
		*error_r = "AUTH: Missing service parameter";
		return -1;
	}
	return 0;
}

int auth_protocol_parse_version(const char *const *args, unsigned int major,
				unsigned int *minor_r)
{
	unsigned int client_major;

	if (args[0] == NULL || args[1] == NULL ||
	    str_to_uint(args[0], &client_major) < 0 ||
	    str_to_uint(args[1], minor_r) < 0 || client_major != major)
		return -1;
	return 0;
}

int sasl_plain_parse(struct pool *pool, const unsigned char *data, size_t size,
		     const char **authzid_r, const char **authcid_r,
		     const char **password_r, const char **error_r)
{
	const unsigned char *nul1, *nul2, *end = data + size;

	nul1 = memchr(data, '\0', size);
	nul2 = nul1 == NULL ? NULL : memchr(nul1 + 1, '\0', end - (nul1 + 1));
	if (nul1 == NULL || nul2 == NULL) {
		*error_r = "invalid input";
		return -1;
	}
	if (memchr(nul2 + 1, '\0', end - (nul2 + 1)) != NULL) {
		*error_r = "invalid input (NUL in password)";
		return -1;
	}
	if (nul2 == nul1 + 1) {
		*error_r = "empty authcid";
		return -1;
	}
	*authzid_r = nul1 == data ? NULL : p_strndup(pool, data, nul1 - data);
	*authcid_r = p_strndup(pool, nul1 + 1, nul2 - (nul1 + 1));
	*password_r = p_strndup(pool, nul2 + 1, end - (nul2 + 1));
	return 0;
}

int sasl_login_parse_value(struct pool *pool, const unsigned char *data,
			   size_t size, bool empty_ok, const char **value_r,
			   const char **error_r)
{
	if (memchr(data, '\0', size) != NULL) {
		*error_r = "invalid input (NUL)";
		return -1;
	}
	if (size == 0 && !empty_ok) {
		*error_r = "empty username";
		return -1;
	}
	*value_r = p_strndup(pool, data, size);
	return 0;
}

static void ip_unmap_v4(struct ip_addr *ip)
{
	if (ip->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&ip->u.ip6)) {
		struct in_addr v4;

		memcpy(&v4, ip->u.ip6.s6_addr + 12, 4);
		ip->family = AF_INET;
		ip->u.ip4 = v4;
	}
}

int auth_net_list_match(const struct ip_addr *_ip, const char *list,
			const char **error_r)
{
	const char *const *nets = tmp_strsplit_spaces(list, ", ");
	struct ip_addr ip = *_ip, net;
	unsigned int i, bits, max_bits;

	ip_unmap_v4(&ip);
	for (i = 0; nets[i] != NULL; i++) {
		const char *slash = strchr(nets[i], '/');
		const char *addr = slash == NULL ? nets[i] :
			tmp_strndup(nets[i], slash - nets[i]);

		if (strcmp(nets[i], "local") == 0) {
			if (ip.family == 0)
				return 1;
			continue;
		}
		if (net_addr2ip(addr, &net) < 0) {
			*error_r = tmp_printf("Invalid network '%s'", nets[i]);
			return -1;
		}
		ip_unmap_v4(&net);
		max_bits = net.family == AF_INET ? 32 : 128;
		if (slash == NULL)
			bits = max_bits;
		else if (str_to_uint(slash + 1, &bits) < 0 || bits > max_bits) {
			*error_r = tmp_printf("Invalid network '%s'", nets[i]);
			return -1;
		}
		if (ip.family != 0 && net_is_in_network(&ip, &net, bits))
			return 1;
	}
	return 0;
}

const char *auth_str_sanitize(const char *str)
{
	size_t i, len = strlen(str);
	char *ret;

	if (len > 64)
		len = 64;
	ret = (char *)tmp_strndup(str, len);
	for (i = 0; i < len; i++) {
		if ((unsigned char)ret[i] < 0x20 || (unsigned char)ret[i] == 0x7f)
			ret[i] = '?';
	}
	return len < strlen(str) ? tmp_strconcat(ret, "...", NULL) : ret;
}

enum auth_listener_type auth_listener_type_from_name(const char *name)
{
	const char *p;

	if ((p = strrchr(name, '/')) != NULL)
		name = p + 1;
	if ((p = strrchr(name, '-')) != NULL)
		name = p + 1;
	if (strcmp(name, "login") == 0)
		return AUTH_LISTENER_LOGIN;
	if (strcmp(name, "master") == 0)
		return AUTH_LISTENER_MASTER;
	if (strcmp(name, "userdb") == 0)
		return AUTH_LISTENER_USERDB;
	if (strcmp(name, "token") == 0 || strcmp(name, "tokenlogin") == 0)
		return AUTH_LISTENER_TOKEN;
	return AUTH_LISTENER_CLIENT;
}
