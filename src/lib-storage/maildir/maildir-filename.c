/* Copyright (c) dovecot-like authors. maildir-filename.c: parsing and
   building Maildir file names the way Dovecot does, so flags, sizes and UID
   order agree with an existing Dovecot Maildir. */
#include "lib.h"
#include "maildir-filename.h"

#include <limits.h>
#include <sys/time.h>
#include <unistd.h>

static const struct {
	char letter;
	enum mail_flags flag;
} maildir_flag_letters[] = {	/* in ASCII order */
	{ 'D', MAIL_DRAFT },
	{ 'F', MAIL_FLAGGED },
	{ 'R', MAIL_ANSWERED },
	{ 'S', MAIL_SEEN },
	{ 'T', MAIL_DELETED },
};

bool maildir_filename_is_valid(const char *fname)
{
	return fname[0] != '\0' && fname[0] != '.' && fname[0] != ':' &&
		strchr(fname, '/') == NULL;
}

size_t maildir_filename_base_len(const char *fname)
{
	const char *p = strchr(fname, MAILDIR_INFO_SEP);

	return p == NULL ? strlen(fname) : (size_t)(p - fname);
}

bool maildir_filename_get_size(const char *fname, char key, uoff_t *size_r)
{
	size_t len = maildir_filename_base_len(fname), i;
	uoff_t value;
	bool digits;

	for (i = 0; i + 2 < len; i++) {
		if (fname[i] != ',' || fname[i + 1] != key || fname[i + 2] != '=')
			continue;
		value = 0;
		digits = false;
		for (i += 3; i < len && fname[i] >= '0' && fname[i] <= '9'; i++) {
			if (value > (UINT64_MAX - 9) / 10)
				return false;	/* absurd: treat as absent */
			value = value * 10 + (uoff_t)(fname[i] - '0');
			digits = true;
		}
		if (digits && (i == len || fname[i] == ',')) {
			*size_r = value;
			return true;
		}
		i--;	/* keep looking from here */
	}
	return false;
}

/* Dovecot looks at the last ':' for the info part. */
static const char *maildir_filename_get_info(const char *fname)
{
	const char *info = strrchr(fname, MAILDIR_INFO_SEP);

	if (info == NULL || info[1] != '2' || info[2] != ',')
		return NULL;
	return info + 3;
}

bool maildir_filename_has_info(const char *fname)
{
	return maildir_filename_get_info(fname) != NULL;
}

enum mail_flags maildir_filename_get_flags(const char *fname)
{
	const char *info = maildir_filename_get_info(fname);
	enum mail_flags flags = 0;
	unsigned int i;

	if (info == NULL)
		return 0;
	for (; *info != '\0' && *info != ','; info++) {
		for (i = 0; i < N_ELEMENTS(maildir_flag_letters); i++) {
			if (*info == maildir_flag_letters[i].letter)
				flags |= maildir_flag_letters[i].flag;
		}
	}
	return flags;
}

static bool maildir_is_system_flag_letter(char c)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(maildir_flag_letters); i++) {
		if (c == maildir_flag_letters[i].letter)
			return true;
	}
	return false;
}

uint32_t maildir_filename_get_letters(const char *fname)
{
	const char *info = maildir_filename_get_info(fname);
	uint32_t letters = 0;

	if (info == NULL)
		return 0;
	for (; *info != '\0' && *info != ','; info++) {
		if (*info >= 'a' && *info <= 'z')
			letters |= 1U << (*info - 'a');
	}
	return letters;
}

const char *maildir_filename_set_flags(struct pool *pool, const char *fname,
				       enum mail_flags flags)
{
	return maildir_filename_set_flags_kw(pool, fname, flags, 0, 0);
}

const char *maildir_filename_set_flags_kw(struct pool *pool, const char *fname,
					  enum mail_flags flags,
					  uint32_t kw_letters,
					  uint32_t known_letters)
{
	bool letters[256];
	const char *info, *rest = "";
	char flagstr[257];
	size_t base_len, n = 0;
	unsigned int i;

	memset(letters, 0, sizeof(letters));
	/* rewrite the info part get_flags() reads (after the last ':'), so
	   the flags read back even when the name has more than one ':' */
	info = maildir_filename_get_info(fname);
	base_len = info != NULL ? (size_t)(info - fname) - 3 :
		maildir_filename_base_len(fname);
	if (info != NULL) {
		for (; *info != '\0' && *info != ','; info++) {
			/* keep keywords and unknown letters */
			if (!maildir_is_system_flag_letter(*info))
				letters[(unsigned char)*info] = true;
		}
		rest = info;
	}
	for (i = 0; i < 26; i++) {
		if ((known_letters & (1U << i)) != 0)
			letters['a' + i] = (kw_letters & (1U << i)) != 0;
	}
	for (i = 0; i < N_ELEMENTS(maildir_flag_letters); i++) {
		if ((flags & maildir_flag_letters[i].flag) != 0)
			letters[(unsigned char)maildir_flag_letters[i].letter] = true;
	}
	for (i = 1; i < 256; i++) {
		if (letters[i])
			flagstr[n++] = (char)i;
	}
	flagstr[n] = '\0';
	return p_printf(pool, "%.*s" MAILDIR_FLAGS_PREFIX "%s%s",
			(int)base_len, fname, flagstr, rest);
}

static const char *parse_decimal(const char *p, unsigned long long *value_r,
				 bool *found_r)
{
	unsigned long long value = 0;

	*found_r = false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (value < ULLONG_MAX / 10)	/* saturate, never overflow */
			value = value * 10 + (unsigned long long)(*p - '0');
		*found_r = true;
	}
	*value_r = value;
	return p;
}

/* M<usecs> in the dot-part starting at p ("." already skipped). */
static bool maildir_filename_get_usecs(const char *p, unsigned long long *usecs_r)
{
	bool found;

	for (; *p != '\0' && *p != '.' && *p != ',' && *p != ':'; p++) {
		if (*p == 'M') {
			(void)parse_decimal(p + 1, usecs_r, &found);
			return found;
		}
	}
	return false;
}

static int maildir_filename_base_cmp(const char *fname1, const char *fname2)
{
	size_t len1 = maildir_filename_base_len(fname1);
	size_t len2 = maildir_filename_base_len(fname2);
	int ret = memcmp(fname1, fname2, MIN(len1, len2));

	if (ret != 0)
		return ret;
	return len1 < len2 ? -1 : (len1 > len2 ? 1 : 0);
}

int maildir_filename_sort_cmp(const char *fname1, const char *fname2)
{
	unsigned long long secs1, secs2, usecs1, usecs2;
	const char *s1, *s2;
	bool found1, found2;

	s1 = parse_decimal(fname1, &secs1, &found1);
	s2 = parse_decimal(fname2, &secs2, &found2);
	if (secs1 != secs2)
		return secs1 < secs2 ? -1 : 1;
	if (*s1 == '.' && *s2 == '.' &&
	    maildir_filename_get_usecs(s1 + 1, &usecs1) &&
	    maildir_filename_get_usecs(s2 + 1, &usecs2) && usecs1 != usecs2)
		return usecs1 < usecs2 ? -1 : 1;
	return maildir_filename_base_cmp(fname1, fname2);
}

const char *maildir_filename_guid(struct pool *pool, const char *fname)
{
	size_t len = strcspn(fname, ",:");

	return p_strndup(pool, fname, len);
}

/* The host part of new names, escaped once per process. */
static const char *maildir_filename_hostname(void)
{
	static char escaped[256 * 4 + 1];
	char host[256];
	size_t i, pos = 0;

	if (escaped[0] != '\0')
		return escaped;
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		memcpy(host, "localhost", sizeof("localhost"));
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++) {
		if (host[i] == '/' || host[i] == ':') {
			memcpy(escaped + pos, host[i] == '/' ? "\\057" : "\\072", 4);
			pos += 4;
		} else {
			escaped[pos++] = host[i];
		}
	}
	escaped[pos] = '\0';
	return escaped;
}

const char *maildir_filename_generate(struct pool *pool)
{
	static struct timeval last_tv;
	static unsigned int counter;
	struct timeval tv;

	/* secs + usecs never repeat within this process, even if the clock
	   steps back; the pid and host make the name unique across them */
	if (gettimeofday(&tv, NULL) < 0)
		panic("gettimeofday() failed: %m");
	if (tv.tv_sec < last_tv.tv_sec ||
	    (tv.tv_sec == last_tv.tv_sec && tv.tv_usec <= last_tv.tv_usec)) {
		tv = last_tv;
		if (++tv.tv_usec == 1000000) {
			tv.tv_sec++;
			tv.tv_usec = 0;
		}
	}
	last_tv = tv;
	return p_printf(pool, "%lld.M%ldP%ldQ%u.%s", (long long)tv.tv_sec,
			(long)tv.tv_usec, (long)getpid(), ++counter,
			maildir_filename_hostname());
}
