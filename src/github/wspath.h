/*
 * wspath.h: an absolute path in an action input, as a path relative to
 * the workspace the action sees.
 *
 * Users write `context: ${{ github.workspace }}/app`; that expression is
 * the runner's host path (/home/runner/work/REPO/REPO), while a container
 * action sees the workspace mounted at GITHUB_WORKSPACE (/github/workspace).
 * The runner rewrites an INPUT_* value that starts with the host
 * workspace (actions/runner ContainerInfo.TranslateToContainerPath, a
 * prefix match on the whole value), so context and file arrive
 * rewritten; a path inside a longer value (outputs:
 * type=docker,dest=${{ github.workspace }}/out.tar) arrives as the host
 * path.  The host workspace is RUNNER_WORKSPACE/<repository name>
 * (actions/runner TrackingConfig: work/REPO/REPO; RUNNER_WORKSPACE,
 * work/REPO, is under no mount and arrives as the host's).
 *
 * Pure: no I/O, the caller reads the environment.
 */
#ifndef WSPATH_H
#define WSPATH_H

#include "lib/strbuf.h"

struct wspath {
	const char *workspace;	/* borrowed: GITHUB_WORKSPACE as the action sees it, may be NULL */
	struct strbuf host;	/* the runner's path of it, "" when unknown */
};

#define WSPATH_INIT { NULL, STRBUF_INIT }

/*
 * runner_workspace (RUNNER_WORKSPACE) and repository (GITHUB_REPOSITORY,
 * owner/name) give the host path; either NULL or empty: none.
 */
void wspath_init(struct wspath *w, const char *workspace, const char *runner_workspace,
		 const char *repository);
void wspath_release(struct wspath *w);

/*
 * path as relative to the workspace, appended to out: a relative path as
 * it is; an absolute one below the workspace or below its host path with
 * that prefix and the slashes after it removed ("" for the workspace
 * itself).  -EXIT_INPUT, the error naming input, for an absolute path
 * elsewhere or one with a ".." component; out is then unchanged.
 */
int wspath_relative(const struct wspath *w, const char *input, const char *path, struct strbuf *out);

#endif
