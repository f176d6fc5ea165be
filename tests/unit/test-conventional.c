/*
 * test-conventional.c: the bump of one message (tests/data/conventional.cases),
 * of several, preMajor below 1.0.0, and the version a rule yields.
 */
#include "lib/common.h"
#include "meta/conventional.h"
#include "lib/strlist.h"
#include "tap.h"
#include "casefile.h"

static const char *const names[] = { "major", "minor", "patch" };

static void run_case(const struct case_block *b, const char *file)
{
	const char *msg = case_get(b, "msg"), *bump = case_get(b, "bump");

	if (!msg || !bump) {
		ok(0, "%s:%d: the case is incomplete", file, b->line);
		return;
	}
	is_str(names[conventional_bump(msg)], bump, "line %d: bump of '%s'", b->line, msg);
}

static void version_is(const char *base, const char *const *msgs, size_t distance,
		       const char *pre, const char *want)
{
	struct strlist l = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct semver v;

	for (; msgs && *msgs; msgs++)
		strlist_push(&l, *msgs);
	if (!ok(semver_parse(&v, base) == 0, "parse %s", base))
		return;
	conventional_version(&v, &l, distance, pre, &sb);
	is_str(sb.buf, want, "from %s at distance %zu", base, distance);
	semver_release(&v);
	strlist_release(&l);
	strbuf_release(&sb);
}

int main(void)
{
	static const char *const fixes[] = { "fix: a", "chore: b", NULL };
	static const char *const feats[] = { "fix: a", "feat: b", "docs: c", NULL };
	static const char *const breaks[] = { "feat: a", "fix!: b", NULL };
	static const char *const footer[] = { "fix: a\n\nBREAKING CHANGE: x", NULL };
	int n;

	if ((n = casefile_run("conventional.cases", run_case)) < 0)
		return tap_done();
	ok(n >= 20, "ran %d cases", n);

	version_is("1.4.0", fixes, 2, "dev", "1.4.1-dev.2");
	version_is("1.4.0", feats, 3, "dev", "1.5.0-dev.3");
	version_is("1.4.0", breaks, 2, "dev", "2.0.0-dev.2");
	version_is("1.4.0", footer, 1, "rc", "2.0.0-rc.1");
	version_is("1.4.0", NULL, 0, "dev", "1.4.0");
	version_is("1.4.0", fixes, 2, "", "1.4.1");
	/* preMajor: one step down below 1.0.0 */
	version_is("0.3.1", breaks, 2, "dev", "0.4.0-dev.2");
	version_is("0.3.1", feats, 3, "dev", "0.3.2-dev.3");
	version_is("0.3.1", fixes, 2, "dev", "0.3.2-dev.2");
	/* from a prerelease, semver.inc semantics */
	version_is("1.0.0-rc.1", fixes, 1, "dev", "1.0.0-dev.1");
	version_is("1.2.0-rc.1", feats, 1, "dev", "1.2.0-dev.1");
	version_is("1.2.1-rc.1", feats, 1, "dev", "1.3.0-dev.1");
	version_is("2.0.0-rc.1", breaks, 1, "dev", "2.0.0-dev.1");
	version_is("1.0.0-rc.1", NULL, 0, "dev", "1.0.0-rc.1");
	return tap_done();
}
