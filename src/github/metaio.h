/*
 * metaio.h: the I/O edges of `publish meta`, shared by `publish meta`
 * and `publish action`: reading the inputs the way a container action
 * receives them (INPUT_<NAME> variables, the name upper-cased with its
 * hyphen kept), parsing them in one place for both (metaio_set_inputs(),
 * metaio_context_source()), writing the outputs to the runner
 * (ghoutput.h), and handing meta's labels and annotations to the build
 * as pairs (metaio_labels(), metaio_annotations()).
 *
 *   struct meta_inputs in = META_INPUTS_INIT;
 *   struct ghctx_options copts;
 *   metaio_load_inputs(&in, NULL);             (or with flag overrides)
 *   metaio_context_options(&copts, NULL, NULL);
 *   ghctx_load(&ctx, &copts);  meta_derive(&in, &ctx, &r);
 *   metaio_write_outputs(&r, &in);             (when ghoutput_enabled())
 *
 * The action has the runner's texts already (src/cli/cmd_action.c reads
 * them with metaio_env_input()) and calls metaio_set_inputs() and
 * metaio_context_source() with them.
 */
#ifndef METAIO_H
#define METAIO_H

#include "lib/strlist.h"
#include "github/ghctx.h"

struct meta_inputs;
struct meta_result;
struct kvlist;
struct ghctx_options;
struct ghctx;

/* The inputs of publish meta, in order; NULL-terminated. */
extern const char *const metaio_input_names[];
#define METAIO_INPUT_NR 10

/* Where each input is in metaio_input_names (and in arrays indexed like it). */
enum metaio_input {
	METAIO_IMAGES, METAIO_TAGS, METAIO_FLAVOR, METAIO_LABELS, METAIO_ANNOTATIONS,
	METAIO_SEP_TAGS, METAIO_SEP_LABELS, METAIO_SEP_ANNOTATIONS, METAIO_CONTEXT,
	METAIO_GITHUB_TOKEN
};

/*
 * INPUT_<NAME> for name as the runner sets it (upper-cased, a space as
 * '_', the hyphen kept: "sep-tags" reads INPUT_SEP-TAGS), untrimmed, or
 * "" when unset.
 */
const char *metaio_env_input(const char *name);

/*
 * Set the list and separator inputs of in from their texts: values is
 * indexed like metaio_input_names (METAIO_IMAGES .. METAIO_SEP_ANNOTATIONS
 * are read; NULL or "": not given), and the
 * DOCKER_METADATA_ANNOTATIONS_LEVELS / DOCKER_METADATA_SHORT_SHA_LENGTH
 * knobs (NULL or "": unset).  The one parser of these inputs for
 * `publish meta` and `publish action`.  0 or -EXIT_INPUT (error printed).
 */
int metaio_set_inputs(struct meta_inputs *in, const char *const *values,
		      const char *annotation_levels, const char *short_sha_length);

/*
 * metaio_set_inputs() from the environment (INPUT_<NAME> and the knobs'
 * variables).  overrides, when not NULL, is indexed like
 * metaio_input_names: a non-NULL entry replaces the environment
 * variable.  0 or -EXIT_INPUT (error printed).
 */
int metaio_load_inputs(struct meta_inputs *in, char *const *overrides);

/*
 * The context input's text ("" or "workflow", "git"; blanks trimmed)
 * as a source into out; otherwise an error with exit code code
 * (EXIT_INPUT for an input, EXIT_USAGE for a flag), naming the text.
 */
int metaio_context_source(const char *text, int code, enum ghctx_source *out);

/*
 * Context options from the context and github-token inputs (context and
 * token override them when not NULL; GITHUB_TOKEN is the last resort
 * for the token).  0, or -EXIT_INPUT for a context other than workflow
 * or git (-EXIT_USAGE when it came from a flag).  The token points into
 * the environment or into token: keep them alive.
 */
int metaio_context_options(struct ghctx_options *out, const char *context, const char *token);

/*
 * Answer the git-history questions of the tag rules (meta_history_wanted)
 * from the repository at repo_dir (NULL: "."), for the commit ctx->sha
 * when it is set, else HEAD, with src/git/githistory.h.  Nothing to do
 * when no rule asks.  0, or negative with the error printed: -EXIT_CONTEXT
 * for a repository that cannot be read, -EXIT_INPUT when ctx->sha is not
 * a commit of it.
 */
int metaio_load_history(struct meta_inputs *in, const struct ghctx *ctx, const char *repo_dir);

/* Where the tags and versions of a run came from, for the step summary. */
enum metaio_from {
	METAIO_FROM_EVENT,	/* the workflow's event: no rule read the history */
	METAIO_FROM_CHECKOUT,	/* the checkout's ref and commit (context git): no rule read the history */
	METAIO_FROM_HISTORY,	/* the repository's history (describe, conventional, paths=) */
	METAIO_FROM_API,	/* the GitHub API, for a shallow clone's history */
	METAIO_FROM_CUT		/* a shallow clone the API could not help: such rules were skipped */
};

/*
 * Where in's tags came from, once metaio_load_history() answered its
 * questions; from_checkout: the context was read from the checkout.  A
 * rule whose history was cut outweighs one answered by the API, which
 * outweighs the repository's history.
 */
enum metaio_from metaio_versions_from(const struct meta_inputs *in, int from_checkout);

/*
 * The variable metadata-action exports an output as, into out:
 * DOCKER_METADATA_OUTPUT_ and the name upper-cased, each character
 * other than a letter, digit or '_' as '_' ("tag-names" ->
 * DOCKER_METADATA_OUTPUT_TAG_NAMES).
 */
void metaio_env_name(const char *output, struct strbuf *out);

/*
 * Whether to export those variables, from DOCKER_METADATA_SET_OUTPUT_ENV's
 * value (NULL or "": yes) into out; -EXIT_INPUT for a value that is not
 * a boolean (true/false, 1/0, any case).
 */
int metaio_output_env_enabled(const char *value, int *out);

/*
 * Write version, tags, tag-names, labels, annotations and json to
 * $GITHUB_OUTPUT, and unless DOCKER_METADATA_SET_OUTPUT_ENV is false
 * also DOCKER_METADATA_OUTPUT_<NAME> to $GITHUB_ENV.  0 or negative
 * (error printed).
 */
int metaio_write_outputs(const struct meta_result *r, const struct meta_inputs *in);

/*
 * Add tags given as full image references ("name:tag", the action's
 * tags input in build-push-action's meaning) to r after meta_derive():
 * each to tags (once), its tag to tag-names (once), and the json output
 * rebuilt with them.  When no rule gave a version, the first
 * reference's tag is the version, and the empty
 * org.opencontainers.image.version label and annotations take it.
 */
void metaio_add_tags(struct meta_result *r, const struct strlist *refs);

/*
 * meta's labels and annotations as data for the build.  meta_result
 * holds them as the strings its outputs print ("key=value",
 * "level:key=value"); this is the one place they are split into pairs,
 * so no caller re-parses them.
 */
/* The labels as pairs into out (emptied first); an item without '=' is left out. */
void metaio_labels(const struct meta_result *r, struct kvlist *out);
/* The annotations of one level ("manifest", "index"...) as pairs into out. */
void metaio_annotations(const struct meta_result *r, const char *level, struct kvlist *out);

#endif
