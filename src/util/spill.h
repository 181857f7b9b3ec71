/*
 * spill.h - unlinked temporary files for data that does not fit in
 * memory (the analysis' candidates, attempts, host-pair keys and MTA log
 * rows).
 */
#ifndef MX_SPILL_H
#define MX_SPILL_H

#include <stddef.h>
#include <stdio.h>

/* spill_open - a new, already unlinked file in $TMPDIR (default /tmp),
 * named mxsensor-WHAT.XXXXXX while it is being made, opened for reading
 * and writing with a 1 MB buffer; NULL with the reason in err */
FILE *spill_open(const char *what, char *err, size_t errlen);
/* spill_strerror - strerror(errnum) for a temporary file's failure, with
 * the directory and what to do when it is full (a static string) */
const char *spill_strerror(int errnum);

#endif
