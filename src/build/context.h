/*
 * context.h: COPY and ADD from the build context, with Docker's rules.
 *
 * context_copy() turns one COPY or ADD (its sources, its destination,
 * --chown and --chmod) into layer entries (layer.h):
 *
 * - sources are relative to the context root ("/x" is the same as "x"),
 *   may hold globs (* ? [..], '*' never crossing '/'), and are resolved
 *   inside the context: a symlink on the way is followed but its target is
 *   clamped to the context root, as BuildKit does, so nothing outside the
 *   context is ever read;
 * - a directory source copies its contents, not the directory itself;
 * - a file source goes to DEST/basename when DEST ends with '/' (or is
 *   "/", "." or a well-known system directory, or a directory an earlier
 *   instruction made), else to DEST itself;
 * - more than one source needs a destination ending with '/';
 * - a relative DEST is relative to WORKDIR;
 * - inside a copied directory, symlinks are stored as links (never
 *   followed), hard links as hard links, sockets and fifos skipped with a
 *   warning, modes kept (the executable bit too);
 * - ADD of a local tar archive (any compression libarchive reads)
 *   extracts it into DEST;
 * - paths excluded by .dockerignore do not exist (the ignore callback);
 * - every file taken can be vetted first (check_file: build.c refuses a
 *   .git/config holding a credential);
 * - a source that matches nothing is an error (EXIT_CONTEXT) naming it.
 */
#ifndef CONTEXT_H
#define CONTEXT_H

#include "build/layer.h"

/*
 * The .dockerignore test: 1 if path (relative to the context root, no
 * leading "./" or "/") is excluded.  dir_may_hold_exceptions: 1 when an
 * excluded directory may still contain re-included (!pattern) paths, so
 * it must be walked.
 */
struct context_ignore {
	int (*excluded)(void *ctx, const char *path, int is_dir);
	int (*dir_may_hold_exceptions)(void *ctx, const char *dir);
	void *ctx;
};

struct context_copy_opts {
	const char *const *sources;	/* as written (expanded), sources_nr of them */
	size_t sources_nr;
	const char *dest;
	const char *workdir;	/* the image's WORKDIR, NULL or "" for "/" */
	long long uid, gid;	/* -1: keep (0 for files from the context) */
	int chmod;	/* -1: keep */
	int is_add;	/* ADD: extract local tar archives */
	const char *what;	/* "Dockerfile:LINE: COPY", the start of messages */
	/*
	 * 1 if the image already has a directory at ipath (no leading '/'):
	 * made by an earlier layer or the WORKDIR.  A destination naming one
	 * is copied into, as Docker does.  May be NULL.
	 */
	int (*known_dir)(void *ctx, const char *ipath);
	void *known_dir_ctx;
	/*
	 * Called for each regular file the copy takes from the context (rel:
	 * its resolved path in the context, host: its path here) before it is
	 * added; a negative return stops the copy with that error.  May be NULL.
	 */
	int (*check_file)(void *ctx, const char *rel, const char *host);
	void *check_file_ctx;
	/*
	 * The mode to store for rel (a file or directory of the context,
	 * st_mode from lstat) before --chmod: build.c gives git's (worktree.h).
	 * NULL: the work tree's permission bits.
	 */
	unsigned int (*host_mode)(void *ctx, const char *rel, unsigned int st_mode);
	void *host_mode_ctx;
};

/*
 * Resolve and walk; entries are appended to out (not yet finished).
 * root is the context directory.
 */
int context_copy(const char *root, const struct context_ignore *ign,
		 const struct context_copy_opts *opts, struct layer_entries *out);

/* The absolute, clean image path for dest under workdir, appended to out (no trailing '/', "/" for the root). */
void context_image_path(const char *workdir, const char *dest, struct strbuf *out);

/* 1 if pattern has glob characters (* ? [). */
int context_has_glob(const char *pattern);

/*
 * 1 if rel (a path relative to the context, '/'-separated) is a ".git"
 * (a repository's directory, or the file a worktree or submodule has
 * instead) or lies below one, at any depth.  Pure.
 */
int context_in_git_dir(const char *rel);

/*
 * Does the git config text buf (len bytes) hold a credential?  An
 * http.extraheader (actions/checkout keeps its token there as
 * "AUTHORIZATION: basic ..."), even commented out, or a URL with
 * credentials: any user in an http(s) URL (https://TOKEN@host), a
 * password in any other (ssh://user:pass@host; ssh://git@host is fine).
 * 1 with what it is and its line ("an http extraheader (line 7)")
 * appended to what, never the secret itself; 0 when clean.  Pure.
 */
int context_git_config_secret(const char *buf, size_t len, struct strbuf *what);

#endif
