/*
 * ghchanged.h: the services of a repository whose files changed, as the
 * list a job matrix reads (`publish changed --format json`, and the
 * action's `changed: true`), so a workflow publishes only those.
 *
 * Services are the directories holding a Dockerfile, or those given as
 * "NAME=PATH[,PATH...]".  They are compared with since; without it, on
 * a push event with the event's `before` commit (a `before` missing from
 * a whole clone, after a force push: a warning, then each service's last
 * release tag), else with each service's last release tag NAME/vX.Y.Z (a
 * service never released has changed).
 *
 * A shallow clone (actions/checkout's depth 1) lacks that commit: the
 * GitHub API answers instead (the release tags from its tag list and
 * history, the changed files from its comparison, ghctx.h), with the
 * token given and GITHUB_API_URL.  Without API or token, or when it
 * fails or its list of files is cut, a warning says so and every
 * service is listed: never a silently empty list.  Each item: name, path, paths, dockerfile,
 * image (ghcr.io/OWNER/REPO/NAME, lower-cased; OWNER/REPO from the
 * repository given, else the origin remote), since, and with all the
 * changed flag.  The environment is the caller's to read.
 */
#ifndef GHCHANGED_H
#define GHCHANGED_H

#include <jansson.h>
#include "lib/strlist.h"

struct ghchanged_opts {
	const char *dir;		/* the repository; NULL: "." */
	const char *since;		/* NULL or "": see above */
	const struct strlist *services;	/* "NAME=PATH[,PATH...]"; NULL or empty: found */
	int all;			/* list every service, with "changed" */
	const char *repository;		/* "owner/repo" (GITHUB_REPOSITORY), may be NULL */
	const char *event_name;		/* GITHUB_EVENT_NAME, may be NULL */
	const char *event_path;		/* GITHUB_EVENT_PATH, may be NULL */
	const char *token;		/* GitHub token for the API (a shallow clone), may be NULL */
	const char *api_url;		/* NULL: GITHUB_API_URL */
};

/*
 * The list into *out (a JSON array, the caller's reference).  0;
 * -EXIT_INPUT for a malformed service, a since naming no commit or a
 * service path not in the repository; -EXIT_CONTEXT for a repository
 * that cannot be read; the error printed.
 */
int ghchanged_list(const struct ghchanged_opts *o, json_t **out);

#endif
