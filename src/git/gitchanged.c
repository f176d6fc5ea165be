/*
 * gitchanged.c: see gitchanged.h.
 */
#include "lib/common.h"
#include "git/gitchanged.h"
#include "git/githistory.h"
#include <git2.h>

static int git_fail(int code, const char *what, const char *subject)
{
	const git_error *e = git_error_last();

	return error_as(code, "%s '%s': %s", what, subject,
			e && e->message ? e->message : "unknown libgit2 error");
}

void gitservice_list_add(struct gitservice_list *l, const char *name, const struct strlist *paths)
{
	struct gitservice *s;
	struct strbuf sb = STRBUF_INIT;

	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	s = &l->items[l->nr++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	for (size_t i = 0; i < paths->nr; i++)
		strlist_push(&s->paths, paths->items[i]);
	if (paths->nr && strcmp(paths->items[0], "."))
		strbuf_addf(&sb, "%s/Dockerfile", paths->items[0]);
	else
		strbuf_addstr(&sb, "Dockerfile");
	s->dockerfile = strbuf_detach(&sb, NULL);
}

void gitservice_list_release(struct gitservice_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].name);
		free(l->items[i].dockerfile);
		free(l->items[i].since);
		strlist_release(&l->items[i].paths);
	}
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

static int open_repo(git_repository **out, const char *dir)
{
	git_libgit2_init();
	if (git_repository_open_ext(out, dir && *dir ? dir : ".", 0, NULL) < 0) {
		int rc = git_fail(EXIT_CONTEXT, "cannot open the git repository", dir && *dir ? dir : ".");

		git_libgit2_shutdown();
		return rc;
	}
	return 0;
}

static void close_repo(git_repository *repo)
{
	git_repository_free(repo);
	git_libgit2_shutdown();
}

static int head_tree(git_repository *repo, git_tree **out)
{
	git_object *obj = NULL;
	int rc = 0;

	if (git_revparse_single(&obj, repo, "HEAD^{tree}") < 0)
		rc = git_fail(EXIT_CONTEXT, "cannot read the tree of HEAD in", git_repository_workdir(repo) ?
			      git_repository_workdir(repo) : git_repository_path(repo));
	else
		*out = (git_tree *)obj;
	return rc;
}

char *gitchanged_top_name(const char *dir)
{
	git_repository *repo = NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *w, *slash;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, dir && *dir ? dir : ".", 0, NULL) < 0) {
		git_libgit2_shutdown();
		return NULL;
	}
	w = git_repository_workdir(repo);
	if (w) {
		strbuf_addstr(&sb, w);
		while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
	}
	close_repo(repo);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	slash = strrchr(sb.buf, '/');
	w = xstrdup(slash ? slash + 1 : sb.buf);
	strbuf_release(&sb);
	return (char *)w;
}

struct find_state {
	struct gitservice_list *out;
	char *top;
};

static int find_cb(const char *root, const git_tree_entry *e, void *data)
{
	struct find_state *st = data;
	struct strlist paths = STRLIST_INIT;
	struct strbuf dir = STRBUF_INIT;
	const char *name;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || strcmp(git_tree_entry_name(e), "Dockerfile"))
		return 0;
	strbuf_addstr(&dir, root);
	while (dir.len && dir.buf[dir.len - 1] == '/')
		strbuf_setlen(&dir, dir.len - 1);
	if (!dir.len) {
		strlist_push(&paths, ".");
		name = st->top ? st->top : "app";
	} else {
		strlist_push(&paths, dir.buf);
		name = strrchr(dir.buf, '/') ? strrchr(dir.buf, '/') + 1 : dir.buf;
	}
	gitservice_list_add(st->out, name, &paths);
	strlist_release(&paths);
	strbuf_release(&dir);
	return 0;
}

int gitchanged_find_services(const char *dir, struct gitservice_list *out)
{
	git_repository *repo = NULL;
	git_tree *tree = NULL;
	struct find_state st = { out, NULL };
	int rc;

	if ((rc = open_repo(&repo, dir)) < 0)
		goto out;
	st.top = gitchanged_top_name(dir);
	if ((rc = head_tree(repo, &tree)) < 0)
		goto out;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, find_cb, &st) < 0)
		rc = git_fail(EXIT_CONTEXT, "cannot walk the tree of HEAD in", dir && *dir ? dir : ".");
out:
	free(st.top);
	git_tree_free(tree);
	if (repo)
		close_repo(repo);
	return rc;
}

/* 1 when the entry at path differs between the trees (a NULL tree: empty) */
static int entry_differs(git_tree *a, git_tree *b, const char *path)
{
	git_tree_entry *ea = NULL, *eb = NULL;
	int differs;

	if (!strcmp(path, "."))
		return !a || !b || !git_oid_equal(git_tree_id(a), git_tree_id(b));
	if (a)
		git_tree_entry_bypath(&ea, a, path);
	if (b)
		git_tree_entry_bypath(&eb, b, path);
	if (!ea || !eb)
		differs = !!ea != !!eb;
	else
		differs = !git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
			  git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb);
	git_tree_entry_free(ea);
	git_tree_entry_free(eb);
	return differs;
}

static int tree_of(git_repository *repo, const char *rev, git_tree **out)
{
	struct strbuf spec = STRBUF_INIT;
	git_object *obj = NULL;
	int err;

	strbuf_addf(&spec, "%s^{tree}", rev);
	err = git_revparse_single(&obj, repo, spec.buf);
	strbuf_release(&spec);
	if (err < 0)
		return -1;
	*out = (git_tree *)obj;
	return 0;
}

int gitchanged_compare(const char *dir, const char *since, struct gitservice_list *l)
{
	git_repository *repo = NULL;
	git_tree *head = NULL, *base = NULL;
	int rc;

	if ((rc = open_repo(&repo, dir)) < 0)
		return rc;
	if ((rc = head_tree(repo, &head)) < 0)
		goto out;
	for (size_t i = 0; i < l->nr; i++) {
		for (size_t j = 0; j < l->items[i].paths.nr; j++) {
			const char *p = l->items[i].paths.items[j];
			git_tree_entry *e = NULL;

			if (strcmp(p, ".") && git_tree_entry_bypath(&e, head, p) < 0) {
				rc = error_as(EXIT_INPUT, "service '%s': path '%s' is not in the repository",
					      l->items[i].name, p);
				goto out;
			}
			git_tree_entry_free(e);
		}
	}
	if (since && tree_of(repo, since, &base) < 0) {
		rc = error_as(EXIT_INPUT, "--since '%s' names no commit of the repository", since);
		goto out;
	}
	for (size_t i = 0; i < l->nr; i++) {
		struct gitservice *s = &l->items[i];
		git_tree *from = base;

		if (!since) {
			struct githistory h = GITHISTORY_INIT;
			struct strbuf prefix = STRBUF_INIT;
			struct githistory_query q = { dir, NULL, NULL, NULL, 0, 0 };

			strbuf_addf(&prefix, "%s/v", s->name);
			q.tag_prefix = prefix.buf;
			rc = githistory_read(&q, &h);
			strbuf_release(&prefix);
			if (rc < 0)
				goto out;
			if (h.tag && tree_of(repo, h.tag, &from) < 0) {
				githistory_release(&h);
				rc = git_fail(EXIT_CONTEXT, "cannot read tag", h.tag);
				goto out;
			}
			free(s->since);
			s->since = h.tag ? xstrdup(h.tag) : NULL;
			githistory_release(&h);
			if (!from) {
				s->changed = 1;
				continue;
			}
		} else {
			free(s->since);
			s->since = xstrdup(since);
		}
		s->changed = 0;
		for (size_t j = 0; j < s->paths.nr && !s->changed; j++)
			s->changed = entry_differs(from, head, s->paths.items[j]);
		if (from != base)
			git_tree_free(from);
	}
	rc = 0;
out:
	git_tree_free(base);
	git_tree_free(head);
	close_repo(repo);
	return rc;
}

char *gitchanged_head(const char *dir, int *shallow)
{
	git_repository *repo = NULL;
	git_oid oid;
	char *res = NULL;

	*shallow = 0;
	if (open_repo(&repo, dir) < 0)
		return NULL;
	if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
		res = xstrdup(git_oid_tostr_s(&oid));
		*shallow = git_repository_is_shallow(repo) == 1;
	}
	close_repo(repo);
	return res;
}

char *gitchanged_origin(const char *dir)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf url = GIT_BUF_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *res = NULL, *slash, *start;

	if (open_repo(&repo, dir) < 0)
		return NULL;
	if (git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_string_buf(&url, cfg, "remote.origin.url") < 0)
		goto out;
	strbuf_addstr(&sb, url.ptr);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	if (sb.len > 4 && !strcmp(sb.buf + sb.len - 4, ".git"))
		strbuf_setlen(&sb, sb.len - 4);
	/* the last two components: ...github.com/OWNER/REPO or git@host:OWNER/REPO */
	slash = strrchr(sb.buf, '/');
	if (!slash || slash == sb.buf || !slash[1])
		goto out;
	for (start = slash - 1; start > sb.buf && start[-1] != '/' && start[-1] != ':'; start--)
		;
	if (start == slash || start == sb.buf)
		goto out;
	res = xstrdup(start);
out:
	git_buf_dispose(&url);
	git_config_free(cfg);
	close_repo(repo);
	strbuf_release(&sb);
	return res;
}
