/*
 * githistory.c: see githistory.h.
 */
#include "lib/common.h"
#include "git/githistory.h"
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

static int touches(git_commit *c, const struct strlist *paths, int *out)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	int rc = -1;

	*out = 0;
	if (git_commit_tree(&tree, c) < 0)
		goto out;
	if (git_commit_parentcount(c) &&
	    (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&ptree, parent) < 0))
		goto out;
	for (size_t i = 0; i < paths->nr && !*out; i++)
		*out = path_changed(tree, ptree, paths->items[i]);
	rc = 0;
out:
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	return rc;
}

/* Walk head ^hide: distance (all commits) when want_all, counted and messages. */
static int walk(git_repository *repo, const git_oid *head, const git_oid *hide,
		const struct githistory_query *q, struct githistory *h, size_t *all)
{
	git_revwalk *w = NULL;
	git_oid oid;
	int rc = -1, err;
	const struct strlist *paths = q->paths && q->paths->nr ? q->paths : NULL;

	*all = 0;
	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push(w, head) < 0 ||
	    (hide && git_revwalk_hide(w, hide) < 0)) {
		rc = git_fail(EXIT_CONTEXT, "cannot walk the history of", h->head);
		goto out;
	}
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	while ((err = git_revwalk_next(&oid, w)) == 0) {
		git_commit *c = NULL;
		int hit = 1;

		(*all)++;
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			rc = git_fail(EXIT_CONTEXT, "cannot read commit", git_oid_tostr_s(&oid));
			goto out;
		}
		if (git_commit_parentcount(c) > 1)
			hit = 0;
		else if (paths && touches(c, paths, &hit) < 0) {
			git_commit_free(c);
			rc = git_fail(EXIT_CONTEXT, "cannot read the tree of commit", git_oid_tostr_s(&oid));
			goto out;
		}
		if (hit) {
			h->counted++;
			if (q->messages)
				strlist_push(&h->messages, git_commit_message(c) ? git_commit_message(c) : "");
		}
		git_commit_free(c);
	}
	if (err != GIT_ITEROVER) {
		rc = git_fail(EXIT_CONTEXT, "cannot walk the history of", h->head);
		goto out;
	}
	rc = 0;
out:
	git_revwalk_free(w);
	return rc;
}

/*
 * 1 when the tag ref points at commit at, directly or through tag
 * objects; only an annotated tag's object is read (the commits are not).
 */
static int on_commit(git_repository *repo, git_reference *ref, const git_oid *at)
{
	const git_oid *id = git_reference_target(ref);
	git_odb *odb = NULL;
	git_object_t type;
	size_t len;
	git_object *obj = NULL;
	int hit = 0;

	if (!id)
		return 0;
	if (git_oid_equal(id, at))
		return 1;
	if (git_repository_odb(&odb, repo) < 0)
		return 0;
	if (git_odb_read_header(&len, &type, odb, id) == 0 && type == GIT_OBJECT_TAG &&
	    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0)
		hit = git_oid_equal(git_object_id(obj), at);
	git_object_free(obj);
	git_odb_free(odb);
	return hit;
}

/* The version-looking tags with the prefix on commit at (and count the prefix's tags). */
static int tags_on(git_repository *repo, const git_oid *at, const char *pattern,
		   const char *prefix, struct githistory *h)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	size_t plen = strlen(prefix);

	if (git_reference_iterator_glob_new(&it, repo, "refs/tags/*") < 0)
		return git_fail(EXIT_CONTEXT, "cannot list the tags of", h->head);
	while (git_reference_next(&ref, it) == 0) {
		const char *name = git_reference_name(ref) + strlen("refs/tags/");
		git_object *obj = NULL;

		if (!strncmp(name, prefix, plen))
			h->prefix_tags++;
		if (at && !fnmatch(pattern, name, 0) && on_commit(repo, ref, at))
			strlist_push(&h->tags_at, name);
		git_object_free(obj);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return 0;
}

/* libgit2 says "no reference found" (-1, not GIT_ENOTFOUND) when no tag matches at all */
static int no_reference(void)
{
	const git_error *e = git_error_last();

	return e && e->klass == GIT_ERROR_DESCRIBE && e->message && strstr(e->message, "no reference found");
}

/* "<tag>-<n>-g<hex>" into tag, n and hex; -1 when it is not so. */
static int split_describe(const char *s, struct githistory *h)
{
	const char *g = strrchr(s, '-'), *d;
	char *end;
	unsigned long long n;

	if (!g || g[1] != 'g' || g == s)
		return -1;
	for (d = g - 1; d > s && *d != '-'; d--)
		;
	if (*d != '-' || d == s)
		return -1;
	n = strtoull(d + 1, &end, 10);
	if (end != g)
		return -1;
	h->tag = xstrndup(s, d - s);
	h->distance = (size_t)n;
	h->short_sha = xstrdup(g + 2);
	return 0;
}

int githistory_read(const struct githistory_query *q, struct githistory *out)
{
	struct githistory h = GITHISTORY_INIT;
	struct strbuf pattern = STRBUF_INIT;
	const char *dir = q->dir && *q->dir ? q->dir : ".";
	const char *prefix = q->tag_prefix ? q->tag_prefix : "";
	git_repository *repo = NULL;
	git_object *obj = NULL, *tagged = NULL;
	git_describe_result *res = NULL;
	git_buf buf = { NULL, 0, 0 };
	git_describe_options dopts;
	git_describe_format_options fopts;
	git_oid head, at;
	size_t all;
	int rc = -EXIT_CONTEXT, err;

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
	git_oid_cpy(&head, git_object_id(obj));
	h.head = xstrdup(git_oid_tostr_s(&head));

	githistory_pattern(prefix, &pattern);
	/* a tagged commit is its own answer, as git describe's exact match: no walk */
	if ((rc = tags_on(repo, &head, pattern.buf, prefix, &h)) < 0)
		goto out;
	if (h.tags_at.nr) {
		h.tag = xstrdup(h.tags_at.items[0]);
		h.distance = 0;
		if (git_object_short_id(&buf, obj) < 0) {
			rc = git_fail(EXIT_CONTEXT, "cannot abbreviate commit", h.head);
			goto out;
		}
		h.short_sha = xstrdup(buf.ptr);
		goto done;
	}
	if (h.shallow)
		goto done;	/* the history is cut: the caller says it needs fetch-depth: 0 */
	h.prefix_tags = 0;
	git_describe_options_init(&dopts, GIT_DESCRIBE_OPTIONS_VERSION);
	dopts.describe_strategy = GIT_DESCRIBE_TAGS;
	dopts.pattern = pattern.buf;
	err = git_describe_commit(&res, obj, &dopts);
	if (err < 0 && err != GIT_ENOTFOUND && no_reference())
		err = GIT_ENOTFOUND;
	if (err == 0) {
		git_describe_format_options_init(&fopts, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
		fopts.abbreviated_size = 7;
		fopts.always_use_long_format = 1;
		if (git_describe_format(&buf, res, &fopts) < 0) {
			rc = git_fail(EXIT_CONTEXT, "cannot describe commit", h.head);
			goto out;
		}
		if (split_describe(buf.ptr, &h) < 0) {
			rc = error_as(EXIT_INTERNAL, "cannot read libgit2's describe output '%s'", buf.ptr);
			goto out;
		}
		{
			struct strbuf ref = STRBUF_INIT;

			strbuf_addf(&ref, "refs/tags/%s^{commit}", h.tag);
			err = git_revparse_single(&tagged, repo, ref.buf);
			strbuf_release(&ref);
			if (err < 0) {
				rc = git_fail(EXIT_CONTEXT, "cannot read tag", h.tag);
				goto out;
			}
			git_oid_cpy(&at, git_object_id(tagged));
		}
	} else if (err != GIT_ENOTFOUND) {
		rc = git_fail(EXIT_CONTEXT, "cannot describe commit", h.head);
		goto out;
	} else {
		git_buf_dispose(&buf);
		if (git_object_short_id(&buf, obj) < 0) {
			rc = git_fail(EXIT_CONTEXT, "cannot abbreviate commit", h.head);
			goto out;
		}
		h.short_sha = xstrdup(buf.ptr);
	}
	if ((rc = tags_on(repo, h.tag ? &at : NULL, pattern.buf, prefix, &h)) < 0)
		goto out;
	if (!h.tag || (q->paths && q->paths->nr) || q->messages) {
		if ((rc = walk(repo, &head, h.tag ? &at : NULL, q, &h, &all)) < 0)
			goto out;
		if (!h.tag)
			h.distance = all;
	}
done:
	*out = h;
	memset(&h, 0, sizeof(h));
	rc = 0;
out:
	githistory_release(&h);
	strbuf_release(&pattern);
	git_buf_dispose(&buf);
	git_describe_result_free(res);
	git_object_free(tagged);
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
	strlist_release(&h->tags_at);
	strlist_release(&h->messages);
	memset(h, 0, sizeof(*h));
}
