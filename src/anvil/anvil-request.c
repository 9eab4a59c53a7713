/* Copyright (c) dovecot-like authors. The anvil request parser: workers send
   one tab-separated line per request; everything in it is untrusted length
   and content until checked here. */
#include "lib.h"
#include "strfuncs.h"
#include "strescape.h"
#include "net.h"
#include "anvil-penalty.h"
#include "anvil-request.h"

#include <string.h>

static int anvil_request_parse_connect(const char *const *args,
				       struct anvil_request *req_r,
				       const char **error_r)
{
	size_t ident_len;

	if (str_array_length(args) != 3) {
		*error_r = "CONNECT wants <limit> and <ident>";
		return -1;
	}
	if (str_to_uint(args[1], &req_r->limit) < 0) {
		*error_r = "CONNECT: invalid limit";
		return -1;
	}
	ident_len = strlen(args[2]);
	if (ident_len == 0) {
		*error_r = "CONNECT: empty ident";
		return -1;
	}
	if (ident_len > ANVIL_IDENT_MAX_LEN) {
		*error_r = "CONNECT: ident too long";
		return -1;
	}
	req_r->type = ANVIL_REQUEST_CONNECT;
	req_r->ident = args[2];
	return 0;
}

/* A penalty ident is an IP address, stored in one canonical spelling so
   "::1" and "0::1" share an entry. */
static int anvil_request_parse_ip(const char *str, struct anvil_request *req_r,
				  const char **error_r)
{
	struct ip_addr ip;

	if (strcmp(str, "*") == 0 || net_addr2ip(str, &ip) < 0) {
		*error_r = "invalid IP address";
		return -1;
	}
	req_r->ident = net_ip2addr(&ip);
	return 0;
}

static int anvil_request_parse_penalty(const char *const *args,
				       struct anvil_request *req_r,
				       const char **error_r)
{
	unsigned int count = str_array_length(args);

	if (strcmp(args[0], "PENALTY-DUMP") == 0) {
		if (count != 1) {
			*error_r = "PENALTY-DUMP takes no arguments";
			return -1;
		}
		req_r->type = ANVIL_REQUEST_PENALTY_DUMP;
		return 0;
	}
	if (strcmp(args[0], "PENALTY-GET") == 0) {
		if (count != 2) {
			*error_r = "PENALTY-GET wants <ip>";
			return -1;
		}
		req_r->type = ANVIL_REQUEST_PENALTY_GET;
		return anvil_request_parse_ip(args[1], req_r, error_r);
	}
	/* PENALTY-INC */
	if (count != 4) {
		*error_r = "PENALTY-INC wants <ip> <checksum> <value>";
		return -1;
	}
	if (str_to_uint32(args[2], &req_r->checksum) < 0) {
		*error_r = "PENALTY-INC: invalid checksum";
		return -1;
	}
	if (str_to_uint(args[3], &req_r->value) < 0 ||
	    req_r->value > ANVIL_PENALTY_MAX_VALUE) {
		*error_r = "PENALTY-INC: invalid value";
		return -1;
	}
	req_r->type = ANVIL_REQUEST_PENALTY_INC;
	return anvil_request_parse_ip(args[1], req_r, error_r);
}

int anvil_request_parse(const char *data, size_t len,
			struct anvil_request *req_r, const char **error_r)
{
	const char *const *args;

	memset(req_r, 0, sizeof(*req_r));
	if (len > ANVIL_LINE_MAX_LEN) {
		*error_r = "line too long";
		return -1;
	}
	/* a NUL would silently cut the ident short: refuse it */
	if (memchr(data, '\0', len) != NULL) {
		*error_r = "NUL in request";
		return -1;
	}
	if (len == 0) {
		*error_r = "empty request";
		return -1;
	}
	args = tmp_strsplit_tabescaped(tmp_strndup(data, len));
	if (strcmp(args[0], "CONNECT") == 0)
		return anvil_request_parse_connect(args, req_r, error_r);
	if (strcmp(args[0], "LIST") == 0) {
		if (args[1] != NULL) {
			*error_r = "LIST takes no arguments";
			return -1;
		}
		req_r->type = ANVIL_REQUEST_LIST;
		return 0;
	}
	if (strcmp(args[0], "PENALTY-GET") == 0 ||
	    strcmp(args[0], "PENALTY-INC") == 0 ||
	    strcmp(args[0], "PENALTY-DUMP") == 0)
		return anvil_request_parse_penalty(args, req_r, error_r);
	*error_r = "unknown command";
	return -1;
}
