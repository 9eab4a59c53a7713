/* Copyright (c) dovecot-like authors. mech.h: the SASL mechanism registry;
   each mechanism drives an auth_request through its client exchanges. */
#ifndef MECH_H
#define MECH_H

struct auth_request;
struct str;

/* MECH flags in the order the handshake prints them (s.3.1). */
enum mech_security_flags {
	MECH_SEC_PRIVATE = 0x01,
	MECH_SEC_ANONYMOUS = 0x02,
	MECH_SEC_PLAINTEXT = 0x04,
	MECH_SEC_DICTIONARY = 0x08,
	MECH_SEC_ACTIVE = 0x10,
	MECH_SEC_FORWARD_SECRECY = 0x20,
	MECH_SEC_MUTUAL_AUTH = 0x40,
};

struct mech_module {
	const char *name;	/* upper-case */
	enum mech_security_flags flags;
	/* First client data (initial response, or the answer to an empty first
	   CONT); have_data false when the client sent no initial response. */
	void (*auth_initial)(struct auth_request *request, bool have_data,
			     const unsigned char *data, size_t size);
	/* Each later CONT. */
	void (*auth_continue)(struct auth_request *request,
			      const unsigned char *data, size_t size);
};

extern const struct mech_module mech_plain;
extern const struct mech_module mech_login;
extern const struct mech_module mech_external;

/* Case-insensitive lookup among the configured mechanisms; NULL if not
   configured. */
const struct mech_module *mech_find(const char *name);
/* Checks auth_mechanisms: -1 with *error_r naming an unknown one. */
int mechs_init(const char *const *names, const char **error_r);
/* "MECH\tPLAIN\tplaintext\n..." for the handshake, in config order. */
void mechs_append_handshake(struct str *dest);

#endif
