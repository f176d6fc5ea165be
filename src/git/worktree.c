/*
 * worktree.c: see worktree.h.  libgit2's errors are read only to be
 * dropped: a repository that cannot be read changes no mode.
 */
#include "lib/common.h"
#include "git/worktree.h"

#include <limits.h>
#include <sys/stat.h>

#include <git2.h>

void worktree_open(struct worktree *wt, const char *root)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_config *cfg = NULL;
	char *real_root = NULL, *real_wd = NULL;
	const char *wd;
	size_t n;
	int v;

	wt->repo = NULL;
	wt->index = NULL;
	wt->prefix = NULL;
	wt->filemode = 1;
	wt->dirty_known = 0;
	wt->dirty = NULL;
	wt->dirty_nr = 0;
	wt->unfiltered = 0;
	git_libgit2_init();
	if (git_repository_open_ext(&repo, root, 0, NULL) < 0 || git_repository_is_bare(repo))
		goto fail;
	wd = git_repository_workdir(repo);
	real_root = realpath(root, NULL);
	real_wd = wd ? realpath(wd, NULL) : NULL;
	if (!real_root || !real_wd)
		goto fail;
	n = strlen(real_wd);
	if (strncmp(real_root, real_wd, n) || (real_root[n] && real_root[n] != '/' && strcmp(real_wd, "/")))
		goto fail;
	if (git_repository_index(&index, repo) < 0)
		goto fail;
	if (git_repository_config_snapshot(&cfg, repo) == 0 && git_config_get_bool(&v, cfg, "core.filemode") == 0)
		wt->filemode = v;
	git_config_free(cfg);
	{
		struct strbuf p = STRBUF_INIT;
		const char *rest = real_root + n + (strcmp(real_wd, "/") ? 0 : -1);

		while (*rest == '/')
			rest++;
		if (*rest)
			strbuf_addf(&p, "%s/", rest);
		wt->prefix = strbuf_detach(&p, NULL);
	}
	wt->repo = repo;
	wt->index = index;
	free(real_root);
	free(real_wd);
	return;
fail:
	git_error_clear();
	git_index_free(index);
	git_repository_free(repo);
	free(real_root);
	free(real_wd);
	git_libgit2_shutdown();
}

void worktree_release(struct worktree *wt)
{
	if (!wt || !wt->repo)
		return;
	git_index_free(wt->index);
	git_repository_free(wt->repo);
	free(wt->prefix);
	for (size_t i = 0; i < wt->dirty_nr; i++)
		free(wt->dirty[i]);
	free(wt->dirty);
	wt->dirty = NULL;
	wt->dirty_nr = 0;
	wt->dirty_known = 0;
	wt->repo = NULL;
	wt->index = NULL;
	wt->prefix = NULL;
	git_libgit2_shutdown();
}

unsigned int worktree_mode(const struct worktree *wt, const char *rel, unsigned int st_mode)
{
	struct strbuf path = STRBUF_INIT;
	unsigned int mode = st_mode & 07777;

	if (!wt || !wt->repo)
		return mode;
	strbuf_addstr(&path, wt->prefix);
	strbuf_addstr(&path, rel);
	if (S_ISREG(st_mode)) {
		const git_index_entry *ie = git_index_get_bypath(wt->index, path.buf, 0);

		if (ie && (ie->mode == GIT_FILEMODE_BLOB || ie->mode == GIT_FILEMODE_BLOB_EXECUTABLE)) {
			if (wt->filemode)
				mode = (st_mode & S_IXUSR) ? 0755 : 0644;
			else
				mode = ie->mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
		}
	} else if (S_ISDIR(st_mode)) {
		size_t pos;

		/* a directory git knows: a tracked path below it (or the context's root holding one) */
		if (path.len && path.buf[path.len - 1] != '/')
			strbuf_addch(&path, '/');
		if (git_index_find_prefix(&pos, wt->index, path.buf) == 0)
			mode = 0755;
		else
			git_error_clear();
	}
	strbuf_release(&path);
	return mode;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_attributes_file(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, ".gitattributes");
}

/* 1 when the file exists (any type). */
static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* 1 when dir/name (dir from libgit2's search path, maybe empty or a list) may exist. */
static int search_path_has(int level, const char *name)
{
	git_buf buf = { 0 };
	struct strbuf p = STRBUF_INIT;
	int has = 0;

	if (git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, level, &buf) < 0) {
		git_error_clear();
		return 1;
	}
	for (const char *d = buf.ptr ? buf.ptr : ""; *d && !has;) {
		size_t n = strcspn(d, ":");

		strbuf_reset(&p);
		strbuf_add(&p, d, n);
		strbuf_addf(&p, "/%s", name);
		has = n && exists(p.buf);
		d += n;
		if (*d)
			d++;
	}
	git_buf_dispose(&buf);
	strbuf_release(&p);
	return has;
}

/*
 * 1 when no attribute can make git filter a file of the context (see
 * worktree.h); untracked_attrs: a directory of tracked files under the
 * context has a .gitattributes in the work tree (tracked_dirs_have_attrs).
 */
static int no_filters(struct worktree *wt, int untracked_attrs)
{
	git_config *cfg = NULL;
	git_buf val = { 0 };
	struct strbuf p = STRBUF_INIT;
	size_t n = git_index_entrycount(wt->index);
	int v, none = !untracked_attrs;

	if (none && git_repository_config_snapshot(&cfg, wt->repo) < 0)
		none = 0;
	if (none && git_config_get_bool(&v, cfg, "core.autocrlf") == 0)
		none = !v;
	else if (none && git_config_get_string_buf(&val, cfg, "core.autocrlf") == 0)
		none = 0;	/* "input", or what libgit2 may read otherwise */
	if (none && git_config_get_string_buf(&val, cfg, "core.attributesfile") == 0)
		none = 0;
	git_buf_dispose(&val);
	git_config_free(cfg);
	git_error_clear();
	if (none) {
		strbuf_addf(&p, "%sinfo/attributes", git_repository_path(wt->repo));
		none = !exists(p.buf) && !search_path_has(GIT_CONFIG_LEVEL_XDG, "attributes") &&
		       !search_path_has(GIT_CONFIG_LEVEL_SYSTEM, "gitattributes");
	}
	for (size_t i = 0; none && i < n; i++)
		none = !is_attributes_file(git_index_get_byindex(wt->index, i)->path);
	/* the directories from the context up to the work tree's root */
	for (size_t len = strlen(wt->prefix); none;) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%.*s.gitattributes", git_repository_workdir(wt->repo), (int)len, wt->prefix);
		none = !exists(p.buf);
		if (!len)
			break;
		for (len--; len && wt->prefix[len - 1] != '/'; len--)
			;
	}
	strbuf_release(&p);
	return none;
}

/*
 * 1 when a directory under the context that holds tracked files, or one
 * between it and them, has a .gitattributes in the work tree (tracked or
 * not): an attribute may then apply to a tracked file.  One lstat per
 * such directory, never a walk of the untracked ones (an npm ci's
 * node_modules): an attribute there applies to untracked files alone,
 * whose keys come from their bytes (blob_id() in build.c), never from the
 * index.  The index is sorted, so the directories the previous entry's
 * path shares with this one's were checked already.
 */
static int tracked_dirs_have_attrs(struct worktree *wt)
{
	size_t n = git_index_entrycount(wt->index), plen = strlen(wt->prefix);
	struct strbuf prev = STRBUF_INIT, p = STRBUF_INIT;
	const char *root = git_repository_workdir(wt->repo);
	int found = 0;

	strbuf_addstr(&prev, wt->prefix);	/* the context's own directory: no_filters() checks it */
	for (size_t i = 0; i < n && !found; i++) {
		const char *path = git_index_get_byindex(wt->index, i)->path;
		const char *slash = strrchr(path, '/');
		size_t dlen = slash ? (size_t)(slash - path) + 1 : 0, common = 0;

		if (strncmp(path, wt->prefix, plen) || dlen <= plen)
			continue;
		/* the directories ("a/b/") this path shares with the previous one */
		for (size_t k = 0; k < dlen && k < prev.len && path[k] == prev.buf[k]; k++)
			if (path[k] == '/')
				common = k + 1;
		if (common < plen)
			common = plen;
		for (size_t k = common; k < dlen && !found; k++) {
			if (path[k] != '/')
				continue;
			strbuf_reset(&p);
			strbuf_addf(&p, "%s%.*s.gitattributes", root, (int)(k + 1), path);
			found = exists(p.buf);
		}
		strbuf_reset(&prev);
		strbuf_add(&prev, path, dlen);
	}
	strbuf_release(&prev);
	strbuf_release(&p);
	return found;
}

/*
 * The tracked paths under the context where the work tree and the index
 * differ, and whether a file can be filtered (no_filters()).
 */
static int load_dirty(struct worktree *wt)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	char *spec = NULL;
	size_t n, alloc = 0;

	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0)
		return -1;
	opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	if (*wt->prefix) {
		spec = xstrdup(wt->prefix);
		spec[strlen(spec) - 1] = '\0';	/* "dir/" -> "dir" */
		opts.pathspec.strings = &spec;
		opts.pathspec.count = 1;
	}
	if (git_diff_index_to_workdir(&diff, wt->repo, wt->index, &opts) < 0) {
		git_error_clear();
		free(spec);
		return -1;
	}
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_UNTRACKED || d->status == GIT_DELTA_IGNORED)
			continue;
		ALLOC_GROW(wt->dirty, wt->dirty_nr + 2, alloc);
		wt->dirty[wt->dirty_nr++] = xstrdup(d->old_file.path);
		if (d->new_file.path && strcmp(d->new_file.path, d->old_file.path))
			wt->dirty[wt->dirty_nr++] = xstrdup(d->new_file.path);
	}
	if (wt->dirty_nr > 1)
		qsort(wt->dirty, wt->dirty_nr, sizeof(*wt->dirty), cmp_str);
	wt->unfiltered = no_filters(wt, tracked_dirs_have_attrs(wt));
	git_diff_free(diff);
	free(spec);
	return 0;
}

int worktree_blob_id(struct worktree *wt, const char *rel, char *out)
{
	struct strbuf path = STRBUF_INIT;
	const git_index_entry *ie;
	const char *key;
	int rc = 1;

	if (!wt || !wt->repo)
		return 1;
	if (!wt->dirty_known)
		wt->dirty_known = load_dirty(wt) < 0 ? -1 : 1;
	if (wt->dirty_known < 0)
		return 1;
	strbuf_addstr(&path, wt->prefix);
	strbuf_addstr(&path, rel);
	key = path.buf;
	ie = git_index_get_bypath(wt->index, path.buf, 0);
	/* assume-unchanged and skip-worktree entries are not compared with the work tree: doubt */
	if (ie && (ie->mode == GIT_FILEMODE_BLOB || ie->mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
	    !(ie->flags & GIT_INDEX_ENTRY_VALID) && !(ie->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE) &&
	    !(wt->dirty_nr && bsearch(&key, wt->dirty, wt->dirty_nr, sizeof(*wt->dirty), cmp_str))) {
		git_filter_list *fl = NULL;

		/*
		 * A filter (CRLF, ident, LFS, working-tree-encoding...) makes the
		 * work tree's bytes differ from the blob's: the id says nothing then.
		 */
		if (wt->unfiltered || (git_filter_list_load(&fl, wt->repo, NULL, path.buf, GIT_FILTER_TO_WORKTREE,
							      GIT_FILTER_DEFAULT) == 0 && !fl)) {
			git_oid_tostr(out, GIT_OID_HEXSZ + 1, &ie->id);
			rc = 0;
		}
		git_filter_list_free(fl);
		git_error_clear();
	}
	strbuf_release(&path);
	return rc;
}
