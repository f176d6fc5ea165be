/*
 * cmd_meta.c: `publish meta`, image tags, labels and annotations as
 * docker/metadata-action computes them.
 *
 * Inputs come from the environment the way a container action receives
 * them (INPUT_IMAGES, INPUT_TAGS, INPUT_FLAVOR, INPUT_LABELS,
 * INPUT_ANNOTATIONS, INPUT_SEP-TAGS, INPUT_SEP-LABELS,
 * INPUT_SEP-ANNOTATIONS, INPUT_CONTEXT, INPUT_GITHUB-TOKEN), and a
 * command-line flag of the same name replaces the variable.  Both go
 * through the same parser (meta_inputs_set).
 *
 * In GitHub Actions ($GITHUB_OUTPUT set) the outputs are written there
 * (and, as metadata-action does unless DOCKER_METADATA_SET_OUTPUT_ENV is
 * false, exported as DOCKER_METADATA_OUTPUT_* through $GITHUB_ENV);
 * the readable summary is printed in any case, or the json output alone
 * with --format json.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "meta/meta.h"
#include "github/ghctx.h"
#include "github/ghoutput.h"
#include "github/metaio.h"
#include "lib/strlist.h"

static const char *const usage_text[] = { "publish meta [<options>]", NULL };

/* in the order of metaio_input_names: the five lists, then the five values */
#define NR_LISTS 5

struct meta_opts {
	struct strlist lists[NR_LISTS];		/* a list flag may be repeated */
	const char *scalars[METAIO_INPUT_NR - NR_LISTS];	/* borrowed from argv */
	char *values[METAIO_INPUT_NR];	/* from flags, NULL when not given */
	const char *format;
};

static int parse_args(int argc, char **argv, struct meta_opts *o)
{
	const char **v = o->scalars;
	struct option options[] = {
		OPT_STRING_LIST(0, "images", &o->lists[0], "<list>", "image names, one a line (INPUT_IMAGES)"),
		OPT_STRING_LIST(0, "tags", &o->lists[1], "<list>", "tag rules, one a line (INPUT_TAGS)"),
		OPT_STRING_LIST(0, "flavor", &o->lists[2], "<list>",
				"latest=, prefix=, suffix=, onlatest= (INPUT_FLAVOR)"),
		OPT_STRING_LIST(0, "labels", &o->lists[3], "<list>", "extra labels key=value (INPUT_LABELS)"),
		OPT_STRING_LIST(0, "annotations", &o->lists[4], "<list>",
				"extra annotations key=value (INPUT_ANNOTATIONS)"),
		OPT_STRING(0, "sep-tags", &v[0], "<text>", "separator of the tags output (INPUT_SEP-TAGS)"),
		OPT_STRING(0, "sep-labels", &v[1], "<text>", "separator of the labels output (INPUT_SEP-LABELS)"),
		OPT_STRING(0, "sep-annotations", &v[2], "<text>",
			   "separator of the annotations output (INPUT_SEP-ANNOTATIONS)"),
		OPT_STRING(0, "context", &v[3], "workflow|git", "where ref and sha come from (INPUT_CONTEXT)"),
		OPT_STRING(0, "github-token", &v[4], "<token>",
			   "token for the GitHub API (INPUT_GITHUB-TOKEN, GITHUB_TOKEN)"),
		OPT_STRING(0, "format", &o->format, "text|json", "what to print (default text)"),
		OPT_GROUP("A list flag may be repeated; its lines are added."),
		OPT_END(),
	};
	int rc;

	if ((rc = parse_options(&argc, argv, options, usage_text, 0)))
		return rc;
	if (argc)
		return error_as(EXIT_USAGE, "unexpected argument '%s' (see 'publish meta --help')", argv[0]);
	if (strcmp(o->format, "text") && strcmp(o->format, "json"))
		return error_as(EXIT_USAGE, "--format must be text or json, not '%s'", o->format);
	for (size_t i = 0; i < NR_LISTS; i++) {
		struct strbuf sb = STRBUF_INIT;

		if (!o->lists[i].nr)
			continue;
		strlist_join(&o->lists[i], "\n", &sb);
		o->values[i] = strbuf_detach(&sb, NULL);
	}
	for (size_t i = NR_LISTS; i < METAIO_INPUT_NR; i++)
		if (v[i - NR_LISTS])
			o->values[i] = xstrdup(v[i - NR_LISTS]);
	return 0;
}

static void print_list(const char *title, const struct strlist *l)
{
	printf("%s:\n", title);
	for (size_t i = 0; i < l->nr; i++)
		printf("  %s\n", l->items[i]);
}

int cmd_meta(int argc, char **argv)
{
	struct meta_opts o;
	struct meta_inputs in = META_INPUTS_INIT;
	struct meta_result r = META_RESULT_INIT;
	struct ghctx ctx;
	struct ghctx_options copts;
	int rc, have_ctx = 0;

	memset(&o, 0, sizeof(o));
	o.format = "text";
	rc = parse_args(argc, argv, &o);
	if (rc) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = metaio_load_inputs(&in, o.values)) < 0)
		goto out;
	if ((rc = metaio_context_options(&copts, o.values[8], o.values[9])) < 0)
		goto out;
	if ((rc = ghctx_load(&ctx, &copts)) < 0)
		goto out;
	have_ctx = 1;
	if ((rc = metaio_load_history(&in, &ctx, copts.repo_dir)) < 0)
		goto out;
	if ((rc = meta_derive(&in, &ctx, &r)) < 0)
		goto out;
	if (!*r.version)
		warning("no Docker image version has been generated, check the tags input");
	if (ghoutput_enabled() && (rc = metaio_write_outputs(&r, &in)) < 0)
		goto out;

	if (!strcmp(o.format, "json")) {
		printf("%s\n", r.json);
	} else {
		printf("version: %s\n", r.version);
		print_list("tags", &r.tags);
		print_list("labels", &r.labels);
		print_list("annotations", &r.annotations);
	}
	if (fflush(stdout))
		rc = error("cannot write the output");
out:
	for (size_t i = 0; i < ARRAY_SIZE(o.values); i++)
		free(o.values[i]);
	for (size_t i = 0; i < NR_LISTS; i++)
		strlist_release(&o.lists[i]);
	meta_inputs_release(&in);
	meta_result_release(&r);
	if (have_ctx)
		ghctx_release(&ctx);
	return error_exit_code(rc);
}
