/*
 * report.h: what the action tells the runner about a run, from data.
 *
 * The action (action.c) runs meta, build and push and fills a struct
 * action_result; this module turns that result into what GitHub shows:
 *
 *   the step summary   GitHub-flavoured Markdown ($GITHUB_STEP_SUMMARY)
 *   the step outputs   version, tags, tag-names, labels, annotations, json
 *                      (meta's, as `publish meta` computes them), digest,
 *                      imageid, image and metadata (build-push-action's)
 *   the environment    meta's outputs as DOCKER_METADATA_OUTPUT_* ($GITHUB_ENV)
 *   annotations        ::error:: on the step, or on FILE:LINE for an
 *                      error in the user's Dockerfile or .dockerignore
 *   log groups         ::group:: / ::endgroup:: around each phase
 *
 * It exists so that the orchestration reads as the order of a run and
 * the formatting can be tested without one: the formatting functions
 * (report_summary(), report_metadata_json(), report_outputs(),
 * report_error_location()) are pure, fed with data; report_write_*()
 * and report_annotate_error() only add the file or the stream.
 */
#ifndef REPORT_H
#define REPORT_H

#include "github/action.h"
#include "lib/strbuf.h"

struct meta_result;
struct meta_inputs;

/* The step summary (GitHub-flavoured Markdown) appended to out. */
void report_summary(const struct action_result *r, const char *error_message,
		    struct strbuf *out);

/* The metadata output (JSON, one line, keys sorted) appended to out. */
void report_metadata_json(const struct action_result *r, struct strbuf *out);

/*
 * From a Dockerfile error "FILE:LINE: message", the file relative to the
 * workspace (when under it), the line and the message; -1 when msg has no
 * such location.
 */
int report_error_location(const char *msg, const char *workspace,
			  struct strbuf *file, int *line, struct strbuf *message);

/*
 * The step outputs, in the order they are written; NULL-terminated.
 * imageid is build-push-action's: the config's digest of a one-platform
 * image, the index's digest for several platforms.
 */
extern const char *const report_output_names[];
#define REPORT_NR_OUTPUTS 10

/*
 * The value of each output into values[] (indexed like
 * report_output_names; owned, free with report_outputs_release()).
 * meta and in are meta's result and inputs, or NULL when meta did not
 * finish: then its outputs are empty.
 */
void report_outputs(const struct action_result *r, const struct meta_result *meta,
		    const struct meta_inputs *in, char *values[REPORT_NR_OUTPUTS]);
void report_outputs_release(char *values[REPORT_NR_OUTPUTS]);

/* report_outputs() appended to the GITHUB_OUTPUT file path (nothing when NULL or ""). 0 or -EXIT_FAIL. */
int report_write_outputs(const char *path, const struct action_result *r,
			 const struct meta_result *meta, const struct meta_inputs *in);

/*
 * meta's outputs (meta.h's meta_output_names) appended to the GITHUB_ENV
 * file path as metadata-action exports them (metaio_env_name()):
 * DOCKER_METADATA_OUTPUT_VERSION, _TAGS, _TAG_NAMES, _LABELS,
 * _ANNOTATIONS, _JSON.  Nothing when path is NULL or "".  0 or -EXIT_FAIL.
 */
int report_write_env(const char *path, const struct meta_result *meta, const struct meta_inputs *in);

/* report_summary() appended to the GITHUB_STEP_SUMMARY file path (nothing when NULL or ""). */
int report_write_summary(const char *path, const struct action_result *r, const char *error_message);

/*
 * The last error (error_last()) as an ::error:: annotation: on the file
 * and line for rc -EXIT_DOCKERFILE or -EXIT_CONTEXT with a location
 * (report_error_location()), else on the step.
 */
void report_annotate_error(int rc, const char *workspace);

/* ::group::title and ::endgroup:: (after flushing what the phase printed). */
void report_group_begin(const char *title);
void report_group_end(void);

#endif
