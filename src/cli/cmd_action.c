/*
 * cmd_action.c: `publish action`, the container action's entrypoint.
 *
 * The runner passes each input as INPUT_<NAME>: the input's name
 * upper-cased, spaces turned to '_', hyphens kept (INPUT_SEP-TAGS,
 * INPUT_BUILD-ARGS, INPUT_WORKING-DIRECTORY); values are trimmed as
 * @actions/core's getInput() does.  The GITHUB_* variables say where the
 * workspace and the file commands are.  This file only reads them into
 * struct action_inputs / struct action_github; src/action.c does the work.
 * INPUT_TOKEN is removed from the environment once read.
 *
 * Usage: publish action (no options: everything comes from the runner).
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "github/action.h"

#include <ctype.h>

static const char *const usage[] = {
	"publish action",
	"",
	"Runs as the GitHub container action: inputs from INPUT_*, the workspace",
	"from GITHUB_WORKSPACE, outputs to GITHUB_OUTPUT, a summary to",
	"GITHUB_STEP_SUMMARY.  See action.yml for the inputs.",
	NULL
};

struct input_slot {
	const char *name;	/* as in action.yml */
	const char **slot;
	int raw;		/* kept as given: the separators (" " or "\n" are common) */
};

/*
 * INPUT_<NAME> as @actions/core reads it, into owned storage: trimmed,
 * unless raw (metadata-action reads sep-* with trimWhitespace: false).
 */
static char *get_input(const char *name, int raw)
{
	struct strbuf var = STRBUF_INIT, val = STRBUF_INIT;
	const char *v;

	strbuf_addstr(&var, "INPUT_");
	for (const char *p = name; *p; p++)
		strbuf_addch(&var, *p == ' ' ? '_' : toupper((unsigned char)*p));
	v = getenv(var.buf);
	strbuf_release(&var);
	if (!v)
		return NULL;
	strbuf_addstr(&val, v);
	if (!raw)
		strbuf_trim(&val);
	return strbuf_detach(&val, NULL);
}

int cmd_action(int argc, char **argv)
{
	struct action_inputs in = { 0 };
	struct action_github gh = { 0 };
	struct action_result res;
	struct input_slot slots[] = {
		{ "images", &in.images, 0 }, { "tags", &in.tags, 0 }, { "flavor", &in.flavor, 0 },
		{ "labels", &in.labels, 0 }, { "annotations", &in.annotations, 0 },
		{ "sep-tags", &in.sep_tags, 1 }, { "sep-labels", &in.sep_labels, 1 },
		{ "sep-annotations", &in.sep_annotations, 1 }, { "context", &in.context, 0 },
		{ "file", &in.file, 0 }, { "build-args", &in.build_args, 0 },
		{ "platforms", &in.platforms, 0 }, { "push", &in.push, 0 },
		{ "registry", &in.registry, 0 }, { "username", &in.username, 0 },
		{ "token", &in.token, 0 }, { "compression", &in.compression, 0 },
		{ "working-directory", &in.working_directory, 0 },
		{ "include-git-dir", &in.include_git_dir, 0 },
	};
	const struct option options[] = { OPT_END() };
	int rc;

	if ((rc = parse_options(&argc, argv, options, usage, PARSE_OPT_KEEP_UNKNOWN)))
		return rc > 0 ? EXIT_OK : error_exit_code(rc);
	if (argc)	/* an option is named without its value: --token=... stays out of the log */
		return error_exit_code(error_as(EXIT_USAGE,
			"'publish action' takes no arguments (got '%.*s'): it reads INPUT_* like a GitHub action",
			argv[0][0] == '-' ? (int)strcspn(argv[0], "=") : (int)strlen(argv[0]), argv[0]));

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		*slots[i].slot = get_input(slots[i].name, slots[i].raw);
	/*
	 * The token is ours, in memory, from here on: a program we start (a
	 * credential helper the user's Docker config names) does not inherit it.
	 */
	unsetenv("INPUT_TOKEN");

	gh.workspace = getenv("GITHUB_WORKSPACE");
	gh.event_name = getenv("GITHUB_EVENT_NAME");
	gh.repository = getenv("GITHUB_REPOSITORY");
	gh.output = getenv("GITHUB_OUTPUT");
	gh.step_summary = getenv("GITHUB_STEP_SUMMARY");
	gh.server_url = getenv("GITHUB_SERVER_URL");
	gh.run_id = getenv("GITHUB_RUN_ID");
	gh.annotation_levels = getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS");
	gh.short_sha_length = getenv("DOCKER_METADATA_SHORT_SHA_LENGTH");

	action_result_init(&res);
	rc = action_run(&in, &gh, &res);
	action_result_release(&res);

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		free((char *)*slots[i].slot);
	return rc ? error_exit_code(rc) : EXIT_OK;
}
