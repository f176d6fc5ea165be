/*
 * test-platform.c: platforms parsed, normalised as Docker and containerd
 * do, written back, read from JSON and matched (oci/platform.c).
 */
#include "lib/common.h"
#include "oci/platform.h"
#include "tap.h"

/* parse s and format it back ("" and the exit code when refused) */
static void norm(const char *s, const char *want, const char *what)
{
	struct platform p = PLATFORM_INIT;
	struct strbuf sb = STRBUF_INIT;

	if (platform_parse(s, &p) == 0)
		platform_format(&p, &sb);
	is_str(sb.buf, want, "%s: '%s' is '%s'", what, s, want);
	platform_release(&p);
	strbuf_release(&sb);
}

static int matches(const char *have_json, const char *want)
{
	json_t *j = json_loads(have_json, 0, NULL);
	struct platform have = PLATFORM_INIT, w = PLATFORM_INIT;
	int rc = 0;

	if (!platform_from_json(j, &have) && !platform_parse(want, &w))
		rc = platform_match(&have, &w);
	platform_release(&have);
	platform_release(&w);
	json_decref(j);
	return rc;
}

int main(void)
{
	struct platform p = PLATFORM_INIT, q = PLATFORM_INIT;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;
	char *s;

	ok(platform_parse("linux/arm/v7", &p) == 0, "platform with a variant");
	is_str(p.os, "linux", "os");
	is_str(p.architecture, "arm", "architecture");
	is_str(p.variant, "v7", "variant");
	platform_format(&p, &sb);
	is_str(sb.buf, "linux/arm/v7", "formats back");
	j = platform_to_json(&p);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(s, "{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}", "as JSON");
	ok(platform_from_json(j, &q) == 0 && platform_equal(&p, &q), "and read back from JSON");
	free(s);
	json_decref(j);
	platform_release(&q);
	platform_release(&p);
	ok(platform_parse("linux/amd64", &p) == 0 && p.variant == NULL, "platform without a variant");
	platform_release(&p);

	norm("linux/amd64", "linux/amd64", "kept");
	norm("linux/x86_64", "linux/amd64", "x86_64");
	norm("linux/x86-64", "linux/amd64", "x86-64");
	norm("Linux/AMD64", "linux/amd64", "lower case");
	norm("linux/aarch64", "linux/arm64", "aarch64");
	norm("linux/arm64/v8", "linux/arm64", "arm64/v8 is arm64");
	norm("linux/aarch64/v8", "linux/arm64", "aarch64/v8");
	norm("linux/armhf", "linux/arm/v7", "armhf");
	norm("linux/armel", "linux/arm/v6", "armel");
	norm("linux/arm/7", "linux/arm/v7", "arm variant without v");
	norm("linux/i386", "linux/386", "i386");
	norm("arm64", "linux/arm64", "a lone architecture is on linux");
	norm("x86_64", "linux/amd64", "a lone x86_64");
	norm("windows/amd64", "windows/amd64", "another os");

	error_set_quiet(1);
	norm("linux", "", "an os alone refused");
	is_int(platform_parse("linux", &p), -EXIT_INPUT, "no architecture: exit 3");
	is_int(platform_parse("linux/", &p), -EXIT_INPUT, "empty architecture refused");
	is_int(platform_parse("/amd64", &p), -EXIT_INPUT, "empty os refused");
	is_int(platform_parse("linux//v7", &p), -EXIT_INPUT, "empty middle refused");
	is_int(platform_parse("linux/arm/", &p), -EXIT_INPUT, "empty variant refused");
	is_int(platform_parse("a/b/c/d", &p), -EXIT_INPUT, "four parts refused");
	is_int(platform_parse("", &p), -EXIT_INPUT, "empty refused");
	error_set_quiet(0);
	platform_release(NULL);

	ok(matches("{\"os\":\"linux\",\"architecture\":\"amd64\"}", "linux/amd64"), "match: same");
	ok(matches("{\"os\":\"linux\",\"architecture\":\"x86_64\"}", "linux/amd64"), "match: normalised have");
	ok(matches("{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}", "linux/arm64"),
	   "match: arm64/v8 for arm64");
	ok(matches("{\"os\":\"linux\",\"architecture\":\"arm64\"}", "linux/arm64/v8"), "match: arm64 for arm64/v8");
	ok(matches("{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}", "linux/arm"),
	   "match: no variant asked takes any");
	ok(matches("{\"os\":\"linux\",\"architecture\":\"arm\"}", "linux/arm/v7"), "match: arm without a variant is v7");
	ok(!matches("{\"os\":\"linux\",\"architecture\":\"arm\"}", "linux/arm/v6"), "no match: arm for arm/v6");
	ok(!matches("{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}", "linux/arm/v7"),
	   "no match: another variant");
	ok(!matches("{\"os\":\"linux\",\"architecture\":\"amd64\"}", "linux/arm64"), "no match: another arch");
	ok(!matches("{\"os\":\"windows\",\"architecture\":\"amd64\"}", "linux/amd64"), "no match: another os");
	ok(!matches("{\"architecture\":\"amd64\"}", "linux/amd64"), "no os: read as none");

	platform_host(&p);
	ok(p.os && !strcmp(p.os, "linux") && p.architecture, "the host's platform is linux/something");
	platform_release(&p);
	strbuf_release(&sb);
	return tap_done();
}
