/*
 * spill.c - unlinked temporary files (see spill.h).
 */
#include "util/spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/alloc.h"

/* The directory SQLite's own temporary files take too (its unix VFS
 * looks at SQLITE_TMPDIR, TMPDIR, then /var/tmp before /tmp): /tmp is
 * often a tmpfs (Debian's default since 13), where a run's gigabytes of
 * records would be held in memory, or not fit. */
const char *spill_dir(void)
{
	const char *dir = getenv("TMPDIR");
	if (dir && *dir)
		return dir;
	return access("/var/tmp", W_OK | X_OK) == 0 ? "/var/tmp" : "/tmp";
}

int spill_room(uint64_t *avail)
{
	struct statvfs v;
	if (statvfs(spill_dir(), &v) < 0)
		return -1;
	*avail = (uint64_t)v.f_bavail * v.f_frsize;
	return 0;
}

const char *spill_strerror(int errnum)
{
	static _Thread_local char buf[512];   /* the partitioned steps run on two threads */
	if (errnum != ENOSPC && errnum != EDQUOT)
		return strerror(errnum);
	snprintf(buf, sizeof buf, "%s in %s (TMPDIR names a directory with more room)",
		 strerror(errnum), spill_dir());
	return buf;
}

FILE *spill_open(const char *what, char *err, size_t errlen)
{
	char *path = xasprintf("%s/mxsensor-%s.XXXXXX", spill_dir(), what);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, spill_strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	FILE *f = fdopen(fd, "w+");
	if (!f) {
		snprintf(err, errlen, "temporary file: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}
