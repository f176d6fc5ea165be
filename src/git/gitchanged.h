/*
 * gitchanged.h: which services of a repository changed, for `publish
 * changed`: a repository of several services publishes only those whose
 * files changed.
 *
 * A service is a name and the paths it is built from.  Found ones are
 * the directories of HEAD's tree that hold a Dockerfile (name: the
 * directory's last component, the repository directory's name for the
 * top), or given by the caller.  A service changed since a commit when
 * the tree entry of one of its paths differs between that commit and
 * HEAD (as `git diff --quiet REF HEAD -- PATHS` says); without a commit,
 * since its last release tag NAME/vX.Y.Z (as git describe finds it among
 * them), and a service never released has changed.
 */
#ifndef GITCHANGED_H
#define GITCHANGED_H

#include <stddef.h>
#include "lib/strlist.h"

struct gitservice {
	char *name;
	struct strlist paths;		/* relative to the top, no trailing '/' */
	char *dockerfile;		/* first path + "/Dockerfile" ("Dockerfile" for the top) */
	char *since;			/* the commit or tag compared with, NULL: never released */
	int changed;
};

struct gitservice_list {
	struct gitservice *items;
	size_t nr, alloc;
};

#define GITSERVICE_LIST_INIT { NULL, 0, 0 }

/* Add a service (paths copied; dockerfile from the first path). */
void gitservice_list_add(struct gitservice_list *l, const char *name, const struct strlist *paths);

/*
 * The directories of HEAD's tree in the repository at dir that hold a
 * Dockerfile, sorted by path.  0, or -EXIT_CONTEXT (error printed).
 */
int gitchanged_find_services(const char *dir, struct gitservice_list *out);

/*
 * Set changed and since of every service: since names a commit (any
 * revision git understands), or NULL for each service's last release
 * tag.  0; -EXIT_INPUT when since names no commit or a service path is
 * not in HEAD's tree; -EXIT_CONTEXT for a repository that cannot be read.
 */
int gitchanged_compare(const char *dir, const char *since, struct gitservice_list *l);

/*
 * HEAD's full sha of the repository at dir (caller frees) and, in
 * *shallow, whether it is a shallow clone (whose history may lack the
 * commit to compare with); NULL when it cannot be read.
 */
char *gitchanged_head(const char *dir, int *shallow);

/* "owner/repo" from the origin remote's URL, or NULL (caller frees). */
char *gitchanged_origin(const char *dir);

/* The top directory's name of the repository at dir, or NULL (caller frees). */
char *gitchanged_top_name(const char *dir);

void gitservice_list_release(struct gitservice_list *l);

#endif
