/* Copyright (c) dovecot-like authors. anvil-request.h: parsing one request
   line of the anvil protocol (doc/internals.md "anvil"). */
#ifndef ANVIL_REQUEST_H
#define ANVIL_REQUEST_H

#include <stddef.h>
#include <stdint.h>

/* An ident is "<service>/<ip>/<username>"; longer ones are refused. */
#define ANVIL_IDENT_MAX_LEN 1024
/* A request line without its LF: CONNECT, the limit and an escaped ident
   (tab escaping at most doubles the ident). */
#define ANVIL_LINE_MAX_LEN (ANVIL_IDENT_MAX_LEN * 2 + 32)

enum anvil_request_type {
	ANVIL_REQUEST_CONNECT,	/* CONNECT\t<limit>\t<ident> */
	ANVIL_REQUEST_LIST,	/* LIST */
	/* the auth penalty (anvil-penalty.h); ident is an IP address */
	ANVIL_REQUEST_PENALTY_GET,	/* PENALTY-GET\t<ip> */
	ANVIL_REQUEST_PENALTY_INC,	/* PENALTY-INC\t<ip>\t<checksum>\t<value> */
	ANVIL_REQUEST_PENALTY_DUMP,	/* PENALTY-DUMP */
};

struct anvil_request {
	enum anvil_request_type type;
	unsigned int limit;	/* CONNECT: 0 = unlimited */
	const char *ident;	/* CONNECT: unescaped, tmp pool; PENALTY-GET/INC:
				   the IP in canonical form, tmp pool */
	uint32_t checksum;	/* PENALTY-INC: 0 = none */
	unsigned int value;	/* PENALTY-INC: <= ANVIL_PENALTY_MAX_VALUE */
};

/* Parse data[0..len) (one line, without LF). Returns 0, or -1 with a
   reason in *error_r (tmp pool). Never blocks; allocations are tmp. */
int anvil_request_parse(const char *data, size_t len,
			struct anvil_request *req_r, const char **error_r);

#endif
