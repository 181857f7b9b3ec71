/*
 * path.h - file name parts.
 */
#ifndef MX_PATH_H
#define MX_PATH_H

/* path_dir - the directory part of path, allocated: "." for a bare name,
 * "/" for a name right under the root */
char *path_dir(const char *path);

/* path_sync_dir - path's directory to disk (a name made or renamed there
 * made durable); errors are not reported */
void path_sync_dir(const char *path);

#endif
