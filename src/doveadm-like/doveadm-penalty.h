/* Copyright (c) dovecot-like authors. doveadm-penalty.h: "doveadm-like
   penalty [<ip>[/<mask>]]", Dovecot's doveadm penalty: the authentication
   failure penalties anvil holds, as a table. */
#ifndef DOVEADM_PENALTY_H
#define DOVEADM_PENALTY_H

#include <stddef.h>
#include <time.h>

struct settings;
struct str;
struct ip_addr;

/* One row of anvil's PENALTY-DUMP. */
struct doveadm_penalty_row {
	const char *ip;
	unsigned int penalty;
	time_t last_penalty, last_update;
};

/* Runs the command (filter = NULL: every entry). Returns the exit code. */
int doveadm_penalty_cmd(const struct settings *set, const char *filter);

/* "<ip>" or "<ip>/<bits>" into *net_r and *bits_r (an IP alone: all its
   bits). Returns 0, or -1 if it is not one. */
int doveadm_penalty_parse_net(const char *str, struct ip_addr *net_r,
			      unsigned int *bits_r);
/* Parse one PENALTY-DUMP line (without LF) into *row_r (ip in the tmp
   pool). Returns 0, or -1 for a malformed line. */
int doveadm_penalty_parse_row(const char *line, size_t len,
			      struct doveadm_penalty_row *row_r);
/* Dovecot's table layout (doveadm's "table" formatter, not on a terminal):
   each column as wide as its title or widest value, one space between,
   the last column widened by half of what remains to 80 columns; every
   cell padded, also the last. Times in local time. */
void doveadm_penalty_format(const struct doveadm_penalty_row *rows,
			    unsigned int count, struct str *dest);

#endif
