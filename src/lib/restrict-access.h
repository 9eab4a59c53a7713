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
/* Look up a system user: 0 ok, -1 not found. */
int restrict_lookup_user(const char *name, uid_t *uid_r, gid_t *gid_r);

#endif
