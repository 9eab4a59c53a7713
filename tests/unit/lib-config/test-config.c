/* Copyright (c) dovecot-like authors. Runs the lib-config suites and holds
   the helpers they share (parse, temp files, dump capture). */
#include "test-config.h"
#include "str.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

struct settings *test_parse_ok(const char *text)
{
	const char *errors;
	struct settings *set;

	set = settings_parse_data("test.conf", text, strlen(text), &errors);
	ck_assert_msg(set != NULL, "unexpected errors for:\n%s\n---\n%s", text,
		      errors == NULL ? "(none)" : errors);
	ck_assert_ptr_null(errors);
	return set;
}

const char *test_parse_fail(const char *text)
{
	const char *errors = NULL;
	struct settings *set;

	set = settings_parse_data("test.conf", text, strlen(text), &errors);
	ck_assert_msg(set == NULL, "expected errors for:\n%s", text);
	ck_assert_ptr_nonnull(errors);
	return errors;
}

const char *test_tmpdir(void)
{
	char dir[] = "/tmp/test-config.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return tmp_strdup(dir);
}

static int rm_entry(const char *path, const struct stat *st ATTR_UNUSED,
		    int type ATTR_UNUSED, struct FTW *ftw ATTR_UNUSED)
{
	return remove(path);
}

void test_rmdir(const char *dir)
{
	ck_assert_int_eq(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

const char *test_write_file(const char *dir, const char *name, const char *data)
{
	const char *path = tmp_printf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "fopen(%s) failed", path);
	ck_assert_int_eq(fwrite(data, 1, strlen(data), f), strlen(data));
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

const char *test_dump(const struct settings *set, bool only_changed)
{
	int fd = memfd_create("test-dump", 0);
	struct str *out = t_str_new(4096);
	char buf[4096];
	ssize_t ret;

	ck_assert_int_ge(fd, 0);
	settings_dump(set, only_changed, fd);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((ret = read(fd, buf, sizeof(buf))) > 0)
		str_append_n(out, buf, (size_t)ret);
	close(fd);
	return str_c(out);
}

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	/* warnings of the cases go to a file nobody reads, not the test log */
	int log_fd = open("/dev/null", O_WRONLY);
	if (log_fd >= 0)
		log_set_fd(log_fd);
	sr = srunner_create(test_settings_parser_suite());
	srunner_add_suite(sr, test_settings_legacy_suite());
	srunner_add_suite(sr, test_settings_snapshot_suite());
	srunner_add_suite(sr, test_settings_workarounds_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
