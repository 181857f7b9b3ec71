/*
 * privdrop.c - drop to an unprivileged user with no capabilities and
 * verify the drop (see privdrop.h).
 *
 * Follows tcpdump's droproot() and p0f's drop_privs(): chroot first (when
 * asked), then groups, gid, uid, in that order, then check every id and
 * that the way back to root is closed.  Capabilities are handled with
 * prctl(2) and capget/capset(2) directly (the raw kernel interface), so
 * no extra library is needed.
 */
#include "sensor/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *privdrop_default_user(void)
{
	return getpwnam("mxsensor") ? "mxsensor" : "nobody";
}

int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		snprintf(err, errlen, "no such user '%s'", name);
		return -1;
	}
	if (strlen(name) >= sizeof u->name) {
		snprintf(err, errlen, "user name too long");
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* cap_get - the three capability sets (two 32-bit words each) */
static int cap_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, d);
}

/* cap_clear - empty the effective, permitted and inheritable sets */
static int cap_clear(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	return (int)syscall(SYS_capset, &h, d);
}

bool privdrop_caps_empty(void)
{
	struct __user_cap_data_struct d[2];
	if (cap_get(d) < 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return false;
	return true;
}

/* last_cap - highest capability number this kernel knows */
static int last_cap(void)
{
	int n = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1 || n < 0 || n > 63)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

int privdrop_drop(const struct privdrop_user *u, const char *chroot_dir,
		  char *err, size_t errlen)
{
	bool root = geteuid() == 0;

	if (!root) {
		if (getuid() != u->uid) {
			snprintf(err, errlen, "running as uid %u, cannot become user '%s' "
				 "(start as root, or as that user)", (unsigned)getuid(), u->name);
			return -1;
		}
		if (chroot_dir) {
			snprintf(err, errlen, "--chroot needs root");
			return -1;
		}
	}
	/* the bounding set (needs CAP_SETPCAP; best effort as non-root) */
	int last = last_cap();
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && root && errno != EINVAL) {
			snprintf(err, errlen, "PR_CAPBSET_DROP %d: %s", c, strerror(errno));
			return -1;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "clearing ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (root) {
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
			snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
			return -1;
		}
		if (chroot_dir && (chroot(chroot_dir) < 0 || chdir("/") < 0)) {
			snprintf(err, errlen, "chroot %s: %s", chroot_dir, strerror(errno));
			return -1;
		}
		if (setgroups(1, &u->gid) < 0) {
			snprintf(err, errlen, "setgroups: %s", strerror(errno));
			return -1;
		}
		if (setresgid(u->gid, u->gid, u->gid) < 0) {
			snprintf(err, errlen, "setresgid %u: %s", (unsigned)u->gid, strerror(errno));
			return -1;
		}
		if (setresuid(u->uid, u->uid, u->uid) < 0) {
			snprintf(err, errlen, "setresuid %u: %s", (unsigned)u->uid, strerror(errno));
			return -1;
		}
	}
	if (cap_clear() < 0) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int privdrop_verify(const struct privdrop_user *u, char *err, size_t errlen)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (getresuid(&r, &e, &s) < 0 || r != u->uid || e != u->uid || s != u->uid) {
		snprintf(err, errlen, "uid is not %u after the drop", (unsigned)u->uid);
		return -1;
	}
	if (u->uid != 0 && (getresgid(&rg, &eg, &sg) < 0 || rg != u->gid || eg != u->gid ||
			    sg != u->gid)) {
		snprintf(err, errlen, "gid is not %u after the drop", (unsigned)u->gid);
		return -1;
	}
	if (u->uid != 0) {
		gid_t groups[64];
		int n = getgroups(64, groups);
		for (int i = 0; i < n; i++)
			if (groups[i] != u->gid) {
				snprintf(err, errlen, "still in group %u", (unsigned)groups[i]);
				return -1;
			}
		if (n < 0) {
			snprintf(err, errlen, "getgroups: %s", strerror(errno));
			return -1;
		}
		if (setuid(0) == 0 || seteuid(0) == 0) {
			snprintf(err, errlen, "setuid(0) still succeeds");
			return -1;
		}
		if (u->gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
			snprintf(err, errlen, "setgid(0) still succeeds");
			return -1;
		}
	}
	if (!privdrop_caps_empty()) {
		snprintf(err, errlen, "capabilities left after the drop");
		return -1;
	}
	return 0;
}
