/*
 * test-report.c: report.c's formatting, fed with data: the step
 * summary, the metadata output, the step outputs (with and without
 * meta's result) and the location of a Dockerfile error.
 */
#include "lib/common.h"
#include "github/report.h"
#include "github/metaio.h"
#include "meta/meta.h"
#include "tap.h"

#include <jansson.h>
#include <unistd.h>

/* sb holds text */
#define has(sb, text, ...) ok(strstr((sb).buf, (text)) != NULL, __VA_ARGS__)

static void test_error_location(void)
{
	struct strbuf file = STRBUF_INIT, msg = STRBUF_INIT;
	int line = 0;

	ok(!report_error_location("/github/workspace/svc/Dockerfile:12: RUN is refused",
				  "/github/workspace", &file, &line, &msg), "located error");
	is_str(file.buf, "svc/Dockerfile", "file relative to the workspace");
	is_int(line, 12, "line");
	is_str(msg.buf, "RUN is refused", "message without the location");
	ok(!report_error_location("Dockerfile:1: unknown instruction 'FOO'", "/github/workspace/",
				  &file, &line, &msg), "relative file");
	is_str(file.buf, "Dockerfile", "kept as given");
	is_int(line, 1, "line 1");
	ok(report_error_location("cannot open 'x'", "/w", &file, &line, &msg) < 0, "no location");
	ok(report_error_location("registry 127.0.0.1:5000: refused", "/w", &file, &line, &msg) < 0,
	   "a host:port is not a location");
	strbuf_release(&file);
	strbuf_release(&msg);
}

static void fill(struct action_result *r)
{
	action_result_init(r);
	r->version = xstrdup("1.2.3");
	r->nr_tags = 2;
	r->tags = xcalloc(2, sizeof(char *));
	r->tags[0] = xstrdup("ghcr.io/o/r:1.2.3");
	r->tags[1] = xstrdup("ghcr.io/o/r:latest");
	snprintf(r->digest, sizeof(r->digest), "sha256:%064d", 7);
	snprintf(r->config_digest, sizeof(r->config_digest), "sha256:%064d", 9);
	r->media_type = xstrdup("application/vnd.oci.image.manifest.v1+json");
	r->size = 3 * 1024 * 1024 / 2;
	r->image = xstrdup("ghcr.io/o/r@sha256:0000000000000000000000000000000000000000000000000000000000000007");
	r->pushed = 1;
	r->layers_pushed = 2;
	r->layers_mounted = 1;
	r->layers_skipped = 3;
	r->seconds[ACTION_META] = 0.01;
	r->seconds[ACTION_BUILD] = 0.5;
	r->seconds[ACTION_PUSH] = 1.25;
}

static void test_summary(void)
{
	struct action_result r;
	struct strbuf sb = STRBUF_INIT;

	fill(&r);
	report_summary(&r, NULL, &sb);
	has(sb, "### :rocket: Image published", "heading says published");
	has(sb, "| tags | `ghcr.io/o/r:1.2.3`<br>`ghcr.io/o/r:latest` |", "tags row");
	has(sb, "| digest | `sha256:0000", "digest row");
	has(sb, "| size | 1.5 MiB |", "size row");
	has(sb, "| layers | 2 pushed, 1 mounted, 3 skipped (already there) |", "layers row");
	has(sb, "| time | meta 0.01 s, build 0.50 s, push 1.25 s |", "time per phase");
	ok(strstr(sb.buf, "fetch-depth") == NULL, "no shallow note for a full clone");

	strbuf_reset(&sb);
	r.pushed = 0;
	r.shallow = 1;
	r.seconds[ACTION_PUSH] = -1;
	report_summary(&r, NULL, &sb);
	has(sb, "not pushed", "a build that did not push says so");
	ok(strstr(sb.buf, "push 1.25") == NULL, "a phase that did not run has no time");
	has(sb, "fetch-depth: 0", "shallow note");
	has(sb, "came from the workflow's event", "the tags came from the event");

	strbuf_reset(&sb);
	r.versions_from = METAIO_FROM_API;
	report_summary(&r, NULL, &sb);
	has(sb, "came from the GitHub API: the checkout is shallow", "from the API");
	ok(strstr(sb.buf, "fetch-depth") == NULL, "the API answered: no fetch-depth advice");

	strbuf_reset(&sb);
	r.versions_from = METAIO_FROM_CUT;
	report_summary(&r, NULL, &sb);
	has(sb, "the GitHub API could not give its history: the rules that read it were skipped",
	    "a cut history says the rules were skipped");
	has(sb, "fetch-depth: 0", "and asks for the whole history");

	strbuf_reset(&sb);
	r.shallow = 0;
	r.versions_from = METAIO_FROM_HISTORY;
	report_summary(&r, NULL, &sb);
	has(sb, "Tags and versions came from the repository's history.", "from the history");
	ok(strstr(sb.buf, "fetch-depth") == NULL, "a full clone: no fetch-depth advice");

	strbuf_reset(&sb);
	r.versions_from = METAIO_FROM_CHECKOUT;
	report_summary(&r, NULL, &sb);
	has(sb, "came from the checkout's ref and commit", "from the checkout (context git)");

	strbuf_reset(&sb);
	r.seconds[ACTION_META] = -1;
	report_summary(&r, NULL, &sb);
	ok(strstr(sb.buf, "came from") == NULL, "meta did not run: nothing said of the tags");
	r.seconds[ACTION_META] = 0.01;
	r.shallow = 1;
	r.versions_from = METAIO_FROM_EVENT;

	strbuf_reset(&sb);
	report_summary(&r, "Dockerfile:3: RUN is refused", &sb);
	ok(strstr(sb.buf, "publish failed") && strstr(sb.buf, "error: Dockerfile:3: RUN is refused"),
	   "failure heading and message");

	strbuf_release(&sb);
	action_result_release(&r);
}

static void test_metadata(void)
{
	struct action_result r;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;
	json_error_t jerr;

	fill(&r);
	report_metadata_json(&r, &sb);
	j = json_loads(sb.buf, 0, &jerr);
	ok(j != NULL, "metadata is JSON");
	is_str(json_string_value(json_object_get(j, "containerimage.digest")), r.digest, "containerimage.digest");
	is_str(json_string_value(json_object_get(j, "image.name")), "ghcr.io/o/r:1.2.3,ghcr.io/o/r:latest",
	       "image.name joins the tags with commas, as build-push-action");
	is_int(json_integer_value(json_object_get(json_object_get(j, "layers"), "mounted")), 1, "layers.mounted");
	ok(json_is_true(json_object_get(j, "pushed")), "pushed");
	is_str(json_string_value(json_object_get(json_object_get(j, "containerimage.descriptor"), "mediaType")),
	       "application/vnd.oci.image.manifest.v1+json", "descriptor media type");
	ok(json_object_get(json_object_get(j, "seconds"), "push") != NULL, "seconds of a phase that ran");
	is_str(json_string_value(json_object_get(j, "containerimage.config.digest")), r.config_digest,
	       "containerimage.config.digest, as build-push-action");
	json_decref(j);

	strbuf_reset(&sb);
	r.digest[0] = '\0';
	r.config_digest[0] = '\0';
	r.seconds[ACTION_PUSH] = -1;
	report_metadata_json(&r, &sb);
	j = json_loads(sb.buf, 0, &jerr);
	ok(j && !json_object_get(j, "containerimage.digest") && !json_object_get(j, "containerimage.descriptor"),
	   "no digest before a build: no descriptor");
	ok(j && !json_object_get(json_object_get(j, "seconds"), "push"), "no seconds for a phase that did not run");
	ok(j && !json_object_get(j, "containerimage.config.digest"), "no config digest before a build");
	json_decref(j);
	strbuf_release(&sb);
	action_result_release(&r);
}

static int output_index(const char *name)
{
	for (int i = 0; report_output_names[i]; i++)
		if (!strcmp(report_output_names[i], name))
			return i;
	return -1;
}

static void test_outputs(void)
{
	struct action_result r;
	struct meta_inputs in = META_INPUTS_INIT;
	struct meta_result m = META_RESULT_INIT;
	char *v[REPORT_NR_OUTPUTS];
	size_t n = 0;

	while (report_output_names[n])
		n++;
	is_int((int)n, REPORT_NR_OUTPUTS, "REPORT_NR_OUTPUTS names every output");
	fill(&r);
	m.version = xstrdup("1.2.3");
	strlist_push(&m.tags, "ghcr.io/o/r:1.2.3");
	strlist_push(&m.tags, "ghcr.io/o/r:latest");
	strlist_push(&m.tag_names, "1.2.3");
	strlist_push(&m.tag_names, "latest");
	strlist_push(&m.labels, "a=1");
	strlist_push(&m.labels, "b=x=y");
	strlist_push(&m.annotations, "manifest:a=1");
	m.json = xstrdup("{\"tags\":[]}");
	in.sep_tags = xstrdup(",");
	in.sep_labels = xstrdup(";");

	report_outputs(&r, &m, &in, v);
	is_str(v[output_index("version")], "1.2.3", "version is meta's");
	is_str(v[output_index("tags")], "ghcr.io/o/r:1.2.3,ghcr.io/o/r:latest", "tags joined with sep-tags");
	is_str(v[output_index("labels")], "a=1;b=x=y", "labels joined with sep-labels");
	is_str(v[output_index("annotations")], "manifest:a=1", "annotations, newline by default");
	is_str(v[output_index("json")], "{\"tags\":[]}", "json is meta's");
	is_str(v[output_index("digest")], r.digest, "digest");
	is_str(v[output_index("tag-names")], "1.2.3,latest", "tag-names joined with sep-tags");
	is_str(v[output_index("imageid")], r.config_digest, "imageid is the config digest");
	is_str(v[output_index("image")], r.image, "image");
	ok(!strncmp(v[output_index("metadata")], "{", 1) && strstr(v[output_index("metadata")], "\"pushed\":true"),
	   "metadata is the JSON of the result");
	report_outputs_release(v);
	ok(v[0] == NULL, "released values are cleared");

	/* several platforms: no one config, the imageid is the index's digest */
	r.config_digest[0] = '\0';
	report_outputs(&r, &m, &in, v);
	is_str(v[output_index("imageid")], r.digest, "an index: imageid is its digest");
	report_outputs_release(v);

	{
		char path[] = "/tmp/test-report-env-XXXXXX";
		int fd = mkstemp(path);
		struct strbuf sb = STRBUF_INIT;
		FILE *f;
		char line[512];

		ok(fd >= 0 && !report_write_env(path, &m, &in), "report_write_env writes");
		f = fdopen(fd, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, "<<"))
				strbuf_addstr(&sb, line);
		has(sb, "DOCKER_METADATA_OUTPUT_VERSION<<ghadelimiter_", "the version variable");
		has(sb, "DOCKER_METADATA_OUTPUT_TAG_NAMES<<ghadelimiter_", "tag-names as TAG_NAMES");
		has(sb, "DOCKER_METADATA_OUTPUT_JSON<<ghadelimiter_", "the json variable");
		if (f)
			fclose(f);
		unlink(path);
		strbuf_release(&sb);
	}

	/* a run that failed in meta: meta's outputs are empty, the others still there */
	r.digest[0] = '\0';
	free(r.image);
	r.image = NULL;
	report_outputs(&r, NULL, NULL, v);
	is_str(v[output_index("version")], "", "no meta result: empty version");
	is_str(v[output_index("tags")], "", "no meta result: empty tags");
	is_str(v[output_index("json")], "", "no meta result: empty json");
	is_str(v[output_index("digest")], "", "no build: empty digest");
	is_str(v[output_index("image")], "", "no build: empty image");
	ok(strstr(v[output_index("metadata")], "\"pushed\":true") != NULL, "metadata still written");
	report_outputs_release(v);

	meta_result_release(&m);
	meta_inputs_release(&in);
	action_result_release(&r);
}

static void test_summary_cells(void)
{
	struct action_result r;
	struct strbuf sb = STRBUF_INIT;

	action_result_init(&r);
	r.image = xstrdup("a|b`c");
	report_summary(&r, NULL, &sb);
	has(sb, "### :package: Image built, not pushed", "nothing pushed: built heading");
	has(sb, "| image | `a b c` |", "a cell cannot break the table");
	has(sb, "| tags | (none) |", "no tags");
	has(sb, "| time | - |", "no phase ran");
	ok(strstr(sb.buf, "| digest |") == NULL, "no digest row before a build");
	strbuf_release(&sb);
	action_result_release(&r);
}

int main(void)
{
	error_set_quiet(1);
	test_error_location();
	test_summary();
	test_summary_cells();
	test_metadata();
	test_outputs();
	return tap_done();
}
