/* Copyright (c) dovecot-like authors. anvil-registry.h: the live connection
   count per ident ("<service>/<ip>/<username>"), behind
   mail_max_userip_connections. */
#ifndef ANVIL_REGISTRY_H
#define ANVIL_REGISTRY_H

struct str;
struct anvil_registry;

struct anvil_registry *anvil_registry_create(void);
void anvil_registry_destroy(struct anvil_registry **reg);

/* Register one more connection of ident if that keeps the count <= limit
   (limit 0 = unlimited). Returns true with *count_r = the new count, or
   false (nothing registered) with *count_r = the current count. */
bool anvil_registry_connect(struct anvil_registry *reg, const char *ident,
			    unsigned int limit, unsigned int *count_r);
/* Drop one registration of ident (made by a successful connect). */
void anvil_registry_disconnect(struct anvil_registry *reg, const char *ident);
/* Live registrations of ident (0 if none). */
unsigned int anvil_registry_count(const struct anvil_registry *reg,
				  const char *ident);
/* Append "<escaped ident>\t<count>\n" per ident, in no particular order. */
void anvil_registry_list(struct anvil_registry *reg, struct str *dest);

#endif
