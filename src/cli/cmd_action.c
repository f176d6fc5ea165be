/*
 * cmd_action.c: `publish action`, the container action's entrypoint.
 *
 * The runner passes each input as INPUT_<NAME>: the input's name
 * upper-cased, spaces turned to '_', hyphens kept (INPUT_SEP-TAGS,
 * INPUT_BUILD-ARGS, INPUT_WORKING-DIRECTORY); values are trimmed as
 * @actions/core's getInput() does.  The GITHUB_* variables say where the
 * workspace and the file commands are.  This file only reads them into
 * struct action_inputs / struct action_github (meta's inputs untrimmed,
 * read as `publish meta` reads them: metaio.h); src/github/action.c does
 * the work.
 * INPUT_TOKEN is removed from the environment once read.
 *
 * Usage: publish action (no options: everything comes from the runner).
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "github/action.h"
#include "github/metaio.h"

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
};

/* INPUT_<NAME> as @actions/core's getInput() reads it (metaio.h), trimmed, into owned storage. */
static char *get_input(const char *name)
{
	struct strbuf val = STRBUF_INIT;

	strbuf_addstr(&val, metaio_env_input(name));
	strbuf_trim(&val);
	return strbuf_detach(&val, NULL);
}

int cmd_action(int argc, char **argv)
{
	struct action_inputs in = { 0 };
	struct action_github gh = { 0 };
	struct action_result res;
	char *github_token;
	struct input_slot slots[] = {
		{ "file", &in.file }, { "build-args", &in.build_args },
		{ "platforms", &in.platforms }, { "push", &in.push },
		{ "registry", &in.registry }, { "username", &in.username },
		{ "token", &in.token }, { "compression", &in.compression },
		{ "working-directory", &in.working_directory },
		{ "include-git-dir", &in.include_git_dir },
		{ "reuse-layers", &in.reuse_layers }, { "reuse-from", &in.reuse_from },
		{ "cache-from", &in.cache_from }, { "cache-to", &in.cache_to },
		{ "insecure-registries", &in.insecure_registries },
		{ "registry-auth", &in.registry_auth },
		{ "outputs", &in.outputs },
		{ "push-by-digest", &in.push_by_digest }, { "merge", &in.merge }, { "digests", &in.digests },
		{ "sbom", &in.sbom }, { "provenance", &in.provenance },
		{ "changed", &in.changed }, { "changed-since", &in.changed_since },
		{ "services", &in.services },
	};
	const struct option options[] = { OPT_END() };
	int rc;

	if ((rc = parse_options(&argc, argv, options, usage, PARSE_OPT_KEEP_UNKNOWN)))
		return rc > 0 ? EXIT_OK : error_exit_code(rc);
	if (argc)	/* an option is named without its value: --token=... stays out of the log */
		return error_exit_code(error_as(EXIT_USAGE,
			"'publish action' takes no arguments (got '%.*s'): it reads INPUT_* like a GitHub action",
			argv[0][0] == '-' ? (int)strcspn(argv[0], "=") : (int)strlen(argv[0]), argv[0]));

	/* meta's inputs as `publish meta` reads them: untrimmed, metaio.c parses them */
	for (size_t i = 0; i < METAIO_INPUT_NR; i++)
		if (i != METAIO_GITHUB_TOKEN)
			in.meta[i] = metaio_env_input(metaio_input_names[i]);
	in.meta[METAIO_GITHUB_TOKEN] = github_token = get_input("github-token");	/* the GitHub API's */
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		*slots[i].slot = get_input(slots[i].name);
	/*
	 * The token is ours, in memory, from here on: a program we start (a
	 * credential helper the user's Docker config names) does not inherit it.
	 */
	unsetenv("INPUT_TOKEN");
	unsetenv("INPUT_REGISTRY-AUTH");
	unsetenv("INPUT_GITHUB-TOKEN");

	gh.workspace = getenv("GITHUB_WORKSPACE");
	gh.event_name = getenv("GITHUB_EVENT_NAME");
	gh.repository = getenv("GITHUB_REPOSITORY");
	gh.output = getenv("GITHUB_OUTPUT");
	gh.step_summary = getenv("GITHUB_STEP_SUMMARY");
	gh.server_url = getenv("GITHUB_SERVER_URL");
	gh.run_id = getenv("GITHUB_RUN_ID");
	gh.annotation_levels = getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS");
	gh.short_sha_length = getenv("DOCKER_METADATA_SHORT_SHA_LENGTH");
	gh.env = getenv("GITHUB_ENV");
	gh.set_output_env = getenv("DOCKER_METADATA_SET_OUTPUT_ENV");
	gh.sha = getenv("GITHUB_SHA");
	gh.ref = getenv("GITHUB_REF");
	gh.workflow_ref = getenv("GITHUB_WORKFLOW_REF");
	gh.run_attempt = getenv("GITHUB_RUN_ATTEMPT");
	gh.action_repository = getenv("GITHUB_ACTION_REPOSITORY");
	gh.action_ref = getenv("GITHUB_ACTION_REF");
	gh.event_path = getenv("GITHUB_EVENT_PATH");
	gh.runner_workspace = getenv("RUNNER_WORKSPACE");

	action_result_init(&res);
	rc = action_run(&in, &gh, &res);
	action_result_release(&res);

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		free((char *)*slots[i].slot);
	free(github_token);
	return rc ? error_exit_code(rc) : EXIT_OK;
}
