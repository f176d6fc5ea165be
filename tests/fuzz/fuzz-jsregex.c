/*
 * fuzz-jsregex.c: the JS-to-PCRE2 regex translator and matcher, as a
 * `type=match` tag rule uses it: jsregex_split_literal() on the pattern
 * ("/re/flags" or a plain string), jsregex_compile(), then
 * jsregex_exec() and jsregex_match() on a subject.
 *
 * Input: pattern, NUL, flags, NUL, subject.  Short inputs only: the
 * cost of a match is PCRE2's (its match limit bounds backtracking), and
 * the translator is what this target is about.  Checks: a compile or
 * match error has a message; a match has its whole-match value (or, with
 * g, every value set); the group count agrees with the match's.
 */
#include "fuzz.h"
#include "meta/jsregex.h"

#define MAX_LEN 512

static void run(const char *pattern, const char *flags, const char *subject)
{
	struct jsregex re;
	struct jsregex_match m;
	int rc;

	fuzz_error_reset();
	rc = jsregex_compile(&re, pattern, flags);
	if (rc) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK_MESSAGE();
		return;
	}
	FUZZ_CHECK(re.translated != NULL && re.code != NULL);

	fuzz_error_reset();
	rc = jsregex_exec(&re, subject, &m);
	if (rc) {
		FUZZ_CHECK_MESSAGE();
	} else {
		if (m.matched) {
			FUZZ_CHECK(m.nr == re.group_nr + 1);
			FUZZ_CHECK(m.values[0] != NULL);
		}
		jsregex_match_release(&m);
	}

	fuzz_error_reset();
	rc = jsregex_match(&re, subject, &m);
	if (rc) {
		FUZZ_CHECK_MESSAGE();
	} else {
		if (m.matched && re.global) {
			for (size_t i = 0; i < m.nr; i++)
				FUZZ_CHECK(m.values[i] != NULL);
		} else if (m.matched) {
			FUZZ_CHECK(m.nr == re.group_nr + 1 && m.values[0] != NULL);
		}
		jsregex_match_release(&m);
	}
	jsregex_release(&re);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf lp = STRBUF_INIT, lf = STRBUF_INIT;
	char *part[3];

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	fuzz_split(data, size, part, ARRAY_SIZE(part));

	run(part[0], part[1], part[2]);
	if (jsregex_split_literal(part[0], &lp, &lf))
		run(lp.buf, lf.buf, part[2]);

	strbuf_release(&lp);
	strbuf_release(&lf);
	fuzz_free_parts(part, ARRAY_SIZE(part));
	return 0;
}
