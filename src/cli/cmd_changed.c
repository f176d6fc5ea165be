/*
 * cmd_changed.c: `publish changed`, the services of a repository whose
 * files changed, so that a workflow publishes only those (a job matrix
 * from --format json).
 *
 * Services are the directories holding a Dockerfile, or those given with
 * --service NAME=PATH[,PATH...].  They are compared with --since REF;
 * without it, in Actions on a push event with the event's `before`
 * commit, else each with its own last release tag NAME/vX.Y.Z (a service
 * never released has changed); a shallow clone that lacks that commit
 * asks the GitHub API (--github-token or GITHUB_TOKEN, GITHUB_API_URL).
 * The image of a service is
 * ghcr.io/OWNER/REPO/NAME, lower-cased (OWNER/REPO from GITHUB_REPOSITORY
 * or the origin remote).  In Actions the JSON list is also the step
 * output `services`.  The list is src/github/ghchanged.c's; this file
 * parses the options and prints.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "github/ghchanged.h"
#include "github/ghoutput.h"
#include <jansson.h>

static const char *const usage_text[] = { "publish changed [<options>]", NULL };

struct changed_opts {
	const char *since;
	const char *token;
	const char *format;
	int all;
	struct strlist services;	/* "NAME=PATH[,PATH]" as given */
};

/* 1 after --help, 0 to go on, negative on a usage error */
static int parse_args(int argc, char **argv, struct changed_opts *o)
{
	struct option options[] = {
		OPT_STRING(0, "since", &o->since, "<ref>",
			   "compare with this commit (default: the push event's before,\n"
			   "else each service's last NAME/v* tag)"),
		OPT_STRING_LIST(0, "service", &o->services, "<name>=<path>[,<path>...]",
				"a service and its paths (repeatable; default: the\n"
				"directories that hold a Dockerfile)"),
		OPT_STRING(0, "format", &o->format, "text|json", "names one a line, or a JSON list for a job matrix"),
		OPT_FLAG(0, "all", &o->all, "list every service, changed or not (with \"changed\")"),
		OPT_STRING(0, "github-token", &o->token, "<token>",
			   "token for the GitHub API, which a shallow clone asks\n"
			   "(default: GITHUB_TOKEN)"),
		OPT_END(),
	};
	int rc = parse_options(&argc, argv, options, usage_text, 0);

	if (rc)
		return rc;
	if (argc)
		return error_as(EXIT_USAGE, "unexpected argument '%s' (see 'publish changed --help')", argv[0]);
	if (strcmp(o->format, "text") && strcmp(o->format, "json"))
		return error_as(EXIT_USAGE, "--format must be text or json, not '%s'", o->format);
	return 0;
}

int cmd_changed(int argc, char **argv)
{
	struct changed_opts o = { NULL, NULL, "text", 0, STRLIST_INIT };
	struct ghchanged_opts co;
	char *dump = NULL;
	json_t *list = NULL;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	memset(&co, 0, sizeof(co));
	co.since = o.since;
	co.services = &o.services;
	co.all = o.all;
	co.repository = getenv("GITHUB_REPOSITORY");
	co.event_name = getenv("GITHUB_EVENT_NAME");
	co.event_path = getenv("GITHUB_EVENT_PATH");
	co.token = o.token && *o.token ? o.token : getenv("GITHUB_TOKEN");
	if ((rc = ghchanged_list(&co, &list)) < 0)
		goto out;
	dump = json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (ghoutput_enabled() && ghoutput_set("services", dump) < 0) {
		rc = -1;
		goto out;
	}
	if (!strcmp(o.format, "json")) {
		printf("%s\n", dump);
	} else {
		size_t i;
		json_t *obj;

		json_array_foreach(list, i, obj)
			printf("%s\n", json_string_value(json_object_get(obj, "name")));
	}
	if (fflush(stdout))
		rc = error("cannot write the output");
out:
	free(dump);
	json_decref(list);
	strlist_release(&o.services);
	return error_exit_code(rc);
}
