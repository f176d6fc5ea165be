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
#include "meta.h"
#include "ghctx.h"
#include "ghoutput.h"
#include "metainput.h"
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

static const char *const input_names[] = {
	"images", "tags", "flavor", "labels", "annotations",
	"sep-tags", "sep-labels", "sep-annotations", "context", "github-token",
};

struct meta_opts {
	char *values[ARRAY_SIZE(input_names)];	/* from flags, NULL when not given */
	const char *format;
};

static int input_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(input_names); i++)
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

/* The flag's value, or INPUT_<NAME> (name upper-cased, hyphen kept). */
static const char *input_value(const struct meta_opts *o, const char *name)
{
	struct strbuf var = STRBUF_INIT;
	const char *v;
	int idx = input_index(name);

	if (idx >= 0 && o->values[idx])
		return o->values[idx];
	strbuf_addstr(&var, "INPUT_");
	for (const char *p = name; *p; p++)
		strbuf_addch(&var, toupper((unsigned char)*p));
	v = getenv(var.buf);
	strbuf_release(&var);
	return v ? v : "";
}

static void print_list(const char *title, const struct strlist *l)
{
	printf("%s:\n", title);
	for (size_t i = 0; i < l->nr; i++)
		printf("  %s\n", l->items[i]);
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "true"))
		*out = 1;
	else if (!strcmp(s, "0") || !strcasecmp(s, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int write_outputs(const struct meta_result *r, const struct meta_inputs *in)
{
	struct strbuf val = STRBUF_INIT, var = STRBUF_INIT;
	const char *set_env = getenv("DOCKER_METADATA_SET_OUTPUT_ENV");
	int export_env = 1, rc = 0;

	if (set_env && *set_env && parse_bool(set_env, &export_env) < 0)
		return error_as(EXIT_INPUT, "DOCKER_METADATA_SET_OUTPUT_ENV is not a boolean: '%s'", set_env);
	for (const char *const *n = meta_output_names; *n && !rc; n++) {
		strbuf_reset(&val);
		meta_output(r, in, *n, &val);
		if (ghoutput_set(*n, val.buf) < 0) {
			rc = -1;
			break;
		}
		if (export_env) {
			strbuf_reset(&var);
			strbuf_addstr(&var, "DOCKER_METADATA_OUTPUT_");
			for (const char *p = *n; *p; p++)
				strbuf_addch(&var, isalnum((unsigned char)*p) ? toupper((unsigned char)*p) : '_');
			if (ghoutput_export(var.buf, val.buf) < 0)
				rc = -1;
		}
	}
	strbuf_release(&val);
	strbuf_release(&var);
	return rc;
}

int cmd_meta(int argc, char **argv)
{
	struct meta_opts o;
	struct meta_inputs in = META_INPUTS_INIT;
	struct meta_result r = META_RESULT_INIT;
	struct ghctx ctx;
	struct ghctx_options copts = { GHCTX_WORKFLOW, NULL, NULL };
	struct strbuf sb = STRBUF_INIT;
	const char *v;
	int rc, have_ctx = 0;

	memset(&o, 0, sizeof(o));
	o.format = "text";
	rc = parse_args(argc, argv, &o);
	if (rc) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	for (size_t i = 0; i < 8; i++) {
		if ((rc = meta_inputs_set(&in, input_names[i], input_value(&o, input_names[i]))) < 0)
			goto out;
	}
	if ((v = getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS")) && *v)
		in.annotation_levels = xstrdup(v);
	if ((v = getenv("DOCKER_METADATA_SHORT_SHA_LENGTH")) && *v)
		in.short_sha_length = xstrdup(v);

	metainput_trim(input_value(&o, "context"), &sb);
	if (!sb.len || !strcmp(sb.buf, "workflow")) {
		copts.source = GHCTX_WORKFLOW;
	} else if (!strcmp(sb.buf, "git")) {
		copts.source = GHCTX_GIT;
	} else {
		rc = error_as(o.values[input_index("context")] ? EXIT_USAGE : EXIT_INPUT,
			      "invalid context input '%s' (workflow or git)", sb.buf);
		goto out;
	}
	v = input_value(&o, "github-token");
	copts.token = *v ? v : getenv("GITHUB_TOKEN");

	if ((rc = ghctx_load(&ctx, &copts)) < 0)
		goto out;
	have_ctx = 1;
	if ((rc = meta_derive(&in, &ctx, &r)) < 0)
		goto out;
	if (!*r.version)
		warning("no Docker image version has been generated, check the tags input");
	if (ghoutput_enabled() && (rc = write_outputs(&r, &in)) < 0)
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
	strbuf_release(&sb);
	return error_exit_code(rc);
}
