/* Copyright (c) dovecot-like authors. restrict-access.h: dropping privileges,
   then checking the drop worked. */
#ifndef RESTRICT_ACCESS_H
#define RESTRICT_ACCESS_H

/* If chroot_dir != NULL: chdir+chroot there. Then setgid(gid),
   initgroups(user_name, gid) (or setgroups(1, gid) if user_name is NULL),
   setuid(uid), PR_SET_NO_NEW_PRIVS, and verifies that setuid(0) now fails.
   When not root and uid/gid equal the current ids, only chroot is skipped and
   no_new_privs set. Fatal on any failure. */
void restrict_access(uid_t uid, gid_t gid, const char *user_name,
		     const char *chroot_dir);
/* restrict_access() for a mail worker that keeps one privileged group
   (mail_privileged_group) reachable: the real and effective gid are gid,
   the saved gid is privileged_gid, and privileged_gid is removed from the
   supplementary groups, so the process has the group's rights only between
   restrict_access_privileged_gid_begin() and _end(). privileged_gid must not
   be 0 or (gid_t)-1. Root only; fatal on any failure. */
void restrict_access_keep_gid(uid_t uid, gid_t gid, const char *user_name,
			      const char *chroot_dir, gid_t privileged_gid);
/* Switches the effective gid to the kept privileged gid: 0, or -1 with errno
   (e.g. EPERM when nothing was kept). */
int restrict_access_privileged_gid_begin(gid_t privileged_gid);
/* Back to the real gid. Panics if that fails (we would keep the group). */
void restrict_access_privileged_gid_end(void);
/* Look up a system group: 0 ok, -1 not found. */
int restrict_lookup_group(const char *name, gid_t *gid_r);
/* Look up a system user: 0 ok, -1 not found. */
int restrict_lookup_user(const char *name, uid_t *uid_r, gid_t *gid_r);

#endif
