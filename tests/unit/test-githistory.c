/*
 * test-githistory.c: githistory_read_from() on histories held in memory
 * (the source the GitHub API fills for a shallow clone): git describe's
 * candidates and depth, the give-up after ten tags, the commits since the
 * tag and their messages, paths, `previous`, a history with no tag, and a
 * source that fails.  The answers are git's on the same histories
 * (t1201 compares the repository walk with git on every commit).
 */
#include "lib/common.h"
#include "git/githistory.h"
#include "tap.h"

#define MAXC 32
#define SHA_BUF 41

struct fake {
	int n;
	int parents[MAXC + 1][2];	/* 0: none */
	long long date[MAXC + 1];
	int fail_at;			/* commit whose reading fails, 0: none */
	int touched[MAXC + 1];		/* paths= says it changes them */
};

static void sha_of(int i, char *out)
{
	snprintf(out, SHA_BUF, "%040x", i);
}

static int number_of(const char *sha)
{
	return (int)strtol(sha + 32, NULL, 16);
}

static int fake_commit(void *data, const char *sha, struct githistory_commit *out)
{
	struct fake *f = data;
	int i = number_of(sha);
	char buf[SHA_BUF];

	if (i < 1 || i > f->n || i == f->fail_at)
		return error_as(EXIT_CONTEXT, "no commit %s", sha);
	for (int k = 0; k < 2; k++)
		if (f->parents[i][k]) {
			sha_of(f->parents[i][k], buf);
			strlist_push(&out->parents, buf);
		}
	out->date = f->date[i];
	snprintf(buf, sizeof(buf), "c%d", i);
	out->message = xstrdup(buf);
	return 0;
}

static int fake_touches(void *data, const char *sha, const struct strlist *paths)
{
	struct fake *f = data;

	(void)paths;
	return f->touched[number_of(sha)];
}

/* commits 1..n in a line, dates 100, 200, ... */
static void line(struct fake *f, int n)
{
	memset(f, 0, sizeof(*f));
	f->n = n;
	for (int i = 1; i <= n; i++) {
		f->parents[i][0] = i - 1;
		f->date[i] = 100 * i;
	}
}

static void tag(struct githistory_source *src, const char *name, int at)
{
	char buf[SHA_BUF];

	sha_of(at, buf);
	strlist_push(&src->tag_names, name);
	strlist_push(&src->tag_shas, buf);
}

static int ask(struct fake *f, struct githistory_source *src, int head, const char *prefix,
	       int messages, int with_paths, int previous, struct githistory *h)
{
	struct strlist paths = STRLIST_INIT;
	struct githistory_query q = { NULL, NULL, prefix, &paths, messages, previous };
	char buf[SHA_BUF];
	int rc;

	if (with_paths)
		strlist_push(&paths, "svc");
	src->commit = fake_commit;
	src->touches = fake_touches;
	src->data = f;
	sha_of(head, buf);
	rc = githistory_read_from(src, buf, &q, h);
	strlist_release(&paths);
	return rc;
}

static void reset(struct githistory_source *src, struct githistory *h)
{
	strlist_release(&src->tag_names);
	strlist_release(&src->tag_shas);
	githistory_release(h);
}

int main(void)
{
	struct githistory_source src = { NULL, NULL, STRLIST_INIT, STRLIST_INIT, NULL };
	struct githistory h = GITHISTORY_INIT;
	struct fake f;

	/* a line: the tag two commits back */
	line(&f, 4);
	tag(&src, "v1.0.0", 2);
	tag(&src, "latest", 3);
	if (ok(ask(&f, &src, 4, "", 1, 0, 0, &h) == 0, "a line: answered")) {
		is_str(h.tag, "v1.0.0", "the version tag, not 'latest'");
		is_int((int)h.distance, 2, "distance");
		is_int((int)h.counted, 2, "two commits since");
		is_int((int)h.messages.nr, 2, "their messages");
		ok(h.messages.nr == 2 && !strcmp(h.messages.items[0], "c4") && !strcmp(h.messages.items[1], "c3"),
		   "newest first");
		is_str(h.short_sha, "0000000", "seven digits");
	}
	reset(&src, &h);

	/* twelve tags on a line: the walk gives up after ten, the nearest wins */
	line(&f, 15);
	for (int i = 1; i <= 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "v1.%d.0", i);
		tag(&src, name, i);
	}
	if (ok(ask(&f, &src, 15, "", 0, 0, 0, &h) == 0, "twelve tags: answered")) {
		is_str(h.tag, "v1.12.0", "the nearest");
		is_int((int)h.distance, 3, "distance");
	}
	githistory_release(&h);

	/* the commit's own tag: distance 0; with previous, the one before */
	if (ok(ask(&f, &src, 12, "", 0, 0, 0, &h) == 0, "a tagged commit"))
		ok(h.tag && !strcmp(h.tag, "v1.12.0") && h.distance == 0, "its own tag at distance 0");
	githistory_release(&h);
	if (ok(ask(&f, &src, 12, "", 0, 0, 1, &h) == 0, "previous"))
		ok(h.tag && !strcmp(h.tag, "v1.11.0") && h.distance == 1, "the release before, at 1");
	reset(&src, &h);

	/*
	 * a merge: 1 <- 2 <- 4 (merge of 2 and 3), 1 <- 3; v0.1.0 on 1,
	 * v0.2.0 on 3 (newer than 2): the walk meets 3 first (depth 1),
	 * then 2, not within it (depth 2): v0.2.0-2, as git describe
	 */
	memset(&f, 0, sizeof(f));
	f.n = 4;
	f.parents[2][0] = 1;
	f.parents[3][0] = 1;
	f.parents[4][0] = 2;
	f.parents[4][1] = 3;
	f.date[1] = 100;
	f.date[2] = 200;
	f.date[3] = 300;
	f.date[4] = 400;
	f.touched[2] = 1;
	tag(&src, "v0.1.0", 1);
	tag(&src, "v0.2.0", 3);
	if (ok(ask(&f, &src, 4, "", 0, 1, 0, &h) == 0, "a merge: answered")) {
		is_str(h.tag, "v0.2.0", "the nearer tag by depth");
		is_int((int)h.distance, 2, "depth: 4 and 2");
		is_int((int)h.counted, 1, "paths: 2 only (4 is a merge)");
	}
	reset(&src, &h);

	/* a prefix: only its tags count; none reachable: every commit */
	line(&f, 3);
	tag(&src, "v9.0.0", 1);
	tag(&src, "svc/v0.1.0", 3);
	if (ok(ask(&f, &src, 2, "svc/v", 0, 0, 0, &h) == 0, "no tag of the prefix reachable")) {
		ok(!h.tag, "no tag");
		is_int((int)h.distance, 2, "every commit counted");
		is_int((int)h.prefix_tags, 1, "the prefix has one tag");
	}
	reset(&src, &h);

	/* a source that cannot give a commit: an error, no answer */
	line(&f, 5);
	f.fail_at = 3;
	tag(&src, "v1.0.0", 1);
	error_set_quiet(1);
	ok(ask(&f, &src, 5, "", 0, 0, 0, &h) < 0, "a missing commit is an error");
	error_set_quiet(0);
	ok(!h.head, "out untouched");
	reset(&src, &h);
	return tap_done();
}
