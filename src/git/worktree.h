/*
 * worktree.h: what git knows about the build context's files.
 *
 * A layer's bytes must depend on the files' content alone, not on the
 * checkout that produced them.  The umask of the checkout decides the
 * work tree's modes (0664 or 0644, 0775 or 0755) but git records only
 * two: 0644 and 0755.  So a file git tracks (it has an entry in the
 * index, stage 0, as a regular file) gets the mode git would record for
 * it: 0755 when its owner may execute it, else 0644 (with core.fileMode
 * false, where the work tree's bits mean nothing, the index entry's
 * mode); a directory holding a tracked file gets 0755.  Untracked paths
 * (a generated file, a node_modules installed by the workflow) keep the
 * work tree's mode.
 *
 * The repository is the one holding the context directory (libgit2,
 * searching upwards); no repository, or one that cannot be read, leaves
 * every mode as in the work tree.  libgit2's errors are read here.
 */
#ifndef GIT_WORKTREE_H
#define GIT_WORKTREE_H

struct git_repository;
struct git_index;

struct worktree {
	struct git_repository *repo;	/* NULL: no repository, modes as in the work tree */
	struct git_index *index;
	char *prefix;	/* the context's path in the work tree: "" or "dir/", owned */
	int filemode;	/* core.fileMode */
	int dirty_known;	/* 1 once dirty holds the paths that differ from the index, -1 if that failed */
	char **dirty;	/* sorted, in the work tree's terms, owned */
	size_t dirty_nr;
	int unfiltered;	/* with dirty: no attribute file and no core.autocrlf, so git filters no file */
};

#define WORKTREE_INIT { NULL, NULL, NULL, 1, 0, NULL, 0, 0 }

/*
 * Open the repository holding root (a directory).  Never fails: without
 * a readable repository wt stays empty and worktree_mode() changes
 * nothing.  Release with worktree_release().
 */
void worktree_open(struct worktree *wt, const char *root);
void worktree_release(struct worktree *wt);

/*
 * The mode for rel (relative to the context root, '/'-separated, "" for
 * the root) whose lstat mode is st_mode: git's as above when tracked,
 * else st_mode's permission bits.  Returns permission bits (07777).
 */
unsigned int worktree_mode(const struct worktree *wt, const char *rel, unsigned int st_mode);

/*
 * The git blob id (40 hex digits and a NUL into out) of the content of
 * rel (relative to the context root), when git knows it without reading
 * the file: rel is tracked (stage 0, a regular file) and clean, that is
 * the work tree and the index agree on it (libgit2's index-to-workdir
 * diff over the context, once per build: it stats the files, and reads
 * only those whose stat data do not match the index).  0 on success, 1
 * when the content is not known that way (untracked, modified, no
 * repository, any error): then the caller must read the file.
 * A file git filters (CRLF, ident, LFS...: its work tree bytes are not
 * the blob's) has no id; the check for filters (an attribute lookup,
 * which stats every parent directory of the file) is skipped when no
 * attribute can apply: core.autocrlf off, no core.attributesFile, no
 * info/attributes, no global or system attributes file, no
 * .gitattributes in the index, nor untracked or ignored under the
 * context or in a directory above it.
 */
int worktree_blob_id(struct worktree *wt, const char *rel, char *out);

#endif
