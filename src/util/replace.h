/*
 * replace.h - an output file replaced whole.
 *
 * `mxsensor dnsbl > /var/lib/rbldnsd/bl6` empties the dataset the moment
 * the shell opens it and fills it over the seconds the export takes (19 s
 * on a store of 50M SYNs); rbldnsd, which reloads a file whose time
 * stamp changed, can load it half-written, and a run that fails leaves it
 * empty.  An output given with --output is written instead as a file
 * with no name in the same directory (O_TMPFILE; where the file system
 * has none, a temporary name beside it) and takes the file's name, by
 * rename(2), only once it is complete and on disk: a reader sees the old
 * file or the new one, and a run that fails or is killed leaves the old
 * one (and, with O_TMPFILE, nothing else).  The new file gets the old
 * one's permissions, or 0666 less the umask as the shell would give it.
 * A path that names no regular file (/dev/stdout, a FIFO) is written in
 * place; a symbolic link's target is replaced, not the link.
 */
#ifndef MX_REPLACE_H
#define MX_REPLACE_H

#include <stdbool.h>
#include <stdio.h>

struct replace {
	FILE *f;
	const char *name;           /* for messages: the path as given (kept, not
				     * copied), or "stdout" */
	char *path;                 /* the file to replace or write in place */
	char *tmp;                  /* its temporary name (NULL: none yet) */
	bool in_place;              /* stdout, or not a regular file: written directly */
};

/* replace_open - the stream to write path (NULL: standard output, which
 * is flushed but not closed at the end); NULL with the error printed */
FILE *replace_open(struct replace *r, const char *path);
/* replace_open_named - the same with a temporary name beside the file
 * from the start (FILE.XXXXXX), as replace_open does where the file
 * system has no unnamed files; a run killed before the end leaves it */
FILE *replace_open_named(struct replace *r, const char *path);
/* replace_commit - the whole output under the file's name; 0, or -1 with
 * "NAME: write error: ..." printed and the old file kept.  The stream is
 * closed (standard output: flushed). */
int replace_commit(struct replace *r);
/* replace_abort - drop what was written; the old file stays */
void replace_abort(struct replace *r);
/* replace_finish - the end of a writer whose result is rc (-1: a write
 * failed, errno says why): the commit, or the error printed and what
 * was written dropped; 0 or -1 */
int replace_finish(struct replace *r, int rc);
/* stdout_flush - standard output flushed and checked, for a command that
 * writes it directly: 0, or -1 with "stdout: write error: ..." printed */
int stdout_flush(void);
/* stdout_put - text to standard output, flushed and checked at once
 * (the reason of a failed write is known only then): 0 or -1, said */
int stdout_put(const char *text);

#endif
