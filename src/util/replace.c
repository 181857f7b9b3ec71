/*
 * replace.c - an output file replaced whole (see replace.h).
 */
#include "util/replace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/path.h"

/* new_mode - what a shell's redirection would give a new file */
static mode_t new_mode(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* release - r's allocations, r cleared */
static void release(struct replace *r)
{
	free(r->tmp);
	free(r->path);
	memset(r, 0, sizeof *r);
}

/* start - r for path; the stream when it is written in place (standard
 * output, or a path that names no regular file), else NULL with the file
 * to replace (a link's target) and the new file's mode set */
static FILE *start(struct replace *r, const char *path, mode_t *mode)
{
	memset(r, 0, sizeof *r);
	r->name = path ? path : "stdout";
	struct stat st;
	bool exists = path && stat(path, &st) == 0;
	if (!path || (exists && !S_ISREG(st.st_mode))) {
		r->in_place = true;
		if (!path)
			return r->f = stdout;
		r->path = xstrdup(path);
		if (!(r->f = fopen(path, "w"))) {
			error("%s: %s", path, strerror(errno));
			release(r);
		}
		return r->f;
	}
	char *real = exists ? realpath(path, NULL) : NULL;
	r->path = real ? real : xstrdup(path);
	*mode = exists ? st.st_mode & 07777 : new_mode();
	return NULL;
}

/* finish_open - the stream on fd (-1: the open failed, errno says why) */
static FILE *finish_open(struct replace *r, int fd, mode_t mode)
{
	if (fd < 0 || fchmod(fd, mode) < 0 || !(r->f = fdopen(fd, "w"))) {
		error("%s: %s", r->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (r->tmp)
			unlink(r->tmp);
		release(r);
		return NULL;
	}
	return r->f;
}

/* named - a temporary name beside the file; -1 with errno on failure */
static int named(struct replace *r)
{
	r->tmp = xasprintf("%s.XXXXXX", r->path);
	int fd = mkostemp(r->tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(r->tmp);
		r->tmp = NULL;
		errno = e;
	}
	return fd;
}

FILE *replace_open(struct replace *r, const char *path)
{
	mode_t mode = 0;
	FILE *f = start(r, path, &mode);
	if (f || r->in_place)
		return f;
	char *dir = path_dir(r->path);
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	int e = errno;
	free(dir);
	if (fd < 0 && (e == EOPNOTSUPP || e == EISDIR || e == EINVAL))
		fd = named(r);   /* no unnamed files on this file system */
	else if (fd < 0)
		errno = e;
	return finish_open(r, fd, mode);
}

FILE *replace_open_named(struct replace *r, const char *path)
{
	mode_t mode = 0;
	FILE *f = start(r, path, &mode);
	if (f || r->in_place)
		return f;
	return finish_open(r, named(r), mode);
}

/* give_name - the unnamed file (O_TMPFILE) under a temporary name beside
 * the file, ready for the rename: linked by its descriptor (AT_EMPTY_PATH:
 * root, even in a chroot without /proc, and since Linux 6.10 the file's
 * opener), else through /proc/self/fd (any user); 0 or -1 */
static int give_name(struct replace *r)
{
	char proc[64];
	int fd = fileno(r->f);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	for (int n = 0; n < 100; n++) {
		r->tmp = xasprintf("%s.mxsensor-%ld-%d", r->path, (long)getpid(), n);
		if (linkat(fd, "", AT_FDCWD, r->tmp, AT_EMPTY_PATH) == 0 ||
		    (errno != EEXIST &&
		     linkat(AT_FDCWD, proc, AT_FDCWD, r->tmp, AT_SYMLINK_FOLLOW) == 0))
			return 0;
		int e = errno;
		free(r->tmp);
		r->tmp = NULL;
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}


/* write_error - "NAME: write error: why"; a stream that failed earlier
 * may no longer know why (e == 0): then the error alone */
static void write_error(const char *name, int e)
{
	if (e)
		error("%s: write error: %s", name, strerror(e));
	else
		error("%s: write error", name);
}

int replace_commit(struct replace *r)
{
	if (!r->f)
		return -1;
	int rc = 0;
	errno = 0;                  /* a stream that failed before keeps no reason */
	if (fflush(r->f) != 0 || ferror(r->f)) {
		rc = -1;
	} else if (!r->in_place) {
		bool has_name = r->tmp != NULL;
		if (fsync(fileno(r->f)) < 0 || (!has_name && give_name(r) < 0) ||
		    rename(r->tmp, r->path) < 0)
			rc = -1;
	}
	int e = errno;
	if (r->f != stdout && fclose(r->f) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	r->f = NULL;
	if (rc < 0) {
		write_error(r->name, e);
		if (r->tmp)
			unlink(r->tmp);
	} else if (!r->in_place) {
		path_sync_dir(r->path);   /* its new name on disk too */
	}
	release(r);
	return rc;
}

void replace_abort(struct replace *r)
{
	if (r->f && r->f != stdout)
		fclose(r->f);
	if (r->tmp)
		unlink(r->tmp);
	release(r);
}

int replace_finish(struct replace *r, int rc)
{
	if (rc == 0)
		return replace_commit(r);
	write_error(r->name, errno);
	replace_abort(r);
	return -1;
}

int stdout_flush(void)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	write_error("stdout", errno);
	return -1;
}

int stdout_put(const char *text)
{
	errno = 0;
	if (fputs(text, stdout) != EOF && fflush(stdout) == 0)
		return 0;
	write_error("stdout", errno);
	return -1;
}
