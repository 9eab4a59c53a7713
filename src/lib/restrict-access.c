/* Copyright (c) dovecot-like authors. Dropping root for good (chroot, gid,
   groups, uid, no_new_privs) and proving it: a failed drop is fatal. A mail
   worker may keep mail_privileged_group as its saved gid, nothing more. */
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

/* The current supplementary groups in a tmp array. */
static gid_t *restrict_get_groups(int *count_r)
{
	int count = getgroups(0, NULL);
	gid_t *groups;

	if (count < 0)
		log_fatal("getgroups() failed: %m");
	groups = t_new(gid_t, (size_t)count + 1);
	count = getgroups(count, groups);
	if (count < 0)
		log_fatal("getgroups() failed: %m");
	*count_r = count;
	return groups;
}

/* The supplementary groups must not hold the privileged gid, or it would
   be usable without restrict_access_privileged_gid_begin(). */
static bool restrict_groups_have(gid_t wanted)
{
	gid_t *groups;
	int i, count;

	groups = restrict_get_groups(&count);
	for (i = 0; i < count; i++) {
		if (groups[i] == wanted)
			return true;
	}
	return false;
}

static void restrict_verify(uid_t uid, gid_t gid, gid_t saved_gid)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0)
		log_fatal("getresuid/getresgid() failed: %m");
	if (ruid != uid || euid != uid || suid != uid)
		log_fatal("Privilege drop failed: uids are %ld/%ld/%ld, wanted %ld",
			  (long)ruid, (long)euid, (long)suid, (long)uid);
	if (rgid != gid || egid != gid || sgid != saved_gid)
		log_fatal("Privilege drop failed: gids are %ld/%ld/%ld, "
			  "wanted %ld/%ld/%ld", (long)rgid, (long)egid,
			  (long)sgid, (long)gid, (long)gid, (long)saved_gid);
	if (saved_gid != gid && restrict_groups_have(saved_gid))
		log_fatal("Privilege drop failed: privileged gid %ld is a "
			  "supplementary group", (long)saved_gid);
	if (uid != 0) {
		if (setuid(0) == 0)
			log_fatal("Privilege drop failed: setuid(0) succeeded");
		if (setgid(0) == 0 && gid != 0)
			log_fatal("Privilege drop failed: setgid(0) succeeded");
	}
}

/* initgroups() may add the privileged group (the user is a member of
   "mail"): take it out again. */
static void restrict_groups_remove(gid_t unwanted)
{
	gid_t *groups;
	int i, j, count;

	groups = restrict_get_groups(&count);
	for (i = j = 0; i < count; i++) {
		if (groups[i] != unwanted)
			groups[j++] = groups[i];
	}
	if (j != count && setgroups((size_t)j, groups) < 0)
		log_fatal("setgroups() failed: %m");
}

static void restrict_access_full(uid_t uid, gid_t gid, const char *user_name,
				 const char *chroot_dir, gid_t saved_gid)
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

	if (setresgid(gid, gid, saved_gid) < 0)
		log_fatal("setresgid(%ld, %ld, %ld) failed: %m", (long)gid,
			  (long)gid, (long)saved_gid);
	if (user_name != NULL) {
		if (initgroups(user_name, gid) < 0)
			log_fatal("initgroups(%s, %ld) failed: %m",
				  user_name, (long)gid);
		if (saved_gid != gid)
			restrict_groups_remove(saved_gid);
	} else {
		if (setgroups(1, &gid) < 0)
			log_fatal("setgroups(%ld) failed: %m", (long)gid);
	}
	if (setresuid(uid, uid, uid) < 0)
		log_fatal("setresuid(%ld) failed: %m", (long)uid);
	restrict_set_no_new_privs();
	restrict_verify(uid, gid, saved_gid);
}

void restrict_access(uid_t uid, gid_t gid, const char *user_name,
		     const char *chroot_dir)
{
	restrict_access_full(uid, gid, user_name, chroot_dir, gid);
}

void restrict_access_keep_gid(uid_t uid, gid_t gid, const char *user_name,
			      const char *chroot_dir, gid_t privileged_gid)
{
	if (privileged_gid == 0 || privileged_gid == (gid_t)-1)
		log_fatal("Invalid privileged gid %ld", (long)privileged_gid);
	if (geteuid() != 0)
		log_fatal("Can't keep privileged gid %ld: not root",
			  (long)privileged_gid);
	restrict_access_full(uid, gid, user_name, chroot_dir, privileged_gid);
}

int restrict_access_privileged_gid_begin(gid_t privileged_gid)
{
	gid_t rgid, egid, sgid;

	/* only the kept saved gid, never some other group we could reach
	   (the real gid is no privilege) */
	if (getresgid(&rgid, &egid, &sgid) < 0)
		return -1;
	if (privileged_gid == rgid || privileged_gid != sgid ||
	    egid != rgid) {
		errno = EPERM;
		return -1;
	}
	return setegid(privileged_gid);
}

void restrict_access_privileged_gid_end(void)
{
	if (setegid(getgid()) < 0)
		panic("setegid(%ld) back from the privileged gid failed: %m",
		      (long)getgid());
}

int restrict_lookup_group(const char *name, gid_t *gid_r)
{
	struct group gr, *result = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &result) != 0 ||
	    result == NULL)
		return -1;
	*gid_r = gr.gr_gid;
	return 0;
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
