/*
 * shlex.h: Docker's shell words, as BuildKit's dockerfile frontend
 * splits and expands them (shell/lex.go and the word splitting of
 * parser/line_parsers.go).
 *
 * The Dockerfile parser splits an instruction's arguments into words
 * here, and expands $VAR in them here, with the environment the build
 * has reached.  This module owns the quoting and escape rules (escape
 * char '\\' or '`'), the ${VAR...} modifiers and the caps that keep an
 * expansion from asking for gigabytes.  It knows nothing of
 * instructions, lines or files: its messages name no file:line, the
 * caller adds them.
 *
 * Pure: no I/O.  Lists are lib/strlist.h (words) and lib/kvlist.h (the
 * environment: the last pair of a name wins).
 */
#ifndef SHLEX_H
#define SHLEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/kvlist.h"
#include "lib/strlist.h"

struct strbuf;

/* Go's unicode.IsSpace, for ASCII: ' ' \t \n \v \f \r. */
int shlex_is_space(int c);

/* BuildKit's reWhitespace, [\t\v\f\r ] (no newline: lines are joined by then). */
int shlex_is_ws(int c);

/* reWhitespace.Split of an already trimmed s: appends the words to out ("" adds none). */
void shlex_split_ws(const char *s, struct strlist *out);

/*
 * One word of s[0..n) from *pos, which is not a space: up to a space
 * outside quotes, or the end; *pos is left after it.  Appended to word:
 * with keep, as written (quotes and escape chars stay, and esc does not
 * escape inside single quotes: parseWords); without, the quotes and
 * escape chars removed, esc escaping inside any quotes
 * (extractBuilderFlags).  1 when the word counts: not empty, or quoted.
 */
int shlex_scan_word(const char *s, size_t n, size_t *pos, int esc, int keep, struct strbuf *word);

/*
 * BuildKit's parseWords: s split at spaces outside quotes; the quotes and
 * escape chars (esc) stay in the words, for expansion to remove.
 * Appends to out.
 */
void shlex_split_words(const char *s, int esc, struct strlist *out);

/*
 * What all the expansions of one Dockerfile may spend, shared by every
 * shlex_expand() of it.  Start it zeroed.
 */
struct shlex_budget {
	size_t bytes;		/* bytes variables added, at most 64 MiB */
	uint64_t steps;		/* ${V#p} ${V%p} ${V/p/r} matching steps, at most 2^28 */
};

/*
 * BuildKit's ProcessWord (words NULL) or ProcessWords: expand word with
 * env, escape char esc: quotes removed, $VAR ${VAR} ${VAR:-w} ${VAR-w}
 * ${VAR:+w} ${VAR+w} ${VAR?w} ${VAR:?w} ${VAR#p} ${VAR##p} ${VAR%p}
 * ${VAR%%p} ${VAR/p/r} ${VAR//p/r}.  Appends the result to out (when not
 * NULL) and, when words is not NULL, the result split into words as a
 * shell would (a quoted space does not split).
 *
 * Caps: a value over 1 MiB, the budget exceeded or ${...} nested over 64
 * deep are refused before the oversized value is allocated.
 *
 * 0 on success; -1 with the message appended to err (no error() is
 * recorded) and *capped set to 1 when a cap refused it, 0 for a syntax
 * error ("failed to process 'WORD': ...").  out is untouched on error.
 */
int shlex_expand(const char *word, int esc, const struct kvlist *env,
		 struct shlex_budget *budget, struct strbuf *out, struct strlist *words,
		 struct strbuf *err, int *capped);

/*
 * shlex_expand() of one word with an environment of "KEY=VALUE" strings
 * (the last one of a key wins) and a budget of its own.  Appends to out.
 * Error: -1 with error() recorded (no file:line).
 */
int shlex_expand_env(const char *word, char escape, const char *const *env, size_t env_nr,
		     struct strbuf *out);

#endif
