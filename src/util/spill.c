/*
 * spill.c - unlinked temporary files (see spill.h).
 */
#include "util/spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"

FILE *spill_open(const char *what, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/mxsensor-%s.XXXXXX", dir && *dir ? dir : "/tmp", what);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
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
