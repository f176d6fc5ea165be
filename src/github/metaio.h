/*
 * metaio.h: the I/O edges of `publish meta`, shared by `publish meta`
 * and `publish action`: reading the inputs the way a container action
 * receives them (INPUT_<NAME> variables, the name upper-cased with its
 * hyphen kept) and writing the outputs to the runner (ghoutput.h).
 *
 *   struct meta_inputs in = META_INPUTS_INIT;
 *   struct ghctx_options copts;
 *   metaio_load_inputs(&in, NULL);             (or with flag overrides)
 *   metaio_context_options(&copts, NULL, NULL);
 *   ghctx_load(&ctx, &copts);  meta_derive(&in, &ctx, &r);
 *   metaio_write_outputs(&r, &in);             (when ghoutput_enabled())
 */
#ifndef METAIO_H
#define METAIO_H

struct meta_inputs;
struct meta_result;
struct ghctx_options;
struct ghctx;

/* The inputs of publish meta, in order; NULL-terminated. */
extern const char *const metaio_input_names[];
#define METAIO_INPUT_NR 10

/* INPUT_<NAME> for name ("sep-tags" reads INPUT_SEP-TAGS), or "" when unset. */
const char *metaio_env_input(const char *name);

/*
 * Set the list and separator inputs of in, and the
 * DOCKER_METADATA_ANNOTATIONS_LEVELS / DOCKER_METADATA_SHORT_SHA_LENGTH
 * knobs.  overrides, when not NULL, is indexed like metaio_input_names:
 * a non-NULL entry replaces the environment variable.  0 or -EXIT_INPUT
 * (error printed).
 */
int metaio_load_inputs(struct meta_inputs *in, char *const *overrides);

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

/*
 * Write version, tags, tag-names, labels, annotations and json to
 * $GITHUB_OUTPUT, and unless DOCKER_METADATA_SET_OUTPUT_ENV is false
 * also DOCKER_METADATA_OUTPUT_<NAME> to $GITHUB_ENV.  0 or negative
 * (error printed).
 */
int metaio_write_outputs(const struct meta_result *r, const struct meta_inputs *in);

#endif
