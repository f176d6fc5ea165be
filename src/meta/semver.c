/*
 * semver.c: node-semver's strict version grammar (see semver.h).
 *
 * A hand-written scanner over the trimmed input instead of a regex: the
 * grammar is a fixed sequence (v? N.N.N (-pre)? (+build)?) with no
 * ambiguity, so scanning left to right gives the same answer as
 * node-semver's anchored FULL regex.
 */
#include "lib/common.h"
#include "meta/semver.h"
#include "meta/jsstr.h"

#define MAX_SAFE_INTEGER_STR "9007199254740991"

static int is_ident_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric identifier: "0" or [1-9][0-9]*, at most 2^53-1. */
static int scan_number(const char *s, size_t len, size_t *pos, char **out)
{
	size_t b = *pos, e = b;

	while (e < len && s[e] >= '0' && s[e] <= '9')
		e++;
	if (e == b || (s[b] == '0' && e - b > 1))
		return -1;
	if (e - b > strlen(MAX_SAFE_INTEGER_STR) ||
	    (e - b == strlen(MAX_SAFE_INTEGER_STR) &&
	     memcmp(s + b, MAX_SAFE_INTEGER_STR, e - b) > 0))
		return -1;
	*out = xstrndup(s + b, e - b);
	*pos = e;
	return 0;
}

/*
 * Dot-separated identifiers of [0-9A-Za-z-]+ up to the first character
 * that cannot belong to one; numeric ones checked for leading zeros
 * when is_prerelease.
 */
static int scan_idents(const char *s, size_t len, size_t *pos, int is_prerelease,
		       char ***items, size_t *nr, char **joined)
{
	size_t i = *pos, alloc = 0;
	char **arr = NULL;
	size_t n = 0;

	for (;;) {
		size_t b = i;
		int numeric = 1;

		while (i < len && is_ident_char((unsigned char)s[i])) {
			if (s[i] < '0' || s[i] > '9')
				numeric = 0;
			i++;
		}
		if (i == b)
			goto bad;
		if (is_prerelease && numeric && s[b] == '0' && i - b > 1)
			goto bad;
		ALLOC_GROW(arr, n + 1, alloc);
		arr[n++] = xstrndup(s + b, i - b);
		if (i < len && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	*joined = xstrndup(s + *pos, i - *pos);
	*items = arr;
	*nr = n;
	*pos = i;
	return 0;
bad:
	while (n)
		free(arr[--n]);
	free(arr);
	return -1;
}

int semver_parse(struct semver *out, const char *input)
{
	struct semver v = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t b, e, len = strlen(input), i;
	const char *s;

	if (jsstr_utf16_len(input, len) > SEMVER_MAX_LENGTH)
		return -1;
	jsstr_trim_span(input, len, &b, &e);
	s = input + b;
	len = e - b;
	i = 0;
	if (i < len && s[i] == 'v')
		i++;
	if (scan_number(s, len, &i, &v.major_str) < 0 || i >= len || s[i++] != '.' ||
	    scan_number(s, len, &i, &v.minor_str) < 0 || i >= len || s[i++] != '.' ||
	    scan_number(s, len, &i, &v.patch_str) < 0)
		goto bad;
	if (i < len && s[i] == '-') {
		i++;
		if (scan_idents(s, len, &i, 1, &v.prerelease, &v.prerelease_nr,
				&v.prerelease_str) < 0)
			goto bad;
	}
	if (i < len && s[i] == '+') {
		i++;
		if (scan_idents(s, len, &i, 0, &v.build, &v.build_nr, &v.build_str) < 0)
			goto bad;
	}
	if (i != len)
		goto bad;

	if (!v.prerelease_str)
		v.prerelease_str = xstrdup("");
	if (!v.build_str)
		v.build_str = xstrdup("");
	v.major = strtoull(v.major_str, NULL, 10);
	v.minor = strtoull(v.minor_str, NULL, 10);
	v.patch = strtoull(v.patch_str, NULL, 10);
	v.raw = xstrdup(input);
	strbuf_addf(&sb, "%s.%s.%s", v.major_str, v.minor_str, v.patch_str);
	if (v.prerelease_nr)
		strbuf_addf(&sb, "-%s", v.prerelease_str);
	v.version = strbuf_detach(&sb, NULL);
	*out = v;
	return 0;
bad:
	semver_release(&v);
	return -1;
}

int semver_valid(const char *input)
{
	struct semver v;

	if (semver_parse(&v, input) < 0)
		return 0;
	semver_release(&v);
	return 1;
}

int semver_clean(const char *input, struct strbuf *out)
{
	struct semver v;
	size_t b, e;
	char *tmp;
	int rc;

	jsstr_trim_span(input, strlen(input), &b, &e);
	while (b < e && (input[b] == '=' || input[b] == 'v'))
		b++;
	tmp = xstrndup(input + b, e - b);
	rc = semver_parse(&v, tmp);
	free(tmp);
	if (rc < 0)
		return -1;
	strbuf_addstr(out, v.version);
	semver_release(&v);
	return 0;
}

int semver_is_prerelease(const struct semver *v)
{
	return v->prerelease_nr > 0;
}

static void add_joined(struct strbuf *out, char **items, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_addstr(out, items[i]);
	}
}

/* "LIST.N" or "LIST.length" for an array field; -1 if name is not one. */
static int array_path(const char *name, const char *list, char **items, size_t nr,
		      struct strbuf *out)
{
	size_t len = strlen(list);
	const char *rest;
	char *end;
	unsigned long idx;

	if (strncmp(name, list, len) || name[len] != '.')
		return -1;
	rest = name + len + 1;
	if (!strcmp(rest, "length")) {
		strbuf_addf(out, "%zu", nr);
		return 0;
	}
	if (!*rest || (rest[0] == '0' && rest[1]) || rest[0] < '0' || rest[0] > '9')
		return -1;
	idx = strtoul(rest, &end, 10);
	if (*end)
		return -1;
	if (idx < nr)
		strbuf_addstr(out, items[idx]);
	return 0;
}

int semver_field(const struct semver *v, const char *name, struct strbuf *out)
{
	if (!array_path(name, "prerelease", v->prerelease, v->prerelease_nr, out) ||
	    !array_path(name, "build", v->build, v->build_nr, out))
		return 0;
	if (!strcmp(name, "version"))
		strbuf_addstr(out, v->version);
	else if (!strcmp(name, "major"))
		strbuf_addstr(out, v->major_str);
	else if (!strcmp(name, "minor"))
		strbuf_addstr(out, v->minor_str);
	else if (!strcmp(name, "patch"))
		strbuf_addstr(out, v->patch_str);
	else if (!strcmp(name, "raw"))
		strbuf_addstr(out, v->raw);
	else if (!strcmp(name, "prerelease"))
		add_joined(out, v->prerelease, v->prerelease_nr);
	else if (!strcmp(name, "build"))
		add_joined(out, v->build, v->build_nr);
	else if (!strcmp(name, "loose"))
		strbuf_addstr(out, "true");
	else if (!strcmp(name, "includePrerelease"))
		strbuf_addstr(out, "false");
	else if (!strcmp(name, "options"))
		strbuf_addstr(out, "[object Object]");
	else
		return -1;
	return 0;
}

static int is_numeric(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* two decimal strings without leading zeros */
static int compare_numstr(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

int semver_compare(const struct semver *a, const struct semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	if (!a->prerelease_nr || !b->prerelease_nr)
		return !a->prerelease_nr - !b->prerelease_nr;
	for (size_t i = 0;; i++) {
		const char *x, *y;
		int nx, ny, c;

		if (i == a->prerelease_nr || i == b->prerelease_nr)
			return (i < a->prerelease_nr) - (i < b->prerelease_nr);
		x = a->prerelease[i];
		y = b->prerelease[i];
		nx = is_numeric(x);
		ny = is_numeric(y);
		if (nx != ny)
			return nx ? -1 : 1;
		c = nx ? compare_numstr(x, y) : strcmp(x, y);
		if (c)
			return c < 0 ? -1 : 1;
	}
}

void semver_inc(const struct semver *v, enum semver_bump bump, struct strbuf *out)
{
	uint64_t major = v->major, minor = v->minor, patch = v->patch;
	int pre = v->prerelease_nr > 0;

	switch (bump) {
	case SEMVER_MAJOR:
		if (minor || patch || !pre)
			major++;
		minor = patch = 0;
		break;
	case SEMVER_MINOR:
		if (patch || !pre)
			minor++;
		patch = 0;
		break;
	case SEMVER_PATCH:
		if (!pre)
			patch++;
		break;
	}
	strbuf_addf(out, "%llu.%llu.%llu", (unsigned long long)major,
		    (unsigned long long)minor, (unsigned long long)patch);
}

void semver_release(struct semver *v)
{
	if (!v)
		return;
	free(v->raw);
	free(v->version);
	free(v->major_str);
	free(v->minor_str);
	free(v->patch_str);
	for (size_t i = 0; i < v->prerelease_nr; i++)
		free(v->prerelease[i]);
	free(v->prerelease);
	free(v->prerelease_str);
	for (size_t i = 0; i < v->build_nr; i++)
		free(v->build[i]);
	free(v->build);
	free(v->build_str);
	memset(v, 0, sizeof(*v));
}
