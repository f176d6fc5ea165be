/*
 * githistory.c: see githistory.h.
 */
#include "lib/common.h"
#include "git/githistory.h"
#include "git/gittags.h"
#include "git/gitpack.h"
#include <git2.h>
#include <fnmatch.h>

static int git_fail(int code, const char *what, const char *subject)
{
	const git_error *e = git_error_last();

	return error_as(code, "%s '%s': %s", what, subject,
			e && e->message ? e->message : "unknown libgit2 error");
}

void githistory_pattern(const char *tag_prefix, struct strbuf *out)
{
	for (const char *p = tag_prefix ? tag_prefix : ""; *p; p++) {
		if (strchr("*?[]\\", *p))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *p);
	}
	strbuf_addstr(out, "[v0-9]*.[0-9]*.[0-9]*");
}

/* 1 when the entry at path differs between the two trees (b may be NULL: empty tree) */
static int path_changed(git_tree *a, git_tree *b, const char *path)
{
	git_tree_entry *ea = NULL, *eb = NULL;
	int changed;

	if (!*path)
		return 1;
	git_tree_entry_bypath(&ea, a, path);
	if (b)
		git_tree_entry_bypath(&eb, b, path);
	if (!ea || !eb)
		changed = !!ea != !!eb;
	else
		changed = !git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
			  git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb);
	git_tree_entry_free(ea);
	git_tree_entry_free(eb);
	return changed;
}


/*
 * The commits we read, by oid: an open-addressing table of indices into
 * nodes.  Only the header of a commit is read (parents, tree, committer
 * date: git_odb_read, no message parsed), once.
 */
#define F_SEEN		(1u << 0)	/* describe: queued (git's SEEN) */
#define F_CANDS		0x7feu		/* describe: bits 1..10, one per candidate tag */
#define F_LSEEN		(1u << 12)	/* log walk: queued */
#define F_UNINT		(1u << 13)	/* log walk: reachable from the tag */
#define F_PARSED	(1u << 14)
#define F_ANNOTATED	(1u << 15)	/* one of its tags is an annotated tag */
#define MAX_CANDIDATES	10

struct node {
	git_oid oid, tree;
	int64_t date;
	uint32_t flags, nparents;
	size_t parents;			/* first in walker.parents */
	size_t names;			/* 1 + its first in walker.names; 0: not tagged */
};

struct tagname {
	char *name;
	size_t next;			/* 1 + the next name of the same commit, 0: last */
};

struct walker {
	git_repository *repo;
	git_odb *odb;
	const struct githistory_source *src;	/* instead of repo and odb */
	struct node *nodes;
	size_t nr, alloc;
	size_t *slots, cap;		/* 1 + node index, 0: empty */
	size_t *parents, parents_nr, parents_alloc;
	struct tagname *names;
	size_t names_nr, names_alloc;
	struct gitpacks packs;		/* for peeling loose tags (opened when the first is met) */
	int packs_open;
};

static size_t oid_hash(const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h));
	return h;
}

static void table_grow(struct walker *w)
{
	size_t cap = w->cap ? w->cap * 2 : 1024;
	size_t *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < w->nr; i++) {
		size_t j = oid_hash(&w->nodes[i].oid) & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = i + 1;
	}
	free(w->slots);
	w->slots = slots;
	w->cap = cap;
}

/* The index of oid's node, made (unread) when new. */
static size_t node_get(struct walker *w, const git_oid *oid)
{
	size_t j;

	if ((w->nr + 1) * 2 > w->cap)
		table_grow(w);
	for (j = oid_hash(oid) & (w->cap - 1); w->slots[j]; j = (j + 1) & (w->cap - 1))
		if (git_oid_equal(&w->nodes[w->slots[j] - 1].oid, oid))
			return w->slots[j] - 1;
	ALLOC_GROW(w->nodes, w->nr + 1, w->alloc);
	memset(&w->nodes[w->nr], 0, sizeof(w->nodes[w->nr]));
	git_oid_cpy(&w->nodes[w->nr].oid, oid);
	w->slots[j] = ++w->nr;
	return w->nr - 1;
}

/* The value of header line key ("parent ") at p, up to eol; NULL when p is not one. */
static const char *header(const char *p, const char *eol, const char *key)
{
	size_t n = strlen(key);

	return (size_t)(eol - p) > n && !memcmp(p, key, n) ? p + n : NULL;
}

/* Commit i from the source: parents (made as nodes), committer date. */
static int node_from_source(struct walker *w, size_t i)
{
	struct githistory_commit c = { 0, STRLIST_INIT, NULL };
	char hex[GIT_OID_HEXSZ + 1];
	size_t first;
	git_oid *poid;
	int rc = -1;

	git_oid_tostr(hex, sizeof(hex), &w->nodes[i].oid);
	if (w->src->commit(w->src->data, hex, &c) < 0)
		goto out;
	poid = xcalloc(c.parents.nr + 1, sizeof(*poid));
	for (size_t k = 0; k < c.parents.nr; k++)
		if (git_oid_fromstrn(&poid[k], c.parents.items[k], GIT_OID_HEXSZ) < 0 ||
		    strlen(c.parents.items[k]) != GIT_OID_HEXSZ) {
			free(poid);
			rc = error_as(EXIT_CONTEXT, "commit '%s': parent '%s' is not a sha", hex, c.parents.items[k]);
			goto out;
		}
	first = w->parents_nr;
	ALLOC_GROW(w->parents, w->parents_nr + c.parents.nr, w->parents_alloc);
	w->parents_nr += c.parents.nr;
	for (size_t k = 0; k < c.parents.nr; k++)
		w->parents[first + k] = node_get(w, &poid[k]);
	free(poid);
	w->nodes[i].date = c.date;
	w->nodes[i].nparents = (uint32_t)c.parents.nr;
	w->nodes[i].parents = first;
	w->nodes[i].flags |= F_PARSED;
	rc = 0;
out:
	strlist_release(&c.parents);
	free(c.message);
	return rc;
}

/* Read the header of commit i (once): tree, parents (made as nodes), committer date. */
static int node_parse(struct walker *w, size_t i)
{
	git_odb_object *obj = NULL;
	git_oid poid[16], *many = NULL, tree;
	size_t np = 0, cap = ARRAY_SIZE(poid), first;
	int64_t date = 0;
	const char *p, *end, *eol, *v;
	int rc = -1;

	if (w->nodes[i].flags & F_PARSED)
		return 0;
	if (w->src)
		return node_from_source(w, i);
	if (git_odb_read(&obj, w->odb, &w->nodes[i].oid) < 0)
		return git_fail(EXIT_CONTEXT, "cannot read commit", git_oid_tostr_s(&w->nodes[i].oid));
	if (git_odb_object_type(obj) != GIT_OBJECT_COMMIT) {
		rc = error_as(EXIT_CONTEXT, "object '%s' is not a commit", git_oid_tostr_s(&w->nodes[i].oid));
		goto out;
	}
	memset(&tree, 0, sizeof(tree));
	p = git_odb_object_data(obj);
	end = p + git_odb_object_size(obj);
	for (; p < end && *p != '\n'; p = eol + 1) {
		if (!(eol = memchr(p, '\n', end - p)))
			eol = end;
		if ((v = header(p, eol, "tree ")) && eol - v >= GIT_OID_HEXSZ) {
			git_oid_fromstrn(&tree, v, GIT_OID_HEXSZ);
		} else if ((v = header(p, eol, "parent ")) && eol - v >= GIT_OID_HEXSZ) {
			if (np == cap) {
				git_oid *grown = xcalloc(cap * 2, sizeof(*grown));

				memcpy(grown, many ? many : poid, np * sizeof(*grown));
				free(many);
				many = grown;
				cap *= 2;
			}
			git_oid_fromstrn(&(many ? many : poid)[np++], v, GIT_OID_HEXSZ);
		} else if ((v = header(p, eol, "committer ")) &&
			   (v = memchr(v, '>', eol - v))) {
			for (v++; v < eol && *v == ' '; v++)
				;
			for (date = 0; v < eol && *v >= '0' && *v <= '9'; v++)
				date = date * 10 + (*v - '0');
		}
	}
	first = w->parents_nr;
	ALLOC_GROW(w->parents, w->parents_nr + np, w->parents_alloc);
	w->parents_nr += np;
	for (size_t k = 0; k < np; k++)
		w->parents[first + k] = node_get(w, &(many ? many : poid)[k]);
	w->nodes[i].tree = tree;
	w->nodes[i].date = date;
	w->nodes[i].nparents = (uint32_t)np;
	w->nodes[i].parents = first;
	w->nodes[i].flags |= F_PARSED;
	rc = 0;
out:
	free(many);
	git_odb_object_free(obj);
	return rc;
}

/* The commits to visit, newest committer date first, first queued first on a tie (git's order). */
struct queue {
	struct qent {
		int64_t date;
		uint64_t seq;
		size_t node;
	} *e;
	size_t nr, alloc;
	uint64_t seq;
};

static int qent_before(const struct qent *a, const struct qent *b)
{
	return a->date != b->date ? a->date > b->date : a->seq < b->seq;
}

static void queue_put(struct queue *q, const struct walker *w, size_t node)
{
	size_t i;

	ALLOC_GROW(q->e, q->nr + 1, q->alloc);
	i = q->nr++;
	q->e[i].date = w->nodes[node].date;
	q->e[i].seq = q->seq++;
	q->e[i].node = node;
	while (i && qent_before(&q->e[i], &q->e[(i - 1) / 2])) {
		struct qent t = q->e[i];

		q->e[i] = q->e[(i - 1) / 2];
		q->e[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static size_t queue_get(struct queue *q)
{
	size_t top = q->e[0].node, i = 0;

	q->e[0] = q->e[--q->nr];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct qent t;

		if (l < q->nr && qent_before(&q->e[l], &q->e[m]))
			m = l;
		if (r < q->nr && qent_before(&q->e[r], &q->e[m]))
			m = r;
		if (m == i)
			break;
		t = q->e[i];
		q->e[i] = q->e[m];
		q->e[m] = t;
		i = m;
	}
	return top;
}

/* Push c's parents (read) that are not yet queued, and pass c's flags on to them (git's describe). */
static int describe_parents(struct walker *w, struct queue *q, size_t c)
{
	for (uint32_t k = 0; k < w->nodes[c].nparents; k++) {
		size_t p = w->parents[w->nodes[c].parents + k];

		if (node_parse(w, p) < 0)
			return -1;
		if (!(w->nodes[p].flags & F_SEEN))
			queue_put(q, w, p);
		w->nodes[p].flags |= w->nodes[c].flags & (F_SEEN | F_CANDS);
	}
	return 0;
}

struct candidate {
	size_t node, depth;
	uint32_t flag, order;
};

/*
 * git describe's search (builtin/describe.c, --tags): a walk from head
 * by committer date; each tagged commit met is a candidate (up to 10)
 * whose flag passes to its ancestors; a candidate's depth counts the
 * commits walked that do not carry its flag.  The walk stops at an
 * 11th tagged commit, or (once an annotated tag is a candidate) when
 * the one path left carries every least deep candidate.  The least deep candidate wins (the first found on a tie),
 * and its depth is completed by walking on until every queued commit
 * descends from it.  *found 0: no tagged commit is reachable.
 */
static int describe_walk(struct walker *w, size_t head, size_t *tag, size_t *depth, int *found)
{
	struct queue q = { NULL, 0, 0, 0 };
	struct candidate m[MAX_CANDIDATES], best;
	size_t nm = 0, seen = 0, gave_up = (size_t)-1, annotated = 0;
	int rc = -1;

	*found = 0;
	if (node_parse(w, head) < 0)
		goto out;
	w->nodes[head].flags |= F_SEEN;
	queue_put(&q, w, head);
	while (q.nr) {
		size_t c = queue_get(&q);

		seen++;
		if (w->nodes[c].names) {
			if (nm < MAX_CANDIDATES) {
				m[nm].node = c;
				m[nm].depth = seen - 1;
				m[nm].flag = 1u << (nm + 1);
				m[nm].order = (uint32_t)nm + 1;
				w->nodes[c].flags |= m[nm].flag;
				if (w->nodes[c].flags & F_ANNOTATED)
					annotated++;
				nm++;
			} else {
				gave_up = c;
				break;
			}
		}
		for (size_t i = 0; i < nm; i++)
			if (!(w->nodes[c].flags & m[i].flag))
				m[i].depth++;
		if (annotated && !q.nr) {
			/* the last path left: done when it carries every least deep candidate */
			size_t bd = (size_t)-1;
			uint32_t within = 0;

			for (size_t i = 0; i < nm; i++) {
				if (m[i].depth < bd) {
					bd = m[i].depth;
					within = m[i].flag;
				} else if (m[i].depth == bd) {
					within |= m[i].flag;
				}
			}
			if ((w->nodes[c].flags & within) == within)
				break;
		}
		if (describe_parents(w, &q, c) < 0)
			goto out;
	}
	if (!nm) {
		rc = 0;
		goto out;
	}
	/* least deep first, then in the order found (a stable sort of ten) */
	for (size_t i = 1; i < nm; i++)
		for (size_t j = i; j && (m[j].depth < m[j - 1].depth ||
				       (m[j].depth == m[j - 1].depth && m[j].order < m[j - 1].order)); j--) {
			struct candidate t = m[j];

			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	best = m[0];
	if (gave_up != (size_t)-1)
		queue_put(&q, w, gave_up);
	while (q.nr) {
		size_t c = queue_get(&q), i;

		if (w->nodes[c].flags & best.flag) {
			for (i = 0; i < q.nr; i++)
				if (!(w->nodes[q.e[i].node].flags & best.flag))
					break;
			if (i == q.nr)
				break;
		} else {
			best.depth++;
		}
		if (describe_parents(w, &q, c) < 0)
			goto out;
	}
	*tag = best.node;
	*depth = best.depth;
	*found = 1;
	rc = 0;
out:
	free(q.e);
	return rc;
}

/* Mark n and, when read, its ancestors already read as reachable from the tag (git's mark_parents_uninteresting). */
static void mark_unint(struct walker *w, size_t n, int force)
{
	size_t *stack = NULL, nr = 0, alloc = 0;

	if (!force && (w->nodes[n].flags & F_UNINT))
		return;
	w->nodes[n].flags |= F_UNINT;
	for (;;) {
		for (uint32_t k = 0; (w->nodes[n].flags & F_PARSED) && k < w->nodes[n].nparents; k++) {
			size_t p = w->parents[w->nodes[n].parents + k];

			if (w->nodes[p].flags & F_UNINT)
				continue;
			w->nodes[p].flags |= F_UNINT;
			ALLOC_GROW(stack, nr + 1, alloc);
			stack[nr++] = p;
		}
		if (!nr)
			break;
		n = stack[--nr];
	}
	free(stack);
}

/*
 * The commits of `git log hide..head` (hide (size_t)-1: every commit
 * reachable), as git's limit_list() finds them: by date, a commit
 * reachable from hide marks its ancestors, and the walk ends five
 * commits after only such commits are left queued.  Into out, in the
 * order walked.
 */
static int log_walk(struct walker *w, size_t head, size_t hide, size_t **out, size_t *out_nr)
{
	struct queue q = { NULL, 0, 0, 0 };
	size_t *list = NULL, nr = 0, alloc = 0, kept = 0;
	int64_t date = INT64_MAX;
	int slop = 5, rc = -1;

	if (node_parse(w, head) < 0)
		goto out;
	w->nodes[head].flags |= F_LSEEN;
	queue_put(&q, w, head);
	if (hide != (size_t)-1) {
		if (node_parse(w, hide) < 0)
			goto out;
		mark_unint(w, hide, 1);
		if (!(w->nodes[hide].flags & F_LSEEN)) {
			w->nodes[hide].flags |= F_LSEEN;
			queue_put(&q, w, hide);
		}
	}
	while (q.nr) {
		size_t c = queue_get(&q);
		int unint = !!(w->nodes[c].flags & F_UNINT);

		for (uint32_t k = 0; k < w->nodes[c].nparents; k++) {
			size_t p = w->parents[w->nodes[c].parents + k];

			if (node_parse(w, p) < 0)
				goto out;
			if (unint)
				mark_unint(w, p, 1);
			if (!(w->nodes[p].flags & F_LSEEN)) {
				w->nodes[p].flags |= F_LSEEN;
				queue_put(&q, w, p);
			}
		}
		if (unint) {
			size_t i;

			if (!q.nr)
				break;
			/* git's still_interesting(): q.e[0] is the newest queued */
			for (i = 0; i < q.nr && (w->nodes[q.e[i].node].flags & F_UNINT); i++)
				;
			if (date <= q.e[0].date || i < q.nr)
				slop = 5;
			else if (--slop == 0)
				break;
			continue;
		}
		date = w->nodes[c].date;
		ALLOC_GROW(list, nr + 1, alloc);
		list[nr++] = c;
	}
	for (size_t i = 0; i < nr; i++)
		if (!(w->nodes[list[i]].flags & F_UNINT))
			list[kept++] = list[i];
	*out = list;
	*out_nr = kept;
	list = NULL;
	rc = 0;
out:
	free(list);
	free(q.e);
	return rc;
}

/* 1 when commit n changes one of paths against its first parent (a root commit: the empty tree) */
static int touches(struct walker *w, size_t n, const struct strlist *paths, int *out)
{
	git_tree *tree = NULL, *ptree = NULL;
	int rc = -1;

	*out = 0;
	if (w->src) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &w->nodes[n].oid);
		if ((rc = w->src->touches(w->src->data, hex, paths)) < 0)
			return rc;
		*out = rc;
		return 0;
	}
	if (git_tree_lookup(&tree, w->repo, &w->nodes[n].tree) < 0)
		goto out;
	if (w->nodes[n].nparents &&
	    git_tree_lookup(&ptree, w->repo, &w->nodes[w->parents[w->nodes[n].parents]].tree) < 0)
		goto out;
	for (size_t i = 0; i < paths->nr && !*out; i++)
		*out = path_changed(tree, ptree, paths->items[i]);
	rc = 0;
out:
	git_tree_free(tree);
	git_tree_free(ptree);
	return rc;
}

/* The message of commit n (after its header, leading newlines skipped, as git_commit_message), pushed on l. */
static int push_message(struct walker *w, size_t n, struct strlist *l)
{
	git_odb_object *obj = NULL;
	const char *p, *end, *body;

	if (w->src) {
		struct githistory_commit c = { 0, STRLIST_INIT, NULL };
		char hex[GIT_OID_HEXSZ + 1];
		int rc;

		git_oid_tostr(hex, sizeof(hex), &w->nodes[n].oid);
		if ((rc = w->src->commit(w->src->data, hex, &c)) == 0)
			strlist_push_nodup(l, c.message ? c.message : xstrdup(""));
		else
			free(c.message);
		strlist_release(&c.parents);
		return rc;
	}
	if (git_odb_read(&obj, w->odb, &w->nodes[n].oid) < 0)
		return git_fail(EXIT_CONTEXT, "cannot read commit", git_oid_tostr_s(&w->nodes[n].oid));
	p = git_odb_object_data(obj);
	end = p + git_odb_object_size(obj);
	body = end;
	for (const char *s = p; s < end; s++)
		if (*s == '\n' && (s == p || s[-1] == '\n')) {
			body = s + 1;
			break;
		}
	while (body < end && *body == '\n')
		body++;
	strlist_push_nodup(l, xstrndup(body, end - body));
	git_odb_object_free(obj);
	return 0;
}

/* Count (and collect the messages of) the non-merge commits of hide..head that touch the paths. */
static int count_commits(struct walker *w, size_t head, size_t hide,
			 const struct githistory_query *q, struct githistory *h, size_t *all)
{
	const struct strlist *paths = q->paths && q->paths->nr ? q->paths : NULL;
	size_t *list = NULL, nr = 0;
	int rc = -1;

	if (log_walk(w, head, hide, &list, &nr) < 0)
		goto out;
	*all = nr;
	for (size_t i = 0; i < nr; i++) {
		int hit = 1;

		if (w->nodes[list[i]].nparents > 1)
			continue;
		if (paths && touches(w, list[i], paths, &hit) < 0) {
			if (!w->src)
				rc = git_fail(EXIT_CONTEXT, "cannot read the tree of commit",
					      git_oid_tostr_s(&w->nodes[list[i]].oid));
			goto out;
		}
		if (!hit)
			continue;
		h->counted++;
		if (q->messages && push_message(w, list[i], &h->messages) < 0)
			goto out;
	}
	rc = 0;
out:
	free(list);
	return rc;
}

/*
 * The commit tag g names, and whether through an annotated tag; 1, or 0
 * when it names no commit.  packed-refs' peeled line (or its word that
 * the tag is no annotated tag) spares reading an object.  Otherwise the
 * object's type comes from its pack entry, and an annotated tag's
 * object line from the first bytes of it (gitpack.h); what the packs
 * cannot say libgit2 reads: the header, and only a tag's object whole.
 * A tag packed-refs calls direct is taken as a commit unread: when it
 * names no commit the walks never meet its object (they meet commits
 * only).
 */
static int tag_commit(struct walker *w, const struct gittag *g, git_oid *out, int *annotated)
{
	git_oid cur;

	*annotated = g->peel == GITTAG_PEELED;
	if (g->peel != GITTAG_UNKNOWN) {
		git_oid_cpy(out, g->peel == GITTAG_PEELED ? &g->peeled : &g->oid);
		return 1;
	}
	if (!w->packs_open) {
		struct strbuf objects = STRBUF_INIT;

		strbuf_addf(&objects, "%sobjects", git_repository_commondir(w->repo));
		gitpacks_open(&w->packs, objects.buf);
		strbuf_release(&objects);
		w->packs_open = 1;
	}
	git_oid_cpy(&cur, &g->oid);
	for (int depth = 0; depth < 8; depth++) {
		git_odb_object *obj = NULL;
		const char *p;
		char first[64];
		size_t len = sizeof(first);
		git_object_t type;

		if (gitpack_peek(&w->packs, &cur, &type, first, &len) == 1) {
			if (type == GIT_OBJECT_COMMIT) {
				git_oid_cpy(out, &cur);
				return 1;
			}
			if (type != GIT_OBJECT_TAG || len < 7 + GIT_OID_HEXSZ || memcmp(first, "object ", 7) ||
			    git_oid_fromstrn(&cur, first + 7, GIT_OID_HEXSZ) < 0)
				return 0;
			*annotated = 1;
			continue;
		}
		if (git_odb_read_header(&len, &type, w->odb, &cur) < 0)
			return 0;
		if (type == GIT_OBJECT_COMMIT) {
			git_oid_cpy(out, &cur);
			return 1;
		}
		if (type != GIT_OBJECT_TAG || git_odb_read(&obj, w->odb, &cur) < 0)
			return 0;
		*annotated = 1;
		p = git_odb_object_data(obj);
		len = git_odb_object_size(obj);
		if (len < 7 + GIT_OID_HEXSZ || memcmp(p, "object ", 7) ||
		    git_oid_fromstrn(&cur, p + 7, GIT_OID_HEXSZ) < 0) {
			git_odb_object_free(obj);
			return 0;
		}
		git_odb_object_free(obj);
	}
	return 0;
}

/* "[v]X.Y.Z" then the end, "-" or "+": a version's shape (the glob alone lets "video@1.0.0" in) */
static int version_shaped(const char *s)
{
	if (*s == 'v')
		s++;
	for (int part = 0; part < 3; part++) {
		if (part && *s++ != '.')
			return 0;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s || *s == '-' || *s == '+';
}

/*
 * Every tag ref: count those with the prefix; those that match pattern,
 * have a version's shape after the prefix and name a commit become
 * names of its node.
 */
static void add_name(struct walker *w, const git_oid *at, const char *name, int annotated)
{
	size_t n = node_get(w, at);

	ALLOC_GROW(w->names, w->names_nr + 1, w->names_alloc);
	w->names[w->names_nr].name = xstrdup(name);
	w->names[w->names_nr].next = w->nodes[n].names;
	w->nodes[n].names = ++w->names_nr;
	if (annotated)
		w->nodes[n].flags |= F_ANNOTATED;
}

struct tag_filter {
	const char *pattern, *prefix;
	size_t plen;
};

/* 1 when tag name can be a version tag of the query: the glob, then a version's shape after the prefix */
static int tag_wanted(const char *name, void *data)
{
	const struct tag_filter *f = data;

	return !fnmatch(f->pattern, name, 0) && version_shaped(name + f->plen);
}

static int read_tags(struct walker *w, const char *pattern, const char *prefix, struct githistory *h)
{
	struct gittags tags = GITTAGS_INIT;
	size_t plen = strlen(prefix);
	struct tag_filter want = { pattern, prefix, plen };

	if (w->src) {
		/* the API does not say which tags are annotated: all count as lightweight */
		for (size_t i = 0; i < w->src->tag_names.nr && i < w->src->tag_shas.nr; i++) {
			const char *name = w->src->tag_names.items[i];
			git_oid at;

			if (!strncmp(name, prefix, plen))
				h->prefix_tags++;
			if (!fnmatch(pattern, name, 0) && version_shaped(name + plen) &&
			    strlen(w->src->tag_shas.items[i]) == GIT_OID_HEXSZ &&
			    git_oid_fromstr(&at, w->src->tag_shas.items[i]) == 0)
				add_name(w, &at, name, 0);
		}
		return 0;
	}
	if (gittags_read(w->repo, tag_wanted, &want, &tags) < 0)
		return -EXIT_CONTEXT;
	for (size_t i = 0; i < tags.nr; i++) {
		const char *name = tags.items[i].name;
		git_oid at;
		int annotated;

		if (!strncmp(name, prefix, plen))
			h->prefix_tags++;
		if (tags.items[i].peel != GITTAG_UNREAD && tag_wanted(name, &want) &&
		    tag_commit(w, &tags.items[i], &at, &annotated))
			add_name(w, &at, name, annotated);
	}
	gittags_release(&tags);
	return 0;
}

/* The names of node n into l, in the order the refs were listed. */
static void names_of(const struct walker *w, size_t n, struct strlist *l)
{
	size_t first = l->nr;

	for (size_t i = w->nodes[n].names; i; i = w->names[i - 1].next)
		strlist_push(l, w->names[i - 1].name);
	for (size_t a = first, b = l->nr; b > a + 1; a++, b--) {
		char *t = l->items[a];

		l->items[a] = l->items[b - 1];
		l->items[b - 1] = t;
	}
}

static void walker_release(struct walker *w)
{
	for (size_t i = 0; i < w->names_nr; i++)
		free(w->names[i].name);
	free(w->names);
	free(w->nodes);
	free(w->slots);
	free(w->parents);
	gitpacks_release(&w->packs);
	git_odb_free(w->odb);
}

/* The walks for commit head into h (head, short_sha and shallow already set). */
static int answer(struct walker *w, size_t head, const struct githistory_query *q, struct githistory *h)
{
	struct strbuf pattern = STRBUF_INIT;
	const char *prefix = q->tag_prefix ? q->tag_prefix : "";
	size_t tag = 0, all;
	int rc, found = 0;

	githistory_pattern(prefix, &pattern);
	if ((rc = read_tags(w, pattern.buf, prefix, h)) < 0)
		goto out;
	rc = -EXIT_CONTEXT;
	if (q->previous)
		w->nodes[head].names = 0;	/* its own tags are the release, not the one before */
	/* a tagged commit is its own answer, as git describe's exact match: no walk */
	if (w->nodes[head].names) {
		names_of(w, head, &h->tags_at);
		h->tag = xstrdup(h->tags_at.items[0]);
		h->tag_commit = xstrdup(h->head);
		h->distance = 0;
		rc = 0;
		goto out;
	}
	if (h->shallow) {
		rc = 0;		/* the history is cut: the caller asks the API or says it needs fetch-depth: 0 */
		goto out;
	}
	if (describe_walk(w, head, &tag, &h->distance, &found) < 0)
		goto out;
	if (found) {
		names_of(w, tag, &h->tags_at);
		h->tag = xstrdup(h->tags_at.items[0]);
		h->tag_commit = xcalloc(1, GIT_OID_HEXSZ + 1);
		git_oid_tostr(h->tag_commit, GIT_OID_HEXSZ + 1, &w->nodes[tag].oid);
	}
	if (!found || (q->paths && q->paths->nr) || q->messages) {
		if (count_commits(w, head, found ? tag : (size_t)-1, q, h, &all) < 0)
			goto out;
		if (!found)
			h->distance = all;
	}
	rc = 0;
out:
	strbuf_release(&pattern);
	return rc;
}

int githistory_read_from(const struct githistory_source *src, const char *head,
			 const struct githistory_query *q, struct githistory *out)
{
	struct githistory h = GITHISTORY_INIT;
	struct walker w;
	git_oid oid;
	int rc;

	if (strlen(head) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, head) < 0)
		return error_as(EXIT_CONTEXT, "'%s' is not a full commit sha", head);
	memset(&w, 0, sizeof(w));
	w.src = src;
	h.head = xstrdup(head);
	h.short_sha = xstrndup(head, 7);
	if ((rc = answer(&w, node_get(&w, &oid), q, &h)) == 0) {
		*out = h;
		memset(&h, 0, sizeof(h));
	}
	githistory_release(&h);
	walker_release(&w);
	return rc;
}

int githistory_read(const struct githistory_query *q, struct githistory *out)
{
	struct githistory h = GITHISTORY_INIT;
	struct walker w;
	const char *dir = q->dir && *q->dir ? q->dir : ".";
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_buf buf = { NULL, 0, 0 };
	size_t head;
	int rc = -EXIT_CONTEXT, err;

	memset(&w, 0, sizeof(w));
	git_libgit2_init();
	if (git_repository_open_ext(&repo, dir, 0, NULL) < 0) {
		rc = git_fail(EXIT_CONTEXT, "cannot open the git repository", dir);
		goto out;
	}
	if (!q->rev || !*q->rev) {
		if ((err = git_repository_head_unborn(repo)) == 1 || git_repository_is_empty(repo) == 1) {
			h.empty = 1;
			goto done;
		}
		if (err < 0 || git_revparse_single(&obj, repo, "HEAD^{commit}") < 0) {
			rc = git_fail(EXIT_CONTEXT, "cannot read HEAD of the git repository", dir);
			goto out;
		}
	} else {
		struct strbuf spec = STRBUF_INIT;

		strbuf_addf(&spec, "%s^{commit}", q->rev);
		err = git_revparse_single(&obj, repo, spec.buf);
		strbuf_release(&spec);
		if (err < 0) {
			rc = error_as(EXIT_INPUT, "cannot find commit '%s' in the git repository '%s'", q->rev, dir);
			goto out;
		}
	}
	h.shallow = git_repository_is_shallow(repo) == 1;
	h.head = xstrdup(git_oid_tostr_s(git_object_id(obj)));
	if (git_object_short_id(&buf, obj) < 0) {
		rc = git_fail(EXIT_CONTEXT, "cannot abbreviate commit", h.head);
		goto out;
	}
	h.short_sha = xstrdup(buf.ptr);
	w.repo = repo;
	if (git_repository_odb(&w.odb, repo) < 0) {
		rc = git_fail(EXIT_CONTEXT, "cannot open the objects of the git repository", dir);
		goto out;
	}
	head = node_get(&w, git_object_id(obj));
	if ((rc = answer(&w, head, q, &h)) < 0)
		goto out;
done:
	*out = h;
	memset(&h, 0, sizeof(h));
	rc = 0;
out:
	githistory_release(&h);
	git_buf_dispose(&buf);
	walker_release(&w);
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

void githistory_release(struct githistory *h)
{
	if (!h)
		return;
	free(h->head);
	free(h->short_sha);
	free(h->tag);
	free(h->tag_commit);
	strlist_release(&h->tags_at);
	strlist_release(&h->messages);
	memset(h, 0, sizeof(*h));
}
