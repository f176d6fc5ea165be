/*
 * dockerignore.c: .dockerignore read and matched exactly as Docker does
 * (moby/patternmatcher and its ignorefile reader, and the context walk
 * of tonistiigi/fsutil filter.go that BuildKit uses).  See dockerignore.h.
 *
 * Each pattern is compiled the way patternmatcher compiles it: a plain
 * path is an exact match, a trailing double star a prefix match, a
 * leading double star before a plain path a suffix match, anything else the same regular expression patternmatcher
 * builds, run by PCRE2 (anchored, '$' only at the very end, as Go's
 * regexp).  Go's regexp runs in linear time, so PCRE2 runs it the same
 * way: pcre2_dfa_match(), which walks the subject once keeping every
 * live state, instead of the backtracking pcre2_match() that took
 * seconds a path on a line like a*a*a*a*a*a*a*a*c.
 */
#include "lib/common.h"
#include "build/dockerignore.h"
#include "build/gopath.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { MATCH_EXACT = 1, MATCH_PREFIX, MATCH_SUFFIX, MATCH_REGEXP };

void dockerignore_init(struct dockerignore *di)
{
	memset(di, 0, sizeof(*di));
	di->prefix_exceptions = 1;
}

void dockerignore_release(struct dockerignore *di)
{
	if (!di)
		return;
	for (size_t i = 0; i < di->nr; i++) {
		free(di->patterns[i].text);
		pcre2_code_free(di->patterns[i].re);
		pcre2_code_free(di->patterns[i].re_bytes);
	}
	free(di->patterns);
	dockerignore_init(di);
}

void dockerignore_state_release(struct dockerignore_state *st)
{
	if (!st)
		return;
	free(st->matched);
	st->matched = NULL;
	st->nr = 0;
}

/* Go's strings.TrimSpace for ASCII */
static void trim(const char **s, size_t *n)
{
	while (*n && strchr(" \t\n\v\f\r", **s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && strchr(" \t\n\v\f\r", (*s)[*n - 1]))
		(*n)--;
}

static int is_escaped_meta(int c)
{
	return c == '.' || c == '+' || c == '(' || c == ')' || c == '|' || c == '{' || c == '}' ||
	       c == '$';
}

/*
 * The regexp against path[0..n) in one pass (the DFA algorithm: no
 * backtracking): 1 match, 0 none, -1 the regexp has what the DFA
 * algorithm cannot run (a back reference: Go's regexp refuses those too).
 */
static int regexp_match(const pcre2_code *re, const char *path, size_t n)
{
	int stack_ws[256], *ws = stack_ws;
	size_t wsn = ARRAY_SIZE(stack_ws);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	for (;;) {
		rc = pcre2_dfa_match(re, (PCRE2_SPTR)path, n, 0, PCRE2_DFA_SHORTEST, md, NULL, ws, wsn);
		if (rc != PCRE2_ERROR_DFA_WSSIZE || wsn >= (1u << 20))
			break;
		/* more live states than fit: a bigger workspace */
		wsn *= 4;
		if (ws != stack_ws)
			free(ws);
		ws = xmalloc(wsn * sizeof(*ws));
	}
	if (ws != stack_ws)
		free(ws);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* patternmatcher's compile(): the match type and the regexp */
static int compile(struct dockerignore_pattern *p)
{
	struct strbuf re = STRBUF_INIT;
	const char *s = p->text;
	int type = MATCH_EXACT, rc = 0;

	strbuf_addch(&re, '^');
	for (int i = 0; *s; i++) {
		int c = (unsigned char)*s++;

		if (c == '*') {
			if (*s == '*') {
				s++;
				if (*s == '/')
					s++;
				if (!*s) {
					if (type == MATCH_EXACT) {
						type = MATCH_PREFIX;
					} else {
						strbuf_addstr(&re, ".*");
						type = MATCH_REGEXP;
					}
				} else {
					strbuf_addstr(&re, "(.*/)?");
					type = MATCH_REGEXP;
				}
				if (i == 0)
					type = MATCH_SUFFIX;
			} else {
				strbuf_addstr(&re, "[^/]*");
				type = MATCH_REGEXP;
			}
		} else if (c == '?') {
			strbuf_addstr(&re, "[^/]");
			type = MATCH_REGEXP;
		} else if (is_escaped_meta(c)) {
			strbuf_addch(&re, '\\');
			strbuf_addch(&re, c);
		} else if (c == '\\') {
			if (*s) {
				strbuf_addch(&re, '\\');
				strbuf_addch(&re, *s++);
				type = MATCH_REGEXP;
			} else {
				strbuf_addch(&re, '\\');
			}
		} else if (c == '[' || c == ']') {
			strbuf_addch(&re, c);
			type = MATCH_REGEXP;
		} else {
			strbuf_addch(&re, c);
		}
	}
	p->type = type;
	if (type == MATCH_REGEXP) {
		int err;
		PCRE2_SIZE off;

		strbuf_addch(&re, '$');
		/*
		 * Go decodes the path as UTF-8, an invalid byte standing for
		 * one character: UTF mode for valid paths, byte mode for the
		 * others (and for a pattern that is not UTF-8 itself).
		 */
		p->re = pcre2_compile((PCRE2_SPTR)re.buf, re.len, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY,
				      &err, &off, NULL);
		p->re_bytes = pcre2_compile((PCRE2_SPTR)re.buf, re.len, PCRE2_DOLLAR_ENDONLY, &err,
					    &off, NULL);
		/* what the DFA algorithm cannot run is a syntax error, as in Go */
		if (!p->re_bytes || regexp_match(p->re_bytes, "", 0) < 0)
			rc = -1;
	}
	strbuf_release(&re);
	return rc;
}

static int pattern_match(const struct dockerignore_pattern *p, const char *path, size_t n)
{
	size_t plen = strlen(p->text);

	switch (p->type) {
	case MATCH_EXACT:
		return n == plen && !memcmp(path, p->text, n);
	case MATCH_PREFIX:
		return n >= plen - 2 && !memcmp(path, p->text, plen - 2);
	case MATCH_SUFFIX: {
		const char *suffix = p->text + 2;
		size_t sl = plen - 2;

		if (n >= sl && !memcmp(path + n - sl, suffix, sl))
			return 1;
		return sl && suffix[0] == '/' && n == sl - 1 && !memcmp(path, suffix + 1, n);
	}
	case MATCH_REGEXP:
		if (p->re && gopath_utf8_valid(path, n))
			return regexp_match(p->re, path, n) > 0;
		return regexp_match(p->re_bytes, path, n) > 0;
	}
	return 0;
}

static void add_pattern(struct dockerignore *di, const char *text, int line, int exclusion)
{
	struct dockerignore_pattern *p;

	ALLOC_GROW(di->patterns, di->nr + 1, di->alloc);
	p = &di->patterns[di->nr++];
	memset(p, 0, sizeof(*p));
	p->text = xstrdup(text);
	p->exclusion = exclusion;
	p->line = line;
}

/* fsutil's patternWithoutTrailingGlob */
static size_t without_trailing_glob(const char *s)
{
	size_t n = strlen(s);

	if (n >= 3 && !strcmp(s + n - 3, "/**"))
		n -= 3;
	if (n >= 2 && !strncmp(s + n - 2, "/*", 2))
		n -= 2;
	return n;
}

int dockerignore_load(struct dockerignore *di, const char *buf, size_t len, const char *filename)
{
	struct strbuf pat = STRBUF_INIT, clean = STRBUF_INIT;
	size_t pos = 0;
	int line = 0, rc = 0;

	if (!filename)
		filename = ".dockerignore";
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		int invert;

		pos += n + (nl ? 1 : 0);
		if (n && s[n - 1] == '\r')
			n--;
		line++;
		/* ignorefile.ReadAll */
		if (n && *s == '#')
			continue;
		trim(&s, &n);
		if (!n)
			continue;
		invert = *s == '!';
		if (invert) {
			s++;
			n--;
			trim(&s, &n);
		}
		strbuf_reset(&pat);
		if (n) {
			char *tmp = xstrndup(s, n);

			gopath_clean(tmp, &pat);
			free(tmp);
			if (pat.len > 1 && pat.buf[0] == '/') {
				memmove(pat.buf, pat.buf + 1, pat.len);
				strbuf_setlen(&pat, pat.len - 1);
			}
		}
		if (invert) {
			struct strbuf t = STRBUF_INIT;

			strbuf_addch(&t, '!');
			strbuf_addbuf(&t, &pat);
			strbuf_reset(&pat);
			strbuf_addbuf(&pat, &t);
			strbuf_release(&t);
		}
		/* patternmatcher.New: trim, clean again, '!' */
		{
			const char *q = pat.buf;
			size_t qn = pat.len;
			struct dockerignore_pattern *p;
			int exclusion = 0;

			trim(&q, &qn);
			if (!qn)
				continue;
			{
				char *tmp = xstrndup(q, qn);

				strbuf_reset(&clean);
				gopath_clean(tmp, &clean);
				free(tmp);
			}
			if (clean.buf[0] == '!') {
				if (clean.len == 1) {
					rc = error_as(EXIT_CONTEXT, "%s:%d: illegal exclusion pattern: \"!\"",
						      filename, line);
					goto out;
				}
				exclusion = 1;
			}
			if (gopath_match(clean.buf + exclusion, ".") < 0) {
				rc = error_as(EXIT_CONTEXT, "%s:%d: syntax error in pattern '%s'",
					      filename, line, clean.buf);
				goto out;
			}
			add_pattern(di, clean.buf + exclusion, line, exclusion);
			p = &di->patterns[di->nr - 1];
			if (compile(p) < 0) {
				rc = error_as(EXIT_CONTEXT, "%s:%d: syntax error in pattern '%s'",
					      filename, line, clean.buf);
				free(p->text);
				pcre2_code_free(p->re);
				pcre2_code_free(p->re_bytes);
				di->nr--;
				goto out;
			}
			if (exclusion) {
				di->exclusions = 1;
				if (strpbrk(p->text, "*[]?^\\") &&
				    strpbrk(p->text, "*[]?^\\") < p->text + without_trailing_glob(p->text))
					di->prefix_exceptions = 0;
			}
		}
	}
out:
	strbuf_release(&pat);
	strbuf_release(&clean);
	return rc;
}

/* the pattern against path or one of its parent directories */
static int match_or_parent(const struct dockerignore_pattern *p, const char *path)
{
	const char *slash;

	if (pattern_match(p, path, strlen(path)))
		return 1;
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/'))
		if (pattern_match(p, path, slash - path))
			return 1;
	return 0;
}

int dockerignore_match(const struct dockerignore *di, const char *relpath, int is_dir)
{
	struct strbuf path = STRBUF_INIT;
	int matched = 0;

	(void)is_dir;
	gopath_clean(relpath, &path);
	if (!strcmp(path.buf, ".")) {
		strbuf_release(&path);
		return 0;
	}
	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->patterns[i];

		if (p->exclusion != matched)
			continue;
		if (match_or_parent(p, path.buf))
			matched = !p->exclusion;
	}
	strbuf_release(&path);
	return matched;
}

static int exception_below(const struct dockerignore *di, const char *reldir)
{
	size_t dl = strlen(reldir);

	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->patterns[i];
		size_t n;

		if (!p->exclusion)
			continue;
		n = without_trailing_glob(p->text);
		/* (pattern + "/") starts with (reldir + "/") */
		if (n + 1 >= dl + 1 && !memcmp(p->text, reldir, dl) && (n == dl || p->text[dl] == '/'))
			return 1;
	}
	return 0;
}

int dockerignore_can_skip_dir(const struct dockerignore *di, const char *reldir)
{
	if (!di->prefix_exceptions)
		return 0;
	if (!di->exclusions)
		return 1;
	return !exception_below(di, reldir);
}

enum dockerignore_verdict dockerignore_walk(const struct dockerignore *di, const char *relpath,
					    int is_dir, const struct dockerignore_state *parent,
					    struct dockerignore_state *out)
{
	unsigned char *info = di->nr ? xcalloc(di->nr, 1) : NULL;
	int have_parent = parent && parent->nr == di->nr && di->nr;
	int matched = 0;
	enum dockerignore_verdict v;

	for (size_t i = 0; i < di->nr; i++) {
		const struct dockerignore_pattern *p = &di->patterns[i];
		int m = have_parent ? parent->matched[i] : 0;

		if (!m) {
			if (p->exclusion != matched)
				continue;
			m = have_parent ? pattern_match(p, relpath, strlen(relpath))
					: match_or_parent(p, relpath);
		}
		info[i] = m;
		if (m)
			matched = !p->exclusion;
	}
	if (!matched)
		v = DOCKERIGNORE_INCLUDE;
	else if (is_dir && dockerignore_can_skip_dir(di, relpath))
		v = DOCKERIGNORE_SKIP;
	else
		v = DOCKERIGNORE_EXCLUDE;
	if (out && is_dir && v != DOCKERIGNORE_SKIP) {
		out->matched = info;
		out->nr = di->nr;
	} else {
		free(info);
		if (out) {
			out->matched = NULL;
			out->nr = 0;
		}
	}
	return v;
}
