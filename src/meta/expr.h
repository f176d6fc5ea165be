/*
 * expr.h: the Handlebars templates of docker/metadata-action.
 *
 * metadata-action renders every tag value, prefix, suffix, `enable`,
 * label and annotation with handlebars.compile(text)(context), and the
 * semver/pep440/schedule patterns the same way over other contexts.  This
 * module is the subset of Handlebars those templates can use:
 *   - text, with "\{{" for a literal "{{";
 *   - {{name}} and {{{name}}} / {{& name}} (not HTML-escaped), with
 *     "~" whitespace control and {{! comments }} / {{!-- comments --}};
 *   - {{name param... key=value...}}: string ('x' or "x"), number,
 *     true/false/null/undefined and path parameters, hash arguments.
 * Blocks, partials and sub-expressions are refused with an error.
 *
 * {{...}} output is HTML-escaped as Handlebars does (& < > " ' ` =).
 *
 * The context is a callback: for each mustache it gets the call and
 * appends the value (return 0), says the name is unknown (return 1:
 * renders as nothing, or is a "missing helper" error when the mustache
 * has parameters), or fails (return -1, reason in err).  Pure, no I/O.
 */
#ifndef EXPR_H
#define EXPR_H

#include <stddef.h>

struct strbuf;

enum expr_arg_kind {
	EXPR_ARG_UNDEFINED,
	EXPR_ARG_NULL,
	EXPR_ARG_STRING,
	EXPR_ARG_NUMBER,
	EXPR_ARG_BOOLEAN,	/* text is "true" or "false" */
	EXPR_ARG_PATH		/* text is the path as written */
};

struct expr_arg {
	enum expr_arg_kind kind;
	char *text;
	char *key;		/* hash arguments only */
};

struct expr_call {
	char *name;		/* path, "this." and "./" removed, segments joined by '.' */
	int nparts;		/* number of path segments */
	struct expr_arg *params;
	size_t params_nr;
	struct expr_arg *hash;
	size_t hash_nr;
};

typedef int (*expr_resolve_fn)(void *data, const struct expr_call *call,
			       struct strbuf *out, struct strbuf *err);

/*
 * Render tmpl into out.  Returns 0, or -1 with the reason appended to err
 * (parse errors are found before anything is rendered).
 */
int expr_render(const char *tmpl, expr_resolve_fn fn, void *data,
		struct strbuf *out, struct strbuf *err);

/*
 * metadata-action's isRawStatement(): 1 when tmpl parses as exactly one
 * mustache whose path is the single segment "raw", else 0.
 */
int expr_is_raw_statement(const char *tmpl);

/* Append s HTML-escaped the way Handlebars.escapeExpression does. */
void expr_escape(const char *s, size_t len, struct strbuf *out);

#endif
