/*
 * path.c - file name parts (see path.h).
 */
#include "util/path.h"

#include <string.h>

#include "util/alloc.h"

char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}
