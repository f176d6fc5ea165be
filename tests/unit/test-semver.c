/*
 * test-semver.c: node-semver's strict grammar, field by field, against
 * the cases in tests/data/semver.cases (computed with node-semver).
 */
#include "lib/common.h"
#include "meta/semver.h"
#include "tap.h"
#include "casefile.h"

static const char *fields[] = { "version", "major", "minor", "patch", "raw", "prerelease", "build" };

static void run_case(const struct case_block *b, const char *file)
{
	const char *in = case_get(b, "in"), *valid = case_get(b, "valid");
	const char *clean = case_get(b, "clean");
	struct strbuf sb = STRBUF_INIT;
	struct semver v;
	int rc;

	if (!in || !valid || !clean) {
		ok(0, "case at line %d is incomplete", b->line);
		return;
	}
	rc = semver_parse(&v, in);
	is_int(rc == 0, !strcmp(valid, "yes"), "line %d: parse verdict", b->line);
	is_int(semver_valid(in), !strcmp(valid, "yes"), "line %d: valid()", b->line);
	if (!rc) {
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			const char *want = case_get(b, fields[i]);

			strbuf_reset(&sb);
			ok(semver_field(&v, fields[i], &sb) == 0, "line %d: field %s known",
			   b->line, fields[i]);
			is_str(sb.buf, want, "line %d: {{%s}}", b->line, fields[i]);
		}
		is_int(semver_is_prerelease(&v), !strcmp(case_get(b, "is_prerelease"), "yes"),
		       "line %d: prerelease()", b->line);
		semver_release(&v);
	}
	strbuf_reset(&sb);
	rc = semver_clean(in, &sb);
	if (!strcmp(clean, "null"))
		ok(rc < 0, "line %d: clean() refuses", b->line);
	else
		is_str(rc ? NULL : sb.buf, clean, "line %d: clean()", b->line);
	strbuf_release(&sb);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct semver v;
	int n;

	if ((n = casefile_run("semver.cases", run_case)) < 0)
		return tap_done();
	ok(n > 100, "ran %d cases", n);

	/* Things the data file does not say. */
	ok(semver_parse(&v, "1.2.3-rc.1+b.2") == 0, "parse");
	is_int(v.major, 1, "major as a number");
	is_int(v.prerelease_nr, 2, "two prerelease identifiers");
	is_str(v.prerelease[1], "1", "the second one");
	is_str(v.prerelease_str, "rc.1", "prerelease joined with '.'");
	is_str(v.build_str, "b.2", "build joined with '.'");
	ok(semver_field(&v, "nope", &sb) < 0, "unknown field is refused");
	is_int(sb.len, 0, "and adds nothing");
	ok(semver_field(&v, "loose", &sb) == 0 && !strcmp(sb.buf, "true"),
	   "{{loose}} as metadata-action parses");
	strbuf_reset(&sb);
	ok(semver_field(&v, "prerelease.0", &sb) == 0, "{{prerelease.0}}");
	is_str(sb.buf, "rc", "first prerelease identifier");
	strbuf_reset(&sb);
	ok(semver_field(&v, "build.1", &sb) == 0 && !strcmp(sb.buf, "2"), "{{build.1}}");
	strbuf_reset(&sb);
	ok(semver_field(&v, "prerelease.7", &sb) == 0 && sb.len == 0, "out of range is empty");
	ok(semver_field(&v, "prerelease.length", &sb) == 0 && !strcmp(sb.buf, "2"), "length");
	strbuf_reset(&sb);
	ok(semver_field(&v, "prerelease.x", &sb) < 0, "a path that is not an index");
	ok(semver_field(&v, "prerelease.01", &sb) < 0, "nor with a leading zero");
	ok(semver_field(&v, "prereleasex", &sb) < 0, "nor a longer name");
	semver_release(&v);
	semver_release(&v);
	semver_release(NULL);
	ok(semver_parse(&v, "9007199254740991.9007199254740991.9007199254740991") == 0, "max safe");
	ok(v.major == 9007199254740991ULL, "max safe as number");
	semver_release(&v);
	strbuf_release(&sb);
	return tap_done();
}
