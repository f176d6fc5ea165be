/*
 * cmd_changed.c: `publish changed`, the services of a repository whose
 * files changed, so that a workflow publishes only those (a job matrix
 * from --format json).
 *
 * Services are the directories holding a Dockerfile, or those given with
 * --service NAME=PATH[,PATH...].  They are compared with --since REF;
 * without it, in Actions on a push event with the event's `before`
 * commit, else each with its own last release tag NAME/vX.Y.Z (a service
 * never released has changed).  The image of a service is
 * ghcr.io/OWNER/REPO/NAME, lower-cased (OWNER/REPO from GITHUB_REPOSITORY
 * or the origin remote).  In Actions the JSON list is also the step
 * output `services`.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/parse-options.h"
#include "git/gitchanged.h"
#include "github/ghoutput.h"
#include <ctype.h>
#include <jansson.h>

static const char *const usage_text[] = { "publish changed [<options>]", NULL };

struct changed_opts {
	const char *since;
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

/* "NAME=PATH[,PATH...]" into l; -EXIT_INPUT naming the text when it is not so. */
static int add_service(struct gitservice_list *l, const char *text)
{
	const char *eq = strchr(text, '=');
	struct strlist parts = STRLIST_INIT, paths = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *name = NULL;
	int rc = -EXIT_INPUT;

	if (!eq || eq == text || !eq[1])
		goto bad;
	name = xstrndup(text, eq - text);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	strlist_split(&parts, eq + 1, ',');
	for (size_t i = 0; i < parts.nr; i++) {
		const char *p = parts.items[i];

		strbuf_reset(&sb);
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		strbuf_addstr(&sb, p);
		while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		if (!sb.len || sb.buf[0] == '/' || strstr(sb.buf, ".."))
			goto bad;
		strlist_push(&paths, sb.buf);
	}
	gitservice_list_add(l, name, &paths);
	rc = 0;
	goto out;
bad:
	rc = error_as(EXIT_INPUT, "invalid --service '%s' (NAME=PATH[,PATH...], relative paths)", text);
out:
	free(name);
	strlist_release(&parts);
	strlist_release(&paths);
	strbuf_release(&sb);
	return rc;
}

/* The push event's `before`, when this runs on one in Actions (caller frees), or NULL. */
static char *push_before(void)
{
	const char *event = getenv("GITHUB_EVENT_NAME"), *path = getenv("GITHUB_EVENT_PATH");
	json_t *payload, *before;
	char *res = NULL;

	if (!event || strcmp(event, "push") || !path || !*path)
		return NULL;
	if (!(payload = json_load_file(path, 0, NULL)))
		return NULL;
	before = json_object_get(payload, "before");	/* borrowed */
	if (json_is_string(before) && strspn(json_string_value(before), "0") != strlen(json_string_value(before)))
		res = xstrdup(json_string_value(before));
	json_decref(payload);
	return res;
}

static void image_name(const char *repository, const char *name, struct strbuf *out)
{
	if (repository && *repository)
		strbuf_addf(out, "ghcr.io/%s/%s", repository, name);
	else
		strbuf_addstr(out, name);
	strbuf_tolower(out);
}

int cmd_changed(int argc, char **argv)
{
	struct changed_opts o = { NULL, "text", 0, STRLIST_INIT };
	struct gitservice_list l = GITSERVICE_LIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *before = NULL, *origin = NULL, *dump = NULL;
	const char *repository = getenv("GITHUB_REPOSITORY");
	json_t *list = NULL;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	for (size_t i = 0; i < o.services.nr; i++)
		if ((rc = add_service(&l, o.services.items[i])) < 0)
			goto out;
	if (!o.services.nr && (rc = gitchanged_find_services(NULL, &l)) < 0)
		goto out;
	if (!o.since && (before = push_before())) {
		error_set_quiet(1);
		rc = gitchanged_compare(NULL, before, &l);
		error_set_quiet(0);
		if (rc == -EXIT_INPUT && strstr(error_last(), before)) {
			warning("the push event's before commit %s is not in this checkout (give actions/checkout "
				"'fetch-depth: 0'): comparing with each service's last release tag", before);
			rc = gitchanged_compare(NULL, NULL, &l);
		} else if (rc < 0) {
			rc = error_as(-rc, "%s", error_last());
		}
	} else {
		rc = gitchanged_compare(NULL, o.since, &l);
	}
	if (rc < 0)
		goto out;
	if (!repository || !*repository)
		repository = origin = gitchanged_origin(NULL);

	list = json_array();
	for (size_t i = 0; i < l.nr; i++) {
		const struct gitservice *s = &l.items[i];
		json_t *obj, *paths;

		if (!s->changed && !o.all)
			continue;
		obj = json_object();
		paths = json_array();
		for (size_t j = 0; j < s->paths.nr; j++)
			json_array_append_new(paths, json_string(s->paths.items[j]));	/* steals */
		strbuf_reset(&sb);
		image_name(repository, s->name, &sb);
		json_object_set_new(obj, "name", json_string(s->name));		/* steals */
		json_object_set_new(obj, "path", json_string(s->paths.items[0]));	/* steals */
		json_object_set_new(obj, "paths", paths);				/* steals */
		json_object_set_new(obj, "dockerfile", json_string(s->dockerfile));	/* steals */
		json_object_set_new(obj, "image", json_string(sb.buf));		/* steals */
		json_object_set_new(obj, "since", s->since ? json_string(s->since) : json_null());	/* steals */
		if (o.all)
			json_object_set_new(obj, "changed", json_boolean(s->changed));	/* steals */
		json_array_append_new(list, obj);					/* steals */
	}
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
	free(before);
	free(origin);
	strbuf_release(&sb);
	strlist_release(&o.services);
	gitservice_list_release(&l);
	return error_exit_code(rc);
}
