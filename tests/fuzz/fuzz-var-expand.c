/* Copyright (c) dovecot-like authors. Fuzzes %-variable expansion with
   hostile templates and values, since templates come from the config and
   values (user names, domains) from clients. */
#include "fuzz-common.h"
#include "str.h"
#include "var-expand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct var_expand_table table[] = {
		{ 'u', "Test.User@Example.COM", "user" },
		{ 'n', "Test.User", "username" },
		{ 'd', "Example.COM", "domain" },
		{ 'h', "/home/test", "home" },
		{ 'w', NULL, "password" },
		{ 'l', "", "lip" },
		{ '\0', "imap", "service" },
		{ '\0', NULL, NULL }
	};
	static const char keys[] = "undhwlsx";
	const uint8_t *nul;
	struct str *dest;
	const char *error;
	char *templ, *value;
	unsigned int i;
	int ret;

	fuzz_init();
	/* template [NUL user value]: the user value replaces %u */
	nul = memchr(data, '\0', size);
	templ = fuzz_strndup(data, nul == NULL ? size : (size_t)(nul - data));
	value = nul == NULL ? NULL :
		fuzz_strndup(nul + 1, size - (size_t)(nul - data) - 1);
	if (value != NULL)
		table[0].value = value;

	dest = str_new(system_pool, 128);
	error = NULL;
	ret = var_expand(dest, templ, table, &error);
	if (ret < -1 || ret > 1 || (ret < 1 && error == NULL))
		abort();
	for (i = 0; keys[i] != '\0'; i++)
		(void)var_has_key(templ, keys[i], NULL);
	(void)var_has_key(templ, '\0', "service");
	(void)var_has_key(templ, 'u', "user");
	/* a template without '%' expands to itself */
	if (strchr(templ, '%') == NULL &&
	    (ret != 1 || strcmp(str_c(dest), templ) != 0))
		abort();
	str_free(&dest);
	free(templ);
	free(value);
	tmp_reset();
	return 0;
}
