/* Copyright (c) dovecot-like authors. maildir-uidlist.c: reading
   dovecot-uidlist and looking records up; the format is Dovecot's, so an
   existing Maildir keeps its UIDs and POP3 UIDLs. */
#include "lib.h"
#include "strfuncs.h"
#include "maildir-uidlist.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

/* Upper bound for a uidlist we read into memory: ~100 bytes a message. */
#define MAILDIR_UIDLIST_MAX_SIZE (1024 * 1024 * 512)

struct maildir_uidlist *maildir_uidlist_init(const char *dir)
{
	struct pool *pool = pool_create("maildir uidlist", 1024, POOL_FLAG_NONE);
	struct maildir_uidlist *uidlist;

	uidlist = pool_new(pool, struct maildir_uidlist, 1);
	uidlist->pool = pool;
	uidlist->path = p_strconcat(pool, dir, "/" MAILDIR_UIDLIST_NAME, NULL);
	uidlist->lock_path = p_strconcat(pool, uidlist->path, ".lock", NULL);
	uidlist->tmp_path = p_strconcat(pool, uidlist->path, ".tmp", NULL);
	uidlist->rec_pool = pool_create("maildir uidlist recs", 4096,
					POOL_FLAG_NONE);
	array_init(&uidlist->recs, uidlist->rec_pool, 64);
	array_init(&uidlist->names, uidlist->rec_pool, 64);
	return uidlist;
}

void maildir_uidlist_deinit(struct maildir_uidlist **_uidlist)
{
	struct maildir_uidlist *uidlist = *_uidlist;
	struct pool *pool;

	*_uidlist = NULL;
	if (uidlist->locked)
		maildir_uidlist_unlock(uidlist);
	pool_unref(&uidlist->rec_pool);
	pool = uidlist->pool;
	pool_unref(&pool);
}

static void maildir_uidlist_reset(struct maildir_uidlist *uidlist)
{
	pool_unref(&uidlist->rec_pool);
	uidlist->rec_pool = pool_create("maildir uidlist recs", 4096,
					POOL_FLAG_NONE);
	array_init(&uidlist->recs, uidlist->rec_pool, 64);
	array_init(&uidlist->names, uidlist->rec_pool, 64);
	uidlist->names_valid = false;
	uidlist->hdr_exts = NULL;
	uidlist->first_new_idx = 0;
	uidlist->broken_lines = 0;
	uidlist->need_recreate = false;
	uidlist->version = 0;
}

void maildir_uidlist_new_guid(char guid_r[MAILDIR_UIDLIST_GUID_HEX_LEN + 1])
{
	unsigned char guid[MAILDIR_UIDLIST_GUID_HEX_LEN / 2];

	if (getrandom(guid, sizeof(guid), 0) != (ssize_t)sizeof(guid))
		panic("getrandom() failed: %m");
	binary_to_hex(guid_r, guid, sizeof(guid));
}

/* A list that was never written: UIDVALIDITY = now (never going backwards
   from one we handed out before), a random mailbox GUID. */
static void maildir_uidlist_init_new(struct maildir_uidlist *uidlist)
{
	uint32_t old_validity = uidlist->uid_validity;

	maildir_uidlist_reset(uidlist);
	uidlist->uid_validity = (uint32_t)time(NULL);
	if (uidlist->uid_validity <= old_validity)
		uidlist->uid_validity = old_validity + 1;
	uidlist->hdr_next_uid = 1;
	maildir_uidlist_new_guid(uidlist->guid);
}

/* Parses a decimal uint32 from p[0..end). NULL on junk/overflow/zero. */
static const char *parse_uint32(const char *p, const char *end, uint32_t *num_r)
{
	uint64_t num = 0;

	if (p == end || *p < '0' || *p > '9')
		return NULL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		num = num * 10 + (uint64_t)(*p - '0');
		if (num > UINT32_MAX)
			return NULL;
	}
	if (num == 0)
		return NULL;
	*num_r = (uint32_t)num;
	return p;
}

static bool is_guid_hex(const char *p, size_t len)
{
	size_t i;

	if (len != MAILDIR_UIDLIST_GUID_HEX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	}
	return true;
}

static int maildir_uidlist_parse_header(struct maildir_uidlist *uidlist,
					const char *line, const char *end,
					const char **error_r)
{
	ARRAY(const char *) exts;
	const char *p, *item_end, *item;
	uint32_t num;

	if (end - line >= 2 && line[0] == '1' && line[1] == ' ') {
		/* version 1: "1 <uidvalidity> <nextuid>" */
		uidlist->version = 1;
		p = parse_uint32(line + 2, end, &uidlist->uid_validity);
		if (p == NULL || p == end || *p != ' ' ||
		    (p = parse_uint32(p + 1, end, &uidlist->hdr_next_uid)) == NULL ||
		    p != end) {
			*error_r = "Corrupted version 1 header";
			return -1;
		}
		return 0;
	}
	if (end - line < 2 || line[0] != '3' || line[1] != ' ') {
		*error_r = "Unsupported version or corrupted header";
		return -1;
	}
	uidlist->version = 3;
	array_init(&exts, uidlist->rec_pool, 2);
	for (p = line + 2; p < end; p = item_end + 1) {
		item_end = memchr(p, ' ', (size_t)(end - p));
		if (item_end == NULL)
			item_end = end;
		if (item_end == p)
			continue;	/* extra space */
		switch (*p) {
		case 'V':
			if (parse_uint32(p + 1, item_end, &num) != item_end) {
				*error_r = "Invalid UIDVALIDITY";
				return -1;
			}
			uidlist->uid_validity = num;
			break;
		case 'N':
			if (parse_uint32(p + 1, item_end, &num) != item_end) {
				*error_r = "Invalid next UID";
				return -1;
			}
			uidlist->hdr_next_uid = num;
			break;
		case 'G':
			if (!is_guid_hex(p + 1, (size_t)(item_end - p - 1))) {
				/* not worth losing the UIDs for: a new
				   GUID is written at the next recreate */
				log_warning("%s: Invalid mailbox GUID",
					    uidlist->path);
				uidlist->need_recreate = true;
				break;
			}
			memcpy(uidlist->guid, p + 1, MAILDIR_UIDLIST_GUID_HEX_LEN);
			uidlist->guid[MAILDIR_UIDLIST_GUID_HEX_LEN] = '\0';
			break;
		default:
			item = p_strndup(uidlist->rec_pool, p,
					 (size_t)(item_end - p));
			array_append(&exts, &item);
			break;
		}
		if (item_end == end)
			break;
	}
	if (uidlist->uid_validity == 0 || uidlist->hdr_next_uid == 0) {
		*error_r = "Header lacks UIDVALIDITY or next UID";
		return -1;
	}
	if (array_count(&exts) > 0) {
		item = NULL;
		array_append(&exts, &item);
		uidlist->hdr_exts = (const char **)array_idx(&exts, 0);
	}
	return 0;
}

/* One record line; NULL with *error_r if it is broken. */
static bool maildir_uidlist_parse_rec(struct maildir_uidlist *uidlist,
				      const char *line, const char *end,
				      struct maildir_uidlist_rec *rec,
				      const char **error_r)
{
	ARRAY(const char *) exts;
	const char *p, *item_end, *item, *fname, *colon;

	memset(rec, 0, sizeof(*rec));
	if (memchr(line, '\0', (size_t)(end - line)) != NULL) {
		/* would cut the file name short (an empty or another
		   file's identity) */
		*error_r = "NUL byte in record";
		return false;
	}
	p = parse_uint32(line, end, &rec->uid);
	if (p == NULL || p == end || *p != ' ') {
		*error_r = "Invalid UID";
		return false;
	}
	p++;
	if (uidlist->version == 1) {
		fname = p;
	} else {
		/* no array for the (usual) record without items: this runs
		   for every message of the mailbox */
		memset(&exts, 0, sizeof(exts));
		if (p < end && *p != ':')
			array_init(&exts, uidlist->rec_pool, 2);
		while (p < end && *p != ':') {
			if (*p < 'A' || *p > 'Z') {
				*error_r = "Invalid extension key";
				return false;
			}
			item_end = memchr(p, ' ', (size_t)(end - p));
			if (item_end == NULL) {
				*error_r = "Missing ':' before the file name";
				return false;
			}
			item = p_strndup(uidlist->rec_pool, p,
					 (size_t)(item_end - p));
			array_append(&exts, &item);
			p = item_end + 1;
		}
		if (p == end) {
			*error_r = "Missing ':' before the file name";
			return false;
		}
		fname = p + 1;
		if (array_is_created(&exts) && array_count(&exts) > 0) {
			item = NULL;
			array_append(&exts, &item);
			rec->exts = (const char **)array_idx(&exts, 0);
		}
	}
	/* older Dovecots wrote the full name: keep only the identity */
	colon = memchr(fname, ':', (size_t)(end - fname));
	if (colon != NULL)
		end = colon;
	if (fname == end || memchr(fname, '/', (size_t)(end - fname)) != NULL ||
	    fname[0] == '.') {
		*error_r = "Invalid file name";
		return false;
	}
	rec->fname = p_strndup(uidlist->rec_pool, fname, (size_t)(end - fname));
	return true;
}

static int name_cmp(const struct maildir_uidlist_name *n1,
		    const struct maildir_uidlist_name *n2)
{
	size_t len = MIN(n1->fname_len, n2->fname_len);
	int ret = memcmp(n1->fname, n2->fname, len);

	if (ret != 0)
		return ret;
	if (n1->fname_len != n2->fname_len)
		return n1->fname_len < n2->fname_len ? -1 : 1;
	return n1->uid < n2->uid ? -1 : (n1->uid > n2->uid ? 1 : 0);
}

static void maildir_uidlist_build_names(struct maildir_uidlist *uidlist)
{
	const struct maildir_uidlist_rec *rec;
	struct maildir_uidlist_name *name;

	array_clear(&uidlist->names);
	array_foreach(&uidlist->recs, rec) {
		name = array_append_space(&uidlist->names);
		name->fname = rec->fname;
		name->fname_len = strlen(rec->fname);
		name->uid = rec->uid;
	}
	array_sort(&uidlist->names, name_cmp);
	uidlist->names_valid = true;
}

/* The same file listed twice: the later line (higher uid) wins. */
static void maildir_uidlist_drop_duplicates(struct maildir_uidlist *uidlist)
{
	const struct maildir_uidlist_name *names;
	struct maildir_uidlist_rec *rec;
	unsigned int i, count;
	bool found = false;

	maildir_uidlist_build_names(uidlist);
	names = array_get(&uidlist->names, &count);
	for (i = 1; i < count; i++) {
		if (names[i].fname_len != names[i - 1].fname_len ||
		    memcmp(names[i].fname, names[i - 1].fname,
			   names[i].fname_len) != 0)
			continue;
		log_warning("%s: Duplicate file entry: %s (uids %u and %u)",
			    uidlist->path, names[i].fname, names[i - 1].uid,
			    names[i].uid);
		rec = maildir_uidlist_lookup(uidlist, names[i - 1].uid);
		rec->fname = NULL;	/* deleted below */
		found = true;
	}
	if (!found)
		return;
	for (i = 0; i < array_count(&uidlist->recs); ) {
		if (array_idx(&uidlist->recs, i)->fname == NULL)
			array_delete(&uidlist->recs, i, 1);
		else
			i++;
	}
	uidlist->need_recreate = true;
	maildir_uidlist_build_names(uidlist);
}

/* Sizes the record and name arrays for the lines of data, so a big list
   is not copied (and kept: pool memory) at every doubling. */
static void maildir_uidlist_presize(struct maildir_uidlist *uidlist,
				    const char *p, const char *end)
{
	unsigned int lines = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	array_init(&uidlist->recs, uidlist->rec_pool, lines + 16);
	array_init(&uidlist->names, uidlist->rec_pool, lines + 16);
}

int maildir_uidlist_parse(struct maildir_uidlist *uidlist,
			  const unsigned char *data, size_t len,
			  const char **error_r)
{
	const char *p = (const char *)data, *end = p + len, *lf;
	struct maildir_uidlist_rec rec;
	const char *error;
	uint32_t last_uid = 0;
	unsigned int line_num = 1;

	maildir_uidlist_reset(uidlist);
	uidlist->uid_validity = 0;
	uidlist->hdr_next_uid = 0;
	uidlist->guid[0] = '\0';

	lf = memchr(p, '\n', len);
	if (lf == NULL) {
		*error_r = "Missing header line";
		return -1;
	}
	if (maildir_uidlist_parse_header(uidlist, p, lf, error_r) < 0)
		return -1;
	maildir_uidlist_presize(uidlist, lf + 1, end);
	for (p = lf + 1; p < end; p = lf + 1) {
		line_num++;
		lf = memchr(p, '\n', (size_t)(end - p));
		if (lf == NULL)
			break;	/* half-written append: read it next time */
		if (lf == p)
			continue;
		if (!maildir_uidlist_parse_rec(uidlist, p, lf, &rec, &error)) {
			log_warning("%s: line %u: %s: %.*s", uidlist->path,
				    line_num, error, (int)MIN(lf - p, 200), p);
			uidlist->broken_lines++;
			continue;
		}
		if (rec.uid <= last_uid) {
			log_warning("%s: line %u: UIDs not ordered (%u after %u)",
				    uidlist->path, line_num, rec.uid, last_uid);
			uidlist->broken_lines++;
			continue;
		}
		last_uid = rec.uid;
		array_append(&uidlist->recs, &rec);
	}
	maildir_uidlist_drop_duplicates(uidlist);
	uidlist->first_new_idx = array_count(&uidlist->recs);
	return 0;
}

static int maildir_uidlist_read_fd(struct maildir_uidlist *uidlist, int fd,
				   const struct stat *st)
{
	unsigned char *data;
	size_t pos = 0, size;
	ssize_t ret;
	const char *error;

	if (st->st_size > MAILDIR_UIDLIST_MAX_SIZE) {
		log_error("%s: file too large (%lld bytes)", uidlist->path,
			  (long long)st->st_size);
		return -1;
	}
	size = (size_t)st->st_size;
	data = p_malloc(tmp_pool, size + 1);
	while (pos < size) {
		ret = read(fd, data + pos, size - pos);
		if (ret < 0) {
			log_error("read(%s) failed: %m", uidlist->path);
			return -1;
		}
		if (ret == 0)
			break;	/* truncated meanwhile: parse what we have */
		pos += (size_t)ret;
	}
	if (maildir_uidlist_parse(uidlist, data, pos, &error) < 0) {
		/* like Dovecot: a file we can't understand is recreated */
		log_error("%s: Corrupted header: %s - recreating, "
			  "UIDs will change", uidlist->path, error);
		maildir_uidlist_init_new(uidlist);
		uidlist->need_recreate = true;
	}
	return 0;
}

int maildir_uidlist_refresh(struct maildir_uidlist *uidlist)
{
	struct stat st;
	int fd, ret;

	fd = open(uidlist->path, O_RDONLY);
	if (fd == -1) {
		if (errno != ENOENT) {
			log_error("open(%s) failed: %m", uidlist->path);
			return -1;
		}
		if (!uidlist->exists && uidlist->uid_validity != 0)
			return 0;	/* still not written */
		uidlist->exists = false;
		maildir_uidlist_init_new(uidlist);
		return 1;
	}
	if (fstat(fd, &st) < 0) {
		log_error("fstat(%s) failed: %m", uidlist->path);
		(void)close(fd);
		return -1;
	}
	if (uidlist->exists && st.st_ino == uidlist->ino &&
	    st.st_dev == uidlist->dev && st.st_size == uidlist->size &&
	    st.st_mtim.tv_sec == uidlist->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == uidlist->mtime.tv_nsec) {
		(void)close(fd);
		return 0;
	}
	ret = maildir_uidlist_read_fd(uidlist, fd, &st);
	(void)close(fd);
	if (ret < 0)
		return -1;
	uidlist->exists = true;
	uidlist->dev = st.st_dev;
	uidlist->ino = st.st_ino;
	uidlist->size = st.st_size;
	uidlist->mtime = st.st_mtim;
	return 1;
}

uint32_t maildir_uidlist_get_next_uid(const struct maildir_uidlist *uidlist)
{
	unsigned int count = array_count(&uidlist->recs);
	uint32_t next = uidlist->hdr_next_uid;

	if (count > 0 && array_idx(&uidlist->recs, count - 1)->uid >= next)
		next = array_idx(&uidlist->recs, count - 1)->uid + 1;
	return next == 0 ? 1 : next;
}

struct maildir_uidlist_rec *
maildir_uidlist_lookup(struct maildir_uidlist *uidlist, uint32_t uid)
{
	struct maildir_uidlist_rec *recs;
	unsigned int count, left = 0, right, mid;

	recs = array_get_modifiable(&uidlist->recs, &count);
	right = count;
	while (left < right) {
		mid = left + (right - left) / 2;
		if (recs[mid].uid == uid)
			return &recs[mid];
		if (recs[mid].uid < uid)
			left = mid + 1;
		else
			right = mid;
	}
	return NULL;
}

uint32_t maildir_uidlist_lookup_fname(struct maildir_uidlist *uidlist,
				      const char *fname, size_t fname_len)
{
	const struct maildir_uidlist_name *names;
	struct maildir_uidlist_name key;
	unsigned int count, left = 0, right, mid;
	int ret;

	if (!uidlist->names_valid)
		maildir_uidlist_build_names(uidlist);
	key.fname = fname;
	key.fname_len = fname_len;
	key.uid = 0;
	names = array_get(&uidlist->names, &count);
	right = count;
	while (left < right) {
		mid = left + (right - left) / 2;
		ret = name_cmp(&names[mid], &key);
		if (ret < 0)
			left = mid + 1;
		else
			right = mid;
	}
	if (left < count && names[left].fname_len == fname_len &&
	    memcmp(names[left].fname, fname, fname_len) == 0)
		return names[left].uid;
	return 0;
}

const char *maildir_uidlist_rec_get_ext(const struct maildir_uidlist_rec *rec,
					char key)
{
	unsigned int i;

	if (rec->exts == NULL)
		return NULL;
	for (i = 0; rec->exts[i] != NULL; i++) {
		if (rec->exts[i][0] == key)
			return rec->exts[i] + 1;
	}
	return NULL;
}

void maildir_uidlist_rec_set_ext(struct maildir_uidlist *uidlist,
				 struct maildir_uidlist_rec *rec, char key,
				 const char *value)
{
	const char **exts;
	unsigned int i, count = 0;

	while (rec->exts != NULL && rec->exts[count] != NULL)
		count++;
	exts = pool_new(uidlist->rec_pool, const char *, count + 2);
	for (i = 0; i < count; i++) {
		if (rec->exts[i][0] != key)
			exts[i] = rec->exts[i];
		else
			exts[i] = "";	/* replaced: dropped below */
	}
	exts[count] = p_printf(uidlist->rec_pool, "%c%s", key, value);
	for (i = count; i > 0; i--) {
		if (exts[i - 1][0] == '\0') {
			memmove(exts + i - 1, exts + i,
				sizeof(*exts) * (count + 1 - (i - 1)));
			count--;
		}
	}
	rec->exts = exts;
	uidlist->need_recreate = true;
}

uint32_t maildir_uidlist_add(struct maildir_uidlist *uidlist, const char *fname,
			     size_t fname_len)
{
	struct maildir_uidlist_rec *rec;
	uint32_t uid = maildir_uidlist_get_next_uid(uidlist);

	ASSERT(uidlist->locked);
	rec = array_append_space(&uidlist->recs);
	rec->uid = uid;
	rec->fname = p_strndup(uidlist->rec_pool, fname, fname_len);
	rec->seen = true;
	uidlist->names_valid = false;
	return uid;
}

unsigned int maildir_uidlist_count_unseen(const struct maildir_uidlist *uidlist)
{
	const struct maildir_uidlist_rec *rec;
	unsigned int count = 0;

	array_foreach(&uidlist->recs, rec) {
		if (!rec->seen)
			count++;
	}
	return count;
}

void maildir_uidlist_drop_unseen(struct maildir_uidlist *uidlist)
{
	unsigned int i;

	for (i = 0; i < array_count(&uidlist->recs); ) {
		if (!array_idx(&uidlist->recs, i)->seen) {
			array_delete(&uidlist->recs, i, 1);
			if (uidlist->first_new_idx > i)
				uidlist->first_new_idx--;
		} else {
			i++;
		}
	}
	uidlist->names_valid = false;
}

void maildir_uidlist_forget_new(struct maildir_uidlist *uidlist)
{
	unsigned int count = array_count(&uidlist->recs);

	if (uidlist->first_new_idx < count) {
		array_delete(&uidlist->recs, uidlist->first_new_idx,
			     count - uidlist->first_new_idx);
	}
	uidlist->names_valid = false;
	/* a partial append may have changed the file: reread it */
	uidlist->mtime.tv_sec = 0;
	uidlist->mtime.tv_nsec = 0;
	uidlist->size = -1;
}
