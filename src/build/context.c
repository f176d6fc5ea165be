/*
 * context.c: see context.h.
 */
#include "lib/common.h"
#include "build/context.h"
#include "build/gopath.h"
#include "lib/strlist.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define MAX_SYMLINKS 255

/* ---- paths --------------------------------------------------------- */

void context_image_path(const char *workdir, const char *dest, struct strbuf *out)
{
	struct strbuf p = STRBUF_INIT;

	if (dest[0] != '/' && workdir)
		gopath_push(&p, workdir);
	gopath_push(&p, dest);
	strbuf_addch(out, '/');
	strbuf_addbuf(out, &p);
	strbuf_release(&p);
}

int context_has_glob(const char *pattern)
{
	return gopath_has_meta(pattern);
}

int context_in_git_dir(const char *rel)
{
	for (const char *p = rel; *p; ) {
		const char *e = strchrnul(p, '/');

		if (e - p == 4 && !memcmp(p, ".git", 4))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

static int is_url_scheme_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '+' || ch == '-' || ch == '.';
}

/* The 1-based line of offset off in buf. */
static int line_at(const char *buf, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

int context_git_config_secret(const char *buf, size_t len, struct strbuf *what)
{
	static const char key[] = "extraheader";

	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++) {
		if (strncasecmp(buf + i, key, sizeof(key) - 1))
			continue;
		strbuf_addf(what, "an http extraheader (line %d)", line_at(buf, i));
		return 1;
	}
	for (size_t i = 0; i + 3 <= len; i++) {
		size_t s = i, a = i + 3, e, at = 0;

		if (memcmp(buf + i, "://", 3))
			continue;
		while (s && is_url_scheme_char(buf[s - 1]))
			s--;
		/* the authority: up to the path, query, fragment, a quote or a space */
		for (e = a; e < len && !strchr("/?#\"' \t\r\n;", buf[e]); e++)
			if (buf[e] == '@')
				at = e;
		if (!at || at == a)
			continue;
		if (((i - s == 4 && !strncasecmp(buf + s, "http", 4)) ||
		     (i - s == 5 && !strncasecmp(buf + s, "https", 5))) ||
		    memchr(buf + a, ':', at - a)) {
			strbuf_addf(what, "credentials in a URL (line %d)", line_at(buf, i));
			return 1;
		}
	}
	return 0;
}

/* The target of the symlink at path, NUL-terminated, into buf of size bytes. */
static int read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0)
		return error_as(EXIT_CONTEXT, "cannot read link '%s': %s", path, strerror(errno));
	buf[n] = '\0';
	return 0;
}

/*
 * Resolve rel (a clean relative path) inside root, following symlinks
 * (the last one too when follow_last), each target clamped to root: an
 * absolute target starts again at root, ".." stops at root.  out gets the
 * resolved clean relative path, st its lstat.  -ENOENT-like: returns 1
 * when a component does not exist, negative on other errors.
 */
static int resolve_scoped(const char *root, const char *rel, int follow_last,
			  struct strbuf *out, struct stat *st)
{
	struct strbuf cur = STRBUF_INIT, todo = STRBUF_INIT, host = STRBUF_INIT;
	struct strbuf comp = STRBUF_INIT, nt = STRBUF_INIT;
	int links = 0, rc = 0;
	size_t pos = 0;

	strbuf_addstr(&todo, rel);
	if (lstat(root, st) < 0) {
		rc = error_as(EXIT_CONTEXT, "cannot read the build context '%s': %s", root, strerror(errno));
		goto out;
	}
	while (pos < todo.len) {
		const char *p = todo.buf + pos, *e = strchrnul(p, '/');
		int last;

		strbuf_reset(&comp);
		strbuf_add(&comp, p, e - p);
		pos = *e ? (size_t)(e + 1 - todo.buf) : todo.len;
		last = pos >= todo.len;
		if (!comp.len || !strcmp(comp.buf, "."))
			continue;
		if (!strcmp(comp.buf, "..")) {
			char *slash = strrchr(cur.buf, '/');

			strbuf_setlen(&cur, slash ? (size_t)(slash - cur.buf) : 0);
		} else {
			if (cur.len)
				strbuf_addch(&cur, '/');
			strbuf_addbuf(&cur, &comp);
		}
		strbuf_reset(&host);
		strbuf_addf(&host, "%s%s%s", root, cur.len ? "/" : "", cur.buf);
		if (lstat(host.buf, st) < 0) {
			rc = errno == ENOENT || errno == ENOTDIR ? 1
				: error_as(EXIT_CONTEXT, "cannot read '%s': %s", host.buf, strerror(errno));
			goto out;
		}
		if (S_ISLNK(st->st_mode) && (!last || follow_last)) {
			char target[4096];

			if ((rc = read_link(host.buf, target, sizeof(target))))
				goto out;
			if (++links > MAX_SYMLINKS) {
				rc = error_as(EXIT_CONTEXT, "too many levels of symbolic links at '%s'", host.buf);
				goto out;
			}
			/* on from the link's directory, or from the root for an absolute target */
			if (target[0] == '/') {
				strbuf_reset(&cur);
			} else {
				char *slash = strrchr(cur.buf, '/');

				strbuf_setlen(&cur, slash ? (size_t)(slash - cur.buf) : 0);
			}
			strbuf_reset(&nt);
			strbuf_addstr(&nt, target);
			if (pos < todo.len) {
				strbuf_addch(&nt, '/');
				strbuf_addstr(&nt, todo.buf + pos);
			}
			strbuf_reset(&todo);
			strbuf_addbuf(&todo, &nt);
			pos = 0;
			/* a link to the root itself */
			strbuf_reset(&host);
			strbuf_addf(&host, "%s%s%s", root, cur.len ? "/" : "", cur.buf);
			if (lstat(host.buf, st) < 0) {
				rc = 1;
				goto out;
			}
		} else if (!last && !S_ISDIR(st->st_mode)) {
			rc = 1;
			goto out;
		}
	}
	strbuf_addbuf(out, &cur);
out:
	strbuf_release(&cur);
	strbuf_release(&todo);
	strbuf_release(&host);
	strbuf_release(&comp);
	strbuf_release(&nt);
	return rc;
}

/* ---- the copy ------------------------------------------------------ */

struct copier {
	const char *root;
	const struct context_ignore *ign;
	const struct context_copy_opts *opts;
	struct layer_entries *out;
	unsigned int source;	/* index of the source being copied */
};

static int is_excluded(struct copier *c, const char *rel, int is_dir)
{
	if (!c->ign || !c->ign->excluded || !*rel)
		return 0;
	return c->ign->excluded(c->ign->ctx, rel, is_dir);
}

static long long own_uid(struct copier *c, long long from)
{
	return c->opts->uid >= 0 ? c->opts->uid : from;
}

static long long own_gid(struct copier *c, long long from)
{
	return c->opts->gid >= 0 ? c->opts->gid : from;
}

static unsigned int own_mode(struct copier *c, unsigned int mode)
{
	return c->opts->chmod >= 0 ? (unsigned int)c->opts->chmod : (mode & 07777);
}

/* The mode the context holds rel with (st_mode from lstat): git's when the caller knows it. */
static unsigned int host_mode(struct copier *c, const char *rel, unsigned int st_mode)
{
	if (c->opts->host_mode)
		return c->opts->host_mode(c->opts->host_mode_ctx, rel, st_mode);
	return st_mode & 07777;
}

static void add_dir(struct copier *c, const char *ipath, unsigned int mode)
{
	struct layer_entry e = { 0 };

	if (!*ipath)
		return;	/* the root itself is never an entry */
	e.path = (char *)ipath;
	e.type = LAYER_DIR;
	e.mode = own_mode(c, mode);
	e.uid = own_uid(c, 0);
	e.gid = own_gid(c, 0);
	layer_entries_add(c->out, &e);
}

/* One host path (rel inside the root, lstat in st) as image path ipath. */
static int add_host(struct copier *c, const char *rel, const struct stat *st, const char *ipath)
{
	struct layer_entry e = { 0 };
	struct strbuf host = STRBUF_INIT;
	int rc = 0;

	strbuf_addf(&host, "%s/%s", c->root, rel);
	e.path = (char *)ipath;
	e.uid = own_uid(c, 0);
	e.gid = own_gid(c, 0);
	if (S_ISREG(st->st_mode)) {
		if (c->opts->check_file && (rc = c->opts->check_file(c->opts->check_file_ctx, rel, host.buf)) < 0)
			goto out;
		e.type = LAYER_FILE;
		e.mode = own_mode(c, host_mode(c, rel, st->st_mode));
		e.src = host.buf;
		e.size = (uint64_t)st->st_size;
		/*
		 * Hard links are kept within one source, never joined across
		 * two (`COPY a b /p/` with a and b linked writes two files, as
		 * Docker does): the source index goes into the device number's
		 * top bits, which no real device uses.
		 */
		e.dev = st->st_dev ^ ((dev_t)c->source << 48);
		e.ino = st->st_ino;
		e.nlink = (unsigned int)st->st_nlink;
		layer_entries_add(c->out, &e);
	} else if (S_ISLNK(st->st_mode)) {
		char target[4096];

		if ((rc = read_link(host.buf, target, sizeof(target))))
			goto out;
		e.type = LAYER_SYMLINK;
		e.mode = 0777;
		e.link = target;
		layer_entries_add(c->out, &e);
	} else if (S_ISDIR(st->st_mode)) {
		add_dir(c, ipath, host_mode(c, rel, st->st_mode));
	} else {
		warning("skipping '%s': %s", rel,
			S_ISSOCK(st->st_mode) ? "a socket" : S_ISFIFO(st->st_mode) ? "a fifo" : "a device file");
	}
out:
	strbuf_release(&host);
	return rc;
}

/* Walk directory rel (inside root) into image directory ipath ("" for /). */
static int walk(struct copier *c, const char *rel, const char *ipath)
{
	struct strbuf host = STRBUF_INIT, crel = STRBUF_INIT, cipath = STRBUF_INIT;
	struct strlist names = { 0 };
	struct dirent *de;
	DIR *d;
	int rc = 0;

	strbuf_addf(&host, "%s%s%s", c->root, *rel ? "/" : "", rel);
	d = opendir(host.buf);
	if (!d) {
		rc = error_as(EXIT_CONTEXT, "cannot read directory '%s': %s", host.buf, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strlist_push(&names, de->d_name);
	}
	closedir(d);
	strlist_sort(&names);
	for (size_t i = 0; i < names.nr && !rc; i++) {
		struct stat st;
		int excluded;

		strbuf_reset(&crel);
		strbuf_reset(&cipath);
		strbuf_addf(&crel, "%s%s%s", rel, *rel ? "/" : "", names.items[i]);
		strbuf_addf(&cipath, "%s%s%s", ipath, *ipath ? "/" : "", names.items[i]);
		strbuf_reset(&host);
		strbuf_addf(&host, "%s/%s", c->root, crel.buf);
		if (lstat(host.buf, &st) < 0) {
			rc = error_as(EXIT_CONTEXT, "cannot read '%s': %s", host.buf, strerror(errno));
			break;
		}
		excluded = is_excluded(c, crel.buf, S_ISDIR(st.st_mode));
		if (S_ISDIR(st.st_mode)) {
			size_t before = c->out->nr;

			if (excluded && !(c->ign->dir_may_hold_exceptions &&
					  c->ign->dir_may_hold_exceptions(c->ign->ctx, crel.buf)))
				continue;
			add_dir(c, cipath.buf, host_mode(c, crel.buf, st.st_mode));
			rc = walk(c, crel.buf, cipath.buf);
			/* an excluded directory appears only for what it re-includes */
			if (!rc && excluded && c->out->nr == before + 1) {
				c->out->nr--;
				free(c->out->v[c->out->nr].path);
				free(c->out->v[c->out->nr].src);
				free(c->out->v[c->out->nr].link);
			}
			continue;
		}
		if (excluded)
			continue;
		rc = add_host(c, crel.buf, &st, cipath.buf);
	}
out:
	strlist_release(&names);
	strbuf_release(&host);
	strbuf_release(&crel);
	strbuf_release(&cipath);
	return rc;
}

/* Expand a pattern (clean, relative) into the context paths it matches. */
static int expand(struct copier *c, const char *done, const char *rest, struct strlist *out)
{
	struct strbuf next = STRBUF_INIT, comp = STRBUF_INIT, res = STRBUF_INIT, host = STRBUF_INIT;
	const char *e;
	struct stat st;
	int rc = 0;

	if (!*rest) {
		/* a match only if it exists: a glob over a file then a name is none */
		rc = resolve_scoped(c->root, done, 0, &res, &st);
		if (!rc)
			strlist_push(out, done);
		strbuf_release(&res);
		return rc < 0 ? rc : 0;
	}
	e = strchrnul(rest, '/');
	strbuf_add(&comp, rest, e - rest);
	if (!context_has_glob(comp.buf)) {
		strbuf_addf(&next, "%s%s%s", done, *done ? "/" : "", comp.buf);
		rc = expand(c, next.buf, *e ? e + 1 : e, out);
		goto out;
	}
	rc = resolve_scoped(c->root, done, 1, &res, &st);
	if (rc)
		goto out_nomatch;
	if (S_ISDIR(st.st_mode)) {
		struct strlist names = { 0 };
		struct dirent *de;
		DIR *d;

		strbuf_addf(&host, "%s%s%s", c->root, res.len ? "/" : "", res.buf);
		d = opendir(host.buf);
		if (!d) {
			rc = error_as(EXIT_CONTEXT, "cannot read directory '%s': %s", host.buf, strerror(errno));
			goto out;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    gopath_match(comp.buf, de->d_name) == 1)
				strlist_push(&names, de->d_name);
		closedir(d);
		strlist_sort(&names);
		for (size_t i = 0; i < names.nr && !rc; i++) {
			strbuf_reset(&next);
			strbuf_addf(&next, "%s%s%s", done, *done ? "/" : "", names.items[i]);
			rc = expand(c, next.buf, *e ? e + 1 : e, out);
		}
		strlist_release(&names);
	}
out_nomatch:
	if (rc > 0)
		rc = 0;
out:
	strbuf_release(&next);
	strbuf_release(&comp);
	strbuf_release(&res);
	strbuf_release(&host);
	return rc;
}

/* ---- ADD archives -------------------------------------------------- */

static struct archive *open_archive(const char *path)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* 1 if path is a tar archive (plain or compressed), as Docker's ADD decides. */
static int is_tar_archive(const char *path)
{
	struct archive *a = open_archive(path);
	struct archive_entry *ae;
	int ok;

	if (!a)
		return 0;
	ok = archive_read_next_header(a, &ae) == ARCHIVE_OK;
	archive_read_free(a);
	return ok;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error("cannot write the spool file: %s", strerror(errno));
		}
		p += n;
		len -= n;
	}
	return 0;
}

static const char *entry_name(const char *mbs, const char *utf8)
{
	return mbs ? mbs : utf8;
}

static int extract(struct copier *c, const char *host, const char *rel, const char *idir)
{
	struct archive *a = open_archive(host);
	struct archive_entry *ae;
	struct strbuf ip = STRBUF_INIT, tmp = STRBUF_INIT;
	char *buf = xmalloc(1 << 16);
	int rc = 0, r;

	if (!a) {
		free(buf);
		return error_as(EXIT_CONTEXT, "cannot read archive '%s'", rel);
	}
	/* ARCHIVE_WARN: a name the locale cannot show; its UTF-8 form is used */
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		struct layer_entry e = { 0 };
		const char *hl = entry_name(archive_entry_hardlink(ae), archive_entry_hardlink_utf8(ae));
		const char *name = entry_name(archive_entry_pathname(ae), archive_entry_pathname_utf8(ae));
		mode_t type = archive_entry_filetype(ae);

		if (!name) {
			rc = error_as(EXIT_CONTEXT, "cannot read archive '%s': an entry without a name", rel);
			break;
		}
		strbuf_reset(&ip);
		strbuf_reset(&tmp);
		gopath_push(&tmp, name);
		strbuf_addstr(&ip, idir);
		if (ip.len && tmp.len)
			strbuf_addch(&ip, '/');
		strbuf_addbuf(&ip, &tmp);
		if (!ip.len)
			continue;
		e.path = ip.buf;
		/* an archive's entries keep their owners: --chown applies to the destination only (Docker) */
		e.uid = archive_entry_uid(ae);
		e.gid = archive_entry_gid(ae);
		e.mode = own_mode(c, archive_entry_perm(ae));
		if (hl) {
			struct strbuf t = STRBUF_INIT;

			gopath_push(&t, hl);
			strbuf_reset(&tmp);
			strbuf_addstr(&tmp, idir);
			if (tmp.len && t.len)
				strbuf_addch(&tmp, '/');
			strbuf_addbuf(&tmp, &t);
			strbuf_release(&t);
			e.type = LAYER_HARDLINK;
			e.link = tmp.buf;
			layer_entries_add(c->out, &e);
		} else if (type == AE_IFDIR) {
			e.type = LAYER_DIR;
			layer_entries_add(c->out, &e);
		} else if (type == AE_IFLNK) {
			e.type = LAYER_SYMLINK;
			e.link = (char *)entry_name(archive_entry_symlink(ae), archive_entry_symlink_utf8(ae));
			if (!e.link) {
				warning("skipping '%s' in archive '%s': a symbolic link without a target", name, rel);
				continue;
			}
			e.mode = 0777;
			layer_entries_add(c->out, &e);
		} else if (type == AE_IFREG) {
			la_ssize_t n;

			e.type = LAYER_FILE;
			rc = layer_entries_spool(c->out, &e.spool_off);
			if (rc < 0)
				break;
			while ((n = archive_read_data(a, buf, 1 << 16)) > 0) {
				rc = write_all(c->out->spool_fd, buf, (size_t)n);
				if (rc < 0)
					break;
				e.size += (uint64_t)n;
			}
			if (!rc && n < 0)
				rc = error_as(EXIT_CONTEXT, "cannot read archive '%s': %s", rel, archive_error_string(a));
			if (rc < 0)
				break;
			layer_entries_add(c->out, &e);
		} else {
			warning("skipping '%s' in archive '%s': not a file, directory or link", name, rel);
		}
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = error_as(EXIT_CONTEXT, "cannot read archive '%s': %s", rel, archive_error_string(a));
	archive_read_free(a);
	free(buf);
	strbuf_release(&ip);
	strbuf_release(&tmp);
	return rc;
}

/* ---- the entry point ----------------------------------------------- */

/*
 * Directories that exist in every Linux base image: a destination naming
 * one of them without a trailing '/' still means "into it", as Docker
 * decides from the base image's file system (which we do not download).
 */
static const char *const system_dirs[] = {
	"bin", "sbin", "etc", "lib", "usr", "usr/bin", "usr/sbin", "usr/lib", "usr/local",
	"usr/local/bin", "usr/local/sbin", "usr/local/lib", "usr/share", "opt", "srv", "tmp",
	"var", "var/lib", "var/tmp", "home", "root", "run", "mnt",
};

static int dest_is_dir(const char *dest, const char *ipath)
{
	size_t n = strlen(dest);

	if (!*ipath)
		return 1;
	if (n && dest[n - 1] == '/')
		return 1;
	if (!strcmp(dest, ".") || (n >= 2 && !strcmp(dest + n - 2, "/.")))
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++)
		if (!strcmp(ipath, system_dirs[i]))
			return 1;
	return 0;
}

/*
 * The destination directory itself: created with mode (the source
 * directory's, or 0755) and --chown's owner, never --chmod (BuildKit makes
 * it with MkdirAll).  A standard system directory keeps root and 0755
 * (1777 for the temporary ones): it exists in the base, whose owner and
 * mode Docker leaves alone (layer_dir_mode()).
 */
static void add_dest_dir(struct copier *c, const char *ipath, unsigned int mode)
{
	struct layer_entry e = { 0 };

	if (!*ipath)
		return;
	e.path = (char *)ipath;
	e.type = LAYER_DIR;
	e.mode = mode & 07777;
	e.uid = own_uid(c, 0);
	e.gid = own_gid(c, 0);
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++) {
		if (strcmp(ipath, system_dirs[i]))
			continue;
		e.uid = e.gid = 0;
		e.mode = layer_dir_mode(ipath, 0755);
	}
	layer_entries_add(c->out, &e);
}

int context_copy(const char *root, const struct context_ignore *ign,
		 const struct context_copy_opts *opts, struct layer_entries *out)
{
	struct copier c = { root, ign, opts, out, 0 };
	struct strbuf idest = STRBUF_INIT, clean = STRBUF_INIT, res = STRBUF_INIT;
	struct strbuf ipath = STRBUF_INIT, host = STRBUF_INIT;
	struct strlist matches = { 0 };
	const char *what = opts->what ? opts->what : "COPY";
	int into_dir, rc = 0;

	context_image_path(opts->workdir, opts->dest, &idest);
	/* image paths in entries have no leading '/' */
	memmove(idest.buf, idest.buf + 1, idest.len);
	idest.len--;
	if (opts->sources_nr > 1 && !dest_is_dir(opts->dest, "-")) {
		rc = error_as(EXIT_DOCKERFILE, "%s: with more than one source the destination '%s' must be a directory and end with '/'",
			      what, opts->dest);
		goto out;
	}
	into_dir = dest_is_dir(opts->dest, idest.buf) || opts->sources_nr > 1 ||
		   (opts->known_dir && opts->known_dir(opts->known_dir_ctx, idest.buf));
	for (size_t i = 0; i < opts->sources_nr; i++) {
		size_t before = matches.nr;

		strbuf_reset(&clean);
		gopath_push(&clean, opts->sources[i]);
		if (context_has_glob(clean.buf)) {
			rc = expand(&c, "", clean.buf, &matches);
			if (rc < 0)
				goto out;
			/* ignored paths do not exist */
			for (size_t k = before; k < matches.nr; k++) {
				if (!is_excluded(&c, matches.items[k], 0))
					continue;
				free(matches.items[k]);
				memmove(&matches.items[k], &matches.items[k + 1], (matches.nr - k - 1) * sizeof(char *));
				matches.nr--;
				k--;
			}
		} else {
			strlist_push(&matches, clean.buf);
		}
		if (matches.nr == before) {
			rc = error_as(EXIT_CONTEXT, "%s: no source file matches '%s' in the build context (or .dockerignore excludes it)",
				      what, opts->sources[i]);
			goto out;
		}
	}
	if (matches.nr > 1 && !into_dir) {
		rc = error_as(EXIT_DOCKERFILE, "%s: the sources match %zu files, so the destination '%s' must be a directory and end with '/'",
			      what, matches.nr, opts->dest);
		goto out;
	}
	for (size_t i = 0; i < matches.nr; i++) {
		const char *src = matches.items[i];
		const char *base = strrchr(src, '/');
		struct stat st;
		int r;

		base = base ? base + 1 : src;
		c.source = (unsigned int)i;
		strbuf_reset(&res);
		r = resolve_scoped(root, src, 1, &res, &st);
		if (r < 0) {
			rc = r;
			goto out;
		}
		if (r > 0 || is_excluded(&c, src, S_ISDIR(st.st_mode)) ||
		    (res.len && is_excluded(&c, res.buf, S_ISDIR(st.st_mode)) && !S_ISDIR(st.st_mode))) {
			rc = error_as(EXIT_CONTEXT, "%s: '%s' not found in the build context (or .dockerignore excludes it)",
				      what, src);
			goto out;
		}
		strbuf_reset(&host);
		strbuf_addf(&host, "%s%s%s", root, res.len ? "/" : "", res.buf);
		if (S_ISDIR(st.st_mode)) {
			add_dest_dir(&c, idest.buf, host_mode(&c, res.buf, st.st_mode));
			rc = walk(&c, res.buf, idest.buf);
		} else if (S_ISREG(st.st_mode) && opts->is_add && is_tar_archive(host.buf)) {
			add_dest_dir(&c, idest.buf, 0755);
			rc = extract(&c, host.buf, src, idest.buf);
		} else {
			strbuf_reset(&ipath);
			if (into_dir) {
				add_dest_dir(&c, idest.buf, 0755);
				strbuf_addf(&ipath, "%s%s%s", idest.buf, idest.len ? "/" : "", base);
			} else {
				strbuf_addbuf(&ipath, &idest);
			}
			rc = add_host(&c, res.buf, &st, ipath.buf);
		}
		if (rc < 0)
			goto out;
	}
out:
	strlist_release(&matches);
	strbuf_release(&idest);
	strbuf_release(&clean);
	strbuf_release(&res);
	strbuf_release(&ipath);
	strbuf_release(&host);
	return rc;
}
