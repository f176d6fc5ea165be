/*
 * report.c: see report.h.  The formatting functions build strings from
 * an action_result (and meta's result) and nothing else; the writers
 * below them only append those strings to the runner's files or print
 * them as workflow commands.
 */
#include "lib/common.h"
#include "github/report.h"
#include "github/ghcommand.h"
#include "github/ghoutput.h"
#include "github/metaio.h"
#include "meta/meta.h"

#include <ctype.h>
#include <errno.h>

#include <jansson.h>

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

/* Where the tags and versions came from (once meta ran): the history, the API, the event. */
static void add_versions_from(const struct action_result *r, struct strbuf *out)
{
	static const char fetch_all[] = " Give actions/checkout `fetch-depth: 0` for versions derived from "
					"the repository's history.";

	switch (r->versions_from) {
	case METAIO_FROM_HISTORY:
		strbuf_addstr(out, "\nTags and versions came from the repository's history.\n");
		return;
	case METAIO_FROM_API:
		strbuf_addstr(out, "\nTags and versions came from the GitHub API: the checkout is shallow, "
			      "the API gave the tags and commits of its history.\n");
		return;
	case METAIO_FROM_CUT:
		strbuf_addf(out, "\nThe checkout is shallow and the GitHub API could not give its history: "
			    "the rules that read it were skipped, the tags came from the other rules.%s\n",
			    fetch_all);
		return;
	case METAIO_FROM_CHECKOUT:
		strbuf_addf(out, "\nTags and versions came from the checkout's ref and commit.%s\n",
			    r->shallow ? fetch_all : "");
		return;
	default:
		strbuf_addf(out, "\nTags and versions came from the workflow's event.%s\n",
			    r->shallow ? fetch_all : "");
	}
}

static const char *const phase_names[ACTION_NR_PHASES] = { "meta", "build", "push" };

void report_summary(const struct action_result *r, const char *error_message,
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
		strbuf_humanise_bytes(out, r->size);
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
	if (r->seconds[ACTION_META] >= 0)
		add_versions_from(r, out);
}

void report_metadata_json(const struct action_result *r, struct strbuf *out)
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
	if (r->config_digest[0])
		json_object_set_new(o, "containerimage.config.digest", json_string(r->config_digest));	/* steals */
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
			json_object_set_new(secs, phase_names[i],
					    json_real((long long)(r->seconds[i] * 1000 + 0.5) / 1000.0));	/* steals */
	json_object_set_new(o, "seconds", secs);	/* steals secs */

	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (s)
		strbuf_addstr(out, s);
	free(s);
	json_decref(o);
	strbuf_release(&names);
}

int report_error_location(const char *msg, const char *workspace,
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

/* --- the outputs --------------------------------------------------------- */

const char *const report_output_names[] = {
	"version", "tags", "tag-names", "labels", "annotations", "json", "digest", "imageid", "image", "metadata", NULL
};

void report_outputs(const struct action_result *r, const struct meta_result *meta,
		    const struct meta_inputs *in, char *values[REPORT_NR_OUTPUTS])
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < REPORT_NR_OUTPUTS; i++) {
		const char *name = report_output_names[i];

		if (!strcmp(name, "digest"))
			strbuf_addstr(&sb, r->digest);
		else if (!strcmp(name, "imageid"))
			strbuf_addstr(&sb, r->config_digest[0] ? r->config_digest : r->digest);
		else if (!strcmp(name, "image"))
			strbuf_addstr(&sb, r->image ? r->image : "");
		else if (!strcmp(name, "metadata"))
			report_metadata_json(r, &sb);
		else if (meta && in)
			meta_output(meta, in, name, &sb);	/* as `publish meta` writes them */
		values[i] = strbuf_detach(&sb, NULL);
	}
}

void report_outputs_release(char *values[REPORT_NR_OUTPUTS])
{
	for (size_t i = 0; i < REPORT_NR_OUTPUTS; i++) {
		free(values[i]);
		values[i] = NULL;
	}
}

int report_write_outputs(const char *path, const struct action_result *r,
			 const struct meta_result *meta, const struct meta_inputs *in)
{
	char *values[REPORT_NR_OUTPUTS];
	int ret = 0;

	if (!path || !*path)
		return 0;
	report_outputs(r, meta, in, values);
	for (size_t i = 0; !ret && i < REPORT_NR_OUTPUTS; i++)
		if (ghoutput_append(path, report_output_names[i], values[i]) < 0)
			ret = -EXIT_FAIL;
	report_outputs_release(values);
	return ret;
}

int report_write_env(const char *path, const struct meta_result *meta, const struct meta_inputs *in)
{
	struct strbuf val = STRBUF_INIT, var = STRBUF_INIT;
	int ret = 0;

	if (!path || !*path)
		return 0;
	for (const char *const *n = meta_output_names; !ret && *n; n++) {
		strbuf_reset(&val);
		strbuf_reset(&var);
		meta_output(meta, in, *n, &val);
		metaio_env_name(*n, &var);
		if (ghoutput_append(path, var.buf, val.buf) < 0)
			ret = -EXIT_FAIL;
	}
	strbuf_release(&val);
	strbuf_release(&var);
	return ret;
}

int report_write_summary(const char *path, const struct action_result *r, const char *error_message)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f;
	int ret = 0;

	if (!path || !*path)
		return 0;
	report_summary(r, error_message, &sb);
	f = fopen(path, "a");
	if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len)
		ret = error("cannot write GITHUB_STEP_SUMMARY '%s': %s", path, strerror(errno));
	if (f && fclose(f) && !ret)
		ret = error("cannot write GITHUB_STEP_SUMMARY '%s': %s", path, strerror(errno));
	strbuf_release(&sb);
	return ret;
}

void report_group_begin(const char *title)
{
	ghcommand_print("group", NULL, title);
}

void report_group_end(void)
{
	fflush(stderr);
	ghcommand_print("endgroup", NULL, NULL);
}

/*
 * An error from the user's Dockerfile or .dockerignore ("FILE:LINE:
 * message") becomes an annotation on that line; any other error an
 * annotation on the step.
 */
void report_annotate_error(int rc, const char *workspace)
{
	struct strbuf file = STRBUF_INIT, msg = STRBUF_INIT;
	struct ghcommand_props props = GHCOMMAND_PROPS_INIT;
	int line = 0;

	/* the Dockerfile's errors, and the .dockerignore's (a context error) */
	if ((rc == -EXIT_DOCKERFILE || rc == -EXIT_CONTEXT) &&
	    !report_error_location(error_last(), workspace, &file, &line, &msg)) {
		const char *base = strrchr(file.buf, '/');

		props.file = file.buf;
		props.line = line;
		props.title = rc == -EXIT_DOCKERFILE ? "Dockerfile" : base ? base + 1 : file.buf;
		ghcommand_print("error", &props, msg.buf);
	} else {
		ghcommand_print("error", NULL, error_last());
	}
	strbuf_release(&file);
	strbuf_release(&msg);
}
