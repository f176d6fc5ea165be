/*
 * test-parse-options.c: the CLI's option parser (src/cli/parse-options.c),
 * on argument vectors built here: every kind of option, both value
 * spellings, `--`, the errors and their messages, and the help layout.
 */
#include "lib/common.h"
#include "lib/strlist.h"
#include "cli/parse-options.h"
#include "tap.h"

#include <fcntl.h>
#include <unistd.h>

struct opts {
	int quiet, jobs, raw;
	const char *file, *platform;
	struct strlist tags;
	struct strbuf seen;	/* what the callback saw */
};

static int record(const struct option *opt, const char *arg)
{
	struct opts *o = opt->value;

	if (arg && !strcmp(arg, "bad"))
		return error_as(EXIT_USAGE, "--output '%s': want oci:DIR", arg);
	strbuf_addf(&o->seen, "[%s]", arg ? arg : "(flag)");
	return 0;
}

static const char *const usage[] = { "publish test [<options>] ARG...", "", "A test command.", NULL };

static struct opts o;
static const struct option options[] = {
	OPT_FLAG('q', "quiet", &o.quiet, "no progress lines"),
	OPT_STRING('f', "file", &o.file, "<file>", "the Dockerfile"),
	OPT_INT(0, "jobs", &o.jobs, "<n>", 1, 32, "blobs at once\n(default 4)"),
	OPT_STRING_LIST('t', "tag", &o.tags, "<tag>", "a tag (repeatable)"),
	OPT_CALLBACK('o', "output", &o, "<dest>", "where the image goes", record),
	OPT_GROUP("more options:"),
	OPT_CALLBACK(0, "touch", &o, NULL, "a flag with a callback", record),
	OPT_FLAG(0, "raw", &o.raw, NULL),
	OPT_STRING(0, "a-very-long-option-name", &o.platform, "<platform>", "a long one"),
	OPT_END(),
};

static void reset(void)
{
	strlist_release(&o.tags);
	strbuf_release(&o.seen);
	memset(&o, 0, sizeof(o));
	strbuf_init(&o.seen, 0);
}

/* parse a space-separated command line ("cmd" first); *nr gets the arguments left */
static int run(const char *line, unsigned flags, char ***args, int *nr)
{
	static struct strlist words = STRLIST_INIT;
	static char **v;

	strlist_release(&words);
	free(v);
	strlist_split(&words, line, ' ');
	v = xcalloc(words.nr + 1, sizeof(*v));
	memcpy(v, words.items, words.nr * sizeof(*v));
	*nr = (int)words.nr;
	*args = v;
	reset();
	return parse_options(nr, v, options, usage, flags);
}

/* what the whole line leaves as arguments, joined by '|' */
static const char *rest(char **args, int nr)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	for (int i = 0; i < nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", args[i]);
	return sb.buf;
}

/* run with stdout sent to /dev/null (the help goes there) */
static int run_quiet_stdout(const char *line, char ***args, int *nr)
{
	int saved, devnull, rc;

	fflush(stdout);
	saved = dup(1);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	close(devnull);
	rc = run(line, 0, args, nr);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static void test_kinds(void)
{
	char **a;
	int n;

	is_int(run("cmd --quiet --file Df --jobs 3 --tag a --tag=b -t c src dst", 0, &a, &n), 0,
	       "a line of every kind parses");
	ok(o.quiet && !strcmp(o.file, "Df") && o.jobs == 3, "flag, string and int are stored");
	is_int(o.tags.nr, 3, "the list has each --tag");
	is_str(o.tags.nr == 3 ? o.tags.items[2] : NULL, "c", "-t appends to the same list");
	is_str(rest(a, n), "src|dst", "the arguments are left, in order");

	run("cmd --file=one --file two", 0, &a, &n);
	is_str(o.file, "two", "--name=value and --name value; the last one wins");
	run("cmd -f x", 0, &a, &n);
	is_str(o.file, "x", "-f value");
	run("cmd -fx", 0, &a, &n);
	is_str(o.file, "x", "-fvalue");
	run("cmd -f=x", 0, &a, &n);
	is_str(o.file, "x", "-f=value, as docker's CLI takes it");
	run("cmd --file -x", 0, &a, &n);
	is_str(o.file, "-x", "a value may start with '-'");
	run("cmd --file=", 0, &a, &n);
	is_str(o.file, "", "--name= is an empty value");
	run("cmd -q", 0, &a, &n);
	is_int(o.quiet, 1, "-q");

	is_int(run("cmd --output=oci:x --touch -o y", 0, &a, &n), 0, "callbacks");
	is_str(o.seen.buf, "[oci:x][(flag)][y]", "a callback gets its value, NULL for a flag");

	run("cmd a -q -- --file b -", 0, &a, &n);
	is_str(rest(a, n), "a|--file|b|-", "'--' ends the options, '-' is an argument");
	ok(o.quiet && !o.file, "options before '--' only");
	run("cmd", 0, &a, &n);
	is_int(n, 0, "no arguments");
}

static void test_errors(void)
{
	char **a;
	int n;

	is_int(run("cmd --frob", 0, &a, &n), -EXIT_USAGE, "an unknown option is a usage error");
	is_str(error_last(), "unknown option '--frob'", "it is named");
	run("cmd --password=secret", 0, &a, &n);
	is_str(error_last(), "unknown option '--password'", "named without its value");
	run("cmd -x", 0, &a, &n);
	is_str(error_last(), "unknown option '-x'", "an unknown short option");
	is_int(run("cmd -qv", 0, &a, &n), -EXIT_USAGE, "flags are not bundled");
	is_str(error_last(), "unknown option '-qv'", "the whole word is named");
	is_int(run("cmd a --file", 0, &a, &n), -EXIT_USAGE, "a missing value");
	is_str(error_last(), "option '--file' needs a value", "names the option");
	run("cmd -t", 0, &a, &n);
	is_str(error_last(), "option '-t' needs a value", "as it was typed");
	is_int(run("cmd --quiet=1", 0, &a, &n), -EXIT_USAGE, "a value given to a flag");
	is_str(error_last(), "option '--quiet' takes no value", "is refused");
	run("cmd --touch=x", 0, &a, &n);
	is_str(error_last(), "option '--touch' takes no value", "so is one to a flag callback");
	is_int(run("cmd --jobs 0", 0, &a, &n), -EXIT_USAGE, "a number out of range");
	is_str(error_last(), "--jobs wants a number from 1 to 32, not '0'", "names the range");
	run("cmd --jobs=4x", 0, &a, &n);
	is_str(error_last(), "--jobs wants a number from 1 to 32, not '4x'", "trailing junk");
	run("cmd --jobs=", 0, &a, &n);
	ok(o.jobs == 0 && !strcmp(error_last(), "--jobs wants a number from 1 to 32, not ''"),
	   "an empty number is refused, nothing stored");
	run("cmd --jobs 99999999999999999999", 0, &a, &n);
	is_str(error_last(), "--jobs wants a number from 1 to 32, not '99999999999999999999'", "overflow");
	is_int(run("cmd --output bad", 0, &a, &n), -EXIT_USAGE, "a callback's error is returned");
	is_str(error_last(), "--output 'bad': want oci:DIR", "with its message");
	is_int(run("cmd --quiet --frob=1 -x a", PARSE_OPT_KEEP_UNKNOWN, &a, &n), 0,
	       "PARSE_OPT_KEEP_UNKNOWN keeps unknown options");
	is_str(rest(a, n), "--frob=1|-x|a", "among the arguments");
	is_int(run("cmd --quit", 0, &a, &n), -EXIT_USAGE, "no abbreviations");
}

static void test_help(void)
{
	char **a, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	is_int(run_quiet_stdout("cmd --jobs 2 --help --frob", &a, &n), 1, "--help returns 1");
	is_int(run_quiet_stdout("cmd -h", &a, &n), 1, "-h too");
	is_int(run_quiet_stdout("cmd --list-options", &a, &n), 1, "--list-options too");
	is_int(run("cmd --frob --help", 0, &a, &n), -EXIT_USAGE, "an error before --help wins");

	f = open_memstream(&buf, &len);
	parse_options_usage(f, usage, options);
	fclose(f);
	is_str(buf,
	       "usage: publish test [<options>] ARG...\n"
	       "\n"
	       "A test command.\n"
	       "\n"
	       "  -q, --quiet          no progress lines\n"
	       "  -f, --file <file>    the Dockerfile\n"
	       "      --jobs <n>       blobs at once\n"
	       "                       (default 4)\n"
	       "  -t, --tag <tag>      a tag (repeatable)\n"
	       "  -o, --output <dest>  where the image goes\n"
	       "\n"
	       "more options:\n"
	       "      --touch          a flag with a callback\n"
	       "      --raw\n"
	       "      --a-very-long-option-name <platform>\n"
	       "                       a long one\n",
	       "the help: usage, then one aligned line an option");
	free(buf);

	{
		static const char *const u[] = { "publish meta [<options>]", NULL };
		const char *fmt = NULL;
		const struct option longs[] = {
			OPT_STRING(0, "format", &fmt, "text|json", "what to print"),
			OPT_GROUP("A closing paragraph."),
			OPT_END(),
		};

		buf = NULL;
		f = open_memstream(&buf, &len);
		parse_options_usage(f, u, longs);
		fclose(f);
		is_str(buf, "usage: publish meta [<options>]\n\n  --format text|json  what to print\n"
		       "\nA closing paragraph.\n", "no short options: no room kept for them");
		free(buf);
	}
}

int main(void)
{
	/* the usage that follows a usage error goes to stderr: not into the TAP */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	test_kinds();
	test_errors();
	test_help();
	reset();
	return tap_done();
}
