/*
 * test-gopath.c: Go's filepath.Match against the cases of
 * tests/data/dockerfile/glob.test, and path.Clean, the join below a
 * root, containsWildcards and utf8.Valid against small tables here.
 */
#include "lib/common.h"
#include "build/gopath.h"
#include "tap.h"
#include "datafile.h"

/* glob.test: "PATTERN NAME RESULT" (1, 0 or -1 for a bad pattern) */
static void run_glob(const char *path, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int lineno = 0, cases = 0;

	if (strbuf_read_file(&sb, path, 1 << 20) < 0) {
		ok(0, "read %s", path);
		return;
	}
	for (p = sb.buf; *p;) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p), pat[256], name[256];
		int want;

		lineno++;
		p = *nl ? nl + 1 : nl;
		if (*line && line[0] != '#') {
			cases++;
			if (sscanf(line, "%255s %255s %d", pat, name, &want) != 3) {
				ok(0, "%s:%d: malformed", file, lineno);
			} else {
				if (!strcmp(name, "''"))
					name[0] = '\0';
				is_int(gopath_match(pat, name), want, "%s:%d: match('%s', '%s')", file,
				       lineno, pat, name);
			}
		}
		free(line);
	}
	ok(cases > 0, "%s has cases", file);
	strbuf_release(&sb);
}

/* Go's path_test.go cleantests, and what Docker leans on */
static void test_clean(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "." }, { "abc", "abc" }, { "abc/def", "abc/def" }, { "a/b/c", "a/b/c" },
		{ ".", "." }, { "..", ".." }, { "../..", "../.." }, { "../../abc", "../../abc" },
		{ "/abc", "/abc" }, { "/", "/" }, { "abc/", "abc" }, { "/abc/", "/abc" },
		{ "abc//def//ghi", "abc/def/ghi" }, { "//abc", "/abc" }, { "///abc", "/abc" },
		{ "abc/./def", "abc/def" }, { "/./abc/def", "/abc/def" }, { "abc/.", "abc" },
		{ "abc/def/ghi/../jkl", "abc/def/jkl" }, { "abc/def/../ghi/../jkl", "abc/jkl" },
		{ "abc/def/..", "abc" }, { "abc/def/../..", "." }, { "/abc/def/../..", "/" },
		{ "abc/def/../../..", ".." }, { "/abc/def/../../..", "/" },
		{ "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
		{ "abc/./../def", "def" }, { "abc//./../def", "def" }, { "abc/../../././../def", "../../def" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf out = STRBUF_INIT;

		strbuf_addstr(&out, "x:");
		gopath_clean(cases[i].in, &out);
		ok(!strncmp(out.buf, "x:", 2) && !strcmp(out.buf + 2, cases[i].want),
		   "clean('%s') is '%s' (got '%s'), appended", cases[i].in, cases[i].want, out.buf + 2);
		strbuf_release(&out);
	}
	/* push: the same as path.Clean("/" + path), without the '/' */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf got = STRBUF_INIT, want = STRBUF_INIT, rooted = STRBUF_INIT;

		strbuf_addf(&rooted, "/%s", cases[i].in);
		gopath_clean(rooted.buf, &want);
		gopath_push(&got, cases[i].in);
		is_str(got.buf, want.buf + 1, "push('', '%s')", cases[i].in);
		strbuf_release(&got);
		strbuf_release(&want);
		strbuf_release(&rooted);
	}
	{
		struct strbuf got = STRBUF_INIT;

		gopath_push(&got, "usr/lib");
		gopath_push(&got, "../../../etc/./x/");
		gopath_push(&got, "/y");
		is_str(got.buf, "etc/x/y", "push onto a path: '..' stops at the root, '/' starts nothing");
		strbuf_release(&got);
	}
}

static void test_has_meta(void)
{
	static const struct { const char *s; int want; } cases[] = {
		{ "abc", 0 }, { "a*c", 1 }, { "a?c", 1 }, { "a[b]c", 1 }, { "a\\*c", 0 },
		{ "a\\[c", 0 }, { "a\\\\*", 1 }, { "", 0 }, { "dir/", 0 }, { "trailing\\", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		is_int(gopath_has_meta(cases[i].s), cases[i].want, "has_meta('%s')", cases[i].s);
}

static void test_utf8(void)
{
	static const struct { const char *s; size_t n, prefix; } cases[] = {
		{ "", 0, 0 }, { "plain", 5, 5 }, { "caf\xC3\xA9", 5, 5 }, { "\xE2\x82\xAC", 3, 3 },
		{ "\xF0\x9F\x98\x80", 4, 4 }, { "ab\xC3", 3, 2 }, { "a\xC0\xAF", 3, 1 },
		{ "\xE0\x80\xAF", 3, 0 }, { "x\xED\xA0\x80", 4, 1 }, { "\xF4\x90\x80\x80", 4, 0 },
		{ "ok\xFFok", 5, 2 }, { "a\0b", 3, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		is_int((int)gopath_utf8_prefix(cases[i].s, cases[i].n), (int)cases[i].prefix,
		       "utf8 case %zu: valid prefix", i);
		is_int(gopath_utf8_valid(cases[i].s, cases[i].n), cases[i].prefix == cases[i].n,
		       "utf8 case %zu: valid", i);
	}
}

int main(void)
{
	struct strbuf path = STRBUF_INIT;

	if (datafile_dir("dockerfile/glob.test", &path) < 0)
		ok(0, "find tests/data/dockerfile/glob.test");
	else
		run_glob(path.buf, "glob.test");
	strbuf_release(&path);
	test_clean();
	test_has_meta();
	test_utf8();
	return tap_done();
}
