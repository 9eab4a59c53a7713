/* Copyright (c) dovecot-like authors. Dropping root for good (chroot, gid,
   groups, uid, no_new_privs) and proving it: a failed drop is fatal. */
#include "lib.h"
#include "restrict-access.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>

static void restrict_set_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_fatal("prctl(PR_SET_NO_NEW_PRIVS) failed: %m");
}

static void restrict_chroot(const char *chroot_dir)
{
	if (chdir(chroot_dir) < 0)
		log_fatal("chdir(%s) failed: %m", chroot_dir);
	if (chroot(chroot_dir) < 0)
		log_fatal("chroot(%s) failed: %m", chroot_dir);
	if (chdir("/") < 0)
		log_fatal("chdir(/) after chroot failed: %m");
}

static void restrict_verify(uid_t uid, gid_t gid)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0)
		log_fatal("getresuid/getresgid() failed: %m");
	if (ruid != uid || euid != uid || suid != uid)
		log_fatal("Privilege drop failed: uids are %ld/%ld/%ld, wanted %ld",
			  (long)ruid, (long)euid, (long)suid, (long)uid);
	if (rgid != gid || egid != gid || sgid != gid)
		log_fatal("Privilege drop failed: gids are %ld/%ld/%ld, wanted %ld",
			  (long)rgid, (long)egid, (long)sgid, (long)gid);
	if (uid != 0) {
		if (setuid(0) == 0)
			log_fatal("Privilege drop failed: setuid(0) succeeded");
		if (setgid(0) == 0 && gid != 0)
			log_fatal("Privilege drop failed: setgid(0) succeeded");
	}
}

void restrict_access(uid_t uid, gid_t gid, const char *user_name,
		     const char *chroot_dir)
{
	if (geteuid() != 0) {
		if (uid != getuid() || gid != getgid())
			log_fatal("Can't change to uid %ld gid %ld: not root",
				  (long)uid, (long)gid);
		restrict_set_no_new_privs();
		return;
	}
	if (chroot_dir != NULL)
		restrict_chroot(chroot_dir);

	if (setresgid(gid, gid, gid) < 0)
		log_fatal("setresgid(%ld) failed: %m", (long)gid);
	if (user_name != NULL) {
		if (initgroups(user_name, gid) < 0)
			log_fatal("initgroups(%s, %ld) failed: %m",
				  user_name, (long)gid);
	} else {
		if (setgroups(1, &gid) < 0)
			log_fatal("setgroups(%ld) failed: %m", (long)gid);
	}
	if (setresuid(uid, uid, uid) < 0)
		log_fatal("setresuid(%ld) failed: %m", (long)uid);
	restrict_set_no_new_privs();
	restrict_verify(uid, gid);
}

int restrict_lookup_user(const char *name, uid_t *uid_r, gid_t *gid_r)
{
	struct passwd pw, *result = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &result) != 0 ||
	    result == NULL)
		return -1;
	*uid_r = pw.pw_uid;
	*gid_r = pw.pw_gid;
	return 0;
}
