/*
 * gittags.h: the tag refs of a repository (refs/tags/...), read straight
 * from the files git keeps them in, for the walks of githistory.c.
 *
 * Why not libgit2's reference iterator: `git fetch` (actions/checkout
 * with fetch-depth: 0) writes every new tag as a loose file, and with
 * 10,000 of them the iterator costs two stats, an open, a read and a
 * close by full path per tag plus its lookup's validation (~0.5 s on
 * the bench).  Here one readdir walk of refs/tags/ opens each small
 * file relative to its directory (openat: open, read, close) and
 * packed-refs is read once.
 *
 * What it reads, as git's files backend does:
 *   - packed-refs (its refs/tags/ lines, with their "^" peeled lines);
 *     under the "peeled" or "fully-peeled" trait a tag with no peeled
 *     line is not an annotated tag, without a trait it is unknown;
 *   - refs/tags/ and its subdirectories: a file names a tag when its
 *     path is a valid ref name (names starting with "." or ending in
 *     ".lock" are not) and it holds a full sha; a loose tag hides the
 *     packed one of the same name; a symbolic ref (or a symbolic link)
 *     is resolved by libgit2; a file that holds neither is ignored, as
 *     git ignores a broken ref;
 *   - in a linked worktree, the common directory's.
 * The list is sorted by name (git for-each-ref's order).
 *
 * Ownership: struct gittags owns its names; gittags_release().
 */
#ifndef GITTAGS_H
#define GITTAGS_H

#include <stddef.h>
#include <git2.h>

enum gittag_peel {
	GITTAG_UNKNOWN,		/* loose (or packed without traits): the object is to be read */
	GITTAG_DIRECT,		/* packed-refs says it is no annotated tag */
	GITTAG_PEELED,		/* an annotated tag; peeled is what it names, from packed-refs */
	GITTAG_UNREAD		/* a loose tag the caller did not want read: its name alone */
};

struct gittag {
	char *name;		/* after "refs/tags/" */
	git_oid oid;		/* the object the ref names */
	git_oid peeled;		/* GITTAG_PEELED only */
	enum gittag_peel peel;
	int loose;		/* from a file of refs/tags/ (else packed-refs) */
};

struct gittags {
	struct gittag *items;
	size_t nr, alloc;
};

#define GITTAGS_INIT { NULL, 0, 0 }

/*
 * The tags of repo into out (initialised, filled only on success).  A
 * loose tag whose name want (when not NULL) returns 0 for is listed
 * unread (its file is not opened: the names describe cannot use cost
 * nothing).  0, or -EXIT_CONTEXT with the error printed when packed-refs
 * or a directory of refs/tags cannot be read.
 */
int gittags_read(git_repository *repo, int (*want)(const char *name, void *data), void *data,
		 struct gittags *out);

void gittags_release(struct gittags *t);

#endif
