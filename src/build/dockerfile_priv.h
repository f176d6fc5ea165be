/*
 * dockerfile_priv.h: what the Dockerfile code shares between its files,
 * and nobody else includes.
 *
 *   dockerfile.c        the public API, the per-instruction checks of
 *                       phase 1 (dockerfile_parse), global ARGs and FROM
 *   dockerfile_syntax.c physical lines to logical ones (directives,
 *                       comments, continuations), keyword and flags
 *   dockerfile_eval.c   phase 2 (dockerfile_expand): the instructions
 *                       evaluated in order against the environment
 *
 * Word splitting and $VAR expansion are shlex.h's, Go's path rules
 * gopath.h's.
 */
#ifndef DOCKERFILE_PRIV_H
#define DOCKERFILE_PRIV_H

#include "build/dockerfile.h"
#include "build/shlex.h"
#include "lib/kvlist.h"
#include "lib/strlist.h"

/* What phase 1 keeps of an instruction for phase 2. */
struct raw {
	struct strlist args;	/* the line parser's arguments */
	int json;
	/* flag values, NULL when absent */
	char *chown, *chmod, *interval, *timeout, *start_period, *start_interval, *retries;
	int link, unpack;
	int no_delim;			/* ENV/LABEL legacy "KEY value" form */
};

struct priv {
	struct raw *raw;		/* parallel to df->instrs */
	struct kvlist build_args;
	struct kvlist meta;		/* global scope: declared ARGs with values, platform args */
	struct shlex_budget budget;	/* shared by every expansion of the file */
	int parsed, expanded;
};

/*
 * "FILE:LINE: message" (or "FILE: message" when line is 0) recorded
 * with EXIT_DOCKERFILE; sets df->error_line.  Returns -EXIT_DOCKERFILE.
 */
int dockerfile_error(struct dockerfile *df, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What goes into the image config (JSON) must be UTF-8: dockerfile_error() naming what otherwise. */
int dockerfile_check_utf8(struct dockerfile *df, int line, const char *what, const char *s);

/* ---- dockerfile_syntax.c ---- */

/* One logical line: an instruction as written. */
struct node {
	int start, end;		/* its first and last physical line */
	char *line;		/* joined logical line */
	char *keyword;		/* as written (any case) */
	struct strlist flags;	/* the leading --flag words */
	char *rest;		/* the arguments after the flags, trimmed */
};

/*
 * Split buf into logical lines (BuildKit's parser.Parse), reading the
 * parser directives into df (escape, syntax, check).  On success *out
 * is an array of *out_nr nodes the caller frees with
 * dockerfile_nodes_free(); on error nothing is returned.
 */
int dockerfile_read_nodes(struct dockerfile *df, const char *buf, size_t len, struct node **out,
			  size_t *out_nr);
void dockerfile_nodes_free(struct node *nodes, size_t nr);

/* Go's strings.TrimSpace for ASCII, into a new string (the caller frees it). */
char *dockerfile_trim_dup(const char *s, size_t n);

/* A flag an instruction accepts (BuildKit's BFlags). */
enum { FLAG_BOOL, FLAG_STRING };

struct flagdef {
	const char *name;
	int type;
	char *value;		/* parsed value: "true"/"false" for bools; NULL when absent */
};

/*
 * Parse n's flags into defs (ndefs of them; cmd names the instruction in
 * messages): an unknown flag lists what cmd accepts.  The values belong
 * to defs: free them with dockerfile_flags_release(), also on error.
 */
int dockerfile_check_flags(struct dockerfile *df, const struct node *n, const char *cmd,
			   struct flagdef *defs, size_t ndefs);
void dockerfile_flags_release(struct flagdef *defs, size_t ndefs);

/* ---- dockerfile_eval.c ---- */

/*
 * Expand word with env for the instruction at line, within the file's
 * budget; what names it in a cap's message ("LABEL x", "ENV PATH",
 * "COPY"...).  Appends to out.
 */
int dockerfile_expand_in(struct dockerfile *df, int line, const char *what, const char *word,
			 const struct kvlist *env, struct strbuf *out);

/*
 * The value an ARG word ("NAME" or "NAME=default") at line takes: the
 * --build-arg value, else the default expanded with env, else the
 * global ARG's (from global, when not NULL).  *key gets NAME (the caller
 * frees it) and out the value.  1 with a value, 0 without one (key
 * set), negative on error (key not set).
 */
int dockerfile_arg_value(struct dockerfile *df, int line, const char *word,
			 const struct kvlist *env, const struct kvlist *global, char **key,
			 struct strbuf *out);

#endif
