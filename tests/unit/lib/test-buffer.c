/* Copyright (c) dovecot-like authors. Tests for buffers, strings and arrays. */
#include "test-lib.h"
#include "buffer.h"
#include "str.h"
#include "array.h"

START_TEST(test_buf_basic)
{
	struct buf *buf = buf_create(system_pool, 0);
	unsigned char *space;
	unsigned int i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_append_c(buf, (unsigned char)i), 0);
	ck_assert_uint_eq(buf->used, 1000);
	ck_assert_int_eq(buf->data[999], (unsigned char)999);
	buf_delete(buf, 0, 998);
	ck_assert_uint_eq(buf->used, 2);
	ck_assert_int_eq(buf->data[0], (unsigned char)998);
	buf_delete(buf, 5, 10);	/* past the end: no-op */
	buf_delete(buf, 1, 100);	/* clipped */
	ck_assert_uint_eq(buf->used, 1);
	ck_assert_int_eq(buf_write(buf, 10, "xy", 2), 0);
	ck_assert_uint_eq(buf->used, 12);
	ck_assert_int_eq(buf->data[5], 0);
	ck_assert(memcmp(buf->data + 10, "xy", 2) == 0);
	buf_truncate(buf, 3);
	ck_assert_uint_eq(buf->used, 3);
	buf_truncate(buf, 100);
	ck_assert_uint_eq(buf->used, 3);
	space = buf_get_space(buf, 5);
	memcpy(space, "hello", 5);
	buf_commit_space(buf, 5);
	ck_assert(memcmp(buf->data + 3, "hello", 5) == 0);
	buf_reset(buf);
	ck_assert_uint_eq(buf->used, 0);
	buf_free(&buf);
	ck_assert_ptr_null(buf);
}
END_TEST

static const struct {
	size_t max, first, second;
	int ret1, ret2;
} buf_max_tests[] = {
	{ 0, 100, 100, 0, 0 },
	{ 10, 10, 0, 0, 0 },
	{ 10, 10, 1, 0, -1 },
	{ 10, 11, 0, -1, 0 },
	{ 5, 3, 3, 0, -1 },
	{ 1, 0, 1, 0, 0 },
};

START_TEST(test_buf_max_size)
{
	struct buf *buf = buf_create(tmp_pool, 4);
	char data[200];
	size_t before;

	memset(data, 'z', sizeof(data));
	buf_set_max_size(buf, buf_max_tests[_i].max);
	ck_assert_int_eq(buf_append(buf, data, buf_max_tests[_i].first),
			 buf_max_tests[_i].ret1);
	before = buf->used;
	ck_assert_int_eq(buf_append(buf, data, buf_max_tests[_i].second),
			 buf_max_tests[_i].ret2);
	if (buf_max_tests[_i].ret2 < 0) {
		ck_assert_uint_eq(buf->used, before);	/* nothing appended */
		ck_assert_ptr_null(buf_get_space(buf, buf_max_tests[_i].second));
	}
	if (buf_max_tests[_i].max != 0)
		ck_assert_int_eq(buf_write(buf, buf_max_tests[_i].max, "a", 1), -1);
	/* overflowing positions never succeed */
	ck_assert_int_eq(buf_write(buf, SIZE_MAX, "ab", 2), -1);
	tmp_reset();
}
END_TEST

START_TEST(test_str)
{
	struct str *str = str_new(system_pool, 0), *str2 = t_str_new(4);
	unsigned int i;

	ck_assert_str_eq(str_c(str), "");
	str_append(str, "foo");
	str_append_c(str, ' ');
	str_append_n(str, "barXXX", 3);
	str_append_n(str, "a\0b", 3);	/* stops at NUL */
	ck_assert_str_eq(str_c(str), "foo bara");
	ck_assert_uint_eq(str_len(str), 8);
	str_printfa(str, "%d%s", 42, "!");
	ck_assert_str_eq(str_c(str), "foo bara42!");
	str_truncate(str, 3);
	ck_assert_str_eq(str_c(str), "foo");
	for (i = 0; i < 500; i++)
		str_printfa(str, "%u,", i);
	ck_assert_uint_eq(str_len(str), strlen(str_c(str)));
	str_reset(str);
	ck_assert_str_eq(str_c(str), "");
	str_append(str2, "xyz");
	str_append_str(str, str2);
	str_append_str(str, str2);
	ck_assert_str_eq(str_c(str), "xyzxyz");
	ck_assert(memcmp(str_data(str), "xyz", 3) == 0);
	str_free(&str);
	ck_assert_ptr_null(str);
	tmp_reset();
}
END_TEST

struct elem {
	int a;
	const char *s;
};

static int elem_cmp(const struct elem *e1, const struct elem *e2)
{
	return e1->a - e2->a;
}

START_TEST(test_array)
{
	ARRAY(struct elem) arr;
	ARRAY_TYPE(string) strings;
	const struct elem *ep;
	struct elem e, *em;
	unsigned int count, i;
	int sum = 0;

	memset(&arr, 0, sizeof(arr));
	ck_assert(!array_is_created(&arr));
	array_init(&arr, system_pool, 2);
	ck_assert(array_is_created(&arr));
	for (i = 0; i < 10; i++) {
		e.a = (int)(10 - i);
		e.s = "x";
		array_append(&arr, &e);
	}
	ck_assert_uint_eq(array_count(&arr), 10);
	ck_assert_int_eq(array_idx(&arr, 0)->a, 10);
	em = array_append_space(&arr);
	ck_assert_int_eq(em->a, 0);
	ck_assert_ptr_null(em->s);
	em->a = 100;
	e.a = -1;
	array_insert(&arr, 0, &e);
	ck_assert_int_eq(array_front(&arr)->a, -1);
	ck_assert_int_eq(array_idx(&arr, 1)->a, 10);
	ck_assert_int_eq(array_idx(&arr, 11)->a, 100);
	array_insert(&arr, 12, &e);	/* insert at end */
	ck_assert_uint_eq(array_count(&arr), 13);
	array_delete(&arr, 11, 2);
	array_delete(&arr, 0, 1);
	ck_assert_uint_eq(array_count(&arr), 10);
	array_sort(&arr, elem_cmp);
	ep = array_get(&arr, &count);
	ck_assert_uint_eq(count, 10);
	for (i = 0; i < count; i++)
		ck_assert_int_eq(ep[i].a, (int)i + 1);
	array_idx_modifiable(&arr, 0)->a = 50;
	array_foreach(&arr, em)
		sum += em->a;
	ck_assert_int_eq(sum, 50 + 54);
	array_clear(&arr);
	ck_assert_uint_eq(array_count(&arr), 0);
	array_free(&arr);
	ck_assert(!array_is_created(&arr));

	array_init(&strings, tmp_pool, 0);
	const char *s1 = "one";
	array_append(&strings, &s1);
	ck_assert_str_eq(*array_idx(&strings, 0), "one");
	tmp_reset();
}
END_TEST

Suite *buffer_suite(void)
{
	Suite *s = suite_create("buffer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_basic);
	tcase_add_loop_test(tc, test_buf_max_size, 0, N_ELEMENTS(buf_max_tests));
	tcase_add_test(tc, test_str);
	tcase_add_test(tc, test_array);
	suite_add_tcase(s, tc);
	return s;
}
