/*
 * pep440.h: Python (PEP 440) versions as the npm package
 * @renovate/pep440 1.x sees them, for metadata-action's `type=pep440`.
 *
 * metadata-action calls pep440.valid(raw) to accept a version,
 * pep440.explain(raw) to decide whether it is a pre-, post- or
 * dev-release (then only the cleaned version is tagged and not
 * "latest"), and otherwise renders its pattern with the helpers
 *   {{raw}}    the input as given
 *   {{version}} pep440.clean(raw)
 *   {{major}} {{minor}} {{patch}}  release[0], release[1], release[2]
 *                                  (a missing one is 0)
 *
 * The package's own quirks are reproduced, because tags must match:
 * - every number goes through JavaScript's Number(): leading zeros go
 *   ("01" -> 1), numbers past 2^53 lose precision and from 1e21 on print
 *   as "1.2345678901234568e+22";
 * - a local segment part that Number() can read ("1e5", "0x1f",
 *   "Infinity") becomes that number, other parts are lower-cased;
 * - clean() joins the local parts with "," (a JS array in a template
 *   string), so "1.0+Ubuntu-1" cleans to "1.0+ubuntu,1"; explain()'s
 *   local joins them with ".";
 * - public is clean() cut at its first '+'.
 * valid() takes the input exactly (no surrounding white space); clean()
 * also accepts JavaScript white space around it.  Letters are matched
 * without regard to ASCII case.
 *
 * Ownership: a struct pep440 owns its strings; pep440_release() frees
 * them.  Invalid input returns -1 without a message: metadata-action
 * only warns and skips the rule, so the caller decides.
 */
#ifndef PEP440_H
#define PEP440_H

#include <stddef.h>

struct strbuf;

struct pep440 {
	char *raw;		/* input as given */
	char *epoch;		/* "0" when absent */
	char **release;		/* release numbers, as JS prints them */
	size_t release_nr;
	char *pre;		/* "a1", "b0", "rc2" or NULL */
	char *post;		/* post number ("0" for a bare "post") or NULL */
	char *dev;		/* dev number or NULL */
	char **local;		/* normalised local parts */
	size_t local_nr;
	char *local_str;	/* local parts joined with '.', or NULL */
	char *clean;		/* pep440.clean() */
	char *public_version;	/* explain().public */
	char *base_version;	/* explain().base_version */
	char *major, *minor, *micro;	/* release[0..2], "0" when missing */
	int is_prerelease;	/* pre or dev */
	int is_postrelease;
	int is_devrelease;
};

/*
 * pep440.explain(input): 0 and *out filled (free with pep440_release),
 * or -1 and *out untouched when input is not a valid version.
 */
int pep440_parse(struct pep440 *out, const char *input);

/* pep440.valid(input): 1 or 0. */
int pep440_valid(const char *input);

/* pep440.clean(input): 0 and the clean version appended to out, or -1. */
int pep440_clean(const char *input, struct strbuf *out);

/*
 * The text metadata-action's pep440 template helpers give for {{name}}:
 * "raw", "version", "major", "minor", "patch".  Appends to out and
 * returns 0, or -1 for any other name (handlebars renders those empty).
 */
int pep440_field(const struct pep440 *v, const char *name, struct strbuf *out);

void pep440_release(struct pep440 *v);

#endif
