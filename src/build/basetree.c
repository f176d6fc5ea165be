/*
 * basetree.c: see basetree.h.  libarchive's read side for base layers:
 * the blob is fed to libarchive through read_cb(), which hashes and counts
 * the compressed bytes as they pass, so size and digest are checked in the
 * same single pass that reads the headers.
 */
#include "lib/common.h"
#include "lib/tempfile.h"
#include "lib/digest.h"
#include "build/basetree_priv.h"
#include "build/gopath.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define MAX_LINKS 40
#define CACHE_MAGIC "publish-basetree 1\n"
#define CACHE_CAP (512u << 20)

/* ---- paths ----------------------------------------------------------- */

void basetree_clean(const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	gopath_push(out, path);
}

/* ---- change sets ----------------------------------------------------- */

void basetree_layer_init(struct basetree_layer *l)
{
	memset(l, 0, sizeof(*l));
	strbuf_init(&l->passwd, 0);
	strbuf_init(&l->group, 0);
}

static void entry_release(struct basetree_entry *e)
{
	free(e->path);
	free(e->link);
	e->path = e->link = NULL;
}

static void strv_free(char **v, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

void basetree_layer_release(struct basetree_layer *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++)
		entry_release(&l->v[i]);
	free(l->v);
	strv_free(l->whiteouts, l->whiteouts_nr);
	strv_free(l->opaque, l->opaque_nr);
	strbuf_release(&l->passwd);
	strbuf_release(&l->group);
	basetree_layer_init(l);
}

int basetree_layer_add(struct basetree_layer *l, const char *path, enum basetree_type type,
		       unsigned int mode, long long uid, long long gid, const char *link)
{
	struct strbuf clean = STRBUF_INIT;
	struct basetree_entry *e;

	basetree_clean(path, &clean);
	if (!clean.len) {	/* the root itself: nothing to record */
		strbuf_release(&clean);
		return 0;
	}
	if (l->nr >= BASETREE_ENTRIES_CAP) {
		strbuf_release(&clean);
		return error_as(EXIT_REGISTRY, "more than %u entries in one layer", BASETREE_ENTRIES_CAP);
	}
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	e = &l->v[l->nr++];
	e->path = strbuf_detach(&clean, NULL);
	e->type = type;
	e->mode = mode & 07777;
	e->uid = uid;
	e->gid = gid;
	e->link = NULL;
	e->seq = l->seq++;
	if (type == BASETREE_HARDLINK) {
		struct strbuf t = STRBUF_INIT;

		basetree_clean(link ? link : "", &t);
		e->link = strbuf_detach(&t, NULL);
	} else if (type == BASETREE_SYMLINK) {
		e->link = xstrdup(link ? link : "");
	}
	return 0;
}

static void strv_push_clean(char ***v, size_t *nr, size_t *alloc, const char *path)
{
	struct strbuf clean = STRBUF_INIT;

	basetree_clean(path, &clean);
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[(*nr)++] = strbuf_detach(&clean, NULL);
}

void basetree_layer_whiteout(struct basetree_layer *l, const char *path)
{
	strv_push_clean(&l->whiteouts, &l->whiteouts_nr, &l->whiteouts_alloc, path);
}

static void layer_opaque(struct basetree_layer *l, const char *dir)
{
	strv_push_clean(&l->opaque, &l->opaque_nr, &l->opaque_alloc, dir);
}

/* Sort by path; of equal paths the one added last stays (stable by index). */
static int cmp_entry_idx(const void *a, const void *b)
{
	const struct basetree_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void layer_sort(struct basetree_layer *l)
{
	size_t w = 0;

	/* qsort is not stable: equal paths are ordered by seq, the last added stays */
	if (l->nr)
		qsort(l->v, l->nr, sizeof(*l->v), cmp_entry_idx);
	for (size_t i = 0; i < l->nr; i++) {
		if (i + 1 < l->nr && !strcmp(l->v[i].path, l->v[i + 1].path)) {
			entry_release(&l->v[i]);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->nr = w;
	if (l->whiteouts_nr)
		qsort(l->whiteouts, l->whiteouts_nr, sizeof(char *), cmp_str);
	if (l->opaque_nr)
		qsort(l->opaque, l->opaque_nr, sizeof(char *), cmp_str);
}

/* ---- the tree -------------------------------------------------------- */

void basetree_init(struct basetree *t)
{
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->passwd, 0);
	strbuf_init(&t->group, 0);
}

void basetree_release(struct basetree *t)
{
	if (!t)
		return;
	basetree_lazy_free(t->lazy);
	for (size_t i = 0; i < t->nr; i++)
		entry_release(&t->v[i]);
	free(t->v);
	strbuf_release(&t->passwd);
	strbuf_release(&t->group);
	basetree_init(t);
}

static const struct basetree_entry *find(const struct basetree_entry *v, size_t nr, const char *path)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].path, path);

		if (!c)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct basetree_entry *basetree_find(const struct basetree *t, const char *path)
{
	return find(t->v, t->nr, path);
}

const struct basetree_entry *basetree_get(struct basetree *t, const char *path)
{
	if (t->lazy)
		return basetree_lazy_get(t, path);
	return find(t->v, t->nr, path);
}

static void entry_copy(struct basetree_entry *dst, const struct basetree_entry *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path);
	dst->link = src->link ? xstrdup(src->link) : NULL;
}

/* A copy of nr entries, *alloc its size */
static struct basetree_entry *entries_copy(const struct basetree_entry *v, size_t nr, size_t *alloc)
{
	struct basetree_entry *c = xcalloc(nr ? nr : 1, sizeof(*c));

	for (size_t i = 0; i < nr; i++)
		entry_copy(&c[i], &v[i]);
	*alloc = nr ? nr : 1;
	return c;
}

static char **strv_copy(char *const *v, size_t nr, size_t *alloc)
{
	char **c = xcalloc(nr ? nr : 1, sizeof(char *));

	for (size_t i = 0; i < nr; i++)
		c[i] = xstrdup(v[i]);
	*alloc = nr ? nr : 1;
	return c;
}

void basetree_copy(struct basetree *dst, const struct basetree *src)
{
	dst->v = entries_copy(src->v, src->nr, &dst->alloc);
	dst->nr = src->nr;
	strbuf_addbuf(&dst->passwd, &src->passwd);
	strbuf_addbuf(&dst->group, &src->group);
	dst->has_passwd = src->has_passwd;
	dst->has_group = src->has_group;
}

void basetree_layer_copy(struct basetree_layer *dst, const struct basetree_layer *src)
{
	dst->v = entries_copy(src->v, src->nr, &dst->alloc);
	dst->nr = src->nr;
	dst->whiteouts = strv_copy(src->whiteouts, src->whiteouts_nr, &dst->whiteouts_alloc);
	dst->whiteouts_nr = src->whiteouts_nr;
	dst->opaque = strv_copy(src->opaque, src->opaque_nr, &dst->opaque_alloc);
	dst->opaque_nr = src->opaque_nr;
	strbuf_addbuf(&dst->passwd, &src->passwd);
	strbuf_addbuf(&dst->group, &src->group);
	dst->has_passwd = src->has_passwd;
	dst->has_group = src->has_group;
	dst->seq = src->seq;
}

/*
 * What a change set removes from the lower tree: exact paths (whiteouts)
 * and subtrees, each given as a prefix ("dir/", or "" for everything).
 * Prefixes are sorted and those inside another dropped, so the ranges are
 * disjoint and the greatest prefix <= a path is the only candidate.
 */
struct kills {
	char **exact;
	size_t exact_nr;
	char **prefix;
	size_t prefix_nr, prefix_alloc;
};

static void kills_add_prefix(struct kills *k, const char *dir)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addstr(&p, dir);
	if (p.len)
		strbuf_addch(&p, '/');
	ALLOC_GROW(k->prefix, k->prefix_nr + 1, k->prefix_alloc);
	k->prefix[k->prefix_nr++] = strbuf_detach(&p, NULL);
}

static void kills_build(struct kills *k, const struct basetree_layer *l)
{
	size_t w = 0;

	memset(k, 0, sizeof(*k));
	k->exact = l->whiteouts;	/* borrowed, sorted */
	k->exact_nr = l->whiteouts_nr;
	for (size_t i = 0; i < l->whiteouts_nr; i++)
		kills_add_prefix(k, l->whiteouts[i]);
	for (size_t i = 0; i < l->opaque_nr; i++)
		kills_add_prefix(k, l->opaque[i]);
	for (size_t i = 0; i < l->nr; i++)
		if (l->v[i].type != BASETREE_DIR)
			kills_add_prefix(k, l->v[i].path);
	if (k->prefix_nr)
		qsort(k->prefix, k->prefix_nr, sizeof(char *), cmp_str);
	for (size_t i = 0; i < k->prefix_nr; i++) {
		if (w && !strncmp(k->prefix[i], k->prefix[w - 1], strlen(k->prefix[w - 1]))) {
			free(k->prefix[i]);
			continue;
		}
		k->prefix[w++] = k->prefix[i];
	}
	k->prefix_nr = w;
}

static int kills_has(const struct kills *k, const char *path)
{
	size_t lo = 0, hi = k->exact_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->exact[mid], path);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* greatest prefix <= path */
	lo = 0;
	hi = k->prefix_nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(k->prefix[mid], path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	return !strncmp(path, k->prefix[lo - 1], strlen(k->prefix[lo - 1]));
}

static void kills_release(struct kills *k)
{
	strv_free(k->prefix, k->prefix_nr);
}

/*
 * /etc/passwd or /etc/group after a layer: the layer's content, or none
 * when the path is no longer a file.  held (basetree_lazy_held) is set
 * while a partial tree's file is the base's without the tree holding
 * it: then a path the array lacks is still there unless this layer
 * removed it.
 */
static void special_file(struct basetree *t, const struct kills *k,
			 const char *path, int layer_has, const struct strbuf *layer_buf,
			 struct strbuf *tree_buf, int *tree_has, int *held)
{
	const struct basetree_entry *e;

	if (layer_has == 1) {
		strbuf_reset(tree_buf);
		strbuf_addbuf(tree_buf, layer_buf);
		*tree_has = 1;
		if (held)
			*held = 0;
		return;
	}
	e = find(t->v, t->nr, path);
	if (e && e->type == BASETREE_FILE)
		return;
	if (!e && held && *held && !kills_has(k, path))
		return;
	strbuf_reset(tree_buf);
	*tree_has = 0;
	if (held)
		*held = 0;
}

int basetree_apply(struct basetree *t, struct basetree_layer *l)
{
	struct kills k;
	struct basetree_entry *v = NULL;
	size_t nr = 0, alloc = 0, i = 0, j = 0;

	if (t->lazy) {
		int rc = basetree_lazy_room(t, l->nr);

		if (rc < 0)
			return rc;
	}
	layer_sort(l);
	kills_build(&k, l);
	if (t->nr + l->nr > BASETREE_ENTRIES_CAP) {
		kills_release(&k);
		return error_as(EXIT_REGISTRY, "more than %u entries in the image's file tree",
				BASETREE_ENTRIES_CAP);
	}
	alloc = t->nr + l->nr;
	v = xmalloc((alloc ? alloc : 1) * sizeof(*v));
	while (i < t->nr || j < l->nr) {
		int c;

		if (i < t->nr && kills_has(&k, t->v[i].path)) {
			entry_release(&t->v[i++]);
			continue;
		}
		if (i == t->nr)
			c = 1;
		else if (j == l->nr)
			c = -1;
		else
			c = strcmp(t->v[i].path, l->v[j].path);
		if (c < 0) {
			v[nr++] = t->v[i++];
			continue;
		}
		if (c == 0)
			entry_release(&t->v[i++]);
		v[nr] = l->v[j];
		v[nr].path = xstrdup(l->v[j].path);
		v[nr].link = l->v[j].link ? xstrdup(l->v[j].link) : NULL;
		nr++;
		j++;
	}
	free(t->v);
	t->v = v;
	t->nr = nr;
	t->alloc = alloc;
	special_file(t, &k, "etc/passwd", l->has_passwd, &l->passwd, &t->passwd, &t->has_passwd,
		     basetree_lazy_held(t, 0));
	special_file(t, &k, "etc/group", l->has_group, &l->group, &t->group, &t->has_group,
		     basetree_lazy_held(t, 1));
	kills_release(&k);
	if (t->lazy)
		basetree_lazy_applied(t, l);
	return 0;
}

/* ---- reading a layer ------------------------------------------------- */

struct reader {
	int fd;
	struct digest d;
	uint64_t nread, size;
	int too_long, io_errno;
	char buf[1 << 16];
};

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **buf)
{
	struct reader *r = ctx;
	ssize_t n;

	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->io_errno = errno;
		archive_set_error(a, errno, "read failed");
		return -1;
	}
	digest_update(&r->d, r->buf, n);
	r->nread += n;
	if (r->size && r->nread > r->size) {
		r->too_long = 1;
		archive_set_error(a, EFBIG, "longer than its descriptor");
		return -1;
	}
	*buf = r->buf;
	return n;
}

/* The rest of the blob after the tar's end (padding), for size and digest. */
static int drain(struct reader *r)
{
	for (;;) {
		ssize_t n = read(r->fd, r->buf, sizeof(r->buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->io_errno = errno;
			return -1;
		}
		if (!n)
			return 0;
		digest_update(&r->d, r->buf, n);
		r->nread += n;
		if (r->size && r->nread > r->size) {
			r->too_long = 1;
			return -1;
		}
	}
}

static int read_whole(struct archive *a, struct strbuf *out, const char *what, const char *path)
{
	char buf[8192];
	la_ssize_t n;

	strbuf_reset(out);
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (strbuf_add_capped(out, buf, n, BASETREE_FILE_CAP) < 0)
			return error_as(EXIT_REGISTRY, "'/%s' in %s is larger than %u MiB",
					path, what, BASETREE_FILE_CAP >> 20);
	if (n < 0)
		return error_as(EXIT_REGISTRY, "cannot read '/%s' in %s: %s", path, what,
				archive_error_string(a));
	return 0;
}

static int read_entry(struct archive *a, struct archive_entry *ae, struct basetree_layer *out,
		      const char *what)
{
	const char *name = archive_entry_pathname(ae);
	struct strbuf clean = STRBUF_INIT;
	const char *base;
	enum basetree_type type;
	const char *link = NULL;
	int ret = 0;

	if (!name)
		return error_as(EXIT_REGISTRY, "an entry without a name in %s", what);
	basetree_clean(name, &clean);
	base = strrchr(clean.buf, '/');
	base = base ? base + 1 : clean.buf;
	if (!strncmp(base, ".wh.", 4)) {
		struct strbuf dir = STRBUF_INIT;

		strbuf_add(&dir, clean.buf, base - clean.buf);
		if (!strcmp(base, ".wh..wh..opq")) {
			layer_opaque(out, dir.buf);
		} else {
			strbuf_addstr(&dir, base + 4);
			basetree_layer_whiteout(out, dir.buf);
		}
		strbuf_release(&dir);
		goto out;
	}
	if (archive_entry_hardlink(ae)) {
		type = BASETREE_HARDLINK;
		link = archive_entry_hardlink(ae);
	} else {
		switch (archive_entry_filetype(ae)) {
		case AE_IFDIR:
			type = BASETREE_DIR;
			break;
		case AE_IFREG:
			type = BASETREE_FILE;
			break;
		case AE_IFLNK:
			type = BASETREE_SYMLINK;
			link = archive_entry_symlink(ae);
			break;
		default:
			type = BASETREE_OTHER;
			break;
		}
	}
	ret = basetree_layer_add(out, clean.buf, type, archive_entry_perm(ae),
				 archive_entry_uid(ae), archive_entry_gid(ae), link);
	if (ret < 0 || type != BASETREE_FILE)
		goto out;
	if (!strcmp(clean.buf, "etc/passwd")) {
		ret = read_whole(a, &out->passwd, what, clean.buf);
		out->has_passwd = 1;
	} else if (!strcmp(clean.buf, "etc/group")) {
		ret = read_whole(a, &out->group, what, clean.buf);
		out->has_group = 1;
	}
out:
	strbuf_release(&clean);
	return ret;
}

int basetree_layer_read(struct basetree_layer *out, int fd, const char *digest, uint64_t size,
			const char *what)
{
	struct reader *r = xcalloc(1, sizeof(*r));
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	char got[DIGEST_HEX_LEN + 1];
	int ret = 0, rc;

	r->fd = fd;
	r->size = size;
	if (digest_init(&r->d) < 0) {
		ret = error("cannot start a digest");
		goto out;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, r, NULL, read_cb, NULL) != ARCHIVE_OK)
		goto bad;
	while ((rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		ret = read_entry(a, ae, out, what);
		if (ret < 0)
			goto out;
	}
	if (rc != ARCHIVE_EOF)
		goto bad;
	if (drain(r) < 0)
		goto bad;
	if (size && r->nread != size) {
		ret = error_as(EXIT_REGISTRY, "%s is %" PRIu64 " bytes, its descriptor says %" PRIu64,
			       what, r->nread, size);
		goto out;
	}
	if (digest_final(&r->d, got) < 0) {
		ret = error("cannot finish a digest");
		goto out;
	}
	if (digest && strcmp(got, digest)) {
		ret = error_as(EXIT_REGISTRY, "%s has digest %s, not %s", what, got, digest);
		goto out;
	}
	layer_sort(out);
	goto out;
bad:
	if (r->too_long)
		ret = error_as(EXIT_REGISTRY, "%s is longer than its descriptor's %" PRIu64 " bytes",
			       what, size);
	else if (r->io_errno)
		ret = error("cannot read %s: %s", what, strerror(r->io_errno));
	else
		ret = error_as(EXIT_REGISTRY, "%s is not a tar archive: %s", what,
			       archive_error_string(a) ? archive_error_string(a) : "unknown format");
out:
	archive_read_free(a);
	digest_release(&r->d);
	free(r);
	return ret;
}

/* ---- the cache ------------------------------------------------------- */

static int cache_path(const char *cache_dir, const char *digest, struct strbuf *out)
{
	if (!cache_dir || !*cache_dir || !digest || !digest_is_valid(digest))
		return -1;
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", cache_dir, digest + 7);
	return 0;
}

static void put_bytes(struct strbuf *sb, char tag, const char *s, size_t n)
{
	strbuf_addf(sb, "%c %zu\n", tag, n);
	strbuf_add(sb, s, n);
	strbuf_addch(sb, '\n');
}

static int mkdir_p(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	int ret = 0;

	strbuf_addstr(&p, dir);
	for (size_t i = 1; i <= p.len; i++) {
		if (p.buf[i] != '/' && p.buf[i] != '\0')
			continue;
		p.buf[i] = '\0';
		if (mkdir(p.buf, 0700) < 0 && errno != EEXIST)
			ret = -1;
		if (i < p.len)
			p.buf[i] = '/';
	}
	strbuf_release(&p);
	return ret;
}

void basetree_layer_save(struct basetree_layer *l, const char *cache_dir, const char *digest)
{
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT, sb = STRBUF_INIT;
	int fd = -1;

	if (cache_path(cache_dir, digest, &path) < 0)
		return;
	layer_sort(l);
	strbuf_addstr(&sb, CACHE_MAGIC);
	for (size_t i = 0; i < l->nr; i++) {
		const struct basetree_entry *e = &l->v[i];
		size_t pl = strlen(e->path), ll = e->link ? strlen(e->link) : 0;

		strbuf_addf(&sb, "E %d %o %lld %lld %zu %zu %d\n", (int)e->type, e->mode,
			    e->uid, e->gid, pl, ll, e->link != NULL);
		strbuf_add(&sb, e->path, pl);
		if (e->link)
			strbuf_add(&sb, e->link, ll);
		strbuf_addch(&sb, '\n');
	}
	for (size_t i = 0; i < l->whiteouts_nr; i++)
		put_bytes(&sb, 'W', l->whiteouts[i], strlen(l->whiteouts[i]));
	for (size_t i = 0; i < l->opaque_nr; i++)
		put_bytes(&sb, 'O', l->opaque[i], strlen(l->opaque[i]));
	if (l->has_passwd == 1)
		put_bytes(&sb, 'P', l->passwd.buf, l->passwd.len);
	if (l->has_group == 1)
		put_bytes(&sb, 'G', l->group.buf, l->group.len);
	strbuf_addf(&sb, "end %zu\n", l->nr);

	if (mkdir_p(cache_dir) < 0)
		goto fail;
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", path.buf);
	fd = mkstemp(tmp.buf);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < sb.len;) {
		ssize_t n = write(fd, sb.buf + off, sb.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += n;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path.buf) < 0)
		goto fail;
	goto out;
fail:
	warning("cannot write the file tree cache '%s': %s", path.buf, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlink(tmp.buf);
out:
	strbuf_release(&path);
	strbuf_release(&tmp);
	strbuf_release(&sb);
}

/* A cursor over the cache file's bytes; every read is bounded by end. */
struct cur {
	const char *p, *end;
};

static int cur_line(struct cur *c, const char **line, size_t *len)
{
	const char *nl = memchr(c->p, '\n', c->end - c->p);

	if (!nl)
		return -1;
	*line = c->p;
	*len = nl - c->p;
	c->p = nl + 1;
	return 0;
}

static int cur_bytes(struct cur *c, size_t n, const char **out)
{
	if ((size_t)(c->end - c->p) < n + 1 || c->p[n] != '\n')
		return -1;
	*out = c->p;
	c->p += n + 1;
	return 0;
}

static int parse_cache(struct basetree_layer *l, const char *buf, size_t len)
{
	struct cur c = { buf, buf + len };
	const char *line;
	size_t n, ml = strlen(CACHE_MAGIC);

	if (len < ml || memcmp(buf, CACHE_MAGIC, ml))
		return -1;
	c.p += ml;
	while (!cur_line(&c, &line, &n)) {
		char hdr[128];
		const char *bytes;

		if (n >= sizeof(hdr))
			return -1;
		memcpy(hdr, line, n);
		hdr[n] = '\0';
		if (hdr[0] == 'E') {
			int type, has_link;
			unsigned int mode;
			long long uid, gid;
			size_t pl, ll;
			char *path, *link = NULL;
			int rc;

			if (sscanf(hdr, "E %d %o %lld %lld %zu %zu %d", &type, &mode, &uid, &gid,
				   &pl, &ll, &has_link) != 7 || type < 0 || type > BASETREE_OTHER ||
			    pl > len || ll > len || cur_bytes(&c, pl + ll, &bytes) < 0)
				return -1;
			path = xstrndup(bytes, pl);
			if (has_link)
				link = xstrndup(bytes + pl, ll);
			rc = basetree_layer_add(l, path, type, mode, uid, gid, link);
			free(path);
			free(link);
			if (rc < 0)
				return -1;
		} else if (hdr[0] == 'W' || hdr[0] == 'O' || hdr[0] == 'P' || hdr[0] == 'G') {
			char *s;

			if (sscanf(hdr + 1, " %zu", &n) != 1 || n > len || cur_bytes(&c, n, &bytes) < 0)
				return -1;
			if (hdr[0] == 'P') {
				strbuf_add(&l->passwd, bytes, n);
				l->has_passwd = 1;
				continue;
			}
			if (hdr[0] == 'G') {
				strbuf_add(&l->group, bytes, n);
				l->has_group = 1;
				continue;
			}
			s = xstrndup(bytes, n);
			if (hdr[0] == 'W')
				basetree_layer_whiteout(l, s);
			else
				layer_opaque(l, s);
			free(s);
		} else if (!strncmp(hdr, "end ", 4)) {
			size_t count;

			if (sscanf(hdr + 4, "%zu", &count) != 1 || count != l->nr || c.p != c.end)
				return -1;
			return 0;
		} else {
			return -1;
		}
	}
	return -1;
}

int basetree_layer_load(struct basetree_layer *out, const char *cache_dir, const char *digest)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct basetree_layer l;
	int found = 0;

	if (cache_path(cache_dir, digest, &path) < 0)
		goto out;
	if (strbuf_read_file(&data, path.buf, CACHE_CAP) < 0)
		goto out;
	basetree_layer_init(&l);
	if (parse_cache(&l, data.buf, data.len) < 0) {
		basetree_layer_release(&l);
		goto out;
	}
	layer_sort(&l);
	basetree_layer_release(out);
	*out = l;
	found = 1;
out:
	strbuf_release(&path);
	strbuf_release(&data);
	return found;
}

void basetree_cache_dir(struct strbuf *out)
{
	const char *v;

	strbuf_reset(out);
	if ((v = getenv("PUBLISH_CACHE_DIR")) && *v)
		strbuf_addf(out, "%s/basetree", v);
	else if ((v = getenv("XDG_CACHE_HOME")) && *v)
		strbuf_addf(out, "%s/publish/basetree", v);
	else if ((v = getenv("HOME")) && *v)
		strbuf_addf(out, "%s/.cache/publish/basetree", v);
}

int basetree_add_layer(struct basetree *t, const char *digest, uint64_t size, const char *what,
		       const char *cache_dir, const char *path, basetree_fetch_fn fetch, void *ctx)
{
	struct basetree_layer l;
	int fd = -1, ret = 0;

	basetree_layer_init(&l);
	if (basetree_layer_load(&l, cache_dir, digest) == 1)
		goto apply;
	if (path) {
		/* a local blob is read where it is, never copied */
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			ret = error_as(EXIT_NOT_FOUND, "cannot read %s ('%s'): %s", what, path, strerror(errno));
			goto out;
		}
	} else {
		fd = tempfile_open("layer", 1, NULL);
		if (fd < 0) {
			ret = -1;
			goto out;
		}
		ret = fetch(ctx, digest, fd);
		if (ret < 0)
			goto out;
		if (lseek(fd, 0, SEEK_SET) < 0) {
			ret = error("cannot read back %s: %s", what, strerror(errno));
			goto out;
		}
	}
	ret = basetree_layer_read(&l, fd, digest, size, what);
	if (ret < 0)
		goto out;
	basetree_layer_save(&l, cache_dir, digest);
apply:
	ret = basetree_apply(t, &l);
out:
	if (fd >= 0)
		close(fd);
	basetree_layer_release(&l);
	return ret;
}

/* ---- symlinks -------------------------------------------------------- */

int basetree_resolve(struct basetree *t, const char *path, int follow_last, const char *what,
		     struct strbuf *out)
{
	struct strbuf cur = STRBUF_INIT, rest = STRBUF_INIT, next = STRBUF_INIT;
	int links = 0, ret = 0;

	/* the path as given is cleaned first, as Docker does: its own ".." stop at the root */
	basetree_clean(path, &rest);
	while (rest.len) {
		char *slash = strchr(rest.buf, '/');
		size_t n = slash ? (size_t)(slash - rest.buf) : rest.len;
		int last = !slash;
		const struct basetree_entry *e;

		strbuf_reset(&next);
		strbuf_add(&next, rest.buf, n);
		/* drop the component from rest */
		if (slash)
			memmove(rest.buf, slash + 1, rest.len - n);
		strbuf_setlen(&rest, slash ? rest.len - n - 1 : 0);

		if (!next.len || !strcmp(next.buf, "."))
			continue;
		if (!strcmp(next.buf, "..")) {
			char *s = memrchr(cur.buf, '/', cur.len);

			if (!cur.len) {
				ret = error_as(EXIT_DOCKERFILE, "%s%s'%s' leads above the image's root through a symbolic link",
					       what ? what : "", what ? ": " : "", path);
				goto out;
			}
			strbuf_setlen(&cur, s ? (size_t)(s - cur.buf) : 0);
			continue;
		}
		if (cur.len)
			strbuf_addch(&cur, '/');
		strbuf_addbuf(&cur, &next);
		e = basetree_get(t, cur.buf);
		if (!e || e->type != BASETREE_SYMLINK || !e->link || !*e->link || (last && !follow_last))
			continue;
		if (++links > MAX_LINKS) {
			ret = error_as(EXIT_DOCKERFILE, "%s%stoo many levels of symbolic links resolving '%s'",
				       what ? what : "", what ? ": " : "", path);
			goto out;
		}
		/* replace the link by its target, relative to its directory */
		{
			char *s = memrchr(cur.buf, '/', cur.len);
			struct strbuf nrest = STRBUF_INIT;

			strbuf_setlen(&cur, s ? (size_t)(s - cur.buf) : 0);
			if (e->link[0] == '/')
				strbuf_reset(&cur);
			strbuf_addstr(&nrest, e->link);
			if (rest.len) {
				strbuf_addch(&nrest, '/');
				strbuf_addbuf(&nrest, &rest);
			}
			strbuf_release(&rest);
			rest = nrest;
		}
	}
	strbuf_reset(out);
	strbuf_addbuf(out, &cur);
out:
	strbuf_release(&cur);
	strbuf_release(&rest);
	strbuf_release(&next);
	return ret;
}

/* ---- users and groups ------------------------------------------------ */

/*
 * Find name in a colon-separated database (passwd or group): field 0 is
 * the name, field idx the number.  1 if absent.
 */
static int db_lookup(const struct strbuf *db, const char *name, int idx, long long *out,
		     int idx2, long long *out2)
{
	const char *p = db->buf, *end = db->buf + db->len;
	size_t nl = strlen(name);

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *f = p;
		long long v[8] = { 0 };
		int field = 0, okv[8] = { 0 };

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && !memcmp(p, name, nl) && p[nl] == ':') {
			while (f <= eol && field < 8) {
				const char *c = memchr(f, ':', eol - f);
				const char *fe = c ? c : eol;
				char num[24];

				if (field && fe - f > 0 && (size_t)(fe - f) < sizeof(num)) {
					char *e;

					memcpy(num, f, fe - f);
					num[fe - f] = '\0';
					v[field] = strtoll(num, &e, 10);
					okv[field] = !*e && v[field] >= 0;
				}
				field++;
				if (!c)
					break;
				f = c + 1;
			}
			if (!okv[idx])
				return 1;
			*out = v[idx];
			if (out2 && idx2 < 8 && okv[idx2])
				*out2 = v[idx2];
			return 0;
		}
		p = eol + 1;
	}
	return 1;
}

int basetree_user(struct basetree *t, const char *name, long long *uid, long long *gid)
{
	long long u, g = -1;

	if (t->lazy && *name) {
		int r = basetree_lazy_id(t, name, 0, &u, &g);

		if (r != 2) {
			if (!r) {
				*uid = u;
				if (gid)
					*gid = g;
			}
			return r;
		}
	}

	if (!t->has_passwd || !*name || db_lookup(&t->passwd, name, 2, &u, 3, &g))
		return 1;
	*uid = u;
	if (gid)
		*gid = g;
	return 0;
}

int basetree_group(struct basetree *t, const char *name, long long *gid)
{
	long long g;

	if (t->lazy && *name) {
		int r = basetree_lazy_id(t, name, 1, &g, NULL);

		if (r != 2) {
			if (!r)
				*gid = g;
			return r;
		}
	}

	if (!t->has_group || !*name || db_lookup(&t->group, name, 2, &g, 0, NULL))
		return 1;
	*gid = g;
	return 0;
}
