/*
 * spill.c - unlinked temporary files (see spill.h).
 */
#include "util/spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"

static const char *spill_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
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
