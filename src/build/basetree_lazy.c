/*
 * basetree_lazy.c: a lazy tree and its record (basetree.h explains what
 * they are for).
 *
 * State: lz->base is the base alone, as far as known: the whole base
 * once loaded (lz->full), else the record's entries, with lz->absent (the
 * record's paths the base lacks, each with its subtree) and the record's
 * user and group answers.  The tree itself (t->v) is lz->base's entries
 * plus every layer applied since; while partial those layers are kept in
 * lz->journal, to be applied again on the whole base when a lookup loads
 * it.  A lookup is recorded first (record_path: the base's answer along
 * the path, which may load the base when the partial one does not know
 * it), then answered from the tree: found, or below a part the base lacks
 * (and no layer added it: it would be found), or else the base is loaded
 * and the tree asked again.
 *
 * The record: "n COUNT", the whole base's entries (so that a partial tree
 * refuses, like the whole one, a tree over BASETREE_ENTRIES_CAP: it
 * reads the base when the cap may be near), then its lines, kept sorted
 * and unique (lz->rec):
 *   p PATH TYPE MODE UID GID [LINK]   an entry of the base (TYPE d f l h o)
 *   a PATH                            the base has no PATH, nor anything below
 *   u NAME UID GID | u NAME -         a user of the base's /etc/passwd, or none
 *   g NAME GID | g NAME -             a group of the base's /etc/group, or none
 * PATH, LINK and NAME are %-escaped (every byte outside '!'..'~', and '%').
 * A path is recorded with every part above it: a record is closed under
 * parents, which basetree_lazy_begin checks.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "build/basetree_priv.h"

#include <errno.h>
#include <limits.h>

#define RECORD_MAGIC "publish-basetree 1"

struct lazy_id {
	char *name;		/* owned */
	long long id, gid;	/* gid: a user's primary group, -1 unknown */
	int found;
};

struct basetree_lazy {
	basetree_load_fn load;
	void *ctx;
	int full;		/* lz->base is the whole base, and the tree holds it */
	int error;		/* a load that failed: its error, for every later lookup */
	struct basetree base;	/* the base alone (see above); not lazy */
	size_t base_nr;		/* the whole base's entries (basetree_apply's cap: basetree_lazy_room) */
	char **absent;		/* sorted; owned */
	size_t absent_nr;
	struct lazy_id *ids[2];	/* the record's users [0] and groups [1], sorted by name */
	size_t ids_nr[2];
	int held[2];		/* partial: the tree's /etc/passwd [0], /etc/group [1] is still the base's */
	struct basetree_layer *journal;
	size_t journal_nr, journal_alloc;
	char **rec;		/* the record's lines, sorted, unique; owned */
	size_t rec_nr, rec_alloc, rec_bytes;
	int rec_over;		/* more than BASETREE_RECORD_CAP: nothing recorded */
	int have_nr;		/* a record read back gave base_nr */
	struct strbuf walked;	/* where the last recorded walk stopped: what is above it is recorded */
	int walked_absent;	/* ... at a part the base lacks (else the path itself, present) */
};

static const char type_chars[] = { [BASETREE_DIR] = 'd', [BASETREE_FILE] = 'f', [BASETREE_SYMLINK] = 'l',
				   [BASETREE_HARDLINK] = 'h', [BASETREE_OTHER] = 'o' };

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct lazy_id *)a)->name, ((const struct lazy_id *)b)->name);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct basetree_entry *)a)->path, ((const struct basetree_entry *)b)->path);
}

static void partial_release(struct basetree_lazy *lz)
{
	for (size_t i = 0; i < lz->absent_nr; i++)
		free(lz->absent[i]);
	free(lz->absent);
	lz->absent = NULL;
	lz->absent_nr = 0;
	for (int g = 0; g < 2; g++) {
		for (size_t i = 0; i < lz->ids_nr[g]; i++)
			free(lz->ids[g][i].name);
		free(lz->ids[g]);
		lz->ids[g] = NULL;
		lz->ids_nr[g] = 0;
	}
	for (size_t i = 0; i < lz->journal_nr; i++)
		basetree_layer_release(&lz->journal[i]);
	free(lz->journal);
	lz->journal = NULL;
	lz->journal_nr = lz->journal_alloc = 0;
}

void basetree_lazy_free(struct basetree_lazy *lz)
{
	if (!lz)
		return;
	partial_release(lz);
	basetree_release(&lz->base);
	for (size_t i = 0; i < lz->rec_nr; i++)
		free(lz->rec[i]);
	free(lz->rec);
	strbuf_release(&lz->walked);
	free(lz);
}

/* ---- the record's text ------------------------------------------------ */

static void put_escaped(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < '!' || *p > '~' || *p == '%')
			strbuf_addf(sb, "%%%02X", *p);
		else
			strbuf_addch(sb, *p);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An escaped field into out: 0, or -1 when malformed (or empty, or holding a NUL). */
static int get_escaped(const char *s, struct strbuf *out)
{
	strbuf_reset(out);
	for (; *s; s++) {
		int hi, lo;

		if (*s != '%') {
			strbuf_addch(out, *s);
			continue;
		}
		hi = hexval(s[1]);
		lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		strbuf_addch(out, hi * 16 + lo);
		s += 2;
	}
	return out->len ? 0 : -1;
}

/* A decimal field: 0 and *v, or -1 when malformed or outside [min, max]. */
static int get_number(const char *s, int base, long long min, long long max, long long *v)
{
	char *end;

	if (!*s || (*s == '-' && min >= 0))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, base);
	return *end || errno || *v < min || *v > max ? -1 : 0;
}

/* ---- recording -------------------------------------------------------- */

static void rec_add(struct basetree_lazy *lz, struct strbuf *line)
{
	size_t lo = 0, hi = lz->rec_nr;

	if (lz->rec_over)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(lz->rec[mid], line->buf);

		if (!c)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lz->rec_bytes + line->len + 1 > BASETREE_RECORD_CAP) {
		lz->rec_over = 1;
		return;
	}
	ALLOC_GROW(lz->rec, lz->rec_nr + 1, lz->rec_alloc);
	memmove(lz->rec + lo + 1, lz->rec + lo, (lz->rec_nr - lo) * sizeof(char *));
	lz->rec[lo] = xstrdup(line->buf);
	lz->rec_nr++;
	lz->rec_bytes += line->len + 1;
}

static void rec_entry(struct basetree_lazy *lz, const struct basetree_entry *e, struct strbuf *line)
{
	strbuf_reset(line);
	strbuf_addstr(line, "p ");
	put_escaped(line, e->path);
	strbuf_addf(line, " %c %o %lld %lld", type_chars[e->type], e->mode, e->uid, e->gid);
	if (e->link && (e->type == BASETREE_SYMLINK || e->type == BASETREE_HARDLINK)) {
		strbuf_addch(line, ' ');
		if (*e->link)
			put_escaped(line, e->link);
		else
			strbuf_addstr(line, "%00");	/* an empty target: "%00" stands for it alone */
	}
	rec_add(lz, line);
}

static int absent_has(const struct basetree_lazy *lz, const char *path)
{
	return lz->absent_nr && bsearch(&path, lz->absent, lz->absent_nr, sizeof(char *), cmp_str);
}

static int lazy_load(struct basetree *t);

/*
 * Record the base's answer for path: its entries from the top down to
 * path, or to the first part the base lacks.  Loads the base when the
 * partial one does not know a part.  A build looks up the files of a
 * directory one after the other: the parts the last walk recorded are
 * not walked again (lz->walked).
 */
static void record_path(struct basetree *t, const char *path)
{
	struct basetree_lazy *lz = t->lazy;
	struct strbuf prefix = STRBUF_INIT, line = STRBUF_INIT;
	size_t end = 0, n = lz->walked.len;

	if (n && !strncmp(path, lz->walked.buf, n) && (!path[n] || path[n] == '/')) {
		if (lz->walked_absent || !path[n])
			return;	/* the same answer as the last walk's */
		end = n + 1;
	}
again:
	while (!lz->rec_over && !lz->error) {
		const struct basetree_entry *e;

		while (path[end] && path[end] != '/')
			end++;
		strbuf_reset(&prefix);
		strbuf_add(&prefix, path, end);
		e = basetree_find(&lz->base, prefix.buf);
		if (e) {
			rec_entry(lz, e, &line);
			strbuf_reset(&lz->walked);
			strbuf_addbuf(&lz->walked, &prefix);
			lz->walked_absent = 0;
			if (!path[end])
				break;
			end++;
			continue;
		}
		if (!lz->full && !absent_has(lz, prefix.buf)) {
			if (lazy_load(t) < 0)
				break;
			end = 0;
			goto again;
		}
		strbuf_reset(&line);
		strbuf_addstr(&line, "a ");
		put_escaped(&line, prefix.buf);
		rec_add(lz, &line);
		strbuf_reset(&lz->walked);
		strbuf_addbuf(&lz->walked, &prefix);
		lz->walked_absent = 1;
		break;
	}
	strbuf_release(&prefix);
	strbuf_release(&line);
}

/* A path below (or at) a part the record says the base lacks. */
static int absent_covers(const struct basetree_lazy *lz, const char *path)
{
	struct strbuf p = STRBUF_INIT;
	int yes = 0;

	strbuf_addstr(&p, path);
	for (;;) {
		char *slash;

		if (absent_has(lz, p.buf)) {
			yes = 1;
			break;
		}
		slash = strrchr(p.buf, '/');
		if (!slash)
			break;
		strbuf_setlen(&p, slash - p.buf);
	}
	strbuf_release(&p);
	return yes;
}

/* ---- the lookups -------------------------------------------------------- */

/*
 * The whole base read and made the tree: lz->base becomes it, the layers
 * applied since are applied again on it.  0, or the load's error (kept).
 */
static int lazy_load(struct basetree *t)
{
	struct basetree_lazy *lz = t->lazy;
	struct basetree whole;
	int rc;

	if (lz->full || lz->error)
		return lz->error;
	basetree_init(&whole);
	rc = lz->load(lz->ctx, &whole);
	if (!rc) {
		basetree_release(&lz->base);
		basetree_copy(&lz->base, &whole);
		lz->base_nr = whole.nr;
	}
	for (size_t i = 0; !rc && i < lz->journal_nr; i++)
		rc = basetree_apply(&whole, &lz->journal[i]);
	if (rc < 0) {
		basetree_release(&whole);
		lz->error = rc;
		return rc;
	}
	t->lazy = NULL;
	basetree_release(t);
	*t = whole;
	t->lazy = lz;
	lz->full = 1;
	partial_release(lz);
	return 0;
}

const struct basetree_entry *basetree_lazy_get(struct basetree *t, const char *path)
{
	struct basetree_lazy *lz = t->lazy;
	const struct basetree_entry *e;

	if (!*path)	/* the root: never an entry */
		return NULL;
	record_path(t, path);
	e = basetree_find(t, path);
	if (e || lz->full || lz->error || absent_covers(lz, path))
		return e;
	if (lazy_load(t) < 0)
		return NULL;
	return basetree_find(t, path);
}

int basetree_lazy_id(struct basetree *t, const char *name, int group, long long *id, long long *gid)
{
	struct basetree_lazy *lz = t->lazy;
	struct strbuf line = STRBUF_INIT;
	struct lazy_id key = { (char *)name, 0, 0, 0 }, ans = { NULL, 0, -1, 0 };
	const struct lazy_id *r = NULL;
	int rc;

	/* the base's answer, for the record */
	while (!lz->error && !lz->full && !(r = bsearch(&key, lz->ids[group], lz->ids_nr[group],
							sizeof(key), cmp_id)))
		lazy_load(t);
	if (lz->error) {
		strbuf_release(&line);
		return 1;
	}
	if (r) {
		ans = *r;
	} else {
		ans.found = !(group ? basetree_group(&lz->base, name, &ans.id)
			      : basetree_user(&lz->base, name, &ans.id, &ans.gid));
	}
	strbuf_addf(&line, "%c ", group ? 'g' : 'u');
	put_escaped(&line, name);
	if (!ans.found)
		strbuf_addstr(&line, " -");
	else if (group)
		strbuf_addf(&line, " %lld", ans.id);
	else
		strbuf_addf(&line, " %lld %lld", ans.id, ans.gid);
	rec_add(lz, &line);
	strbuf_release(&line);

	/* the tree's answer: the base's while a partial tree's file is the base's */
	if (lz->full || !lz->held[group])
		return 2;
	rc = !ans.found;
	if (!rc) {
		*id = ans.id;
		if (gid)
			*gid = ans.gid;
	}
	return rc;
}

int basetree_lazy_room(struct basetree *t, size_t adding)
{
	struct basetree_lazy *lz = t->lazy;

	if (lz->full || t->nr + lz->base_nr + adding <= BASETREE_ENTRIES_CAP)
		return 0;
	return lazy_load(t);
}

int *basetree_lazy_held(struct basetree *t, int group)
{
	return t->lazy && !t->lazy->full ? &t->lazy->held[group] : NULL;
}

void basetree_lazy_applied(struct basetree *t, const struct basetree_layer *l)
{
	struct basetree_lazy *lz = t->lazy;

	if (lz->full)
		return;
	ALLOC_GROW(lz->journal, lz->journal_nr + 1, lz->journal_alloc);
	basetree_layer_init(&lz->journal[lz->journal_nr]);
	basetree_layer_copy(&lz->journal[lz->journal_nr++], l);
}

/* ---- a record read back -------------------------------------------------- */

/* One line of a record into lz: NULL, or what is wrong with it. */
static const char *parse_line(struct basetree_lazy *lz, char *line, struct strbuf *a, struct strbuf *b)
{
	struct strlist f = STRLIST_INIT;
	const char *why = NULL;
	long long v[3];

	strlist_split(&f, line, ' ');
	if (f.nr < 2 || strlen(f.items[0]) != 1 || (f.items[0][0] != 'n' && get_escaped(f.items[1], a) < 0)) {
		why = "a malformed line";
		goto out;
	}
	switch (f.items[0][0]) {
	case 'n':
		if (f.nr != 2 || get_number(f.items[1], 10, 0, BASETREE_ENTRIES_CAP, &v[0])) {
			why = "a malformed entry count";
			goto out;
		}
		lz->base_nr = (size_t)v[0];
		lz->have_nr = 1;
		break;
	case 'p': {
		struct basetree_entry e = { 0 };
		const char *tc = f.nr >= 3 && strlen(f.items[2]) == 1 ?
			memchr(type_chars, f.items[2][0], sizeof(type_chars)) : NULL;
		int is_link;

		if (!tc || f.nr < 6 || get_number(f.items[3], 8, 0, 07777, &v[0]) ||
		    get_number(f.items[4], 10, 0, LLONG_MAX, &v[1]) || get_number(f.items[5], 10, 0, LLONG_MAX, &v[2])) {
			why = "a malformed entry";
			goto out;
		}
		e.type = (enum basetree_type)(tc - type_chars);
		is_link = e.type == BASETREE_SYMLINK || e.type == BASETREE_HARDLINK;
		if (f.nr != (size_t)(is_link ? 7 : 6)) {
			why = "a malformed entry";
			goto out;
		}
		strbuf_reset(b);
		if (is_link && strcmp(f.items[6], "%00") && get_escaped(f.items[6], b) < 0) {
			why = "a malformed link";
			goto out;
		}
		e.path = strbuf_detach(a, NULL);
		e.mode = (unsigned int)v[0];
		e.uid = v[1];
		e.gid = v[2];
		e.link = is_link ? strbuf_detach(b, NULL) : NULL;
		ALLOC_GROW(lz->base.v, lz->base.nr + 1, lz->base.alloc);
		lz->base.v[lz->base.nr++] = e;
		break;
	}
	case 'a':
		if (f.nr != 2) {
			why = "a malformed absent path";
			goto out;
		}
		lz->absent = xrealloc(lz->absent, (lz->absent_nr + 1) * sizeof(char *));
		lz->absent[lz->absent_nr++] = strbuf_detach(a, NULL);
		break;
	case 'u':
	case 'g': {
		int g = f.items[0][0] == 'g';
		struct lazy_id id = { NULL, 0, -1, 1 };

		if (f.nr == 3 && !strcmp(f.items[2], "-"))
			id.found = 0;
		else if (f.nr != (size_t)(g ? 3 : 4) || get_number(f.items[2], 10, 0, LLONG_MAX, &id.id) ||
			 (!g && get_number(f.items[3], 10, -1, LLONG_MAX, &id.gid))) {
			why = "a malformed user or group";
			goto out;
		}
		id.name = strbuf_detach(a, NULL);
		lz->ids[g] = xrealloc(lz->ids[g], (lz->ids_nr[g] + 1) * sizeof(id));
		lz->ids[g][lz->ids_nr[g]++] = id;
		break;
	}
	default:
		why = "an unknown line";
	}
out:
	strlist_release(&f);
	return why;
}

/* A path of a record: clean (as the tree's are), and its parents recorded. */
static int path_ok(const struct basetree_lazy *lz, const char *path)
{
	struct strbuf c = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int ok;

	basetree_clean(path, &c);
	ok = !strcmp(c.buf, path) && *path;
	if (ok && slash) {
		strbuf_reset(&c);
		strbuf_add(&c, path, slash - path);
		ok = basetree_find(&lz->base, c.buf) != NULL;
	}
	strbuf_release(&c);
	return ok;
}

static const char *parse_record(struct basetree_lazy *lz, const char *record)
{
	struct strlist lines = STRLIST_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *why = NULL;

	if (strlen(record) > BASETREE_RECORD_CAP + sizeof(RECORD_MAGIC))
		return "too long";
	strlist_split(&lines, record, '\n');
	if (!lines.nr || strcmp(lines.items[0], RECORD_MAGIC))
		why = "not a record of this version";
	for (size_t i = 1; !why && i < lines.nr; i++)
		if (*lines.items[i] || i + 1 < lines.nr)
			why = parse_line(lz, lines.items[i], &a, &b);
	if (!why) {
		if (lz->base.nr)
			qsort(lz->base.v, lz->base.nr, sizeof(*lz->base.v), cmp_entry);
		if (lz->absent_nr)
			qsort(lz->absent, lz->absent_nr, sizeof(char *), cmp_str);
		for (int g = 0; g < 2; g++)
			if (lz->ids_nr[g])
				qsort(lz->ids[g], lz->ids_nr[g], sizeof(struct lazy_id), cmp_id);
	}
	if (!why && (!lz->have_nr || lz->base_nr < lz->base.nr))
		why = "no entry count, or one below its entries'";
	for (size_t i = 0; !why && i < lz->base.nr; i++)
		if ((i && !strcmp(lz->base.v[i - 1].path, lz->base.v[i].path)) || !path_ok(lz, lz->base.v[i].path))
			why = "an entry twice, or without its parents";
	for (size_t i = 0; !why && i < lz->absent_nr; i++)
		if (!path_ok(lz, lz->absent[i]) || basetree_find(&lz->base, lz->absent[i]))
			why = "an absent path without its parents, or present";
	for (int g = 0; g < 2 && !why; g++)
		for (size_t i = 1; i < lz->ids_nr[g]; i++)
			if (!strcmp(lz->ids[g][i - 1].name, lz->ids[g][i].name))
				why = "a name twice";
	strlist_release(&lines);
	strbuf_release(&a);
	strbuf_release(&b);
	return why;
}

/* ---- the API ------------------------------------------------------------ */

int basetree_lazy_begin(struct basetree *t, basetree_load_fn load, void *ctx, const char *record)
{
	struct basetree_lazy *lz = xcalloc(1, sizeof(*lz));
	const char *why;

	lz->load = load;
	lz->ctx = ctx;
	basetree_init(&lz->base);
	strbuf_init(&lz->walked, 0);
	t->lazy = lz;
	if (record) {
		why = parse_record(lz, record);
		if (!why) {
			basetree_copy(t, &lz->base);
			t->has_passwd = t->has_group = 0;
			lz->held[0] = lz->held[1] = 1;
			return 1;
		}
		warning("ignoring the previous image's record of the base's file tree (%s): reading the base", why);
		partial_release(lz);
		basetree_release(&lz->base);
	}
	return lazy_load(t);
}

int basetree_lazy_error(const struct basetree *t)
{
	return t->lazy ? t->lazy->error : 0;
}

int basetree_lazy_loaded(const struct basetree *t)
{
	return t->lazy && t->lazy->full;
}

int basetree_lazy_record(const struct basetree *t, struct strbuf *out)
{
	const struct basetree_lazy *lz = t->lazy;

	strbuf_reset(out);
	if (!lz)
		return 0;
	if (lz->error)
		return lz->error;
	if (lz->rec_over)
		return 0;
	strbuf_addf(out, RECORD_MAGIC "\nn %zu\n", lz->base_nr);
	for (size_t i = 0; i < lz->rec_nr; i++)
		strbuf_addf(out, "%s\n", lz->rec[i]);
	return 0;
}
