/*
 * githistory.h: what the tag rules that version from commits need to
 * know about a repository's history, read with libgit2 and handed on as
 * plain data (src/meta never reads git itself).
 *
 * One query is a commit (HEAD by default), a tag prefix and a list of
 * paths.  githistory_read() answers it as `git describe --tags
 * --abbrev=7` would, among the tags named <prefix><version> (those that
 * match "<prefix>[v0-9]*.[0-9]*.[0-9]*" and read "[v]X.Y.Z[-+...]" after
 * the prefix, so "latest", "deploy-prod" or "video@1.0.0" are never
 * found without a prefix):
 *   - git describe's own walk (builtin/describe.c of git 2.39: by
 *     committer date, up to 10 candidate tags, their depths, the early
 *     stop and the tie rules), on commits whose headers alone are read
 *     (git_odb_read: parents, tree, date; no message parsed), with the
 *     tagged commits in a table built once from the refs (gittags.h reads
 *     them, opening only the loose tags whose names can be versions;
 *     packed-refs' peeled lines spare reading annotated tags, and a loose
 *     one is peeled from the pack, gitpack.h);
 *   - every such tag on the commit describe found (several version tags
 *     on one commit: the caller picks the highest);
 *   - the distance and abbreviated sha git describe prints;
 *   - the commits of `git log TAG..HEAD` (git's limit_list() walk;
 *     every commit reachable when no tag is found) that are not merges
 *     and, when paths are given, change one of them (diff against the
 *     first parent; a root commit against the empty tree): their number
 *     and, when asked, messages (only those commits' messages are read).
 *
 * Ownership: struct githistory owns its strings; githistory_release().
 */
#ifndef GITHISTORY_H
#define GITHISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "lib/strlist.h"

struct githistory_query {
	const char *dir;		/* repository (discovered upwards); NULL: "." */
	const char *rev;		/* commit to describe; NULL or "": HEAD */
	const char *tag_prefix;		/* NULL or "": no prefix */
	const struct strlist *paths;	/* NULL or empty: every commit counts */
	int messages;			/* collect the counted commits' messages */
	int previous;			/* the tags on the commit itself do not count: the
					   previous release (paths= on type=semver) */
};

struct githistory {
	int empty;			/* the repository has no commit (nothing else set) */
	int shallow;			/* a shallow clone: only a tag on the commit itself is read */
	char *head;			/* full sha of the described commit */
	char *short_sha;		/* its abbreviation as git describe prints it */
	char *tag;			/* tag name describe found, NULL when none */
	char *tag_commit;		/* the full sha of its commit (NULL when none) */
	struct strlist tags_at;		/* every version-looking tag with the prefix on tag's commit */
	size_t prefix_tags;		/* tags in the repository that start with the prefix */
	size_t distance;		/* describe's distance; commits reachable when no tag */
	size_t counted;			/* non-merge commits since the tag touching paths */
	struct strlist messages;	/* their messages, newest first (when asked) */
};

#define GITHISTORY_INIT { 0, 0, NULL, NULL, NULL, NULL, STRLIST_INIT, 0, 0, 0, STRLIST_INIT }

/*
 * Answer q into out (set only on success).  0; -EXIT_CONTEXT with the
 * error printed when the repository cannot be opened or read;
 * -EXIT_INPUT when rev names no commit.
 */
int githistory_read(const struct githistory_query *q, struct githistory *out);

/*
 * A history read elsewhere: the GitHub API for a shallow clone
 * (src/github/ghctx.c).  The same walks run on its commits, asked for
 * one at a time by full sha; the tags are a list.
 */
struct githistory_commit {
	int64_t date;			/* committer date, seconds */
	struct strlist parents;		/* full shas, first parent first */
	char *message;			/* NULL when the source has none */
};

struct githistory_source {
	/* commit sha into out (initialised by the caller): 0, or negative with the error printed */
	int (*commit)(void *data, const char *sha, struct githistory_commit *out);
	/* 1 when commit sha changes one of paths against its first parent, 0 not, negative: error */
	int (*touches)(void *data, const char *sha, const struct strlist *paths);
	struct strlist tag_names, tag_shas;	/* tag_names[i] names commit tag_shas[i] */
	void *data;
};

/*
 * Answer q (its dir and rev unused) about commit head from src into
 * out, as githistory_read() would from the repository; abbreviations
 * are the first 7 digits.  0, or negative with the error printed.
 */
int githistory_read_from(const struct githistory_source *src, const char *head,
			 const struct githistory_query *q, struct githistory *out);

/* The glob the describe uses for a prefix, appended to out (tests). */
void githistory_pattern(const char *tag_prefix, struct strbuf *out);

void githistory_release(struct githistory *h);

#endif
