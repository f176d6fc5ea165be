/*
 * meta.h: image tags, labels and annotations computed exactly as
 * docker/metadata-action v5 computes them: the pure core of
 * `publish meta`, also called by `publish build` (labels and
 * annotations into the image config) and `publish action`.
 *
 * meta_derive() takes the inputs (already split into entries) and a
 * gathered GitHub context (ghctx.h) and produces a struct meta_result.
 * It does no I/O: a rule that does not apply prints a warning, as
 * metadata-action does, and that is all.  One difference by design:
 * org.opencontainers.image.created is the commit date from the context
 * (SOURCE_DATE_EPOCH when set), not the wall clock, so the same commit
 * always gives the same labels.
 *
 * Errors (an unknown tag type, a missing pattern, an invalid regular
 * expression, an unknown flavor key, a bad template) are one line
 * naming the input and the offending text, and -EXIT_INPUT.
 */
#ifndef META_H
#define META_H

#include "lib/strlist.h"
#include "meta/describe.h"

struct ghctx;
struct strbuf;

struct meta_inputs {
	struct strlist images;		/* entries, as metainput_list() reads them */
	struct strlist tags;		/* empty: the four default rules */
	struct strlist flavor;
	struct strlist labels;		/* "key=value" (templates allowed) */
	struct strlist annotations;
	char *sep_tags;			/* NULL: "\n" */
	char *sep_labels;
	char *sep_annotations;
	char *annotation_levels;	/* DOCKER_METADATA_ANNOTATIONS_LEVELS; NULL: "manifest" */
	char *short_sha_length;		/* DOCKER_METADATA_SHORT_SHA_LENGTH; NULL: 7 */
	/* the git history for describe/conventional rules, see meta_history_wanted() */
	struct describe_history *history;
	size_t history_nr, history_alloc;
};

#define META_INPUTS_INIT { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, \
	STRLIST_INIT, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }

/*
 * The questions the tag rules ask of the git history: one entry of
 * in->history (loaded 0) for each distinct (tag-prefix, paths) of the
 * enabled-or-not describe and conventional rules.  The caller answers each (see describe.h) before
 * meta_derive(), which warns and skips a rule whose answer is not
 * loaded.  Tag rules that do not parse are left to meta_derive() to
 * report.
 */
void meta_history_wanted(struct meta_inputs *in);

/*
 * Set one input from its text as an action receives it: name is
 * "images", "tags", "flavor", "labels", "annotations" (a list, one entry
 * a line, '#' comments) or "sep-tags", "sep-labels", "sep-annotations"
 * (taken as is).  Returns 0, or -EXIT_INPUT (error printed) for a list
 * that is not valid CSV, -1 for an unknown name.
 */
int meta_inputs_set(struct meta_inputs *in, const char *name, const char *text);
void meta_inputs_release(struct meta_inputs *in);

struct meta_result {
	char *version;			/* "" when no tag rule applied */
	struct strlist partial;		/* the other versions, in order */
	int latest;			/* a "latest" tag was added */
	struct strlist images;		/* enabled image names, lower-cased */
	struct strlist tags;		/* image:version for every image */
	struct strlist tag_names;	/* the versions alone */
	struct strlist labels;		/* "key=value", sorted by key */
	struct strlist annotations;	/* "level:key=value" for each level */
	struct strlist annotation_levels;
	char *json;			/* the `json` output, compact */
};

#define META_RESULT_INIT { NULL, STRLIST_INIT, 0, STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, \
	STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, NULL }

/*
 * Compute everything into out (set only on success).  Returns 0 or
 * -EXIT_INPUT with the error printed.
 */
int meta_derive(const struct meta_inputs *in, const struct ghctx *ctx, struct meta_result *out);

/*
 * The text of output name ("version", "tags", "tag-names", "labels",
 * "annotations", "json") joined with the input's separator, appended to
 * out.  -1 for an unknown name.
 */
int meta_output(const struct meta_result *r, const struct meta_inputs *in,
		const char *name, struct strbuf *out);

/* The output names, in the order metadata-action sets them; NULL-terminated. */
extern const char *const meta_output_names[];

void meta_result_release(struct meta_result *r);

/*
 * Compare two label keys the way JavaScript's String.prototype
 * localeCompare does with ICU's root collation for ASCII: punctuation
 * before digits before letters, case only as a last resort (lower
 * first).  <0, 0, >0.
 */
int meta_key_compare(const char *a, const char *b);

#endif
