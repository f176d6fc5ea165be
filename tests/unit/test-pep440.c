/*
 * test-pep440.c: PEP 440 versions as @renovate/pep440 reads them,
 * against tests/data/pep440.cases (computed with that package).
 */
#include "lib/common.h"
#include "meta/pep440.h"
#include "tap.h"
#include "casefile.h"

static int yes(const struct case_block *b, const char *key)
{
	const char *v = case_get(b, key);

	return v && !strcmp(v, "yes");
}

static void is_field(const struct pep440 *v, const char *name, const char *want, int line)
{
	struct strbuf sb = STRBUF_INIT;

	ok(pep440_field(v, name, &sb) == 0, "line %d: field %s known", line, name);
	is_str(sb.buf, want, "line %d: {{%s}}", line, name);
	strbuf_release(&sb);
}

static void run_case(const struct case_block *b, const char *file)
{
	const char *in = case_get(b, "in"), *clean = case_get(b, "clean");
	struct strbuf sb = STRBUF_INIT;
	struct pep440 v;
	int rc;

	if (!in || !clean || !case_get(b, "valid")) {
		ok(0, "case at line %d is incomplete", b->line);
		return;
	}
	rc = pep440_parse(&v, in);
	is_int(rc == 0, yes(b, "valid"), "line %d: explain verdict", b->line);
	is_int(pep440_valid(in), yes(b, "valid"), "line %d: valid()", b->line);
	if (!rc) {
		is_str(v.public_version, case_get(b, "public"), "line %d: public", b->line);
		is_str(v.base_version, case_get(b, "base_version"), "line %d: base_version", b->line);
		if (!strcmp(case_get(b, "local"), "null"))
			ok(v.local_str == NULL, "line %d: no local", b->line);
		else
			is_str(v.local_str, case_get(b, "local"), "line %d: local", b->line);
		is_int(v.is_prerelease, yes(b, "is_prerelease"), "line %d: is_prerelease", b->line);
		is_int(v.is_postrelease, yes(b, "is_postrelease"), "line %d: is_postrelease", b->line);
		is_int(v.is_devrelease, yes(b, "is_devrelease"), "line %d: is_devrelease", b->line);
		is_field(&v, "raw", in, b->line);
		is_field(&v, "version", clean, b->line);
		is_field(&v, "major", case_get(b, "major"), b->line);
		is_field(&v, "minor", case_get(b, "minor"), b->line);
		is_field(&v, "patch", case_get(b, "patch"), b->line);
		pep440_release(&v);
	}
	rc = pep440_clean(in, &sb);
	if (!strcmp(clean, "null"))
		ok(rc < 0, "line %d: clean() refuses", b->line);
	else
		is_str(rc ? NULL : sb.buf, clean, "line %d: clean()", b->line);
	strbuf_release(&sb);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct pep440 v;
	int n;

	if ((n = casefile_run("pep440.cases", run_case)) < 0)
		return tap_done();
	ok(n > 100, "ran %d cases", n);

	ok(pep440_parse(&v, "1!2.3rc4.post5.dev6+Ab.7") == 0, "parse a full version");
	is_str(v.epoch, "1", "epoch");
	is_int(v.release_nr, 2, "two release numbers");
	is_str(v.pre, "rc4", "pre");
	is_str(v.post, "5", "post");
	is_str(v.dev, "6", "dev");
	is_int(v.local_nr, 2, "two local parts");
	is_str(v.local[0], "ab", "local lower-cased");
	is_str(v.clean, "1!2.3rc4.post5.dev6+ab,7", "clean joins local with ','");
	ok(pep440_field(&v, "epoch", &sb) < 0 && sb.len == 0, "unknown field refused");
	pep440_release(&v);
	pep440_release(&v);
	pep440_release(NULL);
	strbuf_release(&sb);
	return tap_done();
}
