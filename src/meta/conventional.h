/*
 * conventional.h: the next version from Conventional Commits, as
 * conventional-recommended-bump computes it with conventional-changelog's
 * `conventionalcommits` preset.
 *
 * One commit message: the header (first line) is `type(scope)!: subject`
 * (the preset's headerPattern ^(\w*)(?:\((.*)\))?!?: (.*)$); a "!" right
 * before the ": " is a breaking change, and so is any later line that
 * matches ^[\s|*]*(BREAKING CHANGE|BREAKING-CHANGE)[:\s]+ (case
 * insensitive, as conventional-commits-parser reads note keywords).
 * Breaking is major, type "feat" or "feature" minor, anything else patch.
 * Over several commits the biggest bump wins; no commit is a patch.
 * Below 1.0.0 (preMajor) every bump moves one step down: breaking is
 * minor, feat patch.  Pure, no I/O.
 */
#ifndef CONVENTIONAL_H
#define CONVENTIONAL_H

#include "meta/semver.h"

struct strlist;
struct strbuf;

/* The bump one message asks for. */
enum semver_bump conventional_bump(const char *message);

/* The bump of a list of messages, for a version base (preMajor below 1.0.0). */
enum semver_bump conventional_bump_all(const struct strlist *messages, const struct semver *base);

/*
 * The version at distance commits after the tag of version base:
 * base's own version at distance 0, otherwise the next version
 * "X.Y.Z-<pre>.<distance>" (pre "" leaves out "-<pre>.<distance>").
 * Appended to out.
 */
void conventional_version(const struct semver *base, const struct strlist *messages,
			  size_t distance, const char *pre, struct strbuf *out);

#endif
