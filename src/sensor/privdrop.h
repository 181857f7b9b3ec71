/*
 * privdrop.h - become an unprivileged user with no capabilities, and prove it.
 *
 * Called once, after every privileged resource (capture handles, the held
 * port) is open.  As root: optionally chroot, then setgroups/setresgid/
 * setresuid to the user, with the capability bounding set and the ambient
 * set emptied and no_new_privs set.  As a non-root user (e.g. a systemd
 * unit with AmbientCapabilities=): drop every capability it holds.  Then
 * privdrop_verify() checks the result; a failed check is fatal.
 */
#ifndef MX_PRIVDROP_H
#define MX_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privdrop_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* privdrop_default_user - "mxsensor" when that user exists, else "nobody" */
const char *privdrop_default_user(void);

/* privdrop_lookup - user name -> uid/gid; 0, or -1 with a message in err */
int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen);

/* privdrop_drop - chroot (when chroot_dir), then switch to u and drop all
 * capabilities; 0, or -1 with a message in err.  As non-root, u must be
 * the caller's own user. */
int privdrop_drop(const struct privdrop_user *u, const char *chroot_dir,
		  char *err, size_t errlen);

/* privdrop_verify - all of real/effective/saved uid and gid are u's, no
 * supplementary group other than u's, setuid(0) and setgid(0) fail, no
 * capability is effective, permitted or inheritable; 0, or -1 with err */
int privdrop_verify(const struct privdrop_user *u, char *err, size_t errlen);

/* privdrop_caps_empty - true when this process holds no capability in its
 * effective, permitted and inheritable sets */
bool privdrop_caps_empty(void);

#endif
