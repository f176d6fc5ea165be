/*
 * jsregex.h: JavaScript regular expressions over PCRE2, for
 * metadata-action's `type=match` tags, which do
 *
 *     m = pattern.match(/^\/(.+)\/(.*)$/)
 *     tmatch = value.match(m ? new RegExp(m[1], m[2]) : new RegExp(pattern))
 *     tmatch[group]  (undefined -> "group does not exist" warning)
 *
 * A JS pattern is not handed to PCRE2 as it is: it is translated, token
 * by token, into a PCRE2 pattern with the JS meaning (ECMAScript 2024
 * with Annex B for patterns without the u flag):
 *   - escapes: \d \w \b as ASCII (PCRE2 without UCP does the same); \s
 *     and \S as JS's white-space set (U+00A0, U+FEFF, U+2028...); \v is
 *     U+000B, not PCRE2's vertical-space class; \cX, \xHH, \uHHHH
 *     (surrogate pairs joined), \u{H...} (u flag), \0, legacy octal
 *     \1..\377 when there is no such group, \8 \9 and every other
 *     identity escape as the plain character (\a is "a", \Z is "Z"),
 *     \k<name>, \p{...} (u flag; long general-category names mapped);
 *   - "." excludes only \n \r U+2028 U+2029 (all with s); ^ and $ are
 *     the subject's ends ($ never before a final newline), or with m
 *     also around those four line terminators;
 *   - "[]" matches nothing, "[^]" anything; "[" inside a class is
 *     literal (no POSIX classes); a '-' next to a class escape is
 *     literal; "{" "}" "]" that do not form syntax are literal (without
 *     u);
 *   - JS syntax errors are errors: bad flags, "(?" forms JS lacks
 *     ((?i) (?> (?| (?# (?R)...), nothing to repeat, lone quantifier.
 *   Modifier groups (?i:...) (?-s:...) are accepted as in Node 24.
 * Flags: d g i m s u v y.  g makes jsregex_match() return every match
 * (and no groups), as String.prototype.match does; y anchors each match.
 *
 * Options: PCRE2_UTF, PCRE2_MATCH_UNSET_BACKREF (a backreference to a
 * group that has not matched matches empty, as in JS), PCRE2_CASELESS
 * for i, PCRE2_AUTO_CALLOUT (every step is counted: one match call may
 * take 5 million steps in all, over every start position, then it is
 * an error, not a silent no-match).  A subject that is not UTF-8 is
 * matched as Node would see it: each ill-formed sequence is U+FFFD.  Not PCRE2_ALT_BSUX: every JS escape is translated here, and
 * ALT_BSUX would break the \x{...} the translation emits; nor
 * DOLLAR_ENDONLY, since $ is translated to \z.
 *
 * Known differences from V8:
 *   - captures inside a repeated group keep their last value; JS
 *     resets them on each iteration (/(?:(a)|b)+/ on "ab" gives "a"
 *     here, undefined in JS) and ignores a last iteration that matched
 *     empty (/(a*)*b/ on "aab": group 1 is "" here, "aa" in JS);
 *   - lookbehind must have bounded fixed-length branches (PCRE2 10.42);
 *     JS allows any lookbehind: such patterns are refused;
 *   - without u, JS sees a character beyond U+FFFF as two code units;
 *     here it is one character (".", classes, counts);
 *   - with i, case folding is Unicode's, not JS's toUpperCase rule (the
 *     long s and the Kelvin sign differ);
 *   - quantifier bounds above 65535 and group names other than
 *     [A-Za-z_][A-Za-z0-9_]* are refused; v-flag set notation is
 *     refused.
 *
 * Ownership: struct jsregex and struct jsregex_match own their memory;
 * release them with jsregex_release() / jsregex_match_release().
 */
#ifndef JSREGEX_H
#define JSREGEX_H

#include <stddef.h>

struct strbuf;

struct jsregex {
	char *source;		/* the JS pattern */
	char *flags;		/* the JS flags, as given */
	char *translated;	/* the PCRE2 pattern it became */
	int global, sticky, ignore_case, multiline, dotall, unicode;
	size_t group_nr;	/* capturing groups */
	void *code;		/* pcre2_code, owned */
};

struct jsregex_match {
	int matched;		/* 0: JS would return null */
	size_t nr;		/* entries in values */
	char **values;		/* [0] whole match, [1..] groups; NULL = undefined.
				   With g: every match, in order. */
	size_t index;		/* where the match starts, in UTF-16 code units
				   (exec result .index; 0 with g) */
};

/*
 * Compile new RegExp(pattern, flags) (flags may be NULL or "").  0 and
 * *out filled, or -EXIT_INPUT with a message naming the pattern
 * ("invalid regular expression '/(/': missing )") and *out untouched.
 */
int jsregex_compile(struct jsregex *out, const char *pattern, const char *flags);

/*
 * re.exec(subject) from lastIndex 0: the first match and its groups,
 * whatever g says.  0 with out filled (out->matched may be 0), or
 * -EXIT_INPUT with a message naming the pattern when the match gives
 * up (step budget, "backtracking limit").  subject may hold any bytes;
 * values come from its U+FFFD-repaired copy.
 */
int jsregex_exec(const struct jsregex *re, const char *subject, struct jsregex_match *out);

/* subject.match(re): like jsregex_exec, but with g every match string. */
int jsregex_match(const struct jsregex *re, const char *subject, struct jsregex_match *out);

/*
 * metadata-action's test for a "/pattern/flags" literal
 * (/^\/(.+)\/(.*)$/): 1 and the two parts appended to pattern and
 * flags, or 0 when s is a plain pattern string.
 */
int jsregex_split_literal(const char *s, struct strbuf *pattern, struct strbuf *flags);

void jsregex_match_release(struct jsregex_match *m);
void jsregex_release(struct jsregex *re);

#endif
