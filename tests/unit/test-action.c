/*
 * test-action.c: the pure parts of the action: default image, push
 * default, workflow command escaping, Dockerfile error locations, the
 * step summary and the metadata output.
 */
#include "lib/common.h"
#include "github/action.h"
#include "github/ghcommand.h"
#include "tap.h"

#include <jansson.h>

static void test_default_image(void)
{
	struct strbuf sb = STRBUF_INIT;

	ok(!action_default_image("Octo-Org/My.Repo", &sb), "owner/repo gives a default image");
	is_str(sb.buf, "ghcr.io/octo-org/my.repo", "lower-cased under ghcr.io");
	strbuf_reset(&sb);
	ok(action_default_image("noslash", &sb) == -EXIT_INPUT, "a repository without owner is bad input");
	ok(action_default_image("a/b/c", &sb) == -EXIT_INPUT, "two slashes are bad input");
	ok(action_default_image(NULL, &sb) == -EXIT_INPUT, "no repository is bad input");
	strbuf_release(&sb);
}

static void test_push(void)
{
	int p = -1;

	ok(!action_push_enabled(NULL, "push", &p) && p == 1, "push event pushes by default");
	ok(!action_push_enabled("", "release", &p) && p == 1, "release pushes by default");
	ok(!action_push_enabled("", "pull_request", &p) && p == 0, "pull_request does not push by default");
	ok(!action_push_enabled(NULL, "pull_request_target", &p) && p == 0, "nor pull_request_target");
	ok(!action_push_enabled("true", "pull_request", &p) && p == 1, "push: true wins on a pull request");
	ok(!action_push_enabled("False", "push", &p) && p == 0, "push: False");
	ok(!action_push_enabled("TRUE", "push", &p) && p == 1, "push: TRUE");
	ok(action_push_enabled("yes", "push", &p) == -EXIT_INPUT, "push: yes is not a YAML 1.2 boolean");
}

static void test_ghcommand(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct ghcommand_props props = GHCOMMAND_PROPS_INIT;

	ghcommand_format("group", NULL, "meta", &sb);
	is_str(sb.buf, "::group::meta\n", "group");
	strbuf_reset(&sb);
	ghcommand_format("endgroup", NULL, NULL, &sb);
	is_str(sb.buf, "::endgroup::\n", "endgroup has no message");
	strbuf_reset(&sb);
	props.file = "app/Dockerfile";
	props.line = 3;
	ghcommand_format("error", &props, "50% of\nit: RUN, refused", &sb);
	is_str(sb.buf, "::error file=app/Dockerfile,line=3::50%25 of%0Ait: RUN, refused\n",
	       "error annotation: properties, message escaped");
	strbuf_reset(&sb);
	props.file = "a,b:c";
	props.line = 0;
	props.title = "t";
	ghcommand_format("warning", &props, "m", &sb);
	is_str(sb.buf, "::warning file=a%2Cb%3Ac,title=t::m\n", "property escaping of , and :");
	strbuf_release(&sb);
}

static void test_error_location(void)
{
	struct strbuf file = STRBUF_INIT, msg = STRBUF_INIT;
	int line = 0;

	ok(!action_error_location("/github/workspace/svc/Dockerfile:12: RUN is refused",
				  "/github/workspace", &file, &line, &msg), "located error");
	is_str(file.buf, "svc/Dockerfile", "file relative to the workspace");
	is_int(line, 12, "line");
	is_str(msg.buf, "RUN is refused", "message without the location");
	ok(!action_error_location("Dockerfile:1: unknown instruction 'FOO'", "/github/workspace/",
				  &file, &line, &msg), "relative file");
	is_str(file.buf, "Dockerfile", "kept as given");
	is_int(line, 1, "line 1");
	ok(action_error_location("cannot open 'x'", "/w", &file, &line, &msg) < 0, "no location");
	ok(action_error_location("registry 127.0.0.1:5000: refused", "/w", &file, &line, &msg) < 0,
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
	json_t *j;
	json_error_t jerr;

	fill(&r);
	action_summary(&r, NULL, &sb);
	ok(strstr(sb.buf, "### :rocket: Image published") != NULL, "heading says published");
	ok(strstr(sb.buf, "| tags | `ghcr.io/o/r:1.2.3`<br>`ghcr.io/o/r:latest` |") != NULL, "tags row");
	ok(strstr(sb.buf, "| digest | `sha256:0000") != NULL, "digest row");
	ok(strstr(sb.buf, "| size | 1.5 MiB |") != NULL, "size row");
	ok(strstr(sb.buf, "| layers | 2 pushed, 1 mounted, 3 skipped (already there) |") != NULL, "layers row");
	ok(strstr(sb.buf, "| time | meta 0.01 s, build 0.50 s, push 1.25 s |") != NULL, "time per phase");
	ok(strstr(sb.buf, "fetch-depth") == NULL, "no shallow note for a full clone");

	strbuf_reset(&sb);
	r.pushed = 0;
	r.shallow = 1;
	r.seconds[ACTION_PUSH] = -1;
	action_summary(&r, NULL, &sb);
	ok(strstr(sb.buf, "not pushed") != NULL, "a build that did not push says so");
	ok(strstr(sb.buf, "push 1.25") == NULL, "a phase that did not run has no time");
	ok(strstr(sb.buf, "fetch-depth: 0") != NULL, "shallow note");

	strbuf_reset(&sb);
	action_summary(&r, "Dockerfile:3: RUN is refused", &sb);
	ok(strstr(sb.buf, "publish failed") && strstr(sb.buf, "error: Dockerfile:3: RUN is refused"),
	   "failure heading and message");

	strbuf_reset(&sb);
	r.pushed = 1;
	action_metadata_json(&r, &sb);
	j = json_loads(sb.buf, 0, &jerr);
	ok(j != NULL, "metadata is JSON");
	is_str(json_string_value(json_object_get(j, "containerimage.digest")), r.digest, "containerimage.digest");
	is_str(json_string_value(json_object_get(j, "image.name")), "ghcr.io/o/r:1.2.3,ghcr.io/o/r:latest",
	       "image.name joins the tags with commas, as build-push-action");
	is_int(json_integer_value(json_object_get(json_object_get(j, "layers"), "mounted")), 1, "layers.mounted");
	ok(json_is_true(json_object_get(j, "pushed")), "pushed");
	json_decref(j);
	strbuf_release(&sb);
	action_result_release(&r);
}

int main(void)
{
	error_set_quiet(1);
	test_default_image();
	test_push();
	test_ghcommand();
	test_error_location();
	test_summary();
	return tap_done();
}
