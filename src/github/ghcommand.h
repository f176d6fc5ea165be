/*
 * ghcommand.h: GitHub Actions workflow commands, the lines a step prints
 * on its standard output for the runner to act on:
 *
 *   ::group::TITLE / ::endgroup::        fold a phase's log lines
 *   ::add-mask::SECRET                   hide a value in every later log line
 *   ::error file=F,line=N,title=T::MSG   an annotation on a user's file
 *   ::notice::MSG  ::warning::MSG
 *
 * The runner's escaping rules (actions/toolkit command.ts): in the
 * message, '%' '\r' '\n' become %25 %0D %0A; in a property value ':' and
 * ',' become %3A %2C as well.  The formatting functions are pure (they
 * append to a strbuf) so unit tests check the exact bytes; ghcommand_print()
 * writes one formatted command to stdout and flushes, so it lands between
 * the lines of the phase it belongs to.
 *
 * ($GITHUB_OUTPUT and the other file commands are src/github/ghoutput.c's.)
 */
#ifndef GHCOMMAND_H
#define GHCOMMAND_H

#include "lib/strbuf.h"

/* An annotation's optional properties (NULL / 0: omitted). */
struct ghcommand_props {
	const char *file;
	int line;
	const char *title;
};

#define GHCOMMAND_PROPS_INIT { NULL, 0, NULL }

/* Message escaping (% \r \n) appended to out. */
void ghcommand_escape_data(const char *s, struct strbuf *out);
/* Property escaping (% \r \n : ,) appended to out. */
void ghcommand_escape_property(const char *s, struct strbuf *out);

/*
 * "::NAME[ k=v,...]::MESSAGE\n" appended to out.  props may be NULL;
 * message may be NULL (empty).
 */
void ghcommand_format(const char *name, const struct ghcommand_props *props,
		      const char *message, struct strbuf *out);

/* Format and write one command to stdout (flushed). */
void ghcommand_print(const char *name, const struct ghcommand_props *props,
		     const char *message);

#endif
