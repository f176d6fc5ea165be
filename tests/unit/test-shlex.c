/*
 * test-shlex.c: Docker's shell words: expansion against the cases of
 * tests/data/dockerfile/lex.test, word splitting and the caps against
 * tables here.
 */
#include "lib/common.h"
#include "build/shlex.h"
#include "tap.h"
#include "datafile.h"

/* lex.test: "@env K=V" lines, then "INPUT => RESULT" or "INPUT => !ERROR" */
static void run_lex(const char *path, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	struct strlist env = { 0 };
	const char *p;
	int lineno = 0;
	char esc = '\\';

	if (strbuf_read_file(&sb, path, 1 << 20) < 0) {
		ok(0, "read %s", path);
		return;
	}
	for (p = sb.buf; *p;) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p), *sep;

		lineno++;
		p = *nl ? nl + 1 : nl;
		if (!*line || line[0] == '#') {
			free(line);
			continue;
		}
		if (!strncmp(line, "@env ", 5)) {
			strlist_push(&env, line + 5);
			free(line);
			continue;
		}
		if (!strncmp(line, "@escape ", 8)) {
			esc = line[8];
			free(line);
			continue;
		}
		sep = strstr(line, " => ");
		if (!sep) {
			ok(0, "%s:%d: no ' => '", file, lineno);
			free(line);
			continue;
		}
		*sep = '\0';
		{
			struct strbuf out = STRBUF_INIT;
			const char *want = sep + 4;
			int rc = shlex_expand_env(line, esc, (const char *const *)env.items, env.nr,
						  &out);

			if (*want == '!') {
				ok(rc < 0, "%s:%d: '%s' fails", file, lineno, line);
				if (want[1])
					ok(strstr(error_last(), want + 1) != NULL, "%s:%d: message has '%s' (got '%s')",
					   file, lineno, want + 1, error_last());
			} else {
				if (!ok(rc == 0, "%s:%d: '%s' expands", file, lineno, line))
					printf("#   error: %s\n", error_last());
				is_str(out.buf, want, "%s:%d: '%s'", file, lineno, line);
			}
			strbuf_release(&out);
		}
		free(line);
	}
	strlist_release(&env);
	strbuf_release(&sb);
}

static void join(const struct strlist *l, struct strbuf *out)
{
	strbuf_reset(out);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(out, "<%s>", l->items[i]);
}

static void test_split(void)
{
	static const struct { const char *in, *words, *ws; } cases[] = {
		{ "", "", "" },
		{ "a b\tc", "<a><b><c>", "<a><b><c>" },
		{ "a\v\fb  \r c", "<a><b><c>", "<a><b><c>" },
		{ "\"a b\" 'c d'", "<\"a b\"><'c d'>", "<\"a><b\"><'c><d'>" },
		{ "a\\ b c", "<a\\ b><c>", "<a\\><b><c>" },
		{ "k=\"\" x", "<k=\"\"><x>", "<k=\"\"><x>" },
		{ "'a\\' b", "<'a\\'><b>", "<'a\\'><b>" },
	};
	struct strbuf got = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strlist w = STRLIST_INIT, ws = STRLIST_INIT;

		shlex_split_words(cases[i].in, '\\', &w);
		join(&w, &got);
		is_str(got.buf, cases[i].words, "split_words('%s')", cases[i].in);
		shlex_split_ws(cases[i].in, &ws);
		join(&ws, &got);
		is_str(got.buf, cases[i].ws, "split_ws('%s')", cases[i].in);
		strlist_release(&w);
		strlist_release(&ws);
	}
	strbuf_release(&got);
}

/* scan_word without keep, as extractBuilderFlags reads a flag */
static void test_scan(void)
{
	static const struct { const char *in, *word, *rest; int counts; } cases[] = {
		{ "--a=\"b c\" x", "--a=b c", " x", 1 },
		{ "--a='b\\'c' x", "--a=b'c", " x", 1 },
		{ "--a=b\\ c", "--a=b c", "", 1 },
		{ "--a=b\\", "--a=b", "", 1 },
		{ "'' x", "", " x", 1 },
		{ "\\", "", "", 0 },
	};
	struct strbuf word = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t pos = 0, n = strlen(cases[i].in);
		int counts;

		strbuf_reset(&word);
		counts = shlex_scan_word(cases[i].in, n, &pos, '\\', 0, &word);
		ok(!strcmp(word.buf, cases[i].word) && !strcmp(cases[i].in + pos, cases[i].rest) &&
		   counts == cases[i].counts, "scan_word('%s') is '%s' (got '%s'), then '%s'",
		   cases[i].in, cases[i].word, word.buf, cases[i].rest);
	}
	strbuf_release(&word);
}

/* ProcessWords (EXPOSE): a variable's spaces split, quoted ones do not */
static void test_words(void)
{
	struct kvlist env = KVLIST_INIT;
	struct shlex_budget budget = { 0, 0 };
	struct strlist words = STRLIST_INIT;
	struct strbuf got = STRBUF_INIT, err = STRBUF_INIT;
	int capped = -1;

	kvlist_set(&env, "P", "80 443/udp");
	ok(shlex_expand("$P \"8 9\" x'y z'", '\\', &env, &budget, NULL, &words, &err, &capped) == 0,
	   "expand into words");
	join(&words, &got);
	is_str(got.buf, "<80><443/udp><8 9><xy z>", "words split at a variable's spaces, not quoted ones");
	ok(budget.bytes == strlen("80 443/udp"), "the budget counts the bytes variables added");
	strlist_release(&words);
	strbuf_release(&got);
	strbuf_release(&err);
	kvlist_release(&env);
}

/* The caps: a message, *capped, and nothing allocated past them */
static void test_caps(void)
{
	struct kvlist env = KVLIST_INIT;
	struct shlex_budget budget = { 0, 0 };
	struct strbuf big = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	int capped = 0, rc;

	for (int i = 0; i < 600 * 1024; i++)
		strbuf_addch(&big, 'x');
	kvlist_set(&env, "B", big.buf);
	rc = shlex_expand("$B$B", '\\', &env, &budget, &out, NULL, &err, &capped);
	ok(rc < 0 && capped == 1, "a value over 1 MiB is capped");
	ok(strstr(err.buf, "expanding $B makes a value longer than 1 MiB") != NULL, "the message names the variable (%s)", err.buf);
	ok(out.len == 0, "out untouched on error");
	strbuf_reset(&err);
	budget.bytes = ((size_t)64 << 20) - 10;
	rc = shlex_expand("$B", '\\', &env, &budget, &out, NULL, &err, &capped);
	ok(rc < 0 && capped == 1 && strstr(err.buf, "over 64 MiB in total"), "the file's total is capped (%s)", err.buf);
	strbuf_reset(&err);
	capped = 1;
	rc = shlex_expand("${B", '\\', &env, &budget, &out, NULL, &err, &capped);
	ok(rc < 0 && capped == 0 && !strcmp(err.buf, "failed to process '${B': syntax error: missing '}'"),
	   "a syntax error is not a cap (%s)", err.buf);
	strbuf_release(&big);
	strbuf_release(&out);
	strbuf_release(&err);
	kvlist_release(&env);
}

int main(void)
{
	struct strbuf path = STRBUF_INIT;

	error_set_quiet(1);
	if (datafile_dir("dockerfile/lex.test", &path) < 0)
		ok(0, "find tests/data/dockerfile/lex.test");
	else
		run_lex(path.buf, "lex.test");
	strbuf_release(&path);
	test_split();
	test_scan();
	test_words();
	test_caps();
	return tap_done();
}
