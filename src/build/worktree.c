/*
 * worktree.c: see worktree.h.  libgit2's errors are read only to be
 * dropped: a repository that cannot be read changes no mode.
 */
#include "lib/common.h"
#include "build/worktree.h"

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
