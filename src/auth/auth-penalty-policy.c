/* Copyright (c) dovecot-like authors. auth-penalty-policy.c: the penalty
   rules (delay formula, ident, checksum, reply parsing); no I/O here. */
#include "lib.h"
#include "net.h"
#include "strfuncs.h"
#include "auth-penalty-policy.h"

#include <string.h>

/* Longest valid PENALTY-GET reply: two 20-digit numbers and a space. */
#define AUTH_PENALTY_REPLY_MAX_LEN 64

unsigned int auth_penalty_to_secs(unsigned int penalty)
{
	unsigned int i, secs = AUTH_PENALTY_INIT_SECS;

	if (penalty == 0)
		return 0;
	for (i = 0; i < penalty && secs < AUTH_PENALTY_MAX_SECS; i++)
		secs *= 2;
	return secs < AUTH_PENALTY_MAX_SECS ? secs : AUTH_PENALTY_MAX_SECS;
}

unsigned int auth_penalty_delay_secs(unsigned int penalty, time_t last_penalty,
				     time_t now)
{
	unsigned int secs = auth_penalty_to_secs(penalty);

	if (secs == 0)
		return 0;
	if (last_penalty > now)
		last_penalty = now;	/* the clock went backwards */
	/* now - last_penalty cannot overflow: both are sane times here */
	return now - last_penalty < (time_t)secs ? secs : 0;
}

unsigned int auth_penalty_next(unsigned int penalty)
{
	return penalty < AUTH_PENALTY_MAX_PENALTY ? penalty + 1 :
		AUTH_PENALTY_MAX_PENALTY;
}

const char *auth_penalty_ident(const struct ip_addr *ip)
{
	struct ip_addr masked = *ip;
	unsigned int i, bits;

	if (ip->family == AF_INET)
		return net_ip2addr(ip);
	if (ip->family != AF_INET6)
		return NULL;
	if (IN6_IS_ADDR_V4MAPPED(&ip->u.ip6)) {
		/* one IPv4 client, not all of ::ffff:0:0/96 */
		memset(&masked, 0, sizeof(masked));
		masked.family = AF_INET;
		memcpy(&masked.u.ip4, &ip->u.ip6.s6_addr[12], 4);
		return net_ip2addr(&masked);
	}
	for (i = 0; i < sizeof(masked.u.ip6.s6_addr); i++) {
		bits = i * 8;
		if (bits >= AUTH_PENALTY_IPV6_MASK_BITS)
			masked.u.ip6.s6_addr[i] = 0;
		else if (bits + 8 > AUTH_PENALTY_IPV6_MASK_BITS) {
			masked.u.ip6.s6_addr[i] &=
				0xff << (bits + 8 - AUTH_PENALTY_IPV6_MASK_BITS);
		}
	}
	return net_ip2addr(&masked);
}

uint32_t auth_penalty_checksum(const unsigned char key[AUTH_PENALTY_CHECKSUM_KEY_SIZE],
			       const char *user, const char *password)
{
	crypto_generichash_state state;
	unsigned char hash[crypto_generichash_BYTES_MIN];
	static const unsigned char sep = '\0';
	uint32_t checksum;

	crypto_generichash_init(&state, key, AUTH_PENALTY_CHECKSUM_KEY_SIZE,
				sizeof(hash));
	/* NUL between the fields: ("ab","c") and ("a","bc") differ */
	crypto_generichash_update(&state, (const unsigned char *)user, strlen(user));
	crypto_generichash_update(&state, &sep, 1);
	if (password != NULL) {
		crypto_generichash_update(&state, (const unsigned char *)password,
					  strlen(password));
	}
	crypto_generichash_final(&state, hash, sizeof(hash));
	sodium_memzero(&state, sizeof(state));
	memcpy(&checksum, hash, sizeof(checksum));
	sodium_memzero(hash, sizeof(hash));
	/* 0 means "no checksum" to anvil */
	return checksum != 0 ? checksum : 1;
}

int auth_penalty_parse_reply(const char *line, size_t len,
			     unsigned int *penalty_r, time_t *last_penalty_r)
{
	const char *sp, *copy;
	uint64_t last;

	if (len == 0 || len > AUTH_PENALTY_REPLY_MAX_LEN ||
	    memchr(line, '\0', len) != NULL)
		return -1;
	sp = memchr(line, ' ', len);
	if (sp == NULL)
		return -1;
	if (str_to_uint(tmp_strndup(line, sp - line), penalty_r) < 0)
		return -1;
	copy = tmp_strndup(sp + 1, len - (sp + 1 - line));
	/* time_t is 64-bit signed: keep within it */
	if (str_to_uint64(copy, &last) < 0 || last > INT64_MAX)
		return -1;
	*last_penalty_r = (time_t)last;
	return 0;
}
