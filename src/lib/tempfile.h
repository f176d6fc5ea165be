/*
 * tempfile.h: the one place temporary files and directories are made.
 *
 * They go in $TMPDIR when it is set and not empty, else /tmp, named
 * publish-WHAT.XXXXXX (mkstemp/mkdtemp).  A spool file (a layer being
 * assembled, a blob whose stream broke, a base layer read for its tree)
 * is unlinked at once, so it disappears with the process whatever
 * happens; a directory is the caller's to remove.
 */
#ifndef TEMPFILE_H
#define TEMPFILE_H

#include "lib/strbuf.h"

/* The temporary directory: $TMPDIR, or /tmp (borrowed). */
const char *tempfile_dir(void);

/*
 * A new file DIR/publish-WHAT.XXXXXX, open for reading and writing: its
 * fd, or -1 after error() naming the directory.  Unlinked at once when
 * unlinked is set; else its path is appended to path_out (not NULL then).
 */
int tempfile_open(const char *what, int unlinked, struct strbuf *path_out);

/* A new directory DIR/publish-WHAT.XXXXXX, its path appended to out; -1 after error(). */
int tempfile_mkdir(const char *what, struct strbuf *out);

#endif
