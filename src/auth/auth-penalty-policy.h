/* Copyright (c) dovecot-like authors. auth-penalty-policy.h: the rules of the
   per-IP authentication failure penalty (Dovecot's auth penalty), apart from
   the anvil connection so they can be unit-tested: the delay formula, the
   IP ident, the failure checksum and the anvil reply parser. */
#ifndef AUTH_PENALTY_POLICY_H
#define AUTH_PENALTY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sodium.h>

struct ip_addr;

/* Dovecot's numbers: the first failure waits auth_failure_delay (2 s by
   default); after that a new request from the IP waits 4, 8, then 15 s. */
#define AUTH_PENALTY_INIT_SECS 2
#define AUTH_PENALTY_MAX_SECS 15
/* The highest penalty auth stores; its delay is already the maximum. */
#define AUTH_PENALTY_MAX_PENALTY 4
/* An IPv6 client can pick any address of its network: penalize the /48
   (as Dovecot does), so it cannot dodge the penalty or flood the table. */
#define AUTH_PENALTY_IPV6_MASK_BITS 48
/* The key of the failure checksum (auth_penalty_checksum()). */
#define AUTH_PENALTY_CHECKSUM_KEY_SIZE crypto_generichash_KEYBYTES

/* The delay for a stored penalty: 0 for 0, else INIT_SECS * 2^penalty,
   at most MAX_SECS. */
unsigned int auth_penalty_to_secs(unsigned int penalty);
/* How many seconds a new request from an IP with this penalty, last raised
   at last_penalty, waits before it starts: auth_penalty_to_secs(penalty)
   while last_penalty + that > now, else 0 (the penalty has worn off).
   A last_penalty in the future counts as now. */
unsigned int auth_penalty_delay_secs(unsigned int penalty, time_t last_penalty,
				     time_t now);
/* The penalty to store after one more failure of a request that waited
   for penalty (0 if it did not wait): penalty + 1, at most MAX_PENALTY. */
unsigned int auth_penalty_next(unsigned int penalty);

/* The anvil ident of ip (tmp pool): the address itself for IPv4 (also for
   an IPv4-mapped IPv6 address), the /48 network address for IPv6. NULL for
   an unset ip. */
const char *auth_penalty_ident(const struct ip_addr *ip);

/* The checksum anvil remembers of one failed attempt: a keyed BLAKE2b of
   the user name and password, cut to 32 bits, never 0. The key is secret
   and random per auth process, so the value tells nothing about the
   password to whoever reads anvil's table. password may be NULL. */
uint32_t auth_penalty_checksum(const unsigned char key[AUTH_PENALTY_CHECKSUM_KEY_SIZE],
			       const char *user, const char *password);

/* Parse anvil's PENALTY-GET reply "<penalty> <last_penalty>" in
   line[0..len). Returns 0, or -1 for anything else. */
int auth_penalty_parse_reply(const char *line, size_t len,
			     unsigned int *penalty_r, time_t *last_penalty_r);

#endif
