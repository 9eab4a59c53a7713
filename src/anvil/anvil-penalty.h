/* Copyright (c) dovecot-like authors. anvil-penalty.h: the authentication
   failure penalty per client IP that auth keeps in anvil (Dovecot's
   anvil-auth-penalty), so a brute-force client is slowed down across all
   login processes and connections. */
#ifndef ANVIL_PENALTY_H
#define ANVIL_PENALTY_H

#include <stdint.h>
#include <time.h>

struct str;
struct anvil_penalty;

/* An entry nobody raised or touched for this long is forgotten. */
#define ANVIL_PENALTY_EXPIRE_SECS (60 * 60)
/* How many recent failure checksums an entry remembers: a client repeating
   one of them (a phone polling with an old password) does not raise the
   penalty again. */
#define ANVIL_PENALTY_CHECKSUM_COUNT 10
/* The largest penalty value accepted (auth caps far below this). */
#define ANVIL_PENALTY_MAX_VALUE 65535
/* Table size bound: when full, the least recently updated entry goes. */
#define ANVIL_PENALTY_MAX_ENTRIES 65536

struct anvil_penalty *anvil_penalty_create(void);
void anvil_penalty_destroy(struct anvil_penalty **penalty);

/* The penalty of ident (0 if none or expired at now) and the time it was
   last raised (0 if none). */
unsigned int anvil_penalty_get(struct anvil_penalty *penalty, const char *ident,
			       time_t now, time_t *last_penalty_r);
/* A failure (value > 0) or a success (value 0: the entry is removed).
   On a failure whose checksum (non-zero) is among the entry's recent ones
   only last_update moves; otherwise the penalty becomes value and
   last_penalty = last_update = now. value <= ANVIL_PENALTY_MAX_VALUE. */
void anvil_penalty_inc(struct anvil_penalty *penalty, const char *ident,
		       uint32_t checksum, unsigned int value, time_t now);
/* Forget the entries whose last_update is ANVIL_PENALTY_EXPIRE_SECS or more
   before now. Cheap: entries are kept in last_update order. */
void anvil_penalty_expire(struct anvil_penalty *penalty, time_t now);
/* Live entries (after the last expire). */
unsigned int anvil_penalty_count(const struct anvil_penalty *penalty);
/* Append "<ident>\t<penalty>\t<last_penalty>\t<last_update>\n" per entry not
   expired at now, oldest update first. */
void anvil_penalty_dump(struct anvil_penalty *penalty, time_t now,
			struct str *dest);

#endif
