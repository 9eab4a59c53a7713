/* Copyright (c) dovecot-like authors. Fuzzes the dovecot-like.conf parser,
   the -n/-a dumps and the snapshot children load, checking a snapshot round
   trip dumps the same settings, since a bad config must never crash master. */
#include "fuzz-common.h"
#include "settings.h"

#include <stdio.h>
#include <sys/mman.h>

/* An empty scratch directory with one include file and one value file, so
   relative "!include" and "<file" in inputs find something small. */
static void config_fuzz_init(void)
{
	static bool done = false;
	char dir[] = "/tmp/fuzz-config.XXXXXX";
	FILE *f;

	if (done)
		return;
	done = true;
	if (mkdtemp(dir) == NULL || chdir(dir) < 0)
		abort();
	if ((f = fopen("inc.conf", "w")) != NULL) {
		fputs("mail_debug = yes\nprotocol imap {\n  mail_max_userip_connections = 5\n}\n", f);
		fclose(f);
	}
	if ((f = fopen("value.txt", "w")) != NULL) {
		fputs("from-a-file", f);
		fclose(f);
	}
}

/* Dump into a memfd and return the text (malloc'd). */
static char *dump_to_string(const struct settings *set, bool only_changed)
{
	int fd = memfd_create("fuzz-dump", MFD_CLOEXEC);
	off_t size;
	char *text;

	if (fd < 0)
		abort();
	settings_dump(set, only_changed, fd);
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		abort();
	text = malloc((size_t)size + 1);
	if (text == NULL || pread(fd, text, (size_t)size, 0) != size)
		abort();
	text[size] = '\0';
	close(fd);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings *set, *set2;
	const char *errors, *error;
	char *dump1, *dump2;
	unsigned int i, count;
	int fd, devnull;

	fuzz_init();
	config_fuzz_init();
	set = settings_parse_data("fuzz.conf", (const char *)data, size, &errors);
	if (set == NULL) {
		if (errors == NULL || errors[0] == '\0')
			abort();
		tmp_reset();
		return 0;
	}
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	settings_dump(set, false, devnull);
	close(devnull);
	(void)settings_get_warnings(set);
	(void)settings_get(set, "imap", "mail_location");
	(void)settings_get_uint(set, NULL, "mail_max_userip_connections");
	(void)settings_get_location(set, "pop3", "listen");
	count = settings_count_sections(set, "service");
	for (i = 0; i < count; i++)
		(void)settings_get_section(set, "service", i);

	/* snapshot round trip: what children load dumps the same */
	fd = settings_snapshot_create(set, &error);
	if (fd < 0) {
		/* only I/O (memfd) can fail here */
		abort();
	}
	set2 = settings_snapshot_load(fd, &error);
	close(fd);
	if (set2 == NULL)
		abort();
	dump1 = dump_to_string(set, true);
	dump2 = dump_to_string(set2, true);
	if (strcmp(dump1, dump2) != 0)
		abort();
	free(dump1);
	free(dump2);
	settings_free(&set2);
	settings_free(&set);
	tmp_reset();
	return 0;
}
