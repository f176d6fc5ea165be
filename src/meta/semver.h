/*
 * semver.h: node-semver's parse/valid/prerelease/clean, as
 * docker/metadata-action calls them for `type=semver` tags.
 *
 * Strict grammar (what semver.valid() accepts): after JavaScript trim(),
 * an optional single leading "v", then MAJOR.MINOR.PATCH (decimal, no
 * leading zeros, each at most 2^53-1), an optional "-" and dot-separated
 * prerelease identifiers ([0-9A-Za-z-]+, numeric ones without leading
 * zeros), an optional "+" and dot-separated build identifiers
 * ([0-9A-Za-z-]+, leading zeros allowed).  The untrimmed input may be at
 * most 256 UTF-16 code units long.  "=1.2.3" is NOT valid in strict mode
 * (only semver_clean() strips "=").
 *
 * What node-semver keeps in a parsed SemVer, and so what a handlebars
 * template like "{{major}}.{{minor}}" sees:
 *   raw      the input exactly as passed, NOT trimmed (" v1.2.3" stays so)
 *   version  "MAJOR.MINOR.PATCH[-PRERELEASE]", no "v", no build
 *   major, minor, patch      numbers
 *   prerelease, build        arrays; handlebars prints an array as its
 *                            elements joined with "," (JS Array#toString)
 *
 * Ownership: a struct semver owns all its strings; semver_release()
 * frees them.  Invalid input is not an error message: semver_parse()
 * returns -1 quietly and the caller decides (metadata-action warns and
 * skips the rule).
 */
#ifndef SEMVER_H
#define SEMVER_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct semver {
	char *raw;		/* input as given */
	char *version;		/* normalised "1.2.3-rc.1" */
	uint64_t major, minor, patch;
	char *major_str, *minor_str, *patch_str;
	char **prerelease;	/* identifiers, in order */
	size_t prerelease_nr;
	char *prerelease_str;	/* joined with '.', "" when none */
	char **build;
	size_t build_nr;
	char *build_str;	/* joined with '.', "" when none */
};

#define SEMVER_MAX_LENGTH 256

/*
 * Parse input as semver.parse(input) does (strict).  0 and *out filled
 * (release it with semver_release) when valid; -1 and *out untouched
 * when not, without printing anything.
 */
int semver_parse(struct semver *out, const char *input);

/* semver.valid(input): 1 when valid, 0 when not. */
int semver_valid(const char *input);

/*
 * semver.clean(input): trim, strip leading '=' and 'v' characters, parse;
 * 0 and the normalised version appended to out, or -1 (quiet) if invalid.
 */
int semver_clean(const char *input, struct strbuf *out);

/* semver.prerelease(v) is non-null: the version has prerelease identifiers. */
int semver_is_prerelease(const struct semver *v);

/*
 * The text handlebars renders for {{name}} over the SemVer object that
 * metadata-action builds with semver.parse(v, {loose: true}): "version",
 * "major", "minor", "patch", "raw", "prerelease" and "build" (arrays
 * joined with ","), "loose" ("true"), "includePrerelease" ("false"),
 * "options" ("[object Object]"), and the handlebars paths
 * {{prerelease.[N]}} / {{build.[N]}} (one identifier; nothing when out
 * of range) and {{prerelease.length}} / {{build.length}}, passed here
 * as "prerelease.N", "build.length"... (segments joined with '.', the
 * [] of a segment literal removed).  Appends to out and returns 0, or
 * -1 for any other name (handlebars renders unknown names as "").  The
 * text is unescaped: HTML escaping is the template engine's business
 * (a strictly valid version holds no character handlebars escapes).
 */
int semver_field(const struct semver *v, const char *name, struct strbuf *out);

/*
 * node-semver's compare(a, b): core numbers, then a version with a
 * prerelease below the same one without, then the identifiers one by
 * one (numeric ones numerically and below alphanumeric ones, a shorter
 * list below a longer one); build ignored.  <0, 0, >0.
 */
int semver_compare(const struct semver *a, const struct semver *b);

enum semver_bump { SEMVER_MAJOR, SEMVER_MINOR, SEMVER_PATCH };

/*
 * semver.inc(v, bump) appended to out as "X.Y.Z": a prerelease of the
 * version the bump leads to becomes that version (1.0.0-rc.1 + patch is
 * 1.0.0, 1.2.0-rc.1 + minor is 1.2.0).
 */
void semver_inc(const struct semver *v, enum semver_bump bump, struct strbuf *out);

void semver_release(struct semver *v);

#endif
