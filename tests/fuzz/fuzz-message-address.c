/* Copyright (c) dovecot-like authors. Fuzzes the RFC 5322 address-list
   parser (From/To/Cc of every message reach it through ENVELOPE and
   SEARCH) and its writer: bounded results, well-formed entries, and a
   written list parses again. */
#include "fuzz-common.h"
#include "str.h"
#include "message-address.h"

static unsigned int check_list(const struct message_address *addr,
			       bool fill)
{
	unsigned int count = 0;

	for (; addr != NULL; addr = addr->next) {
		count++;
		if (addr->domain == NULL) {
			/* group start or end */
			if (addr->route != NULL || addr->name != NULL)
				abort();
			continue;
		}
		if (addr->mailbox == NULL)
			abort();
		if (fill && !addr->invalid &&
		    (*addr->mailbox == '\0' || *addr->domain == '\0'))
			abort();
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_address *addr;
	unsigned char *copy;
	struct str *str;
	unsigned int max;

	fuzz_init();
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	max = size > 0 ? copy[0] % 8 : 0;

	addr = message_address_parse(tmp_pool, copy, size, 0, true);
	if (check_list(addr, true) > MESSAGE_ADDRESS_DEFAULT_MAX)
		abort();
	addr = message_address_parse(tmp_pool, copy, size, max, false);
	if (check_list(addr, false) > (max == 0 ? MESSAGE_ADDRESS_DEFAULT_MAX : max))
		abort();

	str = str_new(system_pool, 256);
	message_address_write(str, addr);
	addr = message_address_parse(tmp_pool, str_data(str), str_len(str), 0,
				     false);
	(void)check_list(addr, false);
	str_free(&str);
	free(copy);
	tmp_reset();
	return 0;
}
