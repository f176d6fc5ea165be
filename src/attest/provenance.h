/*
 * provenance.h: an in-toto Statement v1 whose predicate is SLSA
 * provenance v1, for the images of one build.
 *
 * What a consumer checks it against: which repository and commit the
 * image came from, which workflow run built it, with which builder.  The
 * buildType is GitHub's for Actions workflows
 * (https://actions.github.io/buildtypes/workflow/v1), so its
 * externalParameters (the workflow: repository, ref, path) and
 * resolvedDependencies (the repository at its commit) read as they do
 * in actions/attest-build-provenance's statements; the builder is this
 * action at its version.  Pure: the caller gathers the values (from
 * GITHUB_* in Actions), this module only writes the JSON (sorted keys).
 */
#ifndef PROVENANCE_H
#define PROVENANCE_H

#include "lib/strbuf.h"

/* as src/cli/main.c: the release build defines it for every file */
#ifndef PUBLISH_VERSION
#define PUBLISH_VERSION "0.0.0-dev"
#endif

struct provenance {
	const char *server_url;		/* https://github.com (NULL: that) */
	const char *repository;		/* owner/name */
	const char *commit;		/* the commit built, 40 hex */
	const char *ref;		/* refs/tags/v1.2.3, may be NULL */
	const char *workflow_ref;	/* owner/name/.github/workflows/x.yml@refs/..., may be NULL */
	const char *event_name;		/* may be NULL */
	const char *run_id, *run_attempt;	/* may be NULL */
	const char *builder_id;		/* a URI: this action at its version */
	const char *tool_version;	/* publish's version */
	const char *image;		/* the subjects' name (repository), may be NULL */
	const char *const *subjects;	/* the image manifests' digests, "sha256:<hex>" */
	size_t nr_subjects;
};

/* The statement's JSON, appended to out. */
int provenance_statement_json(const struct provenance *p, struct strbuf *out);

/*
 * The builder id, appended to out: the action as the workflow used it,
 * SERVER/OWNER/REPO@REF (GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF,
 * which the runner sets for an action from a repository), else publish
 * itself at its version, pkg:generic/publish-action@VERSION.
 */
void provenance_builder_id(const char *server_url, const char *action_repository, const char *action_ref,
			   struct strbuf *out);

#define PROVENANCE_MEDIA_TYPE "application/vnd.in-toto+json"
#define PROVENANCE_PREDICATE_TYPE "https://slsa.dev/provenance/v1"

#endif
