/*
 * dockerfile.c: the Dockerfile, parsed as BuildKit's dockerfile frontend
 * parses it (parser/parser.go, line_parsers.go, instructions/parse.go,
 * bflag.go, shell/lex.go and the dispatch rules of dockerfile2llb), and
 * refused where a daemonless build cannot follow.
 *
 * This module owns the syntax and the per-instruction values; the
 * builder owns the image config.  Pure: bytes in, structs out.
 *
 * Phase 1, dockerfile_parse(): physical lines become logical ones
 * (directives, comments, continuations), each split into keyword,
 * flags and arguments by the line parser Docker uses for that keyword,
 * then checked (argument counts, flags, refusals).  Global ARGs and the
 * FROM line are resolved there, with the --build-arg values.
 *
 * Phase 2, dockerfile_expand(): the instructions after FROM run in order
 * against an environment seeded with the base image's Env, so $VAR
 * expansion, WORKDIR and SHELL behave as in a real build.
 */
#include "lib/common.h"
#include "build/dockerfile.h"
#include "build/gopath.h"
#include "build/shlex.h"
#include "lib/kvlist.h"
#include "lib/strlist.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>

#define DEFAULT_SHELL_0 "/bin/sh"
#define DEFAULT_SHELL_1 "-c"

/* ---- private parse state ---- */

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

static void raw_release(struct raw *r)
{
	strlist_release(&r->args);
	free(r->chown);
	free(r->chmod);
	free(r->interval);
	free(r->timeout);
	free(r->start_period);
	free(r->start_interval);
	free(r->retries);
}

static int df_error(struct dockerfile *df, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int df_error(struct dockerfile *df, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	df->error_line = line;
	if (line > 0)
		rc = error_as(EXIT_DOCKERFILE, "%s:%d: %s", df->filename, line, sb.buf);
	else
		rc = error_as(EXIT_DOCKERFILE, "%s: %s", df->filename, sb.buf);
	strbuf_release(&sb);
	return rc;
}

/* ---- commands ---- */

static const struct {
	const char *name;
	enum dockerfile_cmd cmd;
} commands[] = {
	{ "FROM", DOCKERFILE_FROM },
	{ "ARG", DOCKERFILE_ARG },
	{ "ENV", DOCKERFILE_ENV },
	{ "LABEL", DOCKERFILE_LABEL },
	{ "COPY", DOCKERFILE_COPY },
	{ "ADD", DOCKERFILE_ADD },
	{ "WORKDIR", DOCKERFILE_WORKDIR },
	{ "CMD", DOCKERFILE_CMD },
	{ "ENTRYPOINT", DOCKERFILE_ENTRYPOINT },
	{ "EXPOSE", DOCKERFILE_EXPOSE },
	{ "USER", DOCKERFILE_USER },
	{ "VOLUME", DOCKERFILE_VOLUME },
	{ "STOPSIGNAL", DOCKERFILE_STOPSIGNAL },
	{ "HEALTHCHECK", DOCKERFILE_HEALTHCHECK },
	{ "SHELL", DOCKERFILE_SHELL },
	{ "MAINTAINER", DOCKERFILE_MAINTAINER },
};

const char *dockerfile_cmd_name(enum dockerfile_cmd cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

static int lookup_cmd(const char *kw)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcasecmp(commands[i].name, kw))
			return commands[i].cmd;
	return 0;
}

/* Go's strings.TrimSpace, for ASCII */
static char *trim_dup(const char *s, size_t n)
{
	while (n && shlex_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && shlex_is_space((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

void dockerfile_workdir_join(const char *current, const char *requested, struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;

	if (*requested == '/') {
		strbuf_addstr(out, requested);
		return;
	}
	strbuf_addch(&tmp, '/');
	if (current && *current)
		strbuf_addf(&tmp, "%s/", current);
	strbuf_addstr(&tmp, requested);
	gopath_clean(tmp.buf, out);
	strbuf_release(&tmp);
}

/* ---- phase 1: lines ---- */

struct node {
	int start, end;
	char *line;		/* joined logical line */
	char *keyword;
	struct strlist flags;
	char *rest;		/* the arguments after the flags, trimmed */
};

static void node_release(struct node *n)
{
	free(n->line);
	free(n->keyword);
	strlist_release(&n->flags);
	free(n->rest);
}

/* extractBuilderFlags: leading "--flag" words; returns the rest. */
static const char *extract_flags(const char *line, struct strlist *flags)
{
	struct strbuf word = STRBUF_INIT;
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	int quote = 0, blank_ok = 0;
	size_t n = strlen(line);

	for (size_t pos = 0; pos <= n; pos++) {
		int c = pos < n ? (unsigned char)line[pos] : 0;

		if (phase == SPACES) {
			if (pos == n)
				break;
			if (shlex_is_space(c))
				continue;
			if (c != '-' || pos + 1 == n || line[pos + 1] != '-') {
				strbuf_release(&word);
				return line + pos;
			}
			phase = WORD;
		}
		if (pos == n) {
			if (strcmp(word.buf, "--") && (blank_ok || word.len))
				strlist_push_nodup(flags, strbuf_detach(&word, NULL));
			break;
		}
		if (phase == WORD) {
			if (shlex_is_space(c)) {
				phase = SPACES;
				if (!strcmp(word.buf, "--")) {
					strbuf_release(&word);
					return line + pos;
				}
				if (blank_ok || word.len)
					strlist_push_nodup(flags, strbuf_detach(&word, NULL));
				strbuf_reset(&word);
				blank_ok = 0;
				continue;
			}
			if (c == '\'' || c == '"') {
				quote = c;
				blank_ok = 1;
				phase = QUOTE;
				continue;
			}
			if (c == '\\') {
				if (pos + 1 == n)
					continue;
				c = (unsigned char)line[++pos];
			}
			strbuf_addch(&word, c);
			continue;
		}
		/* QUOTE */
		if (c == quote) {
			phase = WORD;
			continue;
		}
		if (c == '\\') {
			if (pos + 1 == n) {
				phase = WORD;
				continue;
			}
			c = (unsigned char)line[++pos];
		}
		strbuf_addch(&word, c);
	}
	strbuf_release(&word);
	return line + n;
}

static void split_command(struct node *n)
{
	const char *p = n->line, *kw_end, *rest;
	size_t len = strlen(p);

	while (len && shlex_is_space((unsigned char)p[len - 1]))
		len--;
	while (len && shlex_is_space((unsigned char)*p)) {
		p++;
		len--;
	}
	kw_end = p;
	while (kw_end < p + len && !shlex_is_ws((unsigned char)*kw_end))
		kw_end++;
	n->keyword = xstrndup(p, kw_end - p);
	if (kw_end == p + len) {
		n->rest = xstrdup("");
		return;
	}
	while (kw_end < p + len && shlex_is_ws((unsigned char)*kw_end))
		kw_end++;
	{
		char *args = xstrndup(kw_end, p + len - kw_end);

		rest = extract_flags(args, &n->flags);
		n->rest = trim_dup(rest, strlen(rest));
		free(args);
	}
}

/* the continuation regex: ([^E])E[ \t]*$ | ^E[ \t]*$ ; strips in place */
static int trim_continuation(struct strbuf *sb, int esc)
{
	size_t n = sb->len;

	while (n && (sb->buf[n - 1] == ' ' || sb->buf[n - 1] == '\t'))
		n--;
	if (!n || sb->buf[n - 1] != esc)
		return 0;
	if (n >= 2 && sb->buf[n - 2] == esc)
		return 0;
	strbuf_setlen(sb, n - 1);
	return 1;
}

static int is_comment(const char *s, size_t n)
{
	while (n && shlex_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	return n && *s == '#';
}

/* ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ */
static int match_directive(const char *s, size_t n, char **key, char **value)
{
	const char *e = s + n, *k, *ke, *v, *ve;

	if (s == e || *s != '#')
		return 0;
	s++;
	while (s < e && shlex_is_space((unsigned char)*s) && *s != '\v')
		s++;
	if (s == e || !isalpha((unsigned char)*s))
		return 0;
	k = s;
	while (s < e && isalnum((unsigned char)*s))
		s++;
	ke = s;
	while (s < e && shlex_is_space((unsigned char)*s) && *s != '\v')
		s++;
	if (s == e || *s != '=')
		return 0;
	s++;
	while (s < e && shlex_is_space((unsigned char)*s) && *s != '\v')
		s++;
	v = s;
	ve = e;
	while (ve > v && shlex_is_space((unsigned char)ve[-1]) && ve[-1] != '\v')
		ve--;
	if (ve == v)
		return 0;
	*key = xstrndup(k, ke - k);
	for (char *c = *key; *c; c++)
		*c = tolower((unsigned char)*c);
	*value = xstrndup(v, ve - v);
	return 1;
}

struct lines {
	const char *buf;
	size_t len, pos;
	int lineno;
};

/* next physical line without its "\r\n"s; 0 at the end */
static int next_line(struct lines *l, const char **s, size_t *n)
{
	const char *p, *nl;

	if (l->pos >= l->len)
		return 0;
	p = l->buf + l->pos;
	nl = memchr(p, '\n', l->len - l->pos);
	*s = p;
	if (nl) {
		*n = nl - p;
		l->pos += *n + 1;
	} else {
		*n = l->len - l->pos;
		l->pos = l->len;
	}
	while (*n && (p[*n - 1] == '\r' || p[*n - 1] == '\n'))
		(*n)--;
	l->lineno++;
	return 1;
}

struct directives {
	int done;
	int seen_escape, seen_syntax, seen_check;
};

static int possible_directive(struct dockerfile *df, struct directives *d, const char *s,
			      size_t n, int line)
{
	char *key = NULL, *value = NULL;
	int rc = 0;

	if (d->done)
		return 0;
	if (!match_directive(s, n, &key, &value)) {
		d->done = 1;
		return 0;
	}
	if (!strcmp(key, "escape")) {
		if (d->seen_escape) {
			rc = df_error(df, line, "only one escape parser directive can be used");
		} else if (strcmp(value, "\\") && strcmp(value, "`")) {
			rc = df_error(df, line, "invalid escape token '%s' does not match ` or \\", value);
		} else {
			df->escape = value[0];
			d->seen_escape = 1;
		}
	} else if (!strcmp(key, "syntax")) {
		if (d->seen_syntax) {
			rc = df_error(df, line, "only one syntax parser directive can be used");
		} else {
			df->syntax = value;
			value = NULL;
			d->seen_syntax = 1;
		}
	} else if (!strcmp(key, "check")) {
		if (d->seen_check) {
			rc = df_error(df, line, "only one check parser directive can be used");
		} else {
			df->check = value;
			value = NULL;
			d->seen_check = 1;
		}
	} else {
		d->done = 1;
	}
	free(key);
	free(value);
	return rc;
}

/* Split the file into logical lines (parser.Parse). */
static int read_nodes(struct dockerfile *df, const char *buf, size_t len, struct node **out,
		      size_t *out_nr)
{
	struct lines l = { buf, len, 0, 0 };
	struct directives d = { 0 };
	struct node *nodes = NULL;
	size_t nr = 0, alloc = 0;
	struct strbuf line = STRBUF_INIT, cont = STRBUF_INIT;
	const char *s;
	size_t n;
	int rc = 0;

	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		l.pos = 3;
	while (next_line(&l, &s, &n)) {
		int start = l.lineno, eol;

		while (n && shlex_is_space((unsigned char)*s)) {
			s++;
			n--;
		}
		rc = possible_directive(df, &d, s, n, start);
		if (rc < 0)
			goto out;
		strbuf_reset(&line);
		if (!is_comment(s, n))
			strbuf_add(&line, s, n);
		eol = !trim_continuation(&line, df->escape);
		if (eol && !line.len)
			continue;
		while (!eol && next_line(&l, &s, &n)) {
			rc = possible_directive(df, &d, s, n, l.lineno);
			if (rc < 0)
				goto out;
			if (is_comment(s, n))
				continue;
			{
				size_t k = 0;

				while (k < n && shlex_is_space((unsigned char)s[k]))
					k++;
				if (k == n)
					continue;	/* empty continuation line */
			}
			strbuf_reset(&cont);
			strbuf_add(&cont, s, n);
			eol = !trim_continuation(&cont, df->escape);
			strbuf_addbuf(&line, &cont);
		}
		ALLOC_GROW(nodes, nr + 1, alloc);
		memset(&nodes[nr], 0, sizeof(nodes[nr]));
		nodes[nr].start = start;
		nodes[nr].end = l.lineno;
		nodes[nr].line = xstrdup(line.buf);
		split_command(&nodes[nr]);
		nr++;
	}
out:
	strbuf_release(&line);
	strbuf_release(&cont);
	if (rc < 0) {
		for (size_t i = 0; i < nr; i++)
			node_release(&nodes[i]);
		free(nodes);
		return rc;
	}
	*out = nodes;
	*out_nr = nr;
	return 0;
}

/* ---- phase 1: line parsers ---- */

#define NOT_STRING_ARRAY "when using JSON array syntax, arrays must be comprised of strings only"

/* parseJSON: 1 JSON array of strings, 0 not JSON, -1 an array with non-strings */
static int parse_json(const char *rest, struct strlist *out)
{
	json_t *j;
	json_error_t jerr;
	size_t i;
	json_t *v;

	while (shlex_is_space((unsigned char)*rest))
		rest++;
	if (*rest != '[')
		return 0;
	j = json_loads(rest, 0, &jerr);
	if (!j)
		return 0;
	if (!json_is_array(j)) {
		json_decref(j);
		return 0;
	}
	json_array_foreach(j, i, v) {
		if (!json_is_string(v)) {
			json_decref(j);
			strlist_release(out);
			return -1;
		}
		strlist_push_nodup(out, xstrndup(json_string_value(v), json_string_length(v)));
	}
	json_decref(j);
	return 1;
}

/* parseNameVal for ENV and LABEL: pairs key, value in out */
static int parse_name_val(struct dockerfile *df, int line, const char *rest, const char *cmd,
			  struct strlist *out, int *no_delim)
{
	struct strlist words = { 0 };
	int rc = 0;

	shlex_split_words(rest, df->escape, &words);
	if (!words.nr)
		goto out;
	if (!strchr(words.items[0], '=')) {
		const char *p = rest, *q;

		while (*p && !shlex_is_ws((unsigned char)*p))
			p++;
		if (!*p) {
			rc = df_error(df, line, "%s must have two arguments", cmd);
			goto out;
		}
		strlist_push_nodup(out, xstrndup(rest, p - rest));
		q = p;
		while (*q && shlex_is_ws((unsigned char)*q))
			q++;
		strlist_push_nodup(out, xstrdup(q));
		*no_delim = 1;
		goto out;
	}
	for (size_t i = 0; i < words.nr; i++) {
		char *eq = strchr(words.items[i], '=');

		if (!eq) {
			rc = df_error(df, line,
				      "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
				      words.items[i]);
			goto out;
		}
		strlist_push_nodup(out, xstrndup(words.items[i], eq - words.items[i]));
		strlist_push_nodup(out, xstrdup(eq + 1));
	}
out:
	strlist_release(&words);
	return rc;
}

/* ---- phase 1: flags (BFlags) ---- */

enum { FLAG_BOOL, FLAG_STRING };

struct flagdef {
	const char *name;
	int type;
	char *value;		/* parsed value: "true"/"false" for bools */
};

static int parse_flags(struct dockerfile *df, const struct node *n, const char *cmd,
		       struct flagdef *defs, size_t ndefs)
{
	for (size_t i = 0; i < n->flags.nr; i++) {
		const char *arg = n->flags.items[i], *eq;
		struct flagdef *f = NULL;
		size_t namelen;

		if (strncmp(arg, "--", 2))
			return df_error(df, n->start, "arg should start with -- : %s", arg);
		if (!strcmp(arg, "--"))
			return 0;
		arg += 2;
		eq = strchr(arg, '=');
		namelen = eq ? (size_t)(eq - arg) : strlen(arg);
		for (size_t k = 0; k < ndefs; k++)
			if (strlen(defs[k].name) == namelen && !strncmp(defs[k].name, arg, namelen))
				f = &defs[k];
		if (!f)
			return df_error(df, n->start, "unknown flag: --%.*s", (int)namelen, arg);
		if (f->value)
			return df_error(df, n->start, "duplicate flag specified: --%s", f->name);
		if (f->type == FLAG_BOOL) {
			if (eq && !eq[1])
				return df_error(df, n->start, "missing a value on flag: --%s", f->name);
			if (!eq || !strcasecmp(eq + 1, "true"))
				f->value = xstrdup("true");
			else if (!strcasecmp(eq + 1, "false"))
				f->value = xstrdup("false");
			else
				return df_error(df, n->start, "expecting boolean value for flag --%s, not: %s",
						f->name, eq + 1);
		} else {
			if (!eq)
				return df_error(df, n->start, "missing a value on flag: --%s", f->name);
			f->value = xstrdup(eq + 1);
		}
	}
	return 0;
}

static void flags_release(struct flagdef *defs, size_t ndefs)
{
	for (size_t i = 0; i < ndefs; i++) {
		free(defs[i].value);
		defs[i].value = NULL;
	}
}

/* Improve "unknown flag" messages: list what the command accepts. */
static int check_flags(struct dockerfile *df, const struct node *n, const char *cmd,
		       struct flagdef *defs, size_t ndefs)
{
	for (size_t i = 0; i < n->flags.nr; i++) {
		const char *arg = n->flags.items[i];
		size_t namelen;
		int known = 0;

		if (strncmp(arg, "--", 2) || !strcmp(arg, "--"))
			continue;
		arg += 2;
		namelen = strcspn(arg, "=");
		for (size_t k = 0; k < ndefs; k++)
			if (strlen(defs[k].name) == namelen && !strncmp(defs[k].name, arg, namelen))
				known = 1;
		if (!known) {
			struct strbuf sb = STRBUF_INIT;
			int rc;

			for (size_t k = 0; k < ndefs; k++)
				strbuf_addf(&sb, "%s--%s", k ? ", " : "", defs[k].name);
			rc = df_error(df, n->start, "unknown flag: --%.*s (%s accepts %s)", (int)namelen,
				      arg, cmd, ndefs ? sb.buf : "no flags");
			strbuf_release(&sb);
			return rc;
		}
	}
	return parse_flags(df, n, cmd, defs, ndefs);
}

/* ---- phase 1: heredocs and remote sources ---- */

/* ^(\d*)<<(-?)([^<]*)$ with a non-empty rest, on quote-aware words */
static int has_heredoc(const char *rest, int esc)
{
	struct strlist words = { 0 };
	int found = 0;

	if (!strstr(rest, "<<"))
		return 0;
	shlex_split_words(rest, esc, &words);
	for (size_t i = 0; i < words.nr && !found; i++) {
		const char *w = words.items[i];

		while (isdigit((unsigned char)*w))
			w++;
		if (strncmp(w, "<<", 2))
			continue;
		w += 2;
		if (*w == '-')
			w++;
		if (*w && !strchr(w, '<'))
			found = 1;
	}
	strlist_release(&words);
	return found;
}

static int is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static int is_git_ref(const char *s)
{
	const char *at, *colon;

	if (!strncmp(s, "git://", 6) || !strncmp(s, "ssh://", 6) || !strncmp(s, "git@", 4))
		return 1;
	/* scp-like user@host:path */
	at = strchr(s, '@');
	colon = strchr(s, ':');
	if (at && colon && at < colon && at > s && !memchr(s, '/', at - s))
		return 1;
	return 0;
}

/* ---- phase 1: instructions ---- */

static struct dockerfile_instr *add_instr(struct dockerfile *df, const struct node *n, int cmd)
{
	struct priv *pv = df->priv;
	struct dockerfile_instr *in;

	ALLOC_GROW(df->instrs, df->nr + 1, df->alloc);
	pv->raw = xrealloc(pv->raw, df->alloc * sizeof(*pv->raw));
	in = &df->instrs[df->nr];
	memset(in, 0, sizeof(*in));
	memset(&pv->raw[df->nr], 0, sizeof(pv->raw[df->nr]));
	in->cmd = cmd;
	in->line = n->start;
	in->end_line = n->end;
	in->text = xstrdup(n->line);
	in->copy.uid = in->copy.gid = -1;
	in->copy.mode = -1;
	in->copy.unpack = -1;
	df->nr++;
	return in;
}

static char *take(char **p)
{
	char *v = *p;

	*p = NULL;
	return v;
}

static int parse_copy(struct dockerfile *df, const struct node *n, int cmd, struct raw *r)
{
	const char *name = cmd == DOCKERFILE_ADD ? "ADD" : "COPY";
	struct flagdef copy_flags[] = {
		{ "chown", FLAG_STRING, NULL }, { "chmod", FLAG_STRING, NULL },
		{ "link", FLAG_BOOL, NULL }, { "from", FLAG_STRING, NULL },
		{ "parents", FLAG_BOOL, NULL }, { "exclude", FLAG_STRING, NULL },
	};
	struct flagdef add_flags[] = {
		{ "chown", FLAG_STRING, NULL }, { "chmod", FLAG_STRING, NULL },
		{ "link", FLAG_BOOL, NULL }, { "keep-git-dir", FLAG_BOOL, NULL },
		{ "checksum", FLAG_STRING, NULL }, { "unpack", FLAG_BOOL, NULL },
		{ "from", FLAG_STRING, NULL }, { "exclude", FLAG_STRING, NULL },
	};
	struct flagdef *defs = cmd == DOCKERFILE_ADD ? add_flags : copy_flags;
	size_t ndefs = cmd == DOCKERFILE_ADD ? ARRAY_SIZE(add_flags) : ARRAY_SIZE(copy_flags);
	int rc, json;

	json = parse_json(n->rest, &r->args);
	if (json < 0)
		return df_error(df, n->start, NOT_STRING_ARRAY);
	if (!json)
		shlex_split_ws(n->rest, &r->args);
	r->json = json;
	if (!json && has_heredoc(n->rest, df->escape))
		return df_error(df, n->start,
				"heredocs (<<EOF) are not supported: put the content in a file in the build context and %s that file",
				name);
	if (r->args.nr < 2)
		return df_error(df, n->start,
				"%s requires at least two arguments, but only one was provided. Destination could not be determined",
				name);
	rc = check_flags(df, n, name, defs, ndefs);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ndefs; i++) {
		const char *f = defs[i].name;

		if (!defs[i].value)
			continue;
		if (!strcmp(f, "from")) {
			rc = df_error(df, n->start,
				      "%s --from is not supported (no other build stage or image is available): produce those files in a workflow step before this action and %s them from the build context",
				      name, name);
			goto out;
		}
		if (!strcmp(f, "parents") || !strcmp(f, "exclude")) {
			rc = df_error(df, n->start,
				      "%s --%s is not supported: list the sources explicitly (and use .dockerignore to leave files out)",
				      name, f);
			goto out;
		}
		if (!strcmp(f, "checksum") || !strcmp(f, "keep-git-dir")) {
			rc = df_error(df, n->start,
				      "ADD --%s only applies to URL and git sources, which are not supported: fetch them in a workflow step before this action and COPY the result",
				      f);
			goto out;
		}
		if (!strcmp(f, "chown"))
			r->chown = take(&defs[i].value);
		else if (!strcmp(f, "chmod"))
			r->chmod = take(&defs[i].value);
		else if (!strcmp(f, "link"))
			r->link = !strcmp(defs[i].value, "true");
		else if (!strcmp(f, "unpack"))
			r->unpack = !strcmp(defs[i].value, "true") ? 2 : 1;
	}
	for (size_t i = 0; i + 1 < r->args.nr; i++) {
		const char *src = r->args.items[i];

		if (is_url(src) && cmd == DOCKERFILE_COPY) {
			rc = df_error(df, n->start, "source can't be a URL for COPY ('%s')", src);
			goto out;
		}
		if (is_url(src)) {
			rc = df_error(df, n->start,
				      "ADD of a URL is not supported ('%s'): download it in a workflow step before this action and COPY the file from the build context",
				      src);
			goto out;
		}
		if (cmd == DOCKERFILE_ADD && is_git_ref(src)) {
			rc = df_error(df, n->start,
				      "ADD of a git repository is not supported ('%s'): check it out in a workflow step before this action and COPY it from the build context",
				      src);
			goto out;
		}
	}
	rc = 0;
out:
	flags_release(defs, ndefs);
	return rc;
}

static int no_flags(struct dockerfile *df, const struct node *n, const char *cmd)
{
	return check_flags(df, n, cmd, NULL, 0);
}

/* Phase-1 parse of an instruction after FROM. */
static int parse_instr(struct dockerfile *df, const struct node *n, int cmd)
{
	struct priv *pv = df->priv;
	struct raw *r;
	const char *name = dockerfile_cmd_name(cmd);
	int rc;

	add_instr(df, n, cmd);
	r = &pv->raw[df->nr - 1];
	switch (cmd) {
	case DOCKERFILE_COPY:
	case DOCKERFILE_ADD:
		return parse_copy(df, n, cmd, r);
	case DOCKERFILE_ENV:
	case DOCKERFILE_LABEL:
		rc = parse_name_val(df, n->start, n->rest, name, &r->args, &r->no_delim);
		if (rc < 0)
			return rc;
		if (!r->args.nr)
			return df_error(df, n->start, "%s requires at least one argument", name);
		for (size_t i = 0; i < r->args.nr; i += 2)
			if (!*r->args.items[i])
				return df_error(df, n->start, "%s names can not be blank", name);
		return no_flags(df, n, name);
	case DOCKERFILE_ARG:
		shlex_split_words(n->rest, df->escape, &r->args);
		if (!r->args.nr)
			return df_error(df, n->start, "ARG requires at least one argument");
		for (size_t i = 0; i < r->args.nr; i++)
			if (r->args.items[i][0] == '=')
				return df_error(df, n->start, "ARG names can not be blank");
		return no_flags(df, n, name);
	case DOCKERFILE_WORKDIR:
	case DOCKERFILE_USER:
	case DOCKERFILE_MAINTAINER:
	case DOCKERFILE_STOPSIGNAL:
		if (*n->rest)
			strlist_push_nodup(&r->args, xstrdup(n->rest));
		if (r->args.nr != 1)
			return df_error(df, n->start, "%s requires exactly one argument", name);
		return no_flags(df, n, name);
	case DOCKERFILE_EXPOSE:
		shlex_split_ws(n->rest, &r->args);
		if (!r->args.nr)
			return df_error(df, n->start, "EXPOSE requires at least one argument");
		return no_flags(df, n, name);
	case DOCKERFILE_VOLUME: {
		int json = parse_json(n->rest, &r->args);

		if (json < 0)
			return df_error(df, n->start, NOT_STRING_ARRAY);
		if (!json)
			shlex_split_ws(n->rest, &r->args);
		r->json = json;
		if (!r->args.nr)
			return df_error(df, n->start, "VOLUME requires at least one argument");
		for (size_t i = 0; i < r->args.nr; i++) {
			char *t = trim_dup(r->args.items[i], strlen(r->args.items[i]));
			int empty = !*t;

			free(t);
			if (empty)
				return df_error(df, n->start, "VOLUME specified can not be an empty string");
		}
		return no_flags(df, n, name);
	}
	case DOCKERFILE_CMD:
	case DOCKERFILE_ENTRYPOINT:
	case DOCKERFILE_SHELL: {
		int json = 0;

		if (*n->rest) {
			json = parse_json(n->rest, &r->args);
			if (json < 0)
				return df_error(df, n->start, NOT_STRING_ARRAY);
			if (!json)
				strlist_push_nodup(&r->args, xstrdup(n->rest));
		}
		r->json = json;
		rc = no_flags(df, n, name);
		if (rc < 0)
			return rc;
		if (cmd == DOCKERFILE_SHELL) {
			if (!r->args.nr)
				return df_error(df, n->start, "SHELL requires at least one argument");
			if (!json)
				return df_error(df, n->start,
						"SHELL requires the arguments to be in JSON form (SHELL [\"executable\", \"param\"])");
		}
		return 0;
	}
	case DOCKERFILE_HEALTHCHECK: {
		struct flagdef defs[] = {
			{ "interval", FLAG_STRING, NULL }, { "timeout", FLAG_STRING, NULL },
			{ "start-period", FLAG_STRING, NULL }, { "start-interval", FLAG_STRING, NULL },
			{ "retries", FLAG_STRING, NULL },
		};
		const char *p = n->rest, *cmdpart;
		char *typ;
		int json = 0;

		while (*p && !shlex_is_space((unsigned char)*p))
			p++;
		if (p == n->rest)
			return df_error(df, n->start, "HEALTHCHECK requires at least one argument");
		typ = xstrndup(n->rest, p - n->rest);
		for (char *c = typ; *c; c++)
			*c = toupper((unsigned char)*c);
		strlist_push_nodup(&r->args, typ);
		cmdpart = p;
		while (*cmdpart && shlex_is_space((unsigned char)*cmdpart))
			cmdpart++;
		if (*cmdpart) {
			json = parse_json(cmdpart, &r->args);
			if (json < 0)
				return df_error(df, n->start, NOT_STRING_ARRAY);
			if (!json)
				strlist_push_nodup(&r->args, xstrdup(cmdpart));
		}
		r->json = json;
		if (!strcmp(typ, "NONE")) {
			if (r->args.nr != 1)
				return df_error(df, n->start, "HEALTHCHECK NONE takes no arguments");
			return no_flags(df, n, "HEALTHCHECK NONE");
		}
		rc = check_flags(df, n, name, defs, ARRAY_SIZE(defs));
		if (rc < 0) {
			flags_release(defs, ARRAY_SIZE(defs));
			return rc;
		}
		r->interval = take(&defs[0].value);
		r->timeout = take(&defs[1].value);
		r->start_period = take(&defs[2].value);
		r->start_interval = take(&defs[3].value);
		r->retries = take(&defs[4].value);
		if (strcmp(typ, "CMD"))
			return df_error(df, n->start, "Unknown type \"%s\" in HEALTHCHECK (try CMD)", typ);
		if (r->args.nr < 2)
			return df_error(df, n->start, "Missing command after HEALTHCHECK CMD");
		return 0;
	}
	}
	return df_error(df, n->start, "internal: unhandled %s", name);
}

/* ---- platform args ---- */

static const char *host_platform(void)
{
#if defined(__x86_64__)
	return "linux/amd64";
#elif defined(__aarch64__)
	return "linux/arm64";
#elif defined(__arm__)
	return "linux/arm/v7";
#elif defined(__i386__)
	return "linux/386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "linux/ppc64le";
#elif defined(__s390x__)
	return "linux/s390x";
#elif defined(__riscv)
	return "linux/riscv64";
#else
	return "linux/amd64";
#endif
}

static void add_platform_args(struct kvlist *e, const char *prefix, const char *platform)
{
	char *dup = xstrdup(platform), *os = dup, *arch = strchr(dup, '/'), *variant = NULL;
	struct strbuf k = STRBUF_INIT;

	if (arch) {
		*arch++ = '\0';
		variant = strchr(arch, '/');
		if (variant)
			*variant++ = '\0';
	}
	strbuf_addf(&k, "%sPLATFORM", prefix);
	kvlist_set(e, k.buf, platform);
	strbuf_reset(&k);
	strbuf_addf(&k, "%sOS", prefix);
	kvlist_set(e, k.buf, os);
	strbuf_reset(&k);
	strbuf_addf(&k, "%sARCH", prefix);
	kvlist_set(e, k.buf, arch ? arch : "");
	strbuf_reset(&k);
	strbuf_addf(&k, "%sVARIANT", prefix);
	kvlist_set(e, k.buf, variant ? variant : "");
	strbuf_release(&k);
	free(dup);
}

/* ---- phase 1: the whole file ---- */

void dockerfile_init(struct dockerfile *df)
{
	memset(df, 0, sizeof(*df));
	df->escape = '\\';
	df->priv = xcalloc(1, sizeof(struct priv));
}

static void instr_release(struct dockerfile_instr *in)
{
	free(in->text);
	strlist_release(&in->args);
	kvlist_release(&in->kv);
	free(in->value);
	strlist_release(&in->copy.sources);
	free(in->copy.dest);
	free(in->copy.dest_path);
	free(in->copy.chown);
	free(in->copy.chmod);
	strlist_release(&in->health.test);
}

void dockerfile_release(struct dockerfile *df)
{
	struct priv *pv;

	if (!df)
		return;
	pv = df->priv;
	for (size_t i = 0; i < df->nr; i++) {
		instr_release(&df->instrs[i]);
		if (pv)
			raw_release(&pv->raw[i]);
	}
	free(df->instrs);
	if (pv) {
		free(pv->raw);
		kvlist_release(&pv->build_args);
		kvlist_release(&pv->meta);
		free(pv);
	}
	free(df->filename);
	free(df->syntax);
	free(df->check);
	kvlist_release(&df->global_args);
	free(df->from.image);
	free(df->from.platform);
	free(df->from.name);
	memset(df, 0, sizeof(*df));
}

/*
 * Expand word for the instruction at line; what names it in a cap's
 * message ("LABEL x", "ENV PATH", "COPY"...).
 */
static int expand_in(struct dockerfile *df, int line, const char *what, const char *word,
		     const struct kvlist *env, struct strbuf *out)
{
	struct priv *pv = df->priv;
	struct strbuf err = STRBUF_INIT;
	int capped, rc = shlex_expand(word, df->escape, env, &pv->budget, out, NULL, &err, &capped);

	if (rc < 0 && capped)
		rc = df_error(df, line, "%s: %s", what, err.buf);
	else if (rc < 0)
		rc = df_error(df, line, "%s", err.buf);
	strbuf_release(&err);
	return rc;
}

/* What goes into the image config (JSON) must be UTF-8: -EXIT_DOCKERFILE otherwise. */
static int check_utf8(struct dockerfile *df, int line, const char *what, const char *s)
{
	size_t n = strlen(s), ok = gopath_utf8_prefix(s, n);

	if (ok == n)
		return 0;
	return df_error(df, line, "%s: invalid UTF-8 (byte 0x%02x at offset %zu): the image config holds only UTF-8 text",
			what, (unsigned char)s[ok], ok);
}

/* A --build-arg value an ARG takes: UTF-8 too (it may reach the config). */
static int check_build_arg(const char *key, const char *value)
{
	size_t n = strlen(value), ok = gopath_utf8_prefix(value, n);

	if (ok == n)
		return 0;
	return error_as(EXIT_INPUT, "--build-arg %s: invalid UTF-8 (byte 0x%02x at offset %zu)", key,
			(unsigned char)value[ok], ok);
}

/* A global ARG (before FROM). */
static int parse_meta_arg(struct dockerfile *df, const struct node *n)
{
	struct priv *pv = df->priv;
	struct strlist words = { 0 };
	struct strbuf v = STRBUF_INIT, what = STRBUF_INIT;
	int rc = 0;

	shlex_split_words(n->rest, df->escape, &words);
	if (!words.nr) {
		rc = df_error(df, n->start, "ARG requires at least one argument");
		goto out;
	}
	rc = no_flags(df, n, "ARG");
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < words.nr; i++) {
		char *w = words.items[i], *eq = strchr(w, '=');
		const char *bav;
		char *key;

		if (eq == w) {
			rc = df_error(df, n->start, "ARG names can not be blank");
			goto out;
		}
		key = eq ? xstrndup(w, eq - w) : xstrdup(w);
		bav = kvlist_get(&pv->build_args, key);
		strbuf_reset(&v);
		if (bav && (rc = check_build_arg(key, bav)) < 0) {
			free(key);
			goto out;
		}
		if (bav) {
			strbuf_addstr(&v, bav);
		} else if (eq) {
			strbuf_reset(&what);
			strbuf_addf(&what, "ARG %.64s", key);
			rc = expand_in(df, n->start, what.buf, eq + 1, &pv->meta, &v);
			if (rc == 0)
				rc = check_utf8(df, n->start, what.buf, v.buf);
			if (rc < 0) {
				free(key);
				goto out;
			}
		}
		if (bav || eq) {
			kvlist_set(&pv->meta, key, v.buf);
			kvlist_push(&df->global_args, key,
				v.buf);
		} else {
			kvlist_push(&df->global_args, key,
				NULL);
		}
		free(key);
	}
out:
	strbuf_release(&v);
	strbuf_release(&what);
	strlist_release(&words);
	return rc;
}

static int parse_from(struct dockerfile *df, const struct node *n)
{
	struct priv *pv = df->priv;
	struct strlist args = { 0 };
	struct flagdef defs[] = { { "platform", FLAG_STRING, NULL } };
	struct strbuf sb = STRBUF_INIT;
	int rc;

	shlex_split_ws(n->rest, &args);
	if (args.nr == 3 && !strcasecmp(args.items[1], "as")) {
		char *name = xstrdup(args.items[2]);
		int ok = 1;

		for (char *c = name; *c; c++)
			*c = tolower((unsigned char)*c);
		if (!islower((unsigned char)name[0]))
			ok = 0;
		for (char *c = name; ok && *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("-_.", *c))
				ok = 0;
		if (!ok) {
			free(name);
			rc = df_error(df, n->start,
				      "invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
				      args.items[2]);
			goto out;
		}
		df->from.name = name;
	} else if (args.nr != 1) {
		rc = df_error(df, n->start, "FROM requires either one or three arguments");
		goto out;
	}
	rc = check_flags(df, n, "FROM", defs, ARRAY_SIZE(defs));
	if (rc < 0)
		goto out;
	rc = expand_in(df, n->start, "FROM", args.items[0], &pv->meta, &sb);
	if (rc < 0)
		goto out;
	if (!sb.len) {
		rc = df_error(df, n->start, "base name (%s) should not be blank", args.items[0]);
		goto out;
	}
	df->from.image = strbuf_detach(&sb, NULL);
	df->from.scratch = !strcmp(df->from.image, "scratch");
	df->from.line = n->start;
	if (defs[0].value) {
		rc = expand_in(df, n->start, "FROM --platform", defs[0].value, &pv->meta, &sb);
		if (rc < 0)
			goto out;
		if (!sb.len) {
			rc = df_error(df, n->start, "--platform is empty after expansion ('%s')",
				      defs[0].value);
			goto out;
		}
		df->from.platform = strbuf_detach(&sb, NULL);
	}
out:
	flags_release(defs, ARRAY_SIZE(defs));
	strbuf_release(&sb);
	strlist_release(&args);
	return rc;
}

int dockerfile_parse(struct dockerfile *df, const char *buf, size_t len, const char *filename,
		     const struct dockerfile_options *opts)
{
	struct priv *pv = df->priv;
	struct node *nodes = NULL;
	size_t nr = 0;
	int rc = 0, have_from = 0;

	df->filename = xstrdup(filename ? filename : "Dockerfile");
	df->error_line = 0;
	if (!pv || pv->parsed)
		return error_as(EXIT_INTERNAL, "dockerfile_parse: not initialised or used twice");
	pv->parsed = 1;
	if (memchr(buf, '\0', len))
		return df_error(df, 0, "not a text file (it contains NUL bytes)");

	for (size_t i = 0; opts && i < opts->build_args_nr; i++)
		if (strchr(opts->build_args[i], '='))
			kvlist_set_pair(&pv->build_args, opts->build_args[i]);
	add_platform_args(&pv->meta, "TARGET",
			  opts && opts->target_platform ? opts->target_platform : host_platform());
	add_platform_args(&pv->meta, "BUILD",
			  opts && opts->build_platform ? opts->build_platform : host_platform());

	rc = read_nodes(df, buf, len, &nodes, &nr);
	if (rc < 0)
		return rc;
	if (!nr) {
		rc = df_error(df, 0, "file with no instructions");
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct node *n = &nodes[i];
		int cmd = lookup_cmd(n->keyword);

		if (!strcasecmp(n->keyword, "RUN")) {
			rc = df_error(df, n->start,
				      "RUN is not supported (publish builds without a container runtime): run that step in the workflow before this action, and COPY its output");
			goto out;
		}
		if (!strcasecmp(n->keyword, "ONBUILD")) {
			rc = df_error(df, n->start,
				      "ONBUILD is not supported: remove it (it only runs when another image is built FROM this one)");
			goto out;
		}
		if (!cmd) {
			char *up = xstrdup(n->keyword);

			for (char *c = up; *c; c++)
				*c = toupper((unsigned char)*c);
			rc = df_error(df, n->start, "unknown instruction: %s", up);
			free(up);
			goto out;
		}
		rc = check_utf8(df, n->start, dockerfile_cmd_name(cmd), n->line);
		if (rc < 0)
			goto out;
		if (cmd == DOCKERFILE_FROM) {
			if (have_from) {
				rc = df_error(df, n->start,
					      "a second FROM (multi-stage build) is not supported: build one stage; produce the earlier stages' files in workflow steps and COPY them from the build context");
				goto out;
			}
			rc = parse_from(df, n);
			if (rc < 0)
				goto out;
			have_from = 1;
			continue;
		}
		if (!have_from) {
			if (cmd == DOCKERFILE_ARG) {
				rc = parse_meta_arg(df, n);
				if (rc < 0)
					goto out;
				continue;
			}
			rc = df_error(df, n->start,
				      "no build stage in current context: %s comes before FROM", dockerfile_cmd_name(cmd));
			goto out;
		}
		rc = parse_instr(df, n, cmd);
		if (rc < 0)
			goto out;
	}
	if (!have_from)
		rc = df_error(df, 0, "no FROM instruction: the Dockerfile must start its stage with FROM");
out:
	for (size_t i = 0; i < nr; i++)
		node_release(&nodes[i]);
	free(nodes);
	return rc;
}

/* ---- phase 2 helpers ---- */

/* Go's time.ParseDuration; 0 ok */
static int parse_duration(const char *orig, int64_t *out, struct strbuf *err)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL }, { "us", 1000ULL }, { "\xC2\xB5s", 1000ULL }, { "\xCE\xBCs", 1000ULL },
		{ "ms", 1000000ULL }, { "s", 1000000000ULL }, { "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	const char *s = orig;
	uint64_t d = 0;
	int neg = 0;

	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!*s)
		goto invalid;
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		int pre = 0, post = 0, overflow = 0;
		size_t ulen = 0;

		if (!(*s == '.' || isdigit((unsigned char)*s)))
			goto invalid;
		while (isdigit((unsigned char)*s)) {
			if (v > (UINT64_C(1) << 63) / 10)
				goto overflow;
			v = v * 10 + (*s - '0');
			if (v > (UINT64_C(1) << 63))
				goto overflow;
			s++;
			pre = 1;
		}
		if (*s == '.') {
			s++;
			while (isdigit((unsigned char)*s)) {
				if (!overflow) {
					if (f > (UINT64_C(1) << 63) / 10) {
						overflow = 1;
					} else {
						uint64_t y = f * 10 + (*s - '0');

						if (y > (UINT64_C(1) << 63))
							overflow = 1;
						else {
							f = y;
							scale *= 10;
						}
					}
				}
				s++;
				post = 1;
			}
		}
		if (!pre && !post)
			goto invalid;
		while (s[ulen] && s[ulen] != '.' && !isdigit((unsigned char)s[ulen]))
			ulen++;
		if (!ulen) {
			strbuf_addf(err, "time: missing unit in duration \"%s\"", orig);
			return -1;
		}
		for (size_t i = 0; i < ARRAY_SIZE(units); i++)
			if (strlen(units[i].name) == ulen && !strncmp(units[i].name, s, ulen))
				unit = units[i].ns;
		if (!unit) {
			strbuf_addf(err, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)ulen, s, orig);
			return -1;
		}
		s += ulen;
		if (v > (UINT64_C(1) << 63) / unit)
			goto overflow;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > (UINT64_C(1) << 63))
				goto overflow;
		}
		d += v;
		if (d > (UINT64_C(1) << 63))
			goto overflow;
	}
	if (neg) {
		*out = d == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > (UINT64_C(1) << 63) - 1)
		goto overflow;
	*out = (int64_t)d;
	return 0;
invalid:
	strbuf_addf(err, "time: invalid duration \"%s\"", orig);
	return -1;
overflow:
	strbuf_addf(err, "time: invalid duration \"%s\"", orig);
	return -1;
}

static int health_interval(struct dockerfile *df, int line, const char *flag, const char *v,
			   int64_t *out)
{
	struct strbuf err = STRBUF_INIT;
	int64_t d;
	int rc = 0;

	*out = 0;
	if (!v || !*v)
		return 0;
	if (parse_duration(v, &d, &err) < 0) {
		rc = df_error(df, line, "HEALTHCHECK --%s: %s", flag, err.buf);
		goto out;
	}
	if (d != 0 && d < 1000000) {
		rc = df_error(df, line, "Interval \"%s\" cannot be less than 1ms", flag);
		goto out;
	}
	*out = d;
out:
	strbuf_release(&err);
	return rc;
}

static int parse_u16(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_port_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	const char *dash = strchr(s, '-');

	if (!*s)
		return -1;
	if (!dash) {
		if (parse_u16(s, strlen(s), lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	if (parse_u16(s, dash - s, lo) < 0)
		return -1;
	{
		const char *e = strchrnul(dash + 1, '-');

		if (parse_u16(dash + 1, e - dash - 1, hi) < 0)
			return -1;
	}
	if (*hi < *lo)
		return -1;
	return 0;
}

/* One EXPOSE word: [ip:][hostport:]port[-port][/proto] -> keys "N/proto" */
static int expose_port(struct dockerfile *df, int line, const char *raw, struct strlist *out)
{
	const char *cport = strrchr(raw, ':'), *slash;
	char *port, *proto;
	unsigned long lo, hi;
	int rc = 0;

	cport = cport ? cport + 1 : raw;
	slash = strchr(cport, '/');
	if (!slash || !slash[1]) {
		port = slash ? xstrndup(cport, slash - cport) : xstrdup(cport);
		proto = xstrdup("tcp");
	} else {
		const char *e = strchrnul(slash + 1, '/');

		port = xstrndup(cport, slash - cport);
		proto = xstrndup(slash + 1, e - slash - 1);
	}
	for (char *c = proto; *c; c++)
		*c = tolower((unsigned char)*c);
	if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")) {
		rc = df_error(df, line, "invalid proto: %s (EXPOSE takes tcp, udp or sctp)", proto);
		goto out;
	}
	if (!*port) {
		rc = df_error(df, line, "no port specified: %s<empty>", raw);
		goto out;
	}
	if (parse_port_range(port, &lo, &hi) < 0) {
		rc = df_error(df, line, "invalid containerPort: %s", port);
		goto out;
	}
	for (unsigned long p = lo; p <= hi; p++) {
		char key[32];

		snprintf(key, sizeof(key), "%lu/%s", p, proto);
		strlist_push_nodup(out, xstrdup(key));
	}
out:
	free(port);
	free(proto);
	return rc;
}

static int valid_signal(const char *s)
{
	static const char *const names[] = {
		"ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO",
		"IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP",
		"SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM",
		"WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
	};
	char *end, *up;
	long v;
	int ok = 0;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end && !errno)
		return v != 0;
	up = xstrdup(s);
	for (char *c = up; *c; c++)
		*c = toupper((unsigned char)*c);
	{
		const char *n = !strncmp(up, "SIG", 3) ? up + 3 : up;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(n, names[i]))
				ok = 1;
		if (!strncmp(n, "RTMIN+", 6) || !strncmp(n, "RTMAX-", 6)) {
			long k = strtol(n + 6, &end, 10);

			if (!*end && n[6] && k >= 1 && k <= 15 && isdigit((unsigned char)n[6]))
				ok = 1;
		}
	}
	free(up);
	return ok;
}

static int parse_id(const char *s, long *out)
{
	char *end;
	long v;

	if (!strcmp(s, "root")) {
		*out = 0;
		return 0;
	}
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > 0xFFFFFFFFL)
		return -1;
	*out = v;
	return 0;
}

static int expand_copy(struct dockerfile *df, struct dockerfile_instr *in, struct raw *r,
		       const struct kvlist *env, const char *workdir)
{
	struct dockerfile_copy *c = &in->copy;
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < r->args.nr; i++) {
		strbuf_reset(&sb);
		rc = expand_in(df, in->line, dockerfile_cmd_name(in->cmd), r->args.items[i], env, &sb);
		if (rc < 0)
			goto out;
		if (i + 1 < r->args.nr)
			strlist_push_nodup(&c->sources, xstrdup(sb.buf));
		else
			c->dest = xstrdup(sb.buf);
	}
	/* dest against WORKDIR; "." "" or a trailing '/' means a directory */
	strbuf_reset(&sb);
	if (c->dest[0] == '/') {
		gopath_clean(c->dest, &sb);
	} else {
		struct strbuf j = STRBUF_INIT;

		strbuf_addf(&j, "%s/%s", workdir, c->dest);
		gopath_clean(j.buf, &sb);
		strbuf_release(&j);
	}
	if ((!strcmp(c->dest, ".") || !*c->dest || c->dest[strlen(c->dest) - 1] == '/') &&
	    strcmp(sb.buf, "/"))
		strbuf_addch(&sb, '/');
	c->dest_path = strbuf_detach(&sb, NULL);

	if (r->chown) {
		char *colon;

		rc = expand_in(df, in->line, "--chown", r->chown, env, &sb);
		if (rc < 0)
			goto out;
		c->chown = strbuf_detach(&sb, NULL);
		colon = strchr(c->chown, ':');
		if (colon)
			*colon = '\0';
		/* a name is resolved by the build, from the base's /etc/passwd and /etc/group */
		if (!*c->chown || (colon && !colon[1])) {
			if (colon)
				*colon = ':';
			rc = df_error(df, in->line, "--chown=%s: want USER[:GROUP], as a name or a number",
				      c->chown);
			goto out;
		}
		if (parse_id(c->chown, &c->uid) < 0)
			c->uid = DOCKERFILE_ID_NAME;
		if (colon && parse_id(colon + 1, &c->gid) < 0)
			c->gid = DOCKERFILE_ID_NAME;
		if (colon)
			*colon = ':';
		else
			c->gid = c->uid;
	}
	if (r->chmod) {
		char *end;
		unsigned long m;

		rc = expand_in(df, in->line, "--chmod", r->chmod, env, &sb);
		if (rc < 0)
			goto out;
		c->chmod = strbuf_detach(&sb, NULL);
		errno = 0;
		m = strtoul(c->chmod, &end, 8);
		if (!*c->chmod || *end || errno || !isdigit((unsigned char)c->chmod[0]) || m > 07777) {
			rc = df_error(df, in->line,
				      "invalid chmod parameter '%s': publish takes an octal mode (--chmod=755)",
				      c->chmod);
			goto out;
		}
		c->mode = (int)m;
	}
	c->link = r->link;
	c->unpack = r->unpack ? r->unpack - 1 : -1;
	in->exec_form = r->json;
out:
	strbuf_release(&sb);
	return rc;
}

static void shell_argv(struct strlist *out, const struct strlist *shell,
		       const char *line)
{
	for (size_t i = 0; i < shell->nr; i++)
		strlist_push_nodup(out, xstrdup(shell->items[i]));
	strlist_push_nodup(out, xstrdup(line));
}

int dockerfile_expand(struct dockerfile *df, const struct dockerfile_base *base)
{
	struct priv *pv = df->priv;
	struct kvlist env = { 0 };
	struct strlist shell = { 0 };
	struct strbuf sb = STRBUF_INIT, wd = STRBUF_INIT, what = STRBUF_INIT;
	int rc = 0;

	if (!pv || !pv->parsed || pv->expanded || !df->from.image)
		return error_as(EXIT_INTERNAL, "dockerfile_expand: parse first, expand once");
	pv->expanded = 1;
	for (size_t i = 0; base && i < base->env_nr; i++)
		kvlist_set_pair(&env, base->env[i]);
	if (base && base->shell_nr) {
		for (size_t i = 0; i < base->shell_nr; i++)
			strlist_push_nodup(&shell, xstrdup(base->shell[i]));
	} else {
		strlist_push_nodup(&shell, xstrdup(DEFAULT_SHELL_0));
		strlist_push_nodup(&shell, xstrdup(DEFAULT_SHELL_1));
	}
	strbuf_addstr(&wd, base && base->workdir && *base->workdir ? base->workdir : "/");

	for (size_t i = 0; i < df->nr; i++) {
		struct dockerfile_instr *in = &df->instrs[i];
		struct raw *r = &pv->raw[i];
		int line = in->line;

		switch (in->cmd) {
		case DOCKERFILE_ENV:
		case DOCKERFILE_LABEL: {
			for (size_t k = 0; k + 1 < r->args.nr; k += 2) {
				char *key;

				strbuf_reset(&sb);
				rc = expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[k], &env, &sb);
				if (rc < 0)
					goto out;
				key = strbuf_detach(&sb, NULL);
				strbuf_reset(&what);
				strbuf_addf(&what, "%s %.64s", dockerfile_cmd_name(in->cmd), key);
				rc = expand_in(df, line, what.buf, r->args.items[k + 1], &env, &sb);
				if (rc == 0)
					rc = check_utf8(df, line, dockerfile_cmd_name(in->cmd), key);
				if (rc == 0)
					rc = check_utf8(df, line, what.buf, sb.buf);
				if (rc < 0) {
					free(key);
					goto out;
				}
				if (!*key) {
					free(key);
					rc = df_error(df, line, "%s names can not be blank",
						      dockerfile_cmd_name(in->cmd));
					goto out;
				}
				kvlist_push(&in->kv, key, sb.buf);
				free(key);
				strbuf_reset(&sb);
			}
			if (in->cmd == DOCKERFILE_ENV)
				for (size_t k = 0; k < in->kv.nr; k++)
					kvlist_set(&env, in->kv.items[k].key, in->kv.items[k].value);
			break;
		}
		case DOCKERFILE_ARG: {
			for (size_t k = 0; k < r->args.nr; k++) {
				const char *w = r->args.items[k], *eq = strchr(w, '='), *bav, *val = NULL;
				char *key = eq ? xstrndup(w, eq - w) : xstrdup(w);
				int have = 0;

				bav = kvlist_get(&pv->build_args, key);
				strbuf_reset(&sb);
				if (bav && (rc = check_build_arg(key, bav)) < 0) {
					free(key);
					goto out;
				}
				if (bav) {
					strbuf_addstr(&sb, bav);
					have = 1;
				} else if (eq) {
					strbuf_reset(&what);
					strbuf_addf(&what, "ARG %.64s", key);
					rc = expand_in(df, line, what.buf, eq + 1, &env, &sb);
					if (rc == 0)
						rc = check_utf8(df, line, what.buf, sb.buf);
					if (rc < 0) {
						free(key);
						goto out;
					}
					have = 1;
				} else if ((val = kvlist_get(&pv->meta, key))) {
					strbuf_addstr(&sb, val);
					have = 1;
				}
				kvlist_push(&in->kv, key, have ? sb.buf : NULL);
				if (have)
					kvlist_set(&env, key, sb.buf);
				free(key);
			}
			break;
		}
		case DOCKERFILE_COPY:
		case DOCKERFILE_ADD:
			rc = expand_copy(df, in, r, &env, wd.buf);
			if (rc < 0)
				goto out;
			break;
		case DOCKERFILE_WORKDIR: {
			strbuf_reset(&sb);
			rc = expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[0], &env, &sb);
			if (rc < 0)
				goto out;
			if (!sb.len) {
				rc = df_error(df, line, "WORKDIR is empty after expansion ('%s')", r->args.items[0]);
				goto out;
			}
			rc = check_utf8(df, line, "WORKDIR", sb.buf);
			if (rc < 0)
				goto out;
			{
				struct strbuf nw = STRBUF_INIT;

				dockerfile_workdir_join(wd.buf, sb.buf, &nw);
				strbuf_reset(&wd);
				strbuf_addbuf(&wd, &nw);
				strbuf_release(&nw);
			}
			in->value = xstrdup(wd.buf);
			break;
		}
		case DOCKERFILE_USER:
		case DOCKERFILE_STOPSIGNAL:
			strbuf_reset(&sb);
			rc = expand_in(df, line, dockerfile_cmd_name(in->cmd), r->args.items[0], &env, &sb);
			if (rc < 0)
				goto out;
			if (in->cmd == DOCKERFILE_STOPSIGNAL && !valid_signal(sb.buf)) {
				rc = df_error(df, line, "invalid signal: %s", sb.buf);
				goto out;
			}
			if (in->cmd == DOCKERFILE_USER && !sb.len) {
				rc = df_error(df, line, "USER is empty after expansion ('%s')", r->args.items[0]);
				goto out;
			}
			rc = check_utf8(df, line, dockerfile_cmd_name(in->cmd), sb.buf);
			if (rc < 0)
				goto out;
			in->value = strbuf_detach(&sb, NULL);
			break;
		case DOCKERFILE_MAINTAINER:
			in->value = xstrdup(r->args.items[0]);
			break;
		case DOCKERFILE_EXPOSE:
			for (size_t k = 0; k < r->args.nr; k++) {
				struct strlist words = { 0 };
				struct strbuf err = STRBUF_INIT;

				int capped;

				if (shlex_expand(r->args.items[k], df->escape, &env, &pv->budget, NULL, &words, &err,
					     &capped) < 0) {
					rc = df_error(df, line, "%s%s", capped ? "EXPOSE: " : "", err.buf);
					strbuf_release(&err);
					strlist_release(&words);
					goto out;
				}
				strbuf_release(&err);
				for (size_t w = 0; w < words.nr; w++) {
					rc = expose_port(df, line, words.items[w], &in->args);
					if (rc < 0) {
						strlist_release(&words);
						goto out;
					}
				}
				strlist_release(&words);
			}
			break;
		case DOCKERFILE_VOLUME:
			for (size_t k = 0; k < r->args.nr; k++) {
				strbuf_reset(&sb);
				rc = expand_in(df, line, "VOLUME", r->args.items[k], &env, &sb);
				if (rc < 0)
					goto out;
				if (!sb.len) {
					rc = df_error(df, line, "VOLUME specified can not be an empty string");
					goto out;
				}
				rc = check_utf8(df, line, "VOLUME", sb.buf);
				if (rc < 0)
					goto out;
				strlist_push_nodup(&in->args, strbuf_detach(&sb, NULL));
			}
			in->exec_form = r->json;
			break;
		case DOCKERFILE_CMD:
		case DOCKERFILE_ENTRYPOINT:
			in->exec_form = r->json;
			if (r->json) {
				for (size_t k = 0; k < r->args.nr; k++)
					strlist_push_nodup(&in->args, xstrdup(r->args.items[k]));
				if (in->cmd == DOCKERFILE_ENTRYPOINT && !r->args.nr)
					in->args_null = 1;
			} else {
				shell_argv(&in->args, &shell, r->args.nr ? r->args.items[0] : "");
			}
			break;
		case DOCKERFILE_SHELL:
			strlist_release(&shell);
			for (size_t k = 0; k < r->args.nr; k++) {
				strlist_push_nodup(&shell, xstrdup(r->args.items[k]));
				strlist_push_nodup(&in->args, xstrdup(r->args.items[k]));
			}
			in->exec_form = 1;
			break;
		case DOCKERFILE_HEALTHCHECK: {
			struct dockerfile_health *h = &in->health;

			in->exec_form = r->json;
			if (!strcmp(r->args.items[0], "NONE")) {
				strlist_push_nodup(&h->test, xstrdup("NONE"));
				break;
			}
			if (r->json) {
				strlist_push_nodup(&h->test, xstrdup("CMD"));
				for (size_t k = 1; k < r->args.nr; k++)
					strlist_push_nodup(&h->test, xstrdup(r->args.items[k]));
			} else {
				strlist_push_nodup(&h->test, xstrdup("CMD-SHELL"));
				strlist_push_nodup(&h->test, xstrdup(r->args.items[1]));
			}
			if ((rc = health_interval(df, line, "interval", r->interval, &h->interval)) < 0 ||
			    (rc = health_interval(df, line, "timeout", r->timeout, &h->timeout)) < 0 ||
			    (rc = health_interval(df, line, "start-period", r->start_period, &h->start_period)) < 0 ||
			    (rc = health_interval(df, line, "start-interval", r->start_interval, &h->start_interval)) < 0)
				goto out;
			if (r->retries && *r->retries) {
				char *end;
				long v;

				errno = 0;
				v = strtol(r->retries, &end, 10);
				if (*end || errno || v > INT32_MAX || v < INT32_MIN ||
				    isspace((unsigned char)r->retries[0])) {
					rc = df_error(df, line, "HEALTHCHECK --retries: invalid number \"%s\"", r->retries);
					goto out;
				}
				if (v < 0) {
					rc = df_error(df, line, "--retries cannot be negative (%ld)", v);
					goto out;
				}
				h->retries = (int)v;
			}
			break;
		}
		default:
			break;
		}
	}
	/* Docker: "One or more build-args [...] were not consumed" */
	for (size_t k = 0; !rc && k < pv->build_args.nr; k++) {
		const char *key = pv->build_args.items[k].key;
		int used = 0;

		used = kvlist_find(&df->global_args, key) != NULL;
		for (size_t i = 0; i < df->nr && !used; i++)
			used = df->instrs[i].cmd == DOCKERFILE_ARG && kvlist_find(&df->instrs[i].kv, key);
		if (!used)
			warning("%s: --build-arg %s is not used by any ARG", df->filename, key);
	}
out:
	kvlist_release(&env);
	strlist_release(&shell);
	strbuf_release(&sb);
	strbuf_release(&wd);
	strbuf_release(&what);
	return rc;
}
