/*
 * test-describe.c: describe_resolve() over hand-made history answers
 * (what src/git/githistory.c hands on), and semver_compare/semver_inc
 * that it and conventional rest on.
 */
#include "lib/common.h"
#include "meta/describe.h"
#include "tap.h"

static void hist(struct describe_history *h, const char *prefix, const char *tag,
		 const char *const *at, size_t distance)
{
	memset(h, 0, sizeof(*h));
	h->tag_prefix = xstrdup(prefix);
	h->paths = xstrdup("");
	h->loaded = 1;
	h->head = xstrdup("0123456789abcdef0123456789abcdef01234567");
	h->short_sha = xstrdup("0123456");
	h->tag = tag ? xstrdup(tag) : NULL;
	for (; at && *at; at++)
		strlist_push(&h->tags_at, *at);
	h->prefix_tags = h->tags_at.nr;
	h->distance = distance;
}

static void resolves(const char *prefix, const char *tag, const char *const *at, size_t distance,
		     const char *raw, const char *version, const char *major)
{
	struct describe_history h;
	struct describe_version v;
	struct strbuf err = STRBUF_INIT;
	int rc;

	hist(&h, prefix, tag, at, distance);
	rc = describe_resolve(&h, &v, &err);
	if (!raw) {
		ok(rc < 0 && err.len, "%s: refused (%s)", tag, err.buf);
	} else if (ok(rc == 0, "%s at %zu resolves", tag ? tag : "(none)", distance)) {
		is_str(v.raw, raw, "raw");
		is_str(v.version, version, "version");
		is_str(v.base.major_str, major, "major");
		is_int(v.distance, distance, "distance");
		describe_version_release(&v);
	}
	describe_history_release(&h);
	strbuf_release(&err);
}

static int cmp(const char *a, const char *b)
{
	struct semver x, y;
	int c;

	if (semver_parse(&x, a) < 0 || semver_parse(&y, b) < 0)
		return 99;
	c = semver_compare(&x, &y);
	semver_release(&x);
	semver_release(&y);
	return c;
}

static void inc_is(const char *v, enum semver_bump b, const char *want)
{
	struct semver x;
	struct strbuf sb = STRBUF_INIT;

	if (semver_parse(&x, v) < 0)
		return;
	semver_inc(&x, b, &sb);
	is_str(sb.buf, want, "inc %s", v);
	semver_release(&x);
	strbuf_release(&sb);
}

int main(void)
{
	static const char *const one[] = { "v1.2.3", NULL };
	static const char *const several[] = { "v1.9.0", "v1.10.0", "v1.10.0-rc.1", "1.2.0", NULL };
	static const char *const svc[] = { "history/v0.3.1", NULL };
	static const char *const notver[] = { "v1.2.3.4", NULL };

	resolves("", "v1.2.3", one, 5, "v1.2.3-5-g0123456", "1.2.3-5-g0123456", "1");
	resolves("", "v1.2.3", one, 0, "v1.2.3", "1.2.3", "1");
	resolves("", "v1.9.0", several, 0, "v1.10.0", "1.10.0", "1");
	resolves("", "v1.9.0", several, 2, "v1.10.0-2-g0123456", "1.10.0-2-g0123456", "1");
	resolves("history/v", "history/v0.3.1", svc, 1, "history/v0.3.1-1-g0123456", "0.3.1-1-g0123456", "0");
	resolves("", NULL, NULL, 4, "0123456", "0.0.0-4-g0123456", "0");
	resolves("", "v1.2.3.4", notver, 1, NULL, NULL, NULL);

	ok(cmp("1.10.0", "1.9.0") > 0, "numeric, not text");
	ok(cmp("1.0.0-rc.1", "1.0.0") < 0, "prerelease below release");
	ok(cmp("1.0.0-rc.2", "1.0.0-rc.10") < 0, "numeric identifiers");
	ok(cmp("1.0.0-1", "1.0.0-a") < 0, "numeric below alphanumeric");
	ok(cmp("1.0.0-a", "1.0.0-a.1") < 0, "shorter below longer");
	ok(cmp("1.0.0+b1", "1.0.0+b2") == 0, "build ignored");

	inc_is("1.2.3", SEMVER_MAJOR, "2.0.0");
	inc_is("1.2.3", SEMVER_MINOR, "1.3.0");
	inc_is("1.2.3", SEMVER_PATCH, "1.2.4");
	inc_is("2.0.0-rc.1", SEMVER_MAJOR, "2.0.0");
	inc_is("1.3.0-rc.1", SEMVER_MINOR, "1.3.0");
	inc_is("1.2.4-rc.1", SEMVER_PATCH, "1.2.4");
	inc_is("1.2.4-rc.1", SEMVER_MINOR, "1.3.0");
	return tap_done();
}
