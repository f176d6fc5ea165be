/*
 * describe.h: versions from a repository's history, for the tag types
 * `describe` and `conventional` (and `semver` with tag-prefix/paths).
 *
 * The history comes in as plain data, struct describe_history, one per
 * (tag-prefix, paths) the rules ask about: meta_history_wanted() lists
 * them, the caller fills them from git (src/git/githistory.h does the
 * reading, src/github/metaio.c the copying), meta_derive() reads them.
 * Nothing here reads git or the environment.
 *
 * describe_resolve() turns one answer into what `git describe --tags
 * --abbrev=7` would print, among the tags <tag-prefix><version>:
 *   - of the version tags on the commit describe found, the highest
 *     (node-semver order) wins; a tag that is not a version is ignored;
 *   - distance: describe's, or with paths the non-merge commits since
 *     the tag that touch them;
 *   - raw "v1.2.3-5-gabc1234" ("v1.2.3" at distance 0), version the same
 *     without the prefix and the "v" ("1.2.3-5-gabc1234", "1.2.3");
 *   - no version tag at all: base 0.0.0, distance counted from the root,
 *     raw the abbreviated sha (as `git describe --tags --always`),
 *     version "0.0.0-<distance>-g<sha>".
 */
#ifndef DESCRIBE_H
#define DESCRIBE_H

#include <stddef.h>
#include "lib/strlist.h"
#include "meta/semver.h"

struct describe_history {
	/* the question */
	char *tag_prefix;		/* "" for none */
	char *paths;			/* comma-separated, "" for none */
	int want_messages;		/* messages wanted (a conventional rule) */
	int previous;			/* from the release before the commit's own tags
					   (paths= on type=semver) */
	/* the answer, valid when loaded */
	int loaded;
	int empty;			/* no commit at all */
	int shallow;			/* a shallow clone: the history may be cut */
	int from_api;			/* answered by the GitHub API (a shallow clone's) */
	char *head;			/* full sha */
	char *short_sha;		/* as git describe abbreviates it */
	char *tag;			/* the tag describe found, NULL when none */
	struct strlist tags_at;		/* version-looking tags on tag's commit */
	size_t prefix_tags;		/* tags starting with tag_prefix */
	size_t distance;		/* describe's (all commits when no tag) */
	size_t counted;			/* non-merge commits since, touching paths */
	struct strlist messages;	/* their messages */
};

void describe_history_release(struct describe_history *h);

struct describe_version {
	int have_tag;			/* a version tag was found */
	char *tag;			/* its name, NULL when none */
	struct semver base;		/* its version; 0.0.0 when none */
	size_t distance;
	char *raw;
	char *version;
};

/*
 * Resolve h (loaded, not empty) into out.  0, or -1 with the reason in
 * err (the tag describe found is not a version).
 */
int describe_resolve(const struct describe_history *h, struct describe_version *out, struct strbuf *err);

void describe_version_release(struct describe_version *v);

#endif
