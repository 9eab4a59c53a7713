/* Copyright (c) dovecot-like authors. Tests for anvil's auth penalty table
   (raising, the repeated-checksum rule, reset, expiry on an injected clock,
   the size bound, DUMP) and for the PENALTY-* request lines, malformed
   ones included. */
#include "test-anvil.h"
#include "str.h"
#include "anvil-penalty.h"
#include "anvil-request.h"

#include <string.h>

#define T0 ((time_t)1700000000)

START_TEST(test_penalty_inc)
{
	struct anvil_penalty *p = anvil_penalty_create();
	time_t last;

	ck_assert_uint_eq(anvil_penalty_get(p, "1.2.3.4", T0, &last), 0);
	ck_assert_int_eq(last, 0);
	/* auth sends the new value: seen + 1 */
	anvil_penalty_inc(p, "1.2.3.4", 111, 1, T0);
	ck_assert_uint_eq(anvil_penalty_get(p, "1.2.3.4", T0, &last), 1);
	ck_assert_int_eq(last, T0);
	anvil_penalty_inc(p, "1.2.3.4", 222, 2, T0 + 5);
	ck_assert_uint_eq(anvil_penalty_get(p, "1.2.3.4", T0 + 5, &last), 2);
	ck_assert_int_eq(last, T0 + 5);
	/* checksum 0 = none: always raises, never remembered */
	anvil_penalty_inc(p, "1.2.3.4", 0, 3, T0 + 6);
	anvil_penalty_inc(p, "1.2.3.4", 0, 4, T0 + 7);
	ck_assert_uint_eq(anvil_penalty_get(p, "1.2.3.4", T0 + 7, &last), 4);
	/* IPs are apart */
	ck_assert_uint_eq(anvil_penalty_get(p, "1.2.3.5", T0 + 7, &last), 0);
	ck_assert_uint_eq(anvil_penalty_count(p), 1);
	anvil_penalty_destroy(&p);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_penalty_same_checksum)
{
	struct anvil_penalty *p = anvil_penalty_create();
	struct str *dump = t_str_new(128);
	unsigned int i;
	time_t last;

	anvil_penalty_inc(p, "10.0.0.1", 0xabcdef, 1, T0);
	/* the same wrong password again: no raise, last_penalty stays,
	   last_update moves */
	anvil_penalty_inc(p, "10.0.0.1", 0xabcdef, 2, T0 + 30);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 30, &last), 1);
	ck_assert_int_eq(last, T0);
	anvil_penalty_dump(p, T0 + 30, dump);
	ck_assert_str_eq(str_c(dump), "10.0.0.1\t1\t1700000000\t1700000030\n");

	/* the last ANVIL_PENALTY_CHECKSUM_COUNT checksums are remembered */
	for (i = 1; i < ANVIL_PENALTY_CHECKSUM_COUNT; i++)
		anvil_penalty_inc(p, "10.0.0.1", 1000 + i, 1 + i, T0 + 40);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 40, &last),
			  ANVIL_PENALTY_CHECKSUM_COUNT);
	anvil_penalty_inc(p, "10.0.0.1", 0xabcdef, 99, T0 + 41);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 41, &last),
			  ANVIL_PENALTY_CHECKSUM_COUNT);
	/* one more new one pushes the oldest (0xabcdef) out */
	anvil_penalty_inc(p, "10.0.0.1", 5000, 20, T0 + 42);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 42, &last), 20);
	anvil_penalty_inc(p, "10.0.0.1", 0xabcdef, 21, T0 + 43);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 43, &last), 21);
	ck_assert_int_eq(last, T0 + 43);
	/* a checksum is per IP */
	anvil_penalty_inc(p, "10.0.0.2", 0xabcdef, 1, T0 + 43);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.2", T0 + 43, &last), 1);
	anvil_penalty_destroy(&p);
}
END_TEST

START_TEST(test_penalty_reset)
{
	struct anvil_penalty *p = anvil_penalty_create();
	time_t last;

	anvil_penalty_inc(p, "::1", 7, 3, T0);
	anvil_penalty_inc(p, "::2", 7, 2, T0);
	anvil_penalty_inc(p, "::1", 0, 0, T0 + 1);
	ck_assert_uint_eq(anvil_penalty_get(p, "::1", T0 + 1, &last), 0);
	ck_assert_int_eq(last, 0);
	ck_assert_uint_eq(anvil_penalty_count(p), 1);
	/* the checksums went with the entry: 7 raises again */
	anvil_penalty_inc(p, "::1", 7, 1, T0 + 2);
	ck_assert_uint_eq(anvil_penalty_get(p, "::1", T0 + 2, &last), 1);
	/* resetting an unknown IP is a no-op */
	anvil_penalty_inc(p, "::3", 0, 0, T0 + 2);
	ck_assert_uint_eq(anvil_penalty_count(p), 2);
	ck_assert_uint_eq(anvil_penalty_get(p, "::2", T0 + 2, &last), 2);
	anvil_penalty_destroy(&p);
}
END_TEST

START_TEST(test_penalty_expiry)
{
	struct anvil_penalty *p = anvil_penalty_create();
	struct str *dump = t_str_new(128);
	time_t last;

	anvil_penalty_inc(p, "1.1.1.1", 1, 1, T0);
	anvil_penalty_inc(p, "2.2.2.2", 1, 1, T0 + 100);
	/* a repeated checksum keeps the entry alive (last_update) */
	anvil_penalty_inc(p, "1.1.1.1", 1, 2, T0 + 200);
	/* one second short of an hour of quiet: still there */
	ck_assert_uint_eq(anvil_penalty_get(p, "1.1.1.1",
		T0 + 200 + ANVIL_PENALTY_EXPIRE_SECS - 1, &last), 1);
	ck_assert_uint_eq(anvil_penalty_get(p, "2.2.2.2",
		T0 + 100 + ANVIL_PENALTY_EXPIRE_SECS - 1, &last), 1);
	/* lookups and DUMP ignore expired entries even before a sweep */
	anvil_penalty_dump(p, T0 + 100 + ANVIL_PENALTY_EXPIRE_SECS, dump);
	ck_assert_str_eq(str_c(dump), tmp_printf("1.1.1.1\t1\t%lld\t%lld\n",
		(long long)T0, (long long)T0 + 200));
	ck_assert_uint_eq(anvil_penalty_count(p), 2);
	anvil_penalty_expire(p, T0 + 100 + ANVIL_PENALTY_EXPIRE_SECS);
	ck_assert_uint_eq(anvil_penalty_count(p), 1);
	ck_assert_uint_eq(anvil_penalty_get(p, "2.2.2.2",
		T0 + 100 + ANVIL_PENALTY_EXPIRE_SECS, &last), 0);
	/* an INC on an expired entry starts afresh (checksums forgotten) */
	anvil_penalty_inc(p, "1.1.1.1", 1, 4, T0 + 200 + ANVIL_PENALTY_EXPIRE_SECS);
	ck_assert_uint_eq(anvil_penalty_get(p, "1.1.1.1",
		T0 + 200 + ANVIL_PENALTY_EXPIRE_SECS, &last), 4);
	/* a clock that went back does not expire anything */
	anvil_penalty_expire(p, T0);
	ck_assert_uint_eq(anvil_penalty_count(p), 1);
	anvil_penalty_expire(p, T0 + 200 + 2 * ANVIL_PENALTY_EXPIRE_SECS);
	ck_assert_uint_eq(anvil_penalty_count(p), 0);
	anvil_penalty_destroy(&p);
}
END_TEST

START_TEST(test_penalty_max_entries)
{
	struct anvil_penalty *p = anvil_penalty_create();
	unsigned int i;
	time_t last;

	for (i = 0; i < ANVIL_PENALTY_MAX_ENTRIES; i++) {
		anvil_penalty_inc(p, tmp_printf("10.%u.%u.%u", i >> 16,
						(i >> 8) & 0xff, i & 0xff),
				  i + 1, 1, T0 + i / 1000);
	}
	ck_assert_uint_eq(anvil_penalty_count(p), ANVIL_PENALTY_MAX_ENTRIES);
	/* touch the oldest: it becomes the newest */
	anvil_penalty_inc(p, "10.0.0.0", 1, 2, T0 + 100);
	anvil_penalty_inc(p, "11.0.0.0", 1, 1, T0 + 100);
	ck_assert_uint_eq(anvil_penalty_count(p), ANVIL_PENALTY_MAX_ENTRIES);
	/* the least recently updated one (10.0.0.1) went */
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.1", T0 + 100, &last), 0);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.0", T0 + 100, &last), 1);
	ck_assert_uint_eq(anvil_penalty_get(p, "10.0.0.2", T0 + 100, &last), 1);
	ck_assert_uint_eq(anvil_penalty_get(p, "11.0.0.0", T0 + 100, &last), 1);
	anvil_penalty_destroy(&p);
}
END_TEST

START_TEST(test_penalty_dump_order)
{
	struct anvil_penalty *p = anvil_penalty_create();
	struct str *dump = t_str_new(128);

	anvil_penalty_dump(p, T0, dump);
	ck_assert_str_eq(str_c(dump), "");
	anvil_penalty_inc(p, "1.1.1.1", 1, 1, T0);
	anvil_penalty_inc(p, "2.2.2.2", 1, 3, T0 + 1);
	anvil_penalty_inc(p, "1.1.1.1", 2, 2, T0 + 2);
	anvil_penalty_dump(p, T0 + 2, dump);
	ck_assert_str_eq(str_c(dump),
			 "2.2.2.2\t3\t1700000001\t1700000001\n"
			 "1.1.1.1\t2\t1700000002\t1700000002\n");
	anvil_penalty_destroy(&p);
}
END_TEST

static const struct {
	const char *line;
	int ret;
	enum anvil_request_type type;
	const char *ident;
	uint32_t checksum;
	unsigned int value;
} penalty_request_tests[] = {
	{ "PENALTY-GET\t127.0.0.1", 0, ANVIL_REQUEST_PENALTY_GET, "127.0.0.1", 0, 0 },
	/* one canonical spelling per address */
	{ "PENALTY-GET\t0::1", 0, ANVIL_REQUEST_PENALTY_GET, "::1", 0, 0 },
	{ "PENALTY-GET\t2001:DB8:1::", 0, ANVIL_REQUEST_PENALTY_GET, "2001:db8:1::", 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t4294967295\t65535", 0, ANVIL_REQUEST_PENALTY_INC,
	  "1.2.3.4", 4294967295U, 65535 },
	{ "PENALTY-INC\t1.2.3.4\t0\t0", 0, ANVIL_REQUEST_PENALTY_INC, "1.2.3.4", 0, 0 },
	{ "PENALTY-DUMP", 0, ANVIL_REQUEST_PENALTY_DUMP, NULL, 0, 0 },
	{ "PENALTY-GET", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\t", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\t*", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\tlocalhost", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\t1.2.3.4\tx", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\t1.2.3.4 ", -1, 0, NULL, 0, 0 },
	{ "PENALTY-GET\t1.2.3.256", -1, 0, NULL, 0, 0 },
	{ "penalty-get\t1.2.3.4", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t1\t1\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t4294967296\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t-1\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t1\t65536", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t1\t", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t1.2.3.4\t\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\tbad\t1\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-INC\t\t1\t1", -1, 0, NULL, 0, 0 },
	{ "PENALTY-DUMP\t", -1, 0, NULL, 0, 0 },
	{ "PENALTY-DUMP\tx", -1, 0, NULL, 0, 0 },
	{ "PENALTY", -1, 0, NULL, 0, 0 },
};

START_TEST(test_penalty_request_parse)
{
	const char *line = penalty_request_tests[_i].line, *error = NULL;
	struct anvil_request req;
	int ret;

	ret = anvil_request_parse(line, strlen(line), &req, &error);
	ck_assert_msg(ret == penalty_request_tests[_i].ret, "%s: %d", line, ret);
	if (ret < 0) {
		ck_assert_ptr_nonnull(error);
		return;
	}
	ck_assert_int_eq(req.type, penalty_request_tests[_i].type);
	if (penalty_request_tests[_i].ident == NULL)
		ck_assert_ptr_null(req.ident);
	else
		ck_assert_str_eq(req.ident, penalty_request_tests[_i].ident);
	ck_assert_uint_eq(req.checksum, penalty_request_tests[_i].checksum);
	ck_assert_uint_eq(req.value, penalty_request_tests[_i].value);
}
END_TEST

START_TEST(test_penalty_request_long)
{
	struct str *line = t_str_new(ANVIL_LINE_MAX_LEN + 64);
	struct anvil_request req;
	const char *error;

	/* an over-long "IP" is refused as an IP, a longer line as a line */
	str_append(line, "PENALTY-GET\t");
	while (str_len(line) < ANVIL_LINE_MAX_LEN)
		str_append_c(line, '1');
	ck_assert_int_eq(anvil_request_parse(str_c(line), str_len(line), &req,
					     &error), -1);
	ck_assert_str_eq(error, "invalid IP address");
	str_append_c(line, '1');
	ck_assert_int_eq(anvil_request_parse(str_c(line), str_len(line), &req,
					     &error), -1);
	ck_assert_str_eq(error, "line too long");
}
END_TEST

Suite *anvil_penalty_suite(void)
{
	Suite *s = suite_create("anvil-penalty");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_penalty_inc);
	tcase_add_test(tc, test_penalty_same_checksum);
	tcase_add_test(tc, test_penalty_reset);
	tcase_add_test(tc, test_penalty_expiry);
	tcase_add_test(tc, test_penalty_max_entries);
	tcase_add_test(tc, test_penalty_dump_order);
	tcase_add_loop_test(tc, test_penalty_request_parse, 0,
			    N_ELEMENTS(penalty_request_tests));
	tcase_add_test(tc, test_penalty_request_long);
	suite_add_tcase(s, tc);
	return s;
}
