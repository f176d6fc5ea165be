/*
 * action.h: the GitHub container action, end to end.
 *
 * `publish action` is what the runner starts in the action's container:
 * the workspace mounted at /github/workspace (owned by the runner's uid,
 * not ours), the inputs as INPUT_* variables, the file commands under
 * /github/file_commands.  action_run() takes those inputs (read by
 * src/cli/cmd_action.c, so this module never sees the environment's
 * names) and runs the three phases of the tool in order:
 *
 *   meta   tags, labels, annotations (docker/metadata-action's rules)
 *   build  the image from the Dockerfile into a private OCI layout
 *   push   the layout to every tag (skipped on pull_request by default)
 *
 * then has report.c write the step outputs ($GITHUB_OUTPUT), meta's
 * outputs as DOCKER_METADATA_OUTPUT_* variables ($GITHUB_ENV), the step
 * summary ($GITHUB_STEP_SUMMARY) and the workflow commands (::group::,
 * ::error file=,line=::) from the result; ::add-mask:: comes first of
 * all.  Everything it writes besides those goes to a private temporary
 * directory that it removes, so a later step finds the workspace as the
 * checkout left it.
 *
 * The pure pieces (default image, push default) are exported for the
 * unit tests.
 */
#ifndef ACTION_H
#define ACTION_H

#include "lib/strbuf.h"
#include "lib/digest.h"
#include "github/metaio.h"

/*
 * The inputs, as the runner passes them (NULL or "" when not given).
 * Borrowed.  Those shared with `publish meta` (images, tags, flavor,
 * labels, annotations, the separators, context) are as the runner gives
 * them, for metaio.c to parse as it does for `publish meta`, in meta[]
 * indexed like metaio_input_names (github-token: the GitHub API's, as
 * metadata-action's); the others trimmed.
 */
struct action_inputs {
	const char *meta[METAIO_INPUT_NR];
	const char *file, *build_args, *platforms, *push;
	const char *registry, *username, *token, *compression, *working_directory;
	const char *include_git_dir;
	const char *reuse_layers, *reuse_from, *cache_from;	/* reuse of the previous image's layers (build/reuse.h) */
	const char *cache_to;	/* build-push-action's cache export: not needed, a notice */
	const char *insecure_registries;	/* hosts allowed plain http, comma or newline separated */
	const char *registry_auth;	/* docker/login-action's registry-auth: YAML, one entry per registry */
	const char *outputs;		/* the image into the workspace: type=docker|oci,dest=PATH (imageoutput.h) */
	const char *push_by_digest, *merge, *digests;	/* a matrix: jobs push by digest, one merges */
	const char *sbom, *provenance;	/* attestations attached to the images pushed */
	const char *changed;		/* "true": list the changed services instead of building (ghchanged.h) */
	const char *changed_since;	/* with changed: the commit to compare with */
	const char *services;		/* with changed: NAME=PATH[,PATH] lines */
};

/* What the runner tells a step about itself (GITHUB_*).  Borrowed. */
struct action_github {
	const char *workspace;		/* GITHUB_WORKSPACE (/github/workspace) */
	const char *event_name;		/* GITHUB_EVENT_NAME */
	const char *repository;		/* GITHUB_REPOSITORY, owner/name */
	const char *output;		/* GITHUB_OUTPUT, may be NULL */
	const char *step_summary;	/* GITHUB_STEP_SUMMARY, may be NULL */
	const char *server_url;		/* GITHUB_SERVER_URL, may be NULL */
	const char *run_id;		/* GITHUB_RUN_ID, may be NULL */
	const char *annotation_levels;	/* DOCKER_METADATA_ANNOTATIONS_LEVELS, may be NULL */
	const char *short_sha_length;	/* DOCKER_METADATA_SHORT_SHA_LENGTH, may be NULL */
	const char *env;		/* GITHUB_ENV, may be NULL */
	const char *set_output_env;	/* DOCKER_METADATA_SET_OUTPUT_ENV, may be NULL */
	/* for the provenance, each may be NULL: GITHUB_SHA, _REF, _WORKFLOW_REF, _RUN_ATTEMPT, _ACTION_REPOSITORY, _ACTION_REF */
	const char *sha, *ref, *workflow_ref, *run_attempt, *action_repository, *action_ref;
	const char *event_path;		/* GITHUB_EVENT_PATH, may be NULL */
	const char *runner_workspace;	/* RUNNER_WORKSPACE, the host's (wspath.h), may be NULL */
};

enum action_phase { ACTION_META = 0, ACTION_BUILD, ACTION_PUSH, ACTION_NR_PHASES };

struct action_result {
	char *version;			/* owned */
	char **tags;			/* owned, nr_tags full references */
	size_t nr_tags;
	char digest[DIGEST_HEX_LEN + 1];	/* of the manifest (or index) built */
	char config_digest[DIGEST_HEX_LEN + 1];	/* of its config (one platform); "" for an index */
	char *media_type;		/* owned, of that manifest */
	long long size;			/* manifest + config + layers, bytes */
	char *image;			/* owned, name@digest of the first image */
	int pushed;			/* 1 when the tags were pushed */
	size_t layers_pushed, layers_mounted, layers_skipped;
	long long bytes_pushed;
	double seconds[ACTION_NR_PHASES];	/* < 0: the phase did not run */
	int shallow;			/* the workspace is a shallow clone */
	int versions_from;		/* enum metaio_from: where the tags came from */
};

void action_result_init(struct action_result *r);
void action_result_release(struct action_result *r);

/*
 * Run meta, build and push as the action; fills out (also on failure,
 * as far as the run went, for the summary).  Returns 0 or a negative
 * exit code; the error has been printed, and for an error in the user's
 * Dockerfile an ::error file=,line=:: annotation too.
 */
int action_run(const struct action_inputs *in, const struct action_github *gh,
	       struct action_result *out);

/* --- pure helpers ------------------------------------------------------ */

/* "ghcr.io/<owner>/<repo>" lower-cased from "Owner/Repo" into out; -EXIT_INPUT if malformed. */
int action_default_image(const char *repository, struct strbuf *out);

/*
 * Whether to push: the push input ("true"/"True"/"TRUE", "false"/...,
 * as core.getBooleanInput) or, when empty, false on pull_request and
 * pull_request_target events, else true.  -EXIT_INPUT for another value.
 */
int action_push_enabled(const char *push, const char *event_name, int *out);

/*
 * A warning's message as the ::warning:: command the action prints for
 * it (its hook on warning()), appended to out: on FILE and LINE when the
 * message starts "FILE:LINE: " (FILE made relative to workspace), else
 * with no properties.
 */
void action_warning_format(const char *message, const char *workspace, struct strbuf *out);

/*
 * What one line of the tags input is.  The input takes both meanings:
 * build-push-action's (a full image reference is that tag) and
 * metadata-action's (a rule).  A line is a full reference when it has
 * no '=', ',', '{', '}' or blank (no rule or template does without
 * them, but a raw value), holds a '/' and a ':tag' after its last '/'
 * (ghcr.io/acme/app:1.2.3, acme/app:latest, localhost:5000/app:dev).
 * "app:1.2" (no '/') and "acme/app" (no tag) stay metadata-action raw
 * values, as there, but are ACTION_TAG_LOOKALIKE for a warning.
 */
enum action_tag_kind {
	ACTION_TAG_RULE = 0,		/* a metadata-action rule */
	ACTION_TAG_REFERENCE,		/* a full reference: that tag */
	ACTION_TAG_LOOKALIKE,		/* a rule that reads like a reference */
};

/*
 * The context input, in both its meanings: "", "workflow" or "git" is
 * metadata-action's (where the metadata comes from: *source, path left
 * empty); anything else is build-push-action's build context, a path
 * relative to the workspace, normalised into path ("./app/" -> "app",
 * "." -> "", "{{defaultContext}}:app" -> "app"), the source the event.
 * A directory that is really named "git" or "workflow" is "./git".
 * -EXIT_INPUT (error printed, naming it) for a Git URL or a path that
 * leaves the workspace.
 */
int action_context_parse(const char *text, enum ghctx_source *source, struct strbuf *path);

/* line's kind; -EXIT_INPUT (error printed, naming it) for a full reference that does not parse. */
int action_tag_kind(const char *line);

#endif
