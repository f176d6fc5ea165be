/*
 * action.c: see action.h.  The order of a run, and why:
 *
 *   1. mask the token first, before any line could echo it;
 *   2. resolve the inputs: default image, push default, working directory;
 *   3. open the workspace as the runner mounts it: owned by another uid,
 *      which libgit2 refuses like git does ("dubious ownership"); we
 *      lift the owner check for exactly that directory, as a
 *      safe.directory entry for it would, and restore it afterwards;
 *   4. meta, build, push, each inside ::group::, each timed;
 *   5. outputs and summary, also after a failure (as far as it went).
 *
 * Temporary files (the OCI layout, the registry login) live in one
 * private directory under $TMPDIR, never in the workspace, and are
 * removed on every path out.
 */
#include "lib/common.h"
#include "action.h"
#include "ghcommand.h"

#include <ctype.h>
#include <jansson.h>

void action_result_init(struct action_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < ACTION_NR_PHASES; i++)
		r->seconds[i] = -1;
}

void action_result_release(struct action_result *r)
{
	if (!r)
		return;
	free(r->version);
	for (size_t i = 0; i < r->nr_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	free(r->media_type);
	free(r->image);
	action_result_init(r);
}

int action_default_image(const char *repository, struct strbuf *out)
{
	const char *slash = repository ? strchr(repository, '/') : NULL;

	if (!slash || slash == repository || !slash[1] || strchr(slash + 1, '/'))
		return error_as(EXIT_INPUT, "GITHUB_REPOSITORY '%s' is not owner/name: give the images input",
				repository ? repository : "");
	strbuf_addstr(out, "ghcr.io/");
	for (const char *p = repository; *p; p++)
		strbuf_addch(out, tolower((unsigned char)*p));
	return 0;
}

int action_push_enabled(const char *push, const char *event_name, int *out)
{
	if (!push || !*push) {
		*out = !(event_name && (!strcmp(event_name, "pull_request") ||
					!strcmp(event_name, "pull_request_target")));
		return 0;
	}
	if (!strcmp(push, "true") || !strcmp(push, "True") || !strcmp(push, "TRUE")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(push, "false") || !strcmp(push, "False") || !strcmp(push, "FALSE")) {
		*out = 0;
		return 0;
	}
	return error_as(EXIT_INPUT, "input 'push': '%s' is not a boolean (true or false)", push);
}

static void add_size(struct strbuf *out, long long n)
{
	if (n < 1024)
		strbuf_addf(out, "%lld B", n);
	else if (n < 1024 * 1024)
		strbuf_addf(out, "%.1f KiB", n / 1024.0);
	else if (n < 1024LL * 1024 * 1024)
		strbuf_addf(out, "%.1f MiB", n / (1024.0 * 1024));
	else
		strbuf_addf(out, "%.2f GiB", n / (1024.0 * 1024 * 1024));
}

/* A table cell: no '|' or newline may break the row. */
static void add_cell_code(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '`');
	for (; *s; s++)
		if (*s == '|' || *s == '\n' || *s == '`')
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, *s);
	strbuf_addch(out, '`');
}

static const char *const phase_names[ACTION_NR_PHASES] = { "meta", "build", "push" };

void action_summary(const struct action_result *r, const char *error_message,
		    struct strbuf *out)
{
	int first;

	if (error_message && *error_message)
		strbuf_addstr(out, "### :x: publish failed\n\n");
	else if (r->pushed)
		strbuf_addstr(out, "### :rocket: Image published\n\n");
	else
		strbuf_addstr(out, "### :package: Image built, not pushed\n\n");

	strbuf_addstr(out, "| | |\n| --- | --- |\n");
	if (r->image) {
		strbuf_addstr(out, "| image | ");
		add_cell_code(out, r->image);
		strbuf_addstr(out, " |\n");
	}
	strbuf_addstr(out, "| tags | ");
	for (size_t i = 0; i < r->nr_tags; i++) {
		if (i)
			strbuf_addstr(out, "<br>");
		add_cell_code(out, r->tags[i]);
	}
	if (!r->nr_tags)
		strbuf_addstr(out, "(none)");
	strbuf_addstr(out, " |\n");
	if (r->digest[0]) {
		strbuf_addstr(out, "| digest | ");
		add_cell_code(out, r->digest);
		strbuf_addstr(out, " |\n");
		strbuf_addstr(out, "| size | ");
		add_size(out, r->size);
		strbuf_addstr(out, " |\n");
	}
	if (r->pushed)
		strbuf_addf(out, "| layers | %zu pushed, %zu mounted, %zu skipped (already there) |\n",
			    r->layers_pushed, r->layers_mounted, r->layers_skipped);
	else if (r->digest[0])
		strbuf_addstr(out, "| layers | not pushed |\n");
	strbuf_addstr(out, "| time | ");
	first = 1;
	for (int i = 0; i < ACTION_NR_PHASES; i++) {
		if (r->seconds[i] < 0)
			continue;
		strbuf_addf(out, "%s%s %.2f s", first ? "" : ", ", phase_names[i], r->seconds[i]);
		first = 0;
	}
	if (first)
		strbuf_addstr(out, "-");
	strbuf_addstr(out, " |\n");

	if (error_message && *error_message) {
		strbuf_addstr(out, "\n```\nerror: ");
		strbuf_addstr(out, error_message);
		strbuf_addstr(out, "\n```\n");
	}
	if (r->shallow)
		strbuf_addstr(out, "\nThe checkout is shallow: tags and versions came from the event. "
			      "Give actions/checkout `fetch-depth: 0` for versions derived from the "
			      "repository's history.\n");
}

void action_metadata_json(const struct action_result *r, struct strbuf *out)
{
	json_t *o = json_object(), *desc, *layers, *secs;
	struct strbuf names = STRBUF_INIT;
	char *s;

	for (size_t i = 0; i < r->nr_tags; i++) {
		if (i)
			strbuf_addch(&names, ',');
		strbuf_addstr(&names, r->tags[i]);
	}
	json_object_set_new(o, "image.name", json_string(names.buf));	/* steals */
	if (r->digest[0]) {
		json_object_set_new(o, "containerimage.digest", json_string(r->digest));	/* steals */
		desc = json_object();
		json_object_set_new(desc, "mediaType", json_string(r->media_type ? r->media_type : ""));	/* steals */
		json_object_set_new(desc, "digest", json_string(r->digest));	/* steals */
		json_object_set_new(desc, "size", json_integer(r->size));	/* steals */
		json_object_set_new(o, "containerimage.descriptor", desc);	/* steals desc */
	}
	if (r->image)
		json_object_set_new(o, "image", json_string(r->image));	/* steals */
	json_object_set_new(o, "pushed", json_boolean(r->pushed));	/* steals */
	layers = json_object();
	json_object_set_new(layers, "pushed", json_integer((json_int_t)r->layers_pushed));	/* steals */
	json_object_set_new(layers, "mounted", json_integer((json_int_t)r->layers_mounted));	/* steals */
	json_object_set_new(layers, "skipped", json_integer((json_int_t)r->layers_skipped));	/* steals */
	json_object_set_new(o, "layers", layers);	/* steals layers */
	json_object_set_new(o, "bytes_pushed", json_integer(r->bytes_pushed));	/* steals */
	secs = json_object();
	for (int i = 0; i < ACTION_NR_PHASES; i++)
		if (r->seconds[i] >= 0)
			json_object_set_new(secs, phase_names[i], json_real(r->seconds[i]));	/* steals */
	json_object_set_new(o, "seconds", secs);	/* steals secs */

	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (s)
		strbuf_addstr(out, s);
	free(s);
	json_decref(o);
	strbuf_release(&names);
}

int action_error_location(const char *msg, const char *workspace,
			  struct strbuf *file, int *line, struct strbuf *message)
{
	const char *p, *colon = NULL;
	char *end;
	long n;
	size_t wlen;

	/* The last ":DIGITS: " in the message's first part (a path may hold ':'). */
	for (p = msg; (p = strchr(p, ':')); p++) {
		if (!isdigit((unsigned char)p[1]))
			continue;
		n = strtol(p + 1, &end, 10);
		if (*end == ':' && end[1] == ' ' && n > 0 && n < 10000000) {
			colon = p;
			break;
		}
	}
	/* A location starts the message: no space before it (a registry's host:port does not qualify). */
	if (!colon || colon == msg || memchr(msg, ' ', colon - msg))
		return -1;
	n = strtol(colon + 1, &end, 10);
	strbuf_reset(file);
	wlen = workspace ? strlen(workspace) : 0;
	while (wlen && workspace[wlen - 1] == '/')
		wlen--;
	if (wlen && (size_t)(colon - msg) > wlen && !strncmp(msg, workspace, wlen) && msg[wlen] == '/')
		strbuf_add(file, msg + wlen + 1, colon - msg - wlen - 1);
	else if (!strncmp(msg, "./", 2))
		strbuf_add(file, msg + 2, colon - msg - 2);
	else
		strbuf_add(file, msg, colon - msg);
	*line = (int)n;
	strbuf_reset(message);
	strbuf_addstr(message, end + 2);
	return 0;
}
