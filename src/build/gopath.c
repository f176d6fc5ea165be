/*
 * gopath.c: Go's filepath.Match, path.Clean and utf8.Valid, as Docker
 * runs them, and the clean join below a root the context walk uses.  See gopath.h.  tests/data/dockerfile/glob.test holds Go's
 * match_test.go table, run by tests/unit/test-gopath.c.
 */
#include "lib/common.h"
#include "build/gopath.h"

/* ---- filepath.Match ---- */

/* Decode one (possibly escaped) class character; -1 on a bad pattern. */
static int glob_esc(const char **pp, unsigned *r)
{
	const char *p = *pp;

	if (!*p || *p == '-' || *p == ']')
		return -1;
	if (*p == '\\') {
		p++;
		if (!*p)
			return -1;
	}
	*r = (unsigned char)*p++;
	if (!*p)
		return -1;
	*pp = p;
	return 0;
}

/*
 * Match one chunk (no '*') at the start of s.  Returns -1 bad pattern,
 * 0 no match, 1 match with *rest set.  Keeps checking the pattern's
 * syntax after a mismatch, as Go does.
 */
static int glob_chunk(const char *chunk, size_t clen, const char *s, const char **rest)
{
	const char *end = chunk + clen;
	int failed = 0;

	while (chunk < end) {
		if (!failed && !*s)
			failed = 1;
		switch (*chunk) {
		case '[': {
			unsigned r = 0, lo, hi;
			int neg = 0, match = 0, nrange = 0;

			if (!failed)
				r = (unsigned char)*s++;
			chunk++;
			if (chunk < end && *chunk == '^') {
				neg = 1;
				chunk++;
			}
			for (;;) {
				if (chunk < end && *chunk == ']' && nrange > 0) {
					chunk++;
					break;
				}
				if (chunk >= end || glob_esc(&chunk, &lo) < 0)
					return -1;
				hi = lo;
				if (*chunk == '-') {
					chunk++;
					if (glob_esc(&chunk, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = 1;
				nrange++;
			}
			if (match == neg)
				failed = 1;
			break;
		}
		case '?':
			if (!failed) {
				if (*s == '/')
					failed = 1;
				s++;
			}
			chunk++;
			break;
		case '\\':
			chunk++;
			if (chunk >= end)
				return -1;
			/* fallthrough */
		default:
			if (!failed) {
				if (*chunk != *s)
					failed = 1;
				s++;
			}
			chunk++;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	return 1;
}

/* scanChunk: leading stars, then up to the next unbracketed '*'. */
static const char *glob_scan(const char *p, int *star, size_t *clen)
{
	const char *q;
	int inrange = 0;

	*star = 0;
	while (*p == '*') {
		p++;
		*star = 1;
	}
	for (q = p; *q; q++) {
		if (*q == '\\') {
			if (q[1])
				q++;
		} else if (*q == '[') {
			inrange = 1;
		} else if (*q == ']') {
			inrange = 0;
		} else if (*q == '*' && !inrange) {
			break;
		}
	}
	*clen = q - p;
	return p;
}

int gopath_match(const char *pattern, const char *name)
{
	const char *p = pattern;

	while (*p) {
		int star, rc;
		size_t clen;
		const char *chunk = glob_scan(p, &star, &clen), *t = NULL;

		p = chunk + clen;
		if (star && !clen)
			return !strchr(name, '/');
		rc = glob_chunk(chunk, clen, name, &t);
		if (rc > 0 && (!*t || *p)) {
			name = t;
			continue;
		}
		if (rc < 0)
			return -1;
		if (star) {
			int found = 0;

			for (size_t i = 0; name[i] && name[i] != '/'; i++) {
				rc = glob_chunk(chunk, clen, name + i + 1, &t);
				if (rc > 0) {
					if (!*p && *t)
						continue;
					name = t;
					found = 1;
					break;
				}
				if (rc < 0)
					return -1;
			}
			if (found)
				continue;
		}
		/* no match: the rest of the pattern must still be well formed */
		while (*p) {
			chunk = glob_scan(p, &star, &clen);
			p = chunk + clen;
			if (glob_chunk(chunk, clen, "", &t) < 0)
				return -1;
		}
		return 0;
	}
	return !*name;
}

int gopath_has_meta(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\') {
			if (s[1])
				s++;
		} else if (*s == '*' || *s == '?' || *s == '[') {
			return 1;
		}
	}
	return 0;
}

/* ---- utf8.Valid ---- */

size_t gopath_utf8_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		unsigned c = *p, lo = 0x80, hi = 0xBF;
		size_t len;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			break;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates */
		else if (c == 0xF0)
			lo = 0x90;	/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;	/* past U+10FFFF */
		if ((size_t)(e - p) < len || p[1] < lo || p[1] > hi)
			break;
		for (size_t i = 2; i < len; i++)
			if (p[i] < 0x80 || p[i] > 0xBF)
				return p - (const unsigned char *)s;
		p += len;
	}
	return p - (const unsigned char *)s;
}

int gopath_utf8_valid(const char *s, size_t n)
{
	return gopath_utf8_prefix(s, n) == n;
}

/* ---- path.Clean ---- */

void gopath_clean(const char *p, struct strbuf *out)
{
	int rooted = *p == '/';
	size_t start = out->len, base;

	if (!*p) {
		strbuf_addch(out, '.');
		return;
	}
	if (rooted)
		strbuf_addch(out, '/');
	base = out->len;
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		n = e - p;
		if (n == 1 && p[0] == '.') {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (out->len > base) {
				char *s = strrchr(out->buf + base, '/');
				strbuf_setlen(out, s ? (size_t)(s - out->buf) : base);
			} else if (!rooted) {
				if (out->len > start)
					strbuf_addch(out, '/');
				strbuf_addstr(out, "..");
				base = out->len;
			}
		} else {
			if (out->len > base || (!rooted && out->len > start))
				strbuf_addch(out, '/');
			strbuf_add(out, p, n);
		}
		p = e;
	}
	if (out->len == start)
		strbuf_addch(out, '.');
}

/* ---- below a root ---- */

void gopath_push(struct strbuf *out, const char *path)
{
	const char *p = path;

	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = e - p;

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out->buf, '/');

			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else {
			if (out->len)
				strbuf_addch(out, '/');
			strbuf_add(out, p, n);
		}
		p = *e ? e + 1 : e;
	}
}
