/* Copyright (c) dovecot-like authors. Check suite for the RFC 5322 address
   list parser: RFC 5322 appendix A examples, real-world client output,
   obsolete syntax, broken and hostile input; and the writer. */

#include "lib.h"
#include "str.h"
#include "message-address.h"
#include "test-values.h"

/* "(name|route|mailbox|domain|invalid)" per entry, "~" for NULL */
static const char *addr_dump(const struct message_address *addr)
{
	struct str *str = t_str_new(128);

	for (; addr != NULL; addr = addr->next) {
		str_printfa(str, "(%s|%s|%s|%s|%d)",
			    addr->name == NULL ? "~" : addr->name,
			    addr->route == NULL ? "~" : addr->route,
			    addr->mailbox == NULL ? "~" : addr->mailbox,
			    addr->domain == NULL ? "~" : addr->domain,
			    addr->invalid ? 1 : 0);
	}
	return str_c(str);
}

static const char *parse_dump(const char *value, bool fill)
{
	return addr_dump(message_address_parse(tmp_pool,
			(const unsigned char *)value, strlen(value), 0, fill));
}

static const struct {
	const char *in, *out;
} address_tests[] = {
	{ "user@example.com", "(~|~|user|example.com|0)" },
	{ "\"Doe, John\" <john.doe@example.com>",
	  "(Doe, John|~|john.doe|example.com|0)" },
	{ "John Doe <john@ex.com>, jane@ex.com (Jane Roe)",
	  "(John Doe|~|john|ex.com|0)(Jane Roe|~|jane|ex.com|0)" },
	{ "undisclosed-recipients:;",
	  "(~|~|undisclosed-recipients|~|0)(~|~|~|~|0)" },
	{ "Friends: a@b, \"c d\"@e;, x@y",
	  "(~|~|Friends|~|0)(~|~|a|b|0)(~|~|c d|e|0)(~|~|~|~|0)(~|~|x|y|0)" },
	{ "<@route1,@route2:user@host>", "(~|@route1,@route2|user|host|0)" },
	{ "user", "(~|~|user|MISSING_DOMAIN|1)" },
	{ "@host", "(~|~|MISSING_MAILBOX|host|1)" },
	{ "Name <user@host", "(Name|~|user|host|1)" },
	{ "<>", "(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)" },
	{ "Name <>", "(Name|~|MISSING_MAILBOX|MISSING_DOMAIN|1)" },
	{ "", "" },
	{ "  ,, ", "(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)" },
	{ "a@b,", "(~|~|a|b|0)" },
	{ "a@b,,c@d", "(~|~|a|b|0)(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)(~|~|c|d|0)" },
	{ "a@b.c.", "(~|~|a|MISSING_DOMAIN|1)" },
	{ ".a@b", "(~|~|.a|b|0)" },
	{ "\"\" <a@b>", "(~|~|a|b|0)" },
	{ "\"unterminated <a@b>", "(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)" },
	/* RFC 5322 A.5 */
	{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	  "(Pete|~|pete|silly.test|0)" },
	{ "A Group(Some people)\r\n :Chris Jones <c@(Chris's host.)public.example>,\r\n"
	  "     joe@example.org,\r\n John <jdoe@one.test> (my dear friend); (the end of the group)",
	  "(~|~|A Group|~|0)(Chris Jones|~|c|public.example|0)"
	  "(~|~|joe|example.org|0)(John|~|jdoe|one.test|0)(~|~|~|~|0)" },
	/* RFC 5322 A.6.1 obsolete route and empty elements */
	{ "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	  "(Mary Smith|@node.test|mary|example.net|0)"
	  "(~|~|MISSING_MAILBOX|MISSING_DOMAIN|1)(~|~|jdoe|test.example|0)" },
	/* Japanese mobile carriers */
	{ "a..b.@docomo.ne.jp", "(~|~|a..b.|docomo.ne.jp|0)" },
	/* Outlook style with raw UTF-8 and encoded words kept */
	{ "J\xc3\xb6rg M\xc3\xbcller <jm@example.de>",
	  "(J\xc3\xb6rg M\xc3\xbcller|~|jm|example.de|0)" },
	{ "=?UTF-8?B?SsO2cmc=?= <j@x>", "(=?UTF-8?B?SsO2cmc=?=|~|j|x|0)" },
	/* mailing list rewriting */
	{ "\"Bob via dev-list\" <dev-list@lists.example.org>",
	  "(Bob via dev-list|~|dev-list|lists.example.org|0)" },
	{ "John Doe", "(John Doe|~|MISSING_MAILBOX|MISSING_DOMAIN|1)" },
	{ "a@[1.2.3.4]", "(~|~|a|[1.2.3.4]|0)" },
	{ "g: a@b", "(~|~|g|~|0)(~|~|a|b|0)(~|~|~|~|0)" },
};

START_TEST(test_message_address)
{
	ck_assert_str_eq(parse_dump(address_tests[_i].in, true),
			 address_tests[_i].out);
}
END_TEST

START_TEST(test_message_address_no_fill)
{
	ck_assert_str_eq(parse_dump("user", false), "(~|~|user||1)");
	ck_assert_str_eq(parse_dump("<@x>", false), "(~|@x|||1)");
}
END_TEST

START_TEST(test_message_address_max)
{
	struct message_address *addr;
	const char *v = "a@b, c@d, e@f";
	unsigned int n = 0;

	addr = message_address_parse(tmp_pool, (const unsigned char *)v,
				     strlen(v), 2, true);
	for (; addr != NULL; addr = addr->next)
		n++;
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_message_address_hostile)
{
	/* 100000 bytes of one character each: how many addresses come out
	   (empty list elements are capped at the default maximum) */
	static const struct {
		char fill;
		unsigned int count;
	} tests[] = {
		{ ',', MESSAGE_ADDRESS_DEFAULT_MAX }, { '<', 1 }, { '"', 1 },
		{ '(', 0 }, { '@', 1 }, { ':', 3 }, { ';', 0 }, { '>', 1 },
		{ '\0', 1 },
	};
	struct message_address *addr;
	size_t n = 100000;
	unsigned char *buf = p_malloc(tmp_pool, n);
	unsigned int i, count;

	for (i = 0; i < N_ELEMENTS(tests); i++) {
		memset(buf, tests[i].fill, n);
		addr = message_address_parse(tmp_pool, buf, n, 0, true);
		for (count = 0; addr != NULL; addr = addr->next)
			count++;
		ck_assert_msg(count == tests[i].count, "fill %d: %u addresses",
			      tests[i].fill, count);
	}
	/* repeated groups open ("g:g:...", NULs at the end): the group, one
	   broken member for the rest, the group's end */
	for (i = 0; i + 2 < n; i += 2) {
		buf[i] = 'g';
		buf[i + 1] = ':';
	}
	addr = message_address_parse(tmp_pool, buf, n, 0, true);
	for (count = 0; addr != NULL; addr = addr->next)
		count++;
	ck_assert_uint_eq(count, 3);
}
END_TEST

START_TEST(test_message_address_write)
{
	static const char *const tests[][2] = {
		{ "John Doe <john@ex.com>, jane@ex.com",
		  "John Doe <john@ex.com>, jane@ex.com" },
		{ "\"Doe, J.\" <j@x>", "\"Doe, J.\" <j@x>" },
		{ "undisclosed-recipients:;", "undisclosed-recipients: ;" },
		{ "g: a@b, c@d;, e@f", "g: a@b, c@d;, e@f" },
		{ "<@r1,@r2:u@h>", "<@r1,@r2:u@h>" },
		{ "<>", "<>" },
		{ "\"a\\\"b\" <c@d>", "\"a\\\"b\" <c@d>" },
	};
	struct message_address *addr;
	struct str *str = t_str_new(128);
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(tests); i++) {
		addr = message_address_parse(tmp_pool,
			(const unsigned char *)tests[i][0],
			strlen(tests[i][0]), 0, false);
		str_reset(str);
		message_address_write(str, addr);
		ck_assert_str_eq(str_c(str), tests[i][1]);
	}
}
END_TEST

Suite *test_message_address_suite(void)
{
	Suite *s = suite_create("message-address");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_message_address, 0,
			    N_ELEMENTS(address_tests));
	tcase_add_test(tc, test_message_address_no_fill);
	tcase_add_test(tc, test_message_address_max);
	tcase_add_test(tc, test_message_address_hostile);
	tcase_add_test(tc, test_message_address_write);
	suite_add_tcase(s, tc);
	return s;
}
