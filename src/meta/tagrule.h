/*
 * tagrule.h: the entries of metadata-action's `tags` input, such as
 * `type=semver,pattern={{major}}.{{minor}},priority=950`.
 *
 * An entry is a CSV record; each field is split at its first '=' (after
 * at least one character) into a key (lower-cased) and a value, both
 * trimmed.  A field without '=' sets `value`.  `type` defaults to raw.
 * Per type, defaults are filled in and required attributes checked:
 *   schedule  pattern=nightly
 *   semver, pep440   pattern required; value= and match= default empty
 *   match     pattern required; group=0 (must be a number); value=
 *   edge      branch= (empty: the repository's default branch)
 *   ref       event required, one of branch|tag|pr; pr gets prefix=pr-
 *   raw       value required
 *   sha       prefix=sha-, format=short|long (short by default)
 *   describe, conventional  (ours, versions from the git history, see
 *             describe.h) pattern={{version}}, tag-prefix=, paths=,
 *             and for conventional pre=dev; any other attribute than
 *             these, prefix, suffix, enable and priority is an error.
 *             paths= takes the fields without '=' that follow it as
 *             more paths (paths=a,b is two paths, not a value).
 * and for all: enable=true, priority= the type's default (schedule 1000,
 * semver, pep440, describe and conventional 900, match 800, edge 700, ref 600, raw 200, sha 100).
 *
 * tagrule_list_parse() parses a whole list (the four default entries
 * when it is empty) and orders it by descending priority exactly as V8's
 * Array.prototype.sort does with metadata-action's comparator, so equal
 * priorities keep their input order.  Pure, no I/O.
 */
#ifndef TAGRULE_H
#define TAGRULE_H

#include <stddef.h>

struct strlist;
struct strbuf;

enum tagrule_type {
	TAGRULE_SCHEDULE,
	TAGRULE_SEMVER,
	TAGRULE_PEP440,
	TAGRULE_MATCH,
	TAGRULE_EDGE,
	TAGRULE_REF,
	TAGRULE_RAW,
	TAGRULE_SHA,
	TAGRULE_DESCRIBE,
	TAGRULE_CONVENTIONAL
};

struct tagrule_attr {
	char *key;
	char *value;
};

struct tagrule {
	enum tagrule_type type;
	struct tagrule_attr *attrs;	/* in first-set order, keys unique */
	size_t nr, alloc;
	char *source;			/* the entry as written */
};

struct tagrule_list {
	struct tagrule *rules;
	size_t nr, alloc;
};

#define TAGRULE_LIST_INIT { NULL, 0, 0 }

/* Parse one entry into out; -1 and a reason (quoting the entry) in err. */
int tagrule_parse(struct tagrule *out, const char *entry, struct strbuf *err);

/* The value of attribute key, or NULL when the rule does not have it. */
const char *tagrule_get(const struct tagrule *r, const char *key);
/* Set (or replace) attribute key. */
void tagrule_set(struct tagrule *r, const char *key, const char *value);

const char *tagrule_type_name(enum tagrule_type t);

void tagrule_release(struct tagrule *r);

/* Parse and sort a list of entries (defaults when empty); -1 and reason in err. */
int tagrule_list_parse(struct tagrule_list *out, const struct strlist *entries, struct strbuf *err);
void tagrule_list_release(struct tagrule_list *l);

/*
 * JavaScript's Number(s): 0 and *out set, or -1 when the result is NaN.
 * White space around is ignored, "" is 0, 0x/0o/0b prefixes and
 * "Infinity" are understood.
 */
int tagrule_js_number(const char *s, double *out);

#endif
