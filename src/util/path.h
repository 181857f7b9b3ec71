/*
 * path.h - file name parts.
 */
#ifndef MX_PATH_H
#define MX_PATH_H

/* path_dir - the directory part of path, allocated: "." for a bare name,
 * "/" for a name right under the root */
char *path_dir(const char *path);

#endif
