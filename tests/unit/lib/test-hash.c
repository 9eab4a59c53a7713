/* Copyright (c) dovecot-like authors. Tests for hash tables. */
#include "test-lib.h"
#include "hash.h"

#include <stdio.h>

START_TEST(test_hash_str)
{
	struct pool *pool = pool_create("hash", 0, POOL_FLAG_NONE);
	struct hash_table *table = hash_table_create_str(pool, 0);
	char keys[1000][8];
	void *k, *v;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%u", i);
		hash_table_insert(table, keys[i], POINTER_CAST(i + 1));
	}
	ck_assert_uint_eq(hash_table_count(table), 1000);
	for (i = 0; i < 1000; i++) {
		char lookup[8];

		snprintf(lookup, sizeof(lookup), "k%u", i);
		ck_assert_uint_eq(POINTER_CAST_TO(hash_table_lookup(table, lookup),
						  unsigned int), i + 1);
	}
	ck_assert_ptr_null(hash_table_lookup(table, "K1"));
	ck_assert_ptr_null(hash_table_lookup(table, ""));
	/* replace */
	hash_table_insert(table, keys[5], POINTER_CAST(77));
	ck_assert_uint_eq(hash_table_count(table), 1000);
	ck_assert(hash_table_lookup_full(table, "k5", &k, &v));
	ck_assert_ptr_eq(k, keys[5]);
	ck_assert_ptr_eq(v, POINTER_CAST(77));
	ck_assert(!hash_table_lookup_full(table, "nope", &k, &v));
	ck_assert(hash_table_remove(table, "k7"));
	ck_assert(!hash_table_remove(table, "k7"));
	ck_assert_uint_eq(hash_table_count(table), 999);
	hash_table_clear(table);
	ck_assert_uint_eq(hash_table_count(table), 0);
	ck_assert_ptr_null(hash_table_lookup(table, "k1"));
	hash_table_destroy(&table);
	ck_assert_ptr_null(table);
	pool_unref(&pool);
}
END_TEST

START_TEST(test_hash_iterate_remove)
{
	struct hash_table *table = hash_table_create_direct(system_pool, 4);
	struct hash_iterate *iter;
	void *k, *v;
	unsigned int i, seen = 0, sum = 0;

	for (i = 1; i <= 100; i++)
		hash_table_insert(table, POINTER_CAST(i), POINTER_CAST(i * 2));
	iter = hash_table_iterate_init(table);
	while (hash_table_iterate(iter, &k, &v)) {
		ck_assert_ptr_eq(v, POINTER_CAST(POINTER_CAST_TO(k, unsigned int) * 2));
		sum += POINTER_CAST_TO(k, unsigned int);
		seen++;
		if (seen % 2 == 0)
			ck_assert(hash_table_remove(table, k));
	}
	hash_table_iterate_deinit(&iter);
	ck_assert_ptr_null(iter);
	ck_assert_uint_eq(seen, 100);
	ck_assert_uint_eq(sum, 5050);
	ck_assert_uint_eq(hash_table_count(table), 50);
	/* removed nodes are reused */
	for (i = 1000; i < 1050; i++)
		hash_table_insert(table, POINTER_CAST(i), NULL);
	ck_assert_uint_eq(hash_table_count(table), 100);
	hash_table_destroy(&table);
}
END_TEST

START_TEST(test_hash_strcase)
{
	struct hash_table *table = hash_table_create_strcase(tmp_pool, 0);

	hash_table_insert(table, (void *)"Inbox", (void *)"v");
	ck_assert_str_eq(hash_table_lookup(table, "INBOX"), "v");
	ck_assert_str_eq(hash_table_lookup(table, "inbox"), "v");
	ck_assert_uint_eq(strcase_hash("AbC"), strcase_hash("aBc"));
	ck_assert_uint_ne(str_hash("AbC"), str_hash("aBc"));
	tmp_reset();
}
END_TEST

Suite *hash_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_hash_str);
	tcase_add_test(tc, test_hash_iterate_remove);
	tcase_add_test(tc, test_hash_strcase);
	suite_add_tcase(s, tc);
	return s;
}
