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
#include "meta/meta.h"
#include "github/ghctx.h"
#include "github/ghoutput.h"
#include "github/metaio.h"
#include <ctype.h>

static const char usage_text[] =
	"usage: publish meta [<options>]\n"
	"\n"
	"  --images <list>           image names, one a line (INPUT_IMAGES)\n"
	"  --tags <list>             tag rules, one a line (INPUT_TAGS)\n"
	"  --flavor <list>           latest=, prefix=, suffix=, onlatest= (INPUT_FLAVOR)\n"
	"  --labels <list>           extra labels key=value (INPUT_LABELS)\n"
	"  --annotations <list>      extra annotations key=value (INPUT_ANNOTATIONS)\n"
	"  --sep-tags <text>         separator of the tags output (INPUT_SEP-TAGS)\n"
	"  --sep-labels <text>       separator of the labels output (INPUT_SEP-LABELS)\n"
	"  --sep-annotations <text>  separator of the annotations output (INPUT_SEP-ANNOTATIONS)\n"
	"  --context workflow|git    where ref and sha come from (INPUT_CONTEXT)\n"
	"  --github-token <token>    token for the GitHub API (INPUT_GITHUB-TOKEN, GITHUB_TOKEN)\n"
	"  --format text|json        what to print (default text)\n"
	"\n"
	"A list flag may be repeated; its lines are added.\n";

#define input_names metaio_input_names

struct meta_opts {
	char *values[METAIO_INPUT_NR];	/* from flags, NULL when not given */
	const char *format;
};

static int input_index(const char *name)
{
	for (size_t i = 0; i < METAIO_INPUT_NR; i++)
		if (!strcmp(input_names[i], name))
			return (int)i;
	return -1;
}

static int parse_args(int argc, char **argv, struct meta_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char *name;
		int idx;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2)) {
			return error_as(EXIT_USAGE, "unexpected argument '%s' (see 'publish meta --help')", arg);
		}
		val = strchr(arg, '=');
		name = val ? xstrndup(arg + 2, val - arg - 2) : xstrdup(arg + 2);
		if (val) {
			val++;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			free(name);
			return error_as(EXIT_USAGE, "option '%s' needs a value", arg);
		}
		if (!strcmp(name, "format")) {
			if (strcmp(val, "text") && strcmp(val, "json")) {
				free(name);
				return error_as(EXIT_USAGE, "--format must be text or json, not '%s'", val);
			}
			o->format = val;
		} else if ((idx = input_index(name)) >= 0) {
			if (o->values[idx] && idx < 5) {
				struct strbuf sb = STRBUF_INIT;

				strbuf_addf(&sb, "%s\n%s", o->values[idx], val);
				free(o->values[idx]);
				o->values[idx] = strbuf_detach(&sb, NULL);
			} else {
				free(o->values[idx]);
				o->values[idx] = xstrdup(val);
			}
		} else {
			error_as(EXIT_USAGE, "unknown option '--%s' (see 'publish meta --help')", name);
			free(name);
			return -EXIT_USAGE;
		}
		free(name);
	}
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
	meta_inputs_release(&in);
	meta_result_release(&r);
	if (have_ctx)
		ghctx_release(&ctx);
	return error_exit_code(rc);
}
