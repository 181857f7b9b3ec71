/*
 * spill.h - unlinked temporary files for data that does not fit in
 * memory (the analysis' candidates, attempts, host-pair keys and MTA log
 * rows).
 */
#ifndef MX_SPILL_H
#define MX_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* spill_dir - where the files go: $TMPDIR, else /var/tmp (where SQLite
 * puts its own; /tmp is often a tmpfs), else /tmp */
const char *spill_dir(void);
/* spill_room - the bytes free there for an unprivileged user; 0 or -1 */
int spill_room(uint64_t *avail);
/* spill_open - a new, already unlinked file in spill_dir(),
 * named mxsensor-WHAT.XXXXXX while it is being made, opened for reading
 * and writing with a 1 MB buffer; NULL with the reason in err */
FILE *spill_open(const char *what, char *err, size_t errlen);
/* spill_strerror - strerror(errnum) for a temporary file's failure, with
 * the directory and what to do when it is full (a static string) */
const char *spill_strerror(int errnum);

#endif
