/*
 * test-action.c: the pure parts of the action: default image, push
 * default, workflow command escaping, warnings as annotations.  The summary, the outputs and the
 * error locations are report.c's (test-report.c).
 */
#include "lib/common.h"
#include "github/action.h"
#include "github/ghcommand.h"
#include "tap.h"

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

static int hooked;
static char hooked_msg[256];

static void hook(const char *message)
{
	hooked++;
	snprintf(hooked_msg, sizeof(hooked_msg), "%s", message);
}

static void test_warning_annotation(void)
{
	struct strbuf sb = STRBUF_INIT;

	action_warning_format("/gh/ws/app/Dockerfile:7: ARG X is never used", "/gh/ws", &sb);
	is_str(sb.buf, "::warning file=app/Dockerfile,line=7::ARG X is never used\n",
	       "a FILE:LINE warning is annotated on that line, the file relative to the workspace");
	strbuf_reset(&sb);
	action_warning_format("app/.dockerignore:2: pattern 'x' matches nothing", "/gh/ws", &sb);
	is_str(sb.buf, "::warning file=app/.dockerignore,line=2::pattern 'x' matches nothing\n",
	       "a relative FILE:LINE too");
	strbuf_reset(&sb);
	action_warning_format("'127.0.0.1:5000' answered HTTP 503 to GET; retrying", "/gh/ws", &sb);
	is_str(sb.buf, "::warning::'127.0.0.1:5000' answered HTTP 503 to GET; retrying\n",
	       "a host:port is not a location");
	strbuf_reset(&sb);
	action_warning_format("100% sure\nnext", NULL, &sb);
	is_str(sb.buf, "::warning::100%25 sure%0Anext\n", "the message escaped");
	strbuf_release(&sb);

	/* the hook in error.c: called with each warning, not with errors */
	error_set_quiet(0);
	error_set_warning_hook(hook);
	warning("w %d", 1);
	ok(hooked == 1 && !strcmp(hooked_msg, "w 1"), "warning() calls the hook with its message");
	error("e");
	note("n");
	ok(hooked == 1, "error() and note() do not");
	error_set_warning_hook(NULL);
	warning("w 2");
	ok(hooked == 1, "a removed hook is not called");
	error_set_quiet(1);
}

static void test_tag_kind(void)
{
	ok(action_tag_kind("ghcr.io/acme/app:1.2.3") == ACTION_TAG_REFERENCE, "registry/name:tag is a reference");
	ok(action_tag_kind("acme/app:latest") == ACTION_TAG_REFERENCE, "Docker Hub user/name:tag is a reference");
	ok(action_tag_kind("localhost:5000/app:dev") == ACTION_TAG_REFERENCE, "host:port/name:tag is a reference");
	ok(action_tag_kind("type=semver,pattern={{version}}") == ACTION_TAG_RULE, "a type= rule is a rule");
	ok(action_tag_kind("type=raw,value=ghcr.io/acme/app:1") == ACTION_TAG_RULE, "a raw rule whose value looks like a reference is a rule");
	ok(action_tag_kind("latest") == ACTION_TAG_RULE, "a bare value is a raw rule");
	ok(action_tag_kind("{{branch}}-x/y:z") == ACTION_TAG_RULE, "a template is a rule");
	ok(action_tag_kind("app:1.2") == ACTION_TAG_LOOKALIKE, "name:tag without '/' stays a rule, flagged");
	ok(action_tag_kind("acme/app") == ACTION_TAG_LOOKALIKE, "name without tag stays a rule, flagged");
	ok(action_tag_kind("localhost:5000/app") == ACTION_TAG_LOOKALIKE, "host:port/name without tag is flagged");
	ok(action_tag_kind("ghcr.io/Acme/app:1") == -EXIT_INPUT, "an upper-case reference is bad input");
	ok(strstr(error_last(), "'ghcr.io/Acme/app:1'") != NULL, "the error names the line");
	ok(action_tag_kind("ghcr.io/acme/app:bad!tag") == -EXIT_INPUT, "a bad tag is bad input");
	ok(action_tag_kind("ghcr.io/acme/app@sha256:0123456789012345678901234567890123456789012345678901234567890123")
	   == -EXIT_INPUT, "a digest is not a tag");
}

static void test_context(void)
{
	struct strbuf path = STRBUF_INIT;
	enum ghctx_source src;

	ok(!action_context_parse("", &src, &path) && src == GHCTX_WORKFLOW && !path.len, "empty: the event");
	ok(!action_context_parse(" workflow\n", &src, &path) && src == GHCTX_WORKFLOW && !path.len, "workflow");
	ok(!action_context_parse("git", &src, &path) && src == GHCTX_GIT && !path.len, "git");
	ok(!action_context_parse("./app/", &src, &path) && src == GHCTX_WORKFLOW && !strcmp(path.buf, "app"),
	   "./app/ is the directory app");
	ok(!action_context_parse("./git", &src, &path) && src == GHCTX_WORKFLOW && !strcmp(path.buf, "git"),
	   "./git is a directory named git");
	ok(!action_context_parse(".", &src, &path) && !path.len, ". is the workspace");
	ok(!action_context_parse("services/api", &src, &path) && !strcmp(path.buf, "services/api"), "a plain path");
	ok(!action_context_parse("{{defaultContext}}:sub", &src, &path) && !strcmp(path.buf, "sub"),
	   "{{defaultContext}}:sub is sub");
	ok(action_context_parse("../x", &src, &path) == -EXIT_INPUT, "a path leaving the workspace is bad input");
	ok(action_context_parse("/etc", &src, &path) == -EXIT_INPUT, "an absolute path is bad input");
	ok(action_context_parse("https://github.com/a/b.git#main", &src, &path) == -EXIT_INPUT,
	   "a Git URL is bad input");
	ok(strstr(error_last(), "'https://github.com/a/b.git#main'") != NULL, "naming it");
	strbuf_release(&path);
}

int main(void)
{
	error_set_quiet(1);
	test_default_image();
	test_push();
	test_ghcommand();
	test_warning_annotation();
	test_tag_kind();
	test_context();
	return tap_done();
}
