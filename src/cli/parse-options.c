/*
 * parse-options.c: see parse-options.h.
 *
 * One walk over argv: an option is looked up in the table by its long or
 * short name, its value (attached or the next argument) is stored as its
 * kind says, and everything else is kept as an argument.  The help is
 * printed from the same table.  A hidden `--list-options` prints every
 * option the table has, one a line, "--name=" when it takes a value, for
 * the tests (as git's --git-completion-helper does for its completion).
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "cli/parse-options.h"

#include <errno.h>

/* the help column: options longer than this get their help on the next line */
#define HELP_COLUMN 28

static const struct option *find_long(const struct option *o, const char *name, size_t len)
{
	for (; o->kind != OPTION_END; o++)
		if (o->kind != OPTION_GROUP && o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct option *find_short(const struct option *o, int c)
{
	for (; o->kind != OPTION_END; o++)
		if (o->kind != OPTION_GROUP && o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static int takes_value(const struct option *o)
{
	return o->kind != OPTION_FLAG && !(o->kind == OPTION_CALLBACK && !o->argh);
}

/* "--name" or "-n", as the messages name an option */
static void option_name(const struct option *o, struct strbuf *out)
{
	if (o->long_name)
		strbuf_addf(out, "--%s", o->long_name);
	else
		strbuf_addf(out, "-%c", o->short_name);
}

static int get_int(const struct option *o, const char *arg)
{
	struct strbuf name = STRBUF_INIT;
	char *end;
	long n;
	int ret = 0;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || *end || end == arg || n < o->min || n > o->max) {
		option_name(o, &name);
		ret = error_as(EXIT_USAGE, "%s wants a number from %d to %d, not '%s'",
			       name.buf, o->min, o->max, arg);
	} else {
		*(int *)o->value = (int)n;
	}
	strbuf_release(&name);
	return ret;
}

static int set_value(const struct option *o, const char *arg)
{
	switch (o->kind) {
	case OPTION_FLAG:
		*(int *)o->value = 1;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPTION_INT:
		return get_int(o, arg);
	case OPTION_STRING_LIST:
		strlist_push(o->value, arg);
		return 0;
	case OPTION_CALLBACK:
		return o->callback(o, arg);
	default:
		return error_as(EXIT_INTERNAL, "option table: '%s' has no kind", o->long_name ? o->long_name : "?");
	}
}

static void list_options(const struct option *o)
{
	for (; o->kind != OPTION_END; o++) {
		if (o->kind == OPTION_GROUP)
			continue;
		if (o->long_name)
			printf("--%s%s\n", o->long_name, takes_value(o) ? "=" : "");
		if (o->short_name)
			printf("-%c\n", o->short_name);
	}
}

/*
 * the left part of an option's help line: "-f, --file <file>", or
 * "    --context <dir>" in line with it (no indent when no option is short)
 */
static void option_left(const struct option *o, int any_short, struct strbuf *out)
{
	if (o->short_name)
		strbuf_addf(out, "-%c", o->short_name);
	if (o->short_name && o->long_name)
		strbuf_addstr(out, ", ");
	else if (o->long_name && any_short)
		strbuf_addstr(out, "    ");
	if (o->long_name)
		strbuf_addf(out, "--%s", o->long_name);
	if (o->argh)
		strbuf_addf(out, " %s", o->argh);
}

void parse_options_usage(FILE *f, const char *const *usage, const struct option *options)
{
	struct strbuf left = STRBUF_INIT;
	size_t width = 0;
	int any_short = 0;

	for (const struct option *o = options; o->kind != OPTION_END; o++)
		if (o->kind != OPTION_GROUP && o->short_name)
			any_short = 1;
	fprintf(f, "usage: %s\n", usage[0]);
	for (size_t i = 1; usage[i]; i++)
		fprintf(f, "%s\n", usage[i]);
	for (const struct option *o = options; o->kind != OPTION_END; o++) {
		if (o->kind == OPTION_GROUP)
			continue;
		strbuf_reset(&left);
		option_left(o, any_short, &left);
		if (left.len <= HELP_COLUMN && left.len > width)
			width = left.len;
	}
	if (options->kind != OPTION_END && options->kind != OPTION_GROUP)
		fputc('\n', f);
	for (const struct option *o = options; o->kind != OPTION_END; o++) {
		const char *h = o->help ? o->help : "", *nl;

		if (o->kind == OPTION_GROUP) {
			fprintf(f, "\n%s\n", h);
			continue;
		}
		strbuf_reset(&left);
		option_left(o, any_short, &left);
		fprintf(f, "  %s", left.buf);
		if (!*h) {
			fputc('\n', f);
			continue;
		}
		if (left.len > width)
			fprintf(f, "\n%*s", (int)width + 2, "");
		else
			fprintf(f, "%*s", (int)(width - left.len), "");
		while ((nl = strchr(h, '\n'))) {
			fprintf(f, "  %.*s\n%*s", (int)(nl - h), h, (int)width + 2, "");
			h = nl + 1;
		}
		fprintf(f, "  %s\n", h);
	}
	strbuf_release(&left);
}

int parse_options(int *argc, char **argv, const struct option *options,
		  const char *const *usage, unsigned flags)
{
	struct strbuf typed = STRBUF_INIT;
	int nr = 0, i, ret = 0;

	for (i = 1; i < *argc; i++) {
		const char *arg = argv[i], *val = NULL;
		const struct option *o;

		if (arg[0] != '-' || !arg[1]) {
			argv[nr++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			parse_options_usage(stdout, usage, options);
			ret = 1;
			goto out;
		}
		if (!strcmp(arg, "--list-options")) {
			list_options(options);
			ret = 1;
			goto out;
		}
		strbuf_reset(&typed);
		if (arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

			strbuf_add(&typed, arg, len + 2);
			o = find_long(options, arg + 2, len);
			if (eq)
				val = eq + 1;
		} else {
			strbuf_add(&typed, arg, 2);
			o = find_short(options, arg[1]);
			if (arg[2]) {
				val = arg[2] == '=' ? arg + 3 : arg + 2;
				if (o && !takes_value(o))
					o = NULL;	/* no bundled flags (-qv) */
			}
		}
		if (!o) {
			if (flags & PARSE_OPT_KEEP_UNKNOWN) {
				argv[nr++] = argv[i];
				continue;
			}
			ret = error_as(EXIT_USAGE, "unknown option '%s'", arg[1] == '-' ? typed.buf : arg);
			goto out;
		}
		if (!takes_value(o) && val) {
			ret = error_as(EXIT_USAGE, "option '%s' takes no value", typed.buf);
			goto out;
		}
		if (takes_value(o) && !val) {
			if (i + 1 >= *argc) {
				ret = error_as(EXIT_USAGE, "option '%s' needs a value", typed.buf);
				goto out;
			}
			val = argv[++i];
		}
		if ((ret = set_value(o, val)) < 0)
			goto out;
	}
	for (; i < *argc; i++)
		argv[nr++] = argv[i];
	*argc = nr;
out:
	strbuf_release(&typed);
	return ret;
}
