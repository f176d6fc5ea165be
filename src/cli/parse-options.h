/*
 * parse-options.h: the one option parser of the publish commands (after
 * git's parse-options).
 *
 * A command describes its options in a table, an array of struct option
 * ended by OPT_END(), and parse_options() fills the command's options
 * struct from argv.  The same table prints `publish <cmd> --help`, so the
 * help can never miss an option.  CLI layer only.
 *
 *   const char *const usage[] = { "publish inspect [<options>] REF", NULL };
 *   struct option options[] = {
 *           OPT_FLAG(0, "raw", &raw, "print the manifest bytes exactly as served"),
 *           OPT_STRING(0, "platform", &plat, "os/arch[/v]", "pick this platform"),
 *           OPT_END(),
 *   };
 *   rc = parse_options(&argc, argv, options, usage, 0);
 *   if (rc)
 *           return rc > 0 ? EXIT_OK : error_exit_code(rc);
 *   // argv[0] .. argv[argc - 1] are the arguments that are not options
 *
 * The command line: `--name=value` and `--name value`, `-n value`,
 * `-nvalue` and `-n=value` (as docker's CLI); a value is taken as it is,
 * even when it starts with '-'; `--` ends the options; `-` alone is an
 * argument; `-h` and `--help` print the help on stdout (and the hidden
 * `--list-options` the options, one a line, "--name=" when it takes a
 * value, for tests/t0020).  Options and arguments may come in any order.
 *
 * Errors name the option, one line on stderr each (scripts and the
 * metadata-action replay read one line), and are usage errors (exit 2):
 *   error: unknown option '--x'
 *   error: option '--jobs' needs a value
 *   error: option '--quiet' takes no value
 *   error: --jobs wants a number from 1 to 32, not 'x'
 * A command whose arguments are missing prints parse_options_usage() on
 * stderr.
 */
#ifndef PARSE_OPTIONS_H
#define PARSE_OPTIONS_H

#include <stdio.h>

enum parse_opt_kind {
	OPTION_END = 0,
	OPTION_GROUP,		/* no option: a heading or a paragraph in the help */
	OPTION_FLAG,		/* int *value, set to 1 */
	OPTION_STRING,		/* const char **value, borrowed from argv; the last one wins */
	OPTION_INT,		/* int *value, from min to max */
	OPTION_STRING_LIST,	/* struct strlist *value, each one appended (copied) */
	OPTION_CALLBACK,	/* callback(opt, arg); arg is NULL when argh is NULL (a flag) */
};

enum parse_opt_flags {
	/* an unknown option is left among the arguments instead of refused */
	PARSE_OPT_KEEP_UNKNOWN = 1,
};

struct option;

/*
 * Called with the option's table entry (opt->value is the callback's
 * own) and the value given.  Returns 0, or negative after error_as()
 * (a bad value is -EXIT_USAGE).
 */
typedef int parse_opt_cb(const struct option *opt, const char *arg);

struct option {
	enum parse_opt_kind kind;
	int short_name;		/* 'q' for -q, 0 if none */
	const char *long_name;	/* "quiet" for --quiet, without the dashes */
	void *value;		/* where the value goes, as the kind says */
	const char *argh;	/* the value's name in the help ("n"), NULL for a flag */
	const char *help;	/* one line; a '\n' continues it, aligned, on the next */
	int min, max;		/* OPTION_INT's range */
	parse_opt_cb *callback;	/* OPTION_CALLBACK */
};

#define OPT_END()					{ OPTION_END, 0, NULL, NULL, NULL, NULL, 0, 0, NULL }
#define OPT_GROUP(text)					{ OPTION_GROUP, 0, NULL, NULL, NULL, (text), 0, 0, NULL }
#define OPT_FLAG(s, l, v, h)				{ OPTION_FLAG, (s), (l), (v), NULL, (h), 0, 0, NULL }
#define OPT_STRING(s, l, v, a, h)			{ OPTION_STRING, (s), (l), (v), (a), (h), 0, 0, NULL }
#define OPT_INT(s, l, v, a, lo, hi, h)			{ OPTION_INT, (s), (l), (v), (a), (h), (lo), (hi), NULL }
#define OPT_STRING_LIST(s, l, v, a, h)			{ OPTION_STRING_LIST, (s), (l), (v), (a), (h), 0, 0, NULL }
#define OPT_CALLBACK(s, l, v, a, h, cb)			{ OPTION_CALLBACK, (s), (l), (v), (a), (h), 0, 0, (cb) }

/*
 * Parse argv[1 .. *argc - 1] (argv[0] is the command's name) against
 * options.  The arguments that are not options are moved, in order, to
 * argv[0 ..] and *argc becomes their number.
 *
 * Returns 0; 1 when the help was asked for and printed (the command exits
 * 0); negative (-EXIT_USAGE) after an error, already reported.
 */
int parse_options(int *argc, char **argv, const struct option *options,
		  const char *const *usage, unsigned flags);

/*
 * The help: "usage: " + usage[0], the other usage lines as they are, then
 * one line an option, the help texts aligned in one column.
 */
void parse_options_usage(FILE *out, const char *const *usage, const struct option *options);

#endif
