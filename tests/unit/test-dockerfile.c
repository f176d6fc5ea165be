/*
 * test-dockerfile.c: the Dockerfile parser against the cases of
 * tests/data/dockerfile/ *.test but two: lex.test (shell words) is
 * test-shlex.c's, glob.test (Go's filepath.Match) test-gopath.c's.
 *
 * A case is a block "### name", the Dockerfile, then sections:
 *   --- options   build-arg K=V | env K=V | workdir DIR | shell ELEM |
 *                 platform P | file NAME | no-expand
 *   --- expect    the dump of the result (see dump() below), or
 *   --- error     "LINE MESSAGE": the error is "FILE:LINE: MESSAGE..."
 *                 (a prefix), exit code 4
 */
#include "lib/common.h"
#include "build/dockerfile.h"
#include "tap.h"
#include "datafile.h"


static void q(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addf(sb, "\\%c", *s);
		else if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else if (*s == '\t')
			strbuf_addstr(sb, "\\t");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static void qv(struct strbuf *sb, const struct strlist *v)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < v->nr; i++) {
		if (i)
			strbuf_addch(sb, ',');
		q(sb, v->items[i]);
	}
	strbuf_addch(sb, ']');
}

static void dump(const struct dockerfile *df, struct strbuf *sb)
{
	if (df->escape != '\\')
		strbuf_addf(sb, "ESCAPE %c\n", df->escape);
	if (df->syntax)
		strbuf_addf(sb, "SYNTAX %s\n", df->syntax);
	if (df->check)
		strbuf_addf(sb, "CHECK %s\n", df->check);
	for (size_t i = 0; i < df->global_args.nr; i++) {
		strbuf_addstr(sb, "GLOBAL ");
		q(sb, df->global_args.items[i].key);
		if (df->global_args.items[i].value) {
			strbuf_addch(sb, '=');
			q(sb, df->global_args.items[i].value);
		}
		strbuf_addch(sb, '\n');
	}
	strbuf_addf(sb, "%d FROM ", df->from.line);
	q(sb, df->from.image);
	if (df->from.scratch)
		strbuf_addstr(sb, " scratch");
	if (df->from.platform)
		strbuf_addf(sb, " platform=%s", df->from.platform);
	if (df->from.name)
		strbuf_addf(sb, " as=%s", df->from.name);
	strbuf_addch(sb, '\n');
	for (size_t i = 0; i < df->nr; i++) {
		const struct dockerfile_instr *in = &df->instrs[i];

		strbuf_addf(sb, "%d", in->line);
		if (in->end_line != in->line)
			strbuf_addf(sb, "-%d", in->end_line);
		strbuf_addf(sb, " %s", dockerfile_cmd_name(in->cmd));
		switch (in->cmd) {
		case DOCKERFILE_ENV:
		case DOCKERFILE_LABEL:
		case DOCKERFILE_ARG:
			for (size_t k = 0; k < in->kv.nr; k++) {
				strbuf_addch(sb, ' ');
				q(sb, in->kv.items[k].key);
				if (in->kv.items[k].value) {
					strbuf_addch(sb, '=');
					q(sb, in->kv.items[k].value);
				}
			}
			break;
		case DOCKERFILE_COPY:
		case DOCKERFILE_ADD: {
			const struct dockerfile_copy *c = &in->copy;

			strbuf_addch(sb, ' ');
			qv(sb, &c->sources);
			strbuf_addch(sb, ' ');
			q(sb, c->dest);
			strbuf_addf(sb, " path=%s", c->dest_path);
			if (c->chown) {
				strbuf_addstr(sb, " chown=");
				q(sb, c->chown);
				strbuf_addf(sb, " uid=%ld gid=%ld", c->uid, c->gid);
			}
			if (c->chmod) {
				strbuf_addstr(sb, " chmod=");
				q(sb, c->chmod);
				strbuf_addf(sb, " mode=%04o", c->mode);
			}
			if (c->link)
				strbuf_addstr(sb, " link");
			if (c->unpack >= 0)
				strbuf_addf(sb, " unpack=%d", c->unpack);
			if (in->exec_form)
				strbuf_addstr(sb, " exec");
			break;
		}
		case DOCKERFILE_WORKDIR:
		case DOCKERFILE_USER:
		case DOCKERFILE_STOPSIGNAL:
		case DOCKERFILE_MAINTAINER:
			strbuf_addch(sb, ' ');
			q(sb, in->value);
			break;
		case DOCKERFILE_HEALTHCHECK: {
			const struct dockerfile_health *h = &in->health;

			strbuf_addch(sb, ' ');
			qv(sb, &h->test);
			if (h->interval)
				strbuf_addf(sb, " interval=%lld", (long long)h->interval);
			if (h->timeout)
				strbuf_addf(sb, " timeout=%lld", (long long)h->timeout);
			if (h->start_period)
				strbuf_addf(sb, " start_period=%lld", (long long)h->start_period);
			if (h->start_interval)
				strbuf_addf(sb, " start_interval=%lld", (long long)h->start_interval);
			if (h->retries)
				strbuf_addf(sb, " retries=%d", h->retries);
			break;
		}
		default:
			strbuf_addch(sb, ' ');
			if (in->args_null)
				strbuf_addstr(sb, "null");
			else
				qv(sb, &in->args);
			if (in->exec_form)
				strbuf_addstr(sb, " exec");
			break;
		}
		strbuf_addch(sb, '\n');
	}
}

struct opts {
	struct strlist build_args, env, shell;
	char *workdir, *platform, *file;
	int no_expand;
};

static void opts_release(struct opts *o)
{
	strlist_release(&o->build_args);
	strlist_release(&o->env);
	strlist_release(&o->shell);
	free(o->workdir);
	free(o->platform);
	free(o->file);
}

static void read_opts(const struct strbuf *sec, struct opts *o)
{
	const char *p = sec ? sec->buf : "";

	while (*p) {
		const char *nl = strchrnul(p, '\n');
		char *line = xstrndup(p, nl - p), *arg = strchr(line, ' ');

		if (arg)
			*arg++ = '\0';
		if (!strcmp(line, "build-arg"))
			strlist_push(&o->build_args, arg);
		else if (!strcmp(line, "env"))
			strlist_push(&o->env, arg);
		else if (!strcmp(line, "shell"))
			strlist_push(&o->shell, arg);
		else if (!strcmp(line, "workdir"))
			o->workdir = xstrdup(arg);
		else if (!strcmp(line, "platform"))
			o->platform = xstrdup(arg);
		else if (!strcmp(line, "file"))
			o->file = xstrdup(arg);
		else if (!strcmp(line, "no-expand"))
			o->no_expand = 1;
		else if (*line)
			printf("# unknown option '%s'\n", line);
		free(line);
		p = *nl ? nl + 1 : nl;
	}
}

static void run_case(const struct datafile_block *b, const char *file)
{
	const struct strbuf *input = datafile_section(b, "input");
	const struct strbuf *expect = datafile_section(b, "expect");
	const struct strbuf *errsec = datafile_section(b, "error");
	struct opts o = { 0 };
	struct dockerfile df;
	struct dockerfile_options dopts = { 0 };
	struct dockerfile_base base = { 0 };
	struct strbuf got = STRBUF_INIT;
	int rc;

	read_opts(datafile_section(b, "options"), &o);
	dopts.build_args = (const char *const *)o.build_args.items;
	dopts.build_args_nr = o.build_args.nr;
	dopts.target_platform = o.platform ? o.platform : "linux/amd64";
	dopts.build_platform = "linux/amd64";
	base.env = (const char *const *)o.env.items;
	base.env_nr = o.env.nr;
	base.workdir = o.workdir;
	base.shell = (const char *const *)o.shell.items;
	base.shell_nr = o.shell.nr;

	dockerfile_init(&df);
	rc = dockerfile_parse(&df, input->buf, input->len, o.file ? o.file : "Dockerfile", &dopts);
	if (!rc && !o.no_expand)
		rc = dockerfile_expand(&df, &base);
	if (errsec) {
		long line = strtol(errsec->buf, NULL, 10);
		const char *msg = strchr(errsec->buf, ' ');
		struct strbuf want = STRBUF_INIT;

		strbuf_addf(&want, "%s:%ld: %s", o.file ? o.file : "Dockerfile", line, msg ? msg + 1 : "");
		strbuf_trim(&want);
		if (line == 0) {
			strbuf_reset(&want);
			strbuf_addf(&want, "%s: %s", o.file ? o.file : "Dockerfile", msg ? msg + 1 : "");
			strbuf_trim(&want);
		}
		ok(rc == -EXIT_DOCKERFILE, "%s: %s (line %d): fails with exit code 4", file, b->name, b->line);
		if (rc >= 0) {
			dump(&df, &got);
			printf("# unexpectedly parsed:\n%s", got.buf);
		}
		ok(!strncmp(error_last(), want.buf, want.len), "%s: %s: message", file, b->name);
		if (strncmp(error_last(), want.buf, want.len))
			printf("#   got:  '%s'\n#   want: '%s...'\n", error_last(), want.buf);
		is_int(df.error_line, line, "%s: %s: error_line", file, b->name);
		strbuf_release(&want);
	} else {
		if (!ok(rc == 0, "%s: %s (line %d): parses", file, b->name, b->line))
			printf("#   error: %s\n", error_last());
		if (!rc) {
			dump(&df, &got);
			is_str(got.buf, expect ? expect->buf : "", "%s: %s: result", file, b->name);
		}
	}
	strbuf_release(&got);
	dockerfile_release(&df);
	opts_release(&o);
}

int main(void)
{
	struct strbuf dir = STRBUF_INIT;
	char **names;
	size_t nr;

	error_set_quiet(1);
	if (datafile_dir("dockerfile", &dir) < 0) {
		ok(0, "find tests/data/dockerfile");
		return tap_done();
	}
	datafile_list(dir.buf, ".test", &names, &nr);
	ok(nr > 0, "case files found in %s", dir.buf);
	for (size_t i = 0; i < nr; i++) {
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s/%s", dir.buf, names[i]);
		/* lex.test is test-shlex.c's, glob.test test-gopath.c's */
		if (strcmp(names[i], "lex.test") && strcmp(names[i], "glob.test"))
			datafile_run_file(path.buf, names[i], run_case);
		strbuf_release(&path);
		free(names[i]);
	}
	free(names);
	strbuf_release(&dir);
	return tap_done();
}
