/*
 * gittags.c: see gittags.h.
 */
#include "lib/common.h"
#include "git/gittags.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACKED_REFS_CAP	(1024u * 1024 * 1024)	/* a packed-refs file larger than 1 GiB is refused */

static struct gittag *tag_add(struct gittags *t, const char *name, size_t len, const git_oid *oid,
			      enum gittag_peel peel)
{
	struct gittag *g;

	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	g = &t->items[t->nr++];
	memset(g, 0, sizeof(*g));
	g->name = xstrndup(name, len);
	git_oid_cpy(&g->oid, oid);
	g->peel = peel;
	return g;
}

/* 1 when full (a ref name such as "refs/tags/v1.0") is one git accepts */
static int name_valid(const char *full)
{
	int valid = 0;

	return git_reference_name_is_valid(&valid, full) == 0 && valid;
}

/* 1 when the space-separated words of line [p, end) include word */
static int has_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	while (p < end) {
		const char *e = memchr(p, ' ', end - p);

		if (!e)
			e = end;
		if ((size_t)(e - p) == n && !memcmp(p, word, n))
			return 1;
		p = e + 1;
	}
	return 0;
}

/* A full sha at p (up to end) followed by end or whitespace, into out; 0 ok, -1 not. */
static int parse_sha(const char *p, const char *end, git_oid *out)
{
	if (end - p < GIT_OID_HEXSZ || git_oid_fromstrn(out, p, GIT_OID_HEXSZ) < 0)
		return -1;
	p += GIT_OID_HEXSZ;
	return p == end || *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' ? 0 : -1;
}

/* The refs/tags/ lines of <dir>packed-refs (none when there is no such file). */
static int read_packed(const char *dir, struct gittags *t)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	enum gittag_peel unpeeled = GITTAG_UNKNOWN;
	struct gittag *last = NULL;
	const char *p, *end, *eol;
	int rc = -EXIT_CONTEXT;

	strbuf_addf(&path, "%spacked-refs", dir);
	if (strbuf_read_file(&buf, path.buf, PACKED_REFS_CAP) < 0) {
		if (errno == ENOENT)
			rc = 0;
		else
			error_as(EXIT_CONTEXT, "cannot read '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	p = buf.buf;
	end = buf.buf + buf.len;
	for (int first = 1; p < end; p = eol + 1, first = 0) {
		git_oid oid;

		if (!(eol = memchr(p, '\n', end - p)))
			eol = end;
		if (first && eol - p >= 17 && !memcmp(p, "# pack-refs with:", 17)) {
			/* both traits mean every tag is peeled: no "^" line, no annotated tag */
			if (has_word(p + 17, eol, "peeled") || has_word(p + 17, eol, "fully-peeled"))
				unpeeled = GITTAG_DIRECT;
			continue;
		}
		if (*p == '^') {
			if (parse_sha(p + 1, eol, &oid) < 0)
				goto bad;
			if (last) {
				git_oid_cpy(&last->peeled, &oid);
				last->peel = GITTAG_PEELED;
			}
			last = NULL;
			continue;
		}
		if (parse_sha(p, eol, &oid) < 0 || p[GIT_OID_HEXSZ] != ' ')
			goto bad;
		last = NULL;
		p += GIT_OID_HEXSZ + 1;
		if (eol - p > 10 && !memcmp(p, "refs/tags/", 10)) {
			struct strbuf full = STRBUF_INIT;

			strbuf_add(&full, p, eol - p);
			if (name_valid(full.buf))
				last = tag_add(t, p + 10, eol - p - 10, &oid, unpeeled);
			strbuf_release(&full);
		}
	}
	rc = 0;
	goto out;
bad:
	error_as(EXIT_CONTEXT, "cannot read '%s': unexpected line '%.*s'", path.buf,
		 (int)(eol - p > 80 ? 80 : eol - p), p);
out:
	strbuf_release(&path);
	strbuf_release(&buf);
	return rc;
}

struct loose_walk {
	git_repository *repo;
	struct gittags *t;
	struct strbuf name;		/* "refs/tags/..." of the entry at hand */
	const char *dir;		/* the common directory, for messages */
	int (*want)(const char *name, void *data);
	void *data;
};

/* A symbolic tag (or one git would resolve otherwise): libgit2 resolves it; unresolvable: ignored. */
static void loose_resolved(struct loose_walk *lw)
{
	git_oid oid;

	if (git_reference_name_to_id(&oid, lw->repo, lw->name.buf) == 0)
		tag_add(lw->t, lw->name.buf + 10, lw->name.len - 10, &oid, GITTAG_UNKNOWN)->loose = 1;
}

/* The loose ref file name in directory dfd: one open, one read, one close. */
static void loose_file(struct loose_walk *lw, int dfd, const char *name)
{
	char buf[256];
	ssize_t n;
	git_oid oid;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;		/* gone since readdir (or unreadable): git skips a broken ref too */
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n >= 4 && !memcmp(buf, "ref:", 4))
		loose_resolved(lw);
	else if (n >= GIT_OID_HEXSZ && parse_sha(buf, buf + n, &oid) == 0 && !git_oid_is_zero(&oid))
		tag_add(lw->t, lw->name.buf + 10, lw->name.len - 10, &oid, GITTAG_UNKNOWN)->loose = 1;
}

/* Every ref under the directory dfd (taken: closed here), whose ref name is lw->name. */
static int walk_dir(struct loose_walk *lw, int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(dfd);
		return error_as(EXIT_CONTEXT, "cannot read the directory '%s%s': %s", lw->dir, lw->name.buf,
				strerror(errno));
	}
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		size_t len = lw->name.len, nlen = strlen(de->d_name);
		unsigned char type = de->d_type;

		if (de->d_name[0] == '.' || (nlen >= 5 && !strcmp(de->d_name + nlen - 5, ".lock")))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG :
			       S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
		}
		strbuf_addstr(&lw->name, de->d_name);
		if (type == DT_DIR) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			strbuf_addch(&lw->name, '/');
			if (sub < 0)
				rc = error_as(EXIT_CONTEXT, "cannot open the directory '%s%s': %s", lw->dir,
					      lw->name.buf, strerror(errno));
			else
				rc = walk_dir(lw, sub);
		} else if ((type == DT_REG || type == DT_LNK) && name_valid(lw->name.buf)) {
			if (lw->want && !lw->want(lw->name.buf + 10, lw->data)) {
				git_oid none;

				memset(&none, 0, sizeof(none));
				tag_add(lw->t, lw->name.buf + 10, lw->name.len - 10, &none, GITTAG_UNREAD)->loose = 1;
			} else if (type == DT_REG)
				loose_file(lw, dirfd(d), de->d_name);
			else
				loose_resolved(lw);
		}
		strbuf_setlen(&lw->name, len);
	}
	if (rc == 0 && errno)
		rc = error_as(EXIT_CONTEXT, "cannot read the directory '%s%s': %s", lw->dir, lw->name.buf,
			      strerror(errno));
	closedir(d);
	return rc;
}

/* By name; for one name the loose ref first. */
static int tag_cmp(const void *a, const void *b)
{
	const struct gittag *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : y->loose - x->loose;
}

int gittags_read(git_repository *repo, int (*want)(const char *name, void *data), void *data,
		 struct gittags *out)
{
	struct gittags t = GITTAGS_INIT;
	struct loose_walk lw = { repo, &t, STRBUF_INIT, git_repository_commondir(repo), want, data };
	struct strbuf path = STRBUF_INIT;
	size_t kept = 0;
	int rc = -EXIT_CONTEXT, dfd;

	if ((rc = read_packed(lw.dir, &t)) < 0)
		goto out;
	strbuf_addf(&path, "%srefs/tags", lw.dir);
	dfd = open(path.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno != ENOENT) {
		rc = error_as(EXIT_CONTEXT, "cannot open the directory '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	strbuf_addstr(&lw.name, "refs/tags/");
	if (dfd >= 0 && (rc = walk_dir(&lw, dfd)) < 0)
		goto out;
	qsort(t.items, t.nr, sizeof(*t.items), tag_cmp);
	for (size_t i = 0; i < t.nr; i++) {
		if (kept && !strcmp(t.items[kept - 1].name, t.items[i].name)) {
			free(t.items[i].name);	/* the packed ref a loose one hides */
			continue;
		}
		t.items[kept++] = t.items[i];
	}
	t.nr = kept;
	*out = t;
	memset(&t, 0, sizeof(t));
	rc = 0;
out:
	gittags_release(&t);
	strbuf_release(&lw.name);
	strbuf_release(&path);
	return rc;
}

void gittags_release(struct gittags *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr; i++)
		free(t->items[i].name);
	free(t->items);
	memset(t, 0, sizeof(*t));
}
