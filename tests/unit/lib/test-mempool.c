/* Copyright (c) dovecot-like authors. Tests for memory pools and the tmp pool. */
#include "test-lib.h"

START_TEST(test_pool_alloc)
{
	struct pool *pool = pool_create("test", 64, POOL_FLAG_NONE);
	unsigned char *p;
	unsigned int i;
	char *s;

	/* many sizes, small and larger than a block; all zeroed */
	for (i = 0; i < 200; i++) {
		size_t size = (i * 37) % 5000;

		p = p_malloc(pool, size);
		for (size_t j = 0; j < size; j++)
			ck_assert_int_eq(p[j], 0);
		memset(p, 0xaa, size);
	}
	/* realloc of the last allocation keeps data, zeroes the tail */
	p = p_malloc(pool, 10);
	memcpy(p, "0123456789", 10);
	p = p_realloc(pool, p, 10, 20000);
	ck_assert(memcmp(p, "0123456789", 10) == 0);
	ck_assert_int_eq(p[19999], 0);
	/* a big buffer growing in its own block keeps its contents */
	p = p_malloc(pool, 50000);
	memset(p, 'b', 50000);
	for (i = 1; i <= 4; i++) {
		(void)p_malloc(pool, 8);
		p = p_realloc(pool, p, 50000 * i, 50000 * (i + 1));
		ck_assert_int_eq(p[0], 'b');
		ck_assert_int_eq(p[50000 * i - 1], 'b');
		ck_assert_int_eq(p[50000 * i], 0);
		memset(p, 'b', 50000 * (i + 1));
	}
	ck_assert(p_realloc(pool, p, 100, 50) == p);
	s = p_strconcat(pool, "a", "bc", "", "d", NULL);
	ck_assert_str_eq(s, "abcd");
	ck_assert_str_eq(p_strndup(pool, "abc\0def", 7), "abc");
	ck_assert_ptr_null(p_strdup(pool, NULL));
	ck_assert_str_eq(pool_get_name(pool), "test");
	pool_clear(pool);
	s = p_printf(pool, "%d-%s", 5, "x");
	ck_assert_str_eq(s, "5-x");
	struct pool *pool2 = pool;
	pool_ref(pool);
	pool_unref(&pool2);
	ck_assert_ptr_null(pool2);
	pool_unref(&pool);
	ck_assert_ptr_null(pool);
}
END_TEST

START_TEST(test_pool_wipe_and_system)
{
	struct pool *pool = pool_create("wipe", 0, POOL_FLAG_WIPE);
	char *secret = p_strdup(pool, "password");
	char *big;
	void *m;

	ck_assert_str_eq(secret, "password");
	big = p_malloc(pool, 100000);
	big[99999] = 'x';
	pool_unref(&pool);

	m = p_malloc(system_pool, 16);
	m = p_realloc(system_pool, m, 16, 64);
	ck_assert_int_eq(((unsigned char *)m)[63], 0);
	p_free(system_pool, m);
}
END_TEST

START_TEST(test_tmp)
{
	const char *s;
	char longbuf[1000];

	errno = ENOENT;
	s = tmp_printf("x %m");
	ck_assert_str_eq(s, tmp_strconcat("x ", strerror(ENOENT), NULL));
	memset(longbuf, 'a', sizeof(longbuf) - 1);
	longbuf[sizeof(longbuf) - 1] = '\0';
	s = tmp_printf("%s!", longbuf);
	ck_assert_uint_eq(strlen(s), 1000);
	ck_assert_str_eq(tmp_strndup("abcdef", 3), "abc");
	ck_assert_str_eq(tmp_strdup("q"), "q");
	ck_assert(t_new(int, 4)[3] == 0);
	tmp_reset();

	char buf[5] = "abcd";
	safe_memzero(buf, 4);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(buf[3], 0);
}
END_TEST

/* A frame's allocations go to a pool of their own (freed at its end: a
   leak would show under ASan); the outer tmp pool is back, its values
   intact, after the frame, also nested. */
START_TEST(test_tmp_frame)
{
	struct pool *outer_pool = tmp_pool, *saved, *saved2;
	const char *outer, *inner = NULL;

	tmp_reset();
	outer = tmp_strdup("outer");
	saved = tmp_frame_begin();
	ck_assert_ptr_eq(saved, outer_pool);
	ck_assert_ptr_ne(tmp_pool, outer_pool);
	for (int i = 0; i < 1000; i++)
		inner = tmp_printf("%d %1000s", i, "x");
	ck_assert_uint_eq(strlen(inner), 1004);
	saved2 = tmp_frame_begin();
	ck_assert_str_eq(tmp_strdup("nested"), "nested");
	tmp_frame_end(saved2);
	ck_assert_str_eq(tmp_strdup("inner"), "inner");
	tmp_frame_end(saved);
	ck_assert_ptr_eq(tmp_pool, outer_pool);
	ck_assert_str_eq(outer, "outer");
	tmp_reset();
}
END_TEST

Suite *mempool_suite(void)
{
	Suite *s = suite_create("mempool");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pool_alloc);
	tcase_add_test(tc, test_pool_wipe_and_system);
	tcase_add_test(tc, test_tmp);
	tcase_add_test(tc, test_tmp_frame);
	suite_add_tcase(s, tc);
	return s;
}
