/*
 * dockerignore.h: .dockerignore with Docker's exact semantics.
 *
 * Reading follows moby/patternmatcher/ignorefile: a line starting with
 * '#' is a comment (before trimming), lines are trimmed, empty ones
 * dropped, "!" marks an exception, each pattern is cleaned like Go's
 * filepath.Clean and a leading '/' is dropped.  Matching follows
 * moby/patternmatcher: the last matching pattern wins, a pattern that
 * matches a parent directory matches everything below it, "**" matches
 * any number of directories, '*' '?' "[...]" (ranges, '^' negation) and
 * '\\' escapes as in Go's filepath.Match.
 *
 * What is sent to the build follows BuildKit's context walk (fsutil
 * filter.go): dockerignore_walk() gives the walk decision per entry,
 * with per-directory state, including when an excluded directory may
 * be skipped whole.  The Dockerfile and .dockerignore get no special
 * treatment here: they are excluded from the image only when a pattern
 * says so (BuildKit reads them separately either way).
 *
 * Pure: no I/O; the caller reads the file.
 */
#ifndef DOCKERIGNORE_H
#define DOCKERIGNORE_H

#include <stddef.h>

struct dockerignore_pattern {
	char *text;		/* cleaned pattern, without the '!' */
	int exclusion;		/* written with '!': re-includes */
	int line;		/* line in the file */
	/* compiled form (internal) */
	int type;
	void *re;		/* UTF-8 mode, for paths that are valid UTF-8 */
	void *re_bytes;		/* byte mode, for the others */
};

struct dockerignore {
	struct dockerignore_pattern *patterns;
	size_t nr, alloc;
	int exclusions;		/* some pattern is an exception ('!') */
	int prefix_exceptions;	/* every exception is a plain path (fsutil's onlyPrefixExcludeExceptions) */
};

void dockerignore_init(struct dockerignore *di);
void dockerignore_release(struct dockerignore *di);

/*
 * Load patterns from buf (len bytes, not necessarily NUL-terminated);
 * filename is for messages.  Adds to what is already loaded.  0 on
 * success; -EXIT_CONTEXT with "FILE:LINE: ..." on a bad pattern.
 */
int dockerignore_load(struct dockerignore *di, const char *buf, size_t len, const char *filename);

/*
 * Is relpath (relative to the context root, '/'-separated, no leading
 * "./" or '/') excluded?  Stateless: checks the parent directories too
 * (patternmatcher's MatchesOrParentMatches).  1 excluded, 0 not.
 * is_dir is accepted for the callers' clarity; Docker's matching does
 * not depend on it.  A walk should prefer dockerignore_walk(): BuildKit
 * reuses the parent directory's per-pattern results, which differs from
 * this in rare orderings (e.g. "a", "!a/b", "a": the walk sends a/b).
 */
int dockerignore_match(const struct dockerignore *di, const char *relpath, int is_dir);

/*
 * Could a walk skip the whole excluded directory reldir?  Only when no
 * '!' exception can re-include anything below it (fsutil's rule: every
 * exception is a plain path, and none starts with "reldir/").
 */
int dockerignore_can_skip_dir(const struct dockerignore *di, const char *reldir);

/* Per-directory match state of a walk (patternmatcher's MatchInfo). */
struct dockerignore_state {
	unsigned char *matched;
	size_t nr;
};

void dockerignore_state_release(struct dockerignore_state *st);

enum dockerignore_verdict {
	DOCKERIGNORE_INCLUDE = 0,	/* in the context */
	/*
	 * Excluded.  For a directory: still walk into it (an exception may
	 * re-include something below); the directory itself is in the
	 * context only if something below it is.
	 */
	DOCKERIGNORE_EXCLUDE = 1,
	DOCKERIGNORE_SKIP = 2		/* excluded directory: skip its whole subtree */
};

/*
 * The walk decision for relpath, exactly as BuildKit's context walk
 * makes it, given the state of its parent directory (NULL for entries
 * directly in the context root).  For a directory that is walked into
 * (INCLUDE or EXCLUDE), out (may be NULL) receives the state to pass
 * for its entries; release it with dockerignore_state_release().
 * Walk in lexical order, depth first, like filepath.Walk.
 */
enum dockerignore_verdict dockerignore_walk(const struct dockerignore *di, const char *relpath,
					    int is_dir, const struct dockerignore_state *parent,
					    struct dockerignore_state *out);

#endif
