/*
 * tempfile.c: see tempfile.h.  The only reader of $TMPDIR.
 */
#include "lib/common.h"
#include "lib/tempfile.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

const char *tempfile_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

int tempfile_open(const char *what, int unlinked, struct strbuf *path_out)
{
	struct strbuf path = STRBUF_INIT;
	int fd;

	strbuf_addf(&path, "%s/publish-%s.XXXXXX", tempfile_dir(), what);
	fd = mkstemp(path.buf);
	if (fd < 0) {
		error("cannot create a temporary file in '%s': %s", tempfile_dir(), strerror(errno));
	} else if (unlinked) {
		unlink(path.buf);
	} else {
		strbuf_addbuf(path_out, &path);
	}
	strbuf_release(&path);
	return fd;
}

int tempfile_mkdir(const char *what, struct strbuf *out)
{
	size_t len = out->len;

	strbuf_addf(out, "%s/publish-%s.XXXXXX", tempfile_dir(), what);
	if (!mkdtemp(out->buf + len))
		return error("cannot create a temporary directory in '%s': %s", tempfile_dir(), strerror(errno));
	return 0;
}
