/*
 * test-jsregex.c: JavaScript RegExp semantics over PCRE2, against
 * tests/data/jsregex.cases (computed with V8), plus what the data file
 * cannot say: modifier groups (Node 24), the literal split, messages,
 * and the differences documented in jsregex.h.
 */
#include "lib/common.h"
#include <time.h>
#include "meta/jsregex.h"
#include "tap.h"
#include "casefile.h"

static int known_difference(const char *re, const char *in)
{
	/*
	 * jsregex.h: JS resets captures of a repeated group on each pass,
	 * and drops a final pass that matched empty
	 */
	static const char *diffs[][2] = {
		{ "(?:(a)|b)+", "ab" },
		{ "((a)|(b))+", "ab" },
		{ "(z)((a+)?(b+)?(c))*", "zaacbbbcac" },
		{ "(a*)*b", "aab" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(diffs); i++)
		if (!strcmp(diffs[i][0], re) && !strcmp(diffs[i][1], in))
			return 1;
	return 0;
}

static void run_case(const struct case_block *b, const char *file)
{
	const char *re_src = case_get(b, "re"), *flags = case_get(b, "flags");
	const char *in = case_get(b, "in"), *result = case_get(b, "result");
	struct jsregex re;
	struct jsregex_match m;
	int rc;

	if (!re_src || !flags || !in || !result) {
		ok(0, "case at line %d is incomplete", b->line);
		return;
	}
	rc = jsregex_compile(&re, re_src, flags);
	if (!strcmp(result, "error")) {
		is_int(rc, -EXIT_INPUT, "line %d: /%s/%s is a syntax error", b->line, re_src, flags);
		if (!rc)
			jsregex_release(&re);
		return;
	}
	if (!ok(rc == 0, "line %d: /%s/%s compiles", b->line, re_src, flags)) {
		printf("#   error: %s\n", error_last());
		return;
	}
	rc = jsregex_match(&re, in, &m);
	ok(rc == 0, "line %d: match runs", b->line);
	if (!strcmp(result, "null")) {
		ok(!m.matched, "line %d: /%s/%s does not match", b->line, re_src, flags);
	} else if (known_difference(re_src, in)) {
		ok(m.matched, "line %d: matches (captures differ, see jsregex.h)", b->line);
	} else {
		const char *want_nr = case_get(b, "nr"), *want_index = case_get(b, "index");

		ok(m.matched, "line %d: /%s/%s matches", b->line, re_src, flags);
		is_int(m.nr, strtol(want_nr, NULL, 10), "line %d: entries", b->line);
		if (want_index)
			is_int(m.index, strtol(want_index, NULL, 10), "line %d: index", b->line);
		for (size_t i = 0; i < m.nr; i++) {
			char key[32];
			const char *want;

			snprintf(key, sizeof(key), "v%zu", i);
			want = case_get(b, key);
			if (want && !strcmp(want, "undefined"))
				want = NULL;
			is_str(m.values[i], want, "line %d: [%zu]", b->line, i);
		}
	}
	jsregex_match_release(&m);
	jsregex_release(&re);
}

static void check(const char *src, const char *flags, const char *in, const char *want0,
		  const char *what)
{
	struct jsregex re;
	struct jsregex_match m;

	if (!ok(jsregex_compile(&re, src, flags) == 0, "%s: compiles", what))
		return;
	ok(jsregex_match(&re, in, &m) == 0, "%s: runs", what);
	if (want0)
		is_str(m.matched ? m.values[0] : NULL, want0, "%s", what);
	else
		ok(!m.matched, "%s: no match", what);
	jsregex_match_release(&m);
	jsregex_release(&re);
}

/*
 * A pattern that backtracks exponentially is stopped, as an error, in
 * a bounded time (well under a second on an idle machine), whatever
 * bytes the subject holds.
 */
static void check_gives_up(const char *src, const char *in, const char *what)
{
	struct jsregex re;
	struct jsregex_match m;
	struct timespec t0, t1;
	double secs;

	if (!ok(jsregex_compile(&re, src, "") == 0, "%s: compiles", what))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(jsregex_match(&re, in, &m), -EXIT_INPUT, "%s: an error, not a silent no-match", what);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(secs < 5.0, "%s: stops in %.3f s (bounded; an unbounded match takes hours)", what, secs);
	ok(strstr(error_last(), "backtracking limit") && strstr(error_last(), src),
	   "%s: the message names the pattern and the limit", what);
	jsregex_release(&re);
}

int main(void)
{
	struct strbuf p = STRBUF_INIT, fl = STRBUF_INIT;
	struct jsregex re;
	struct jsregex_match m;
	int n;

	error_set_quiet(1);
	if ((n = casefile_run("jsregex.cases", run_case)) < 0)
		return tap_done();
	ok(n > 150, "ran %d cases", n);

	/* modifier groups, as Node 24 reads them */
	check("(?i:a)b", "", "Ab", "Ab", "(?i:a) ignores case inside");
	check("(?i:a)b", "", "AB", NULL, "but not outside");
	check("(?-i:a)b", "i", "aB", "aB", "(?-i:a) under i");
	check("(?-i:a)b", "i", "AB", NULL, "is case sensitive inside");
	check("(?s:.)", "", "\n", "\n", "(?s:.) matches a newline");
	check("(?s:.).", "", "\n\n", NULL, "only inside");
	check("(?m:^b)", "", "a\nb", "b", "(?m:^) after a newline");
	check("(?m:^b)|^c", "", "a\nc", NULL, "m ends with the group");
	is_int(jsregex_compile(&re, "(?ii:a)", ""), -EXIT_INPUT, "repeated modifier refused");
	is_int(jsregex_compile(&re, "(?-:a)", ""), -EXIT_INPUT, "empty modifiers refused");
	is_int(jsregex_compile(&re, "(?x:a)", ""), -EXIT_INPUT, "unknown modifier refused");

	/* messages name the pattern */
	is_int(jsregex_compile(&re, "v(", ""), -EXIT_INPUT, "bad pattern is EXIT_INPUT");
	is_str(error_last(), "invalid regular expression '/v(/': missing )", "message names it");
	is_int(jsregex_compile(&re, "a", "gq"), -EXIT_INPUT, "bad flags");
	is_str(error_last(), "invalid regular expression flags 'gq' for '/a/'", "message names flags");
	is_int(jsregex_compile(&re, "(?<=a+)b", ""), -EXIT_INPUT, "unbounded lookbehind refused");
	is_int(jsregex_compile(&re, "\xff", ""), -EXIT_INPUT, "pattern not UTF-8");

	/* groups: unset is NULL, empty is "" */
	ok(jsregex_compile(&re, "^v(\\d+)(-rc)?(x*)$", NULL) == 0, "NULL flags");
	ok(jsregex_exec(&re, "v12", &m) == 0 && m.matched, "exec");
	is_int(m.nr, 4, "whole match and three groups");
	is_str(m.values[1], "12", "group 1");
	ok(m.values[2] == NULL, "group 2 undefined");
	is_str(m.values[3], "", "group 3 empty, not undefined");
	jsregex_match_release(&m);
	jsregex_match_release(&m);
	jsregex_release(&re);
	jsregex_release(&re);
	jsregex_release(NULL);
	jsregex_match_release(NULL);

	/* subjects that are not UTF-8 do not break matching */
	check("b", "", "a\xff" "b", "b", "invalid UTF-8 subject");
	/* each bad sequence is U+FFFD, as Node decodes it (WHATWG) */
	check("(a+)+$", "", "aaa\xff", NULL, "$ is not before a bad byte");
	check("^.$", "", "\xff", "\xef\xbf\xbd", "a bad byte is one U+FFFD");
	check("^a..b$", "", "a\xe0\x80" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b", "overlong: two U+FFFD");
	check("^a.b$", "", "a\xf0\x9f\x98" "b", "a\xef\xbf\xbd" "b", "truncated: one U+FFFD");
	check("^a...b$", "", "a\xed\xa0\x80" "b", "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b",
	      "surrogate: three U+FFFD");
	check("^a.$", "", "a\xc3", "a\xef\xbf\xbd", "cut at the end");
	check("^\\u00e9\\u{1f600}$", "u", "\xc3\xa9\xf0\x9f\x98\x80", "\xc3\xa9\xf0\x9f\x98\x80",
	      "valid UTF-8 untouched");

	/* the step budget holds for any bytes and over all start positions */
	{
		char subject[400];
		size_t n = 0;

		memset(subject, 'a', 283);
		subject[283] = '\xff';
		subject[284] = '\0';
		check_gives_up("^(a+)+$", subject, "284 bytes, the last not UTF-8");
		check_gives_up("(a+)+$", subject, "unanchored, not UTF-8");
		subject[283] = 'b';
		check_gives_up("^(a+)+$", subject, "284 bytes of UTF-8");
		/* 21 a's then a stop, 13 times: each start position is cheap */
		for (int k = 0; k < 13; k++) {
			memset(subject + n, 'a', 21);
			n += 21;
			subject[n++] = k % 2 ? '!' : '\xff';
		}
		subject[n] = '\0';
		check_gives_up("(a+)+$", subject, "the budget spans start positions");
	}
	/* index counts UTF-16 code units */
	ok(jsregex_compile(&re, "x", "") == 0, "compile x");
	ok(jsregex_exec(&re, "\xf0\x9f\x98\x80\xc3\xa9x", &m) == 0 && m.matched, "after astral");
	is_int(m.index, 3, "index in UTF-16 units");
	jsregex_match_release(&m);
	jsregex_release(&re);

	/* exec ignores g */
	ok(jsregex_compile(&re, "(a)", "g") == 0, "compile /(a)/g");
	ok(jsregex_exec(&re, "aa", &m) == 0 && m.nr == 2, "exec gives groups");
	jsregex_match_release(&m);
	ok(jsregex_match(&re, "aa", &m) == 0 && m.nr == 2 && !strcmp(m.values[1], "a"),
	   "match gives every match");
	jsregex_match_release(&m);
	jsregex_release(&re);

	/* metadata-action's /pattern/flags test */
	ok(jsregex_split_literal("/^v(.*)$/i", &p, &fl) == 1, "literal");
	is_str(p.buf, "^v(.*)$", "pattern part");
	is_str(fl.buf, "i", "flags part");
	strbuf_reset(&p);
	strbuf_reset(&fl);
	ok(jsregex_split_literal("/a/b/g", &p, &fl) == 1 && !strcmp(p.buf, "a/b") &&
	   !strcmp(fl.buf, "g"), "greedy: the last slash ends the pattern");
	strbuf_reset(&p);
	strbuf_reset(&fl);
	ok(jsregex_split_literal("//", &p, &fl) == 0, "empty pattern is not a literal");
	ok(jsregex_split_literal("//g", &p, &fl) == 0, "nor with flags");
	ok(jsregex_split_literal("/a/", &p, &fl) == 1 && !strcmp(p.buf, "a") && !fl.len, "no flags");
	strbuf_reset(&p);
	ok(jsregex_split_literal("v(.*)", &p, &fl) == 0, "a plain pattern");
	ok(jsregex_split_literal("/a\n/", &p, &fl) == 0, "line break: no literal");
	ok(jsregex_split_literal("/a/x\n", &p, &fl) == 0, "line break in flags: no literal");
	ok(jsregex_split_literal("/abc", &p, &fl) == 0, "unterminated");
	is_int(p.len + fl.len, 0, "nothing added when not a literal");
	strbuf_release(&p);
	strbuf_release(&fl);
	return tap_done();
}
