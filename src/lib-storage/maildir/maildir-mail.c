/* Copyright (c) dovecot-like authors. maildir-mail.c: per-message access for
   Maildir: sizes from the name or the uidlist, INTERNALDATE from mtime, the
   CRLF stream, POP3 UIDLs, and expunges as unlinks that tolerate other
   processes doing the same (flag changes: maildir-flags.c). */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "istream.h"
#include "var-expand.h"
#include "istream-crlf.h"
#include "message-header-md5.h"
#include "maildir-storage.h"
#include "mailbox-index.h"
#include "maildir-filename.h"
#include "maildir-index-state.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAILDIR_MAIL_STREAM_BUFFER_SIZE (64 * 1024)
/* %m hashes at most this much header */
#define MAILDIR_MAIL_MAX_HEADER_SIZE (1024 * 1024)

/* The uidlist identity of uid, rereading the uidlist if it lacks it (a
   session that built its view from the index has not read it yet). */
static const struct maildir_uidlist_rec *
maildir_msg_get_rec(struct maildir_mailbox *mbox, uint32_t uid)
{
	const struct maildir_uidlist_rec *rec;

	rec = maildir_uidlist_lookup(mbox->uidlist, uid);
	if (rec == NULL && maildir_uidlist_refresh(mbox->uidlist) >= 0)
		rec = maildir_uidlist_lookup(mbox->uidlist, uid);
	return rec;
}

static const char *maildir_msg_get_base(struct maildir_mailbox *mbox,
					uint32_t uid)
{
	const struct maildir_uidlist_rec *rec = maildir_msg_get_rec(mbox, uid);

	return rec == NULL ? NULL : rec->fname;
}

const char *maildir_msg_get_fname(struct maildir_mailbox *mbox,
				  const struct maildir_msg *msg,
				  enum mail_flags flags)
{
	static const struct {
		char letter;
		enum mail_flags flag;
	} letters[] = {	/* ASCII order, as maildir_filename_set_flags() */
		{ 'D', MAIL_DRAFT }, { 'F', MAIL_FLAGGED },
		{ 'R', MAIL_ANSWERED }, { 'S', MAIL_SEEN }, { 'T', MAIL_DELETED },
	};
	const char *base;
	uint32_t kw_letters;
	unsigned int i;

	if (msg->fname != NULL)
		return msg->fname;
	base = maildir_msg_get_base(mbox, msg->m.uid);
	if (base == NULL)
		return NULL;
	if (mbox->fname_buf == NULL)
		mbox->fname_buf = str_new(mbox->box.pool, 128);
	str_truncate(mbox->fname_buf, 0);
	str_append(mbox->fname_buf, base);
	if (!msg->in_new) {
		str_append(mbox->fname_buf, MAILDIR_FLAGS_PREFIX);
		for (i = 0; i < N_ELEMENTS(letters); i++) {
			if ((flags & letters[i].flag) != 0)
				str_append_c(mbox->fname_buf, letters[i].letter);
		}
		/* keyword letters sort after the capitals */
		kw_letters = maildir_keywords_to_letters(mbox->keywords,
							 &msg->m.keywords);
		for (i = 0; i < MAILDIR_MAX_KEYWORDS; i++) {
			if ((kw_letters & (1U << i)) != 0)
				str_append_c(mbox->fname_buf, (char)('a' + i));
		}
	}
	return str_c(mbox->fname_buf);
}

const char *maildir_msg_get_path(struct maildir_mailbox *mbox,
				 const struct maildir_msg *msg)
{
	const char *fname = maildir_msg_get_fname(mbox, msg, msg->m.flags);

	if (fname == NULL)
		return NULL;
	if (mbox->path_buf == NULL)
		mbox->path_buf = str_new(mbox->box.pool, 256);
	str_truncate(mbox->path_buf, 0);
	str_append(mbox->path_buf, mbox->path);
	str_append(mbox->path_buf, msg->in_new ? "/new/" : "/cur/");
	str_append(mbox->path_buf, fname);
	return str_c(mbox->path_buf);
}

static bool maildir_find_in_dir(struct maildir_mailbox *mbox,
				struct maildir_msg *msg, const char *base,
				bool new_dir)
{
	size_t base_len = strlen(base);
	const char *path;
	struct dirent *d;
	DIR *dir;
	bool found = false;

	path = tmp_strconcat(mbox->path, new_dir ? "/new" : "/cur", NULL);
	dir = opendir(path);
	if (dir == NULL) {
		log_error("opendir(%s) failed: %m", path);
		return false;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, base, base_len) == 0 &&
		    (d->d_name[base_len] == '\0' ||
		     d->d_name[base_len] == MAILDIR_INFO_SEP)) {
			msg->fname = p_strdup(mbox->box.view_pool, d->d_name);
			msg->in_new = new_dir;
			found = true;
			break;
		}
	}
	(void)closedir(dir);
	return found;
}

bool maildir_msg_relocate(struct maildir_mailbox *mbox,
			  struct maildir_msg *msg)
{
	const char *base;

	base = msg->fname != NULL ?
		tmp_strndup(msg->fname, maildir_filename_base_len(msg->fname)) :
		maildir_msg_get_base(mbox, msg->m.uid);
	if (base == NULL)
		return false;
	return maildir_find_in_dir(mbox, msg, base, false) ||
		maildir_find_in_dir(mbox, msg, base, true);
}

void maildir_set_expunged(struct maildir_mailbox *mbox)
{
	mailbox_set_error(&mbox->box, MAIL_ERROR_EXPUNGED,
			  "Message was expunged");
}

static int maildir_msg_open(struct maildir_mailbox *mbox,
			    struct maildir_msg *msg, int *fd_r)
{
	const char *path = maildir_msg_get_path(mbox, msg);

	if (path == NULL) {
		maildir_set_expunged(mbox);
		return -1;
	}
	*fd_r = open(path, O_RDONLY);
	if (*fd_r == -1 && errno == ENOENT && maildir_msg_relocate(mbox, msg)) {
		path = maildir_msg_get_path(mbox, msg);
		*fd_r = open(path, O_RDONLY);
	}
	if (*fd_r != -1)
		return 0;
	if (errno == ENOENT) {
		msg->gone = true;
		maildir_set_expunged(mbox);
		return -1;
	}
	log_error("open(%s) failed: %m", path);
	mailbox_set_internal_error(&mbox->box);
	return -1;
}

int maildir_msg_stat(struct maildir_mailbox *mbox, struct maildir_msg *msg,
		     struct stat *st_r)
{
	const char *path = maildir_msg_get_path(mbox, msg);
	int ret;

	if (path == NULL) {
		maildir_set_expunged(mbox);
		return -1;
	}
	ret = stat(path, st_r);
	if (ret < 0 && errno == ENOENT && maildir_msg_relocate(mbox, msg)) {
		path = maildir_msg_get_path(mbox, msg);
		ret = stat(path, st_r);
	}
	if (ret == 0)
		return 0;
	if (errno == ENOENT) {
		msg->gone = true;
		maildir_set_expunged(mbox);
		return -1;
	}
	log_error("stat(%s) failed: %m", path);
	mailbox_set_internal_error(&mbox->box);
	return -1;
}

static const char *
maildir_msg_get_ext(struct maildir_mailbox *mbox, const struct maildir_msg *msg,
		    char key)
{
	const struct maildir_uidlist_rec *rec;

	rec = maildir_msg_get_rec(mbox, msg->m.uid);
	return rec == NULL ? NULL : maildir_uidlist_rec_get_ext(rec, key);
}

static bool maildir_msg_get_ext_size(struct maildir_mailbox *mbox,
				     const struct maildir_msg *msg, char key,
				     uoff_t *size_r)
{
	const char *value = maildir_msg_get_ext(mbox, msg, key);
	uint64_t num;

	if (value == NULL || str_to_uint64(value, &num) < 0)
		return false;
	*size_r = num;
	return true;
}

static int maildir_mail_get_virtual_size_real(struct mailbox *box,
					      struct mailbox_msg *_msg,
					      uoff_t *size_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *msg = (struct maildir_msg *)_msg;
	unsigned char buf[8192];
	uoff_t size = 0;
	bool last_cr = false;
	ssize_t ret;
	int fd;

	const char *fname = maildir_msg_get_fname(mbox, msg, msg->m.flags);

	if ((fname != NULL && maildir_filename_get_size(fname, 'W', size_r)) ||
	    maildir_msg_get_ext_size(mbox, msg, 'W', size_r))
		return 0;
	if (msg->vsize_set) {
		*size_r = msg->vsize;
		return 0;
	}
	if (maildir_msg_open(mbox, msg, &fd) < 0)
		return -1;
	while ((ret = read(fd, buf, sizeof(buf))) > 0)
		size += istream_crlf_count_size(buf, (size_t)ret, &last_cr);
	if (ret < 0) {
		log_error("read(%s) failed: %m", maildir_msg_get_path(mbox, msg));
		(void)close(fd);
		mailbox_set_internal_error(box);
		return -1;
	}
	(void)close(fd);
	msg->vsize = size;
	msg->vsize_set = true;
	msg->vsize_write_pending = true;
	mbox->vsize_pending++;
	*size_r = size;
	return 0;
}

static int maildir_mail_get_physical_size_real(struct mailbox *box,
					       struct mailbox_msg *_msg,
					       uoff_t *size_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *msg = (struct maildir_msg *)_msg;
	const char *fname = maildir_msg_get_fname(mbox, msg, msg->m.flags);
	struct stat st;

	if ((fname != NULL && maildir_filename_get_size(fname, 'S', size_r)) ||
	    maildir_msg_get_ext_size(mbox, msg, 'S', size_r))
		return 0;
	if (maildir_msg_stat(mbox, msg, &st) < 0)
		return -1;
	*size_r = (uoff_t)st.st_size;
	return 0;
}

/* Sizes and INTERNALDATE come from the index when an earlier session
   recorded them there (no file name, no stat()); what we compute is
   recorded for the next ones. */
static int maildir_mail_get_info(struct maildir_mailbox *mbox,
				 struct maildir_msg *msg,
				 enum maildir_index_info_have field,
				 struct maildir_index_info *info_r)
{
	struct mailbox *box = &mbox->box;
	struct maildir_index_info info;
	struct stat st;
	uoff_t size;
	int ret;

	if (msg->gone) {
		/* as without the index: once seen gone, it stays gone */
		maildir_set_expunged(mbox);
		return -1;
	}
	if (maildir_index_get_info(mbox, msg->m.uid, &info) &&
	    (info.have & field) != 0) {
		*info_r = info;
		return 0;
	}
	memset(&info, 0, sizeof(info));
	switch (field) {
	case MAILDIR_INDEX_INFO_RECEIVED:
		/* Dovecot: maildir INTERNALDATE is the file's mtime */
		ret = maildir_msg_stat(mbox, msg, &st);
		info.received = st.st_mtime;
		break;
	case MAILDIR_INDEX_INFO_PSIZE:
		ret = maildir_mail_get_physical_size_real(box, &msg->m, &size);
		info.psize = size;
		break;
	default:
		ret = maildir_mail_get_virtual_size_real(box, &msg->m, &size);
		info.vsize = size;
		break;
	}
	if (ret < 0)
		return -1;
	info.have = field;
	maildir_index_set_info(mbox, msg->m.uid, &info);
	*info_r = info;
	return 0;
}

static int maildir_mail_get_virtual_size(struct mailbox *box,
					 struct mailbox_msg *msg,
					 uoff_t *size_r)
{
	struct maildir_index_info info;

	if (maildir_mail_get_info((struct maildir_mailbox *)box,
				  (struct maildir_msg *)msg,
				  MAILDIR_INDEX_INFO_VSIZE, &info) < 0)
		return -1;
	*size_r = info.vsize;
	return 0;
}

static int maildir_mail_get_physical_size(struct mailbox *box,
					  struct mailbox_msg *msg,
					  uoff_t *size_r)
{
	struct maildir_index_info info;

	if (maildir_mail_get_info((struct maildir_mailbox *)box,
				  (struct maildir_msg *)msg,
				  MAILDIR_INDEX_INFO_PSIZE, &info) < 0)
		return -1;
	*size_r = info.psize;
	return 0;
}

static int maildir_mail_get_received_date(struct mailbox *box,
					  struct mailbox_msg *msg,
					  time_t *date_r)
{
	struct maildir_index_info info;

	if (maildir_mail_get_info((struct maildir_mailbox *)box,
				  (struct maildir_msg *)msg,
				  MAILDIR_INDEX_INFO_RECEIVED, &info) < 0)
		return -1;
	*date_r = (time_t)info.received;
	return 0;
}

static int maildir_mail_get_header_md5(struct maildir_mailbox *mbox,
				       struct maildir_msg *msg,
				       const char **md5_hex_r)
{
	unsigned char md5[MESSAGE_HEADER_MD5_LEN];
	struct buf *hdr = buf_create(tmp_pool, 4096);
	char *out;
	unsigned char *space;
	ssize_t ret;
	int fd;

	if (maildir_msg_open(mbox, msg, &fd) < 0)
		return -1;
	/* read until the end of the header (or the limit) */
	while (hdr->used < MAILDIR_MAIL_MAX_HEADER_SIZE &&
	       message_header_size(hdr->data, hdr->used) == hdr->used) {
		space = buf_get_space(hdr, 4096);
		ret = read(fd, space, 4096);
		if (ret <= 0) {
			if (ret < 0) {
				log_error("read(%s) failed: %m",
					  maildir_msg_get_path(mbox, msg));
				(void)close(fd);
				mailbox_set_internal_error(&mbox->box);
				return -1;
			}
			break;
		}
		buf_commit_space(hdr, (size_t)ret);
	}
	(void)close(fd);
	message_header_md5(hdr->data, hdr->used, md5);
	out = p_malloc(tmp_pool, MESSAGE_HEADER_MD5_LEN * 2 + 1);
	binary_to_hex(out, md5, MESSAGE_HEADER_MD5_LEN);
	*md5_hex_r = out;
	return 0;
}

static int maildir_mail_get_pop3_uidl(struct mailbox *box,
				      struct mailbox_msg *_msg,
				      const char *format, const char **uidl_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *msg = (struct maildir_msg *)_msg;
	struct mail_pop3_uidl_values values = { NULL, NULL, NULL };
	const char *fname, *base, *saved;

	fname = maildir_msg_get_fname(mbox, msg, msg->m.flags);
	if (fname == NULL) {
		maildir_set_expunged(mbox);
		return -1;
	}
	base = tmp_strndup(fname, maildir_filename_base_len(fname));
	/* reference 8: a UIDL saved in the uidlist wins; "P" alone means
	   the base file name */
	saved = maildir_msg_get_ext(mbox, msg, 'P');
	if (saved != NULL) {
		*uidl_r = saved[0] == '\0' ? base : tmp_strdup(saved);
		return 0;
	}
	values.filename = base;
	values.guid = maildir_msg_get_ext(mbox, msg, 'G');
	if (values.guid == NULL)
		values.guid = maildir_filename_guid(tmp_pool, fname);
	if (var_has_key(format, 'm', "md5") &&
	    maildir_mail_get_header_md5(mbox, msg, &values.md5) < 0)
		return -1;
	return mailbox_pop3_uidl_expand(box, msg->m.uid, format, &values, uidl_r);
}

static int maildir_mail_get_stream(struct mailbox *box,
				   struct mailbox_msg *_msg,
				   struct istream **stream_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct istream *input;
	int fd;

	if (maildir_msg_open(mbox, (struct maildir_msg *)_msg, &fd) < 0)
		return -1;
	input = istream_create_fd(fd, MAILDIR_MAIL_STREAM_BUFFER_SIZE, true);
	input->blocking = true;
	*stream_r = istream_create_crlf(input);
	istream_unref(&input);
	return 0;
}

static int maildir_mail_keywords_created(struct mailbox *box,
					 unsigned int first_idx)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;

	return maildir_keywords_create(mbox->keywords, mbox->uidlist,
				       first_idx);
}

static int maildir_mail_expunge(struct mailbox *box, struct mailbox_msg *_msg)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *msg = (struct maildir_msg *)_msg;
	const char *path = maildir_msg_get_path(mbox, msg);

	if (path != NULL && unlink(path) == 0)
		goto expunged;
	if (path == NULL || errno == ENOENT) {
		/* renamed by another session, or already expunged by one */
		if (!maildir_msg_relocate(mbox, msg))
			goto expunged;
		path = maildir_msg_get_path(mbox, msg);
		if (unlink(path) == 0 || errno == ENOENT)
			goto expunged;
	}
	log_error("unlink(%s) failed: %m", path);
	mailbox_set_internal_error(box);
	return -1;
expunged:
	maildir_index_record_expunge(mbox, msg->m.uid);
	return 0;
}

/* End of a command's flag changes or expunges: into the index now, so
   the reply can carry their modseqs (RFC 7162 3.1.3). */
static int maildir_mail_changes_commit(struct mailbox *box, bool expunged)
{
	if (maildir_index_commit_changes((struct maildir_mailbox *)box) < 0 &&
	    !expunged) {
		/* the files changed, but no modseq shows it (CHANGEDSINCE
		   clients would miss it): the client must know. After
		   expunges (logged) the messages are gone all the same and
		   the caller must still report them: not an error there. */
		mailbox_set_internal_error(box);
		return -1;
	}
	return 0;
}

static uint64_t maildir_mail_get_modseq(struct mailbox *box,
					struct mailbox_msg *msg)
{
	return maildir_index_get_modseq((struct maildir_mailbox *)box,
					(const struct maildir_msg *)msg);
}

static uint64_t maildir_mail_get_highest_modseq(struct mailbox *box)
{
	return maildir_index_get_highest_modseq((struct maildir_mailbox *)box);
}

static int maildir_mail_get_expunges(struct mailbox *box, uint64_t since_modseq,
				     ARRAY_TYPE(uint32) *uid_ranges)
{
	return mailbox_index_get_expunges(box,
		((struct maildir_mailbox *)box)->index, since_modseq, uid_ranges);
}

static void maildir_mailbox_close(struct mailbox *box)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;

	maildir_sync_write_pending(mbox);
	maildir_index_close(mbox);
	maildir_uidlist_deinit(&mbox->uidlist);
}

/* new/ (deliveries), cur/ (flag changes and expunges rename or unlink
   there) and the index log (changes only the index records). */
static const char *const *maildir_get_notify_paths(struct mailbox *box)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	const char **paths = t_new(const char *, 4);

	paths[0] = tmp_strconcat(mbox->path, "/new", NULL);
	paths[1] = tmp_strconcat(mbox->path, "/cur", NULL);
	paths[2] = mbox->index_dir == NULL ? NULL :
		tmp_strconcat(mbox->index_dir, "/" MAILDIR_INDEX_PREFIX ".log",
			      NULL);
	paths[3] = NULL;
	return paths;
}

const struct mailbox_vfuncs maildir_mailbox_vfuncs = {
	.sync = maildir_sync,
	.close = maildir_mailbox_close,
	.get_notify_paths = maildir_get_notify_paths,
	.get_virtual_size = maildir_mail_get_virtual_size,
	.get_physical_size = maildir_mail_get_physical_size,
	.get_received_date = maildir_mail_get_received_date,
	.get_pop3_uidl = maildir_mail_get_pop3_uidl,
	.get_stream = maildir_mail_get_stream,
	.cache_lookup = maildir_cache_lookup,
	.cache_add = maildir_cache_add,
	.write_flags = maildir_mail_write_flags,
	.keywords_created = maildir_mail_keywords_created,
	.expunge = maildir_mail_expunge,
	.changes_commit = maildir_mail_changes_commit,
	.get_modseq = maildir_mail_get_modseq,
	.get_highest_modseq = maildir_mail_get_highest_modseq,
	.get_expunges = maildir_mail_get_expunges,
	.store_lock = maildir_mail_store_lock,
	.write_flags_unchanged = maildir_mail_write_flags_unchanged,
	.store_unlock = maildir_mail_store_unlock,
	.transaction_size = sizeof(struct maildir_transaction),
	.save_context_size = sizeof(struct maildir_save_context),
	.save_begin = maildir_save_begin,
	.save_write = maildir_save_write,
	.save_finish = maildir_save_finish,
	.save_cancel = maildir_save_cancel,
	.copy = maildir_copy,
	.transaction_commit = maildir_transaction_commit,
	.transaction_rollback = maildir_transaction_rollback,
	.get_id_dir = maildir_objectid_get_id_dir,
	.get_save_date = maildir_objectid_get_save_date,
	.get_email_key = maildir_objectid_get_email_key,
};
