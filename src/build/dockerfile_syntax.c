/*
 * dockerfile_syntax.c: a Dockerfile's bytes into logical lines, each
 * split into keyword, flags and arguments, as BuildKit's parser.Parse
 * and BFlags do.  See dockerfile_priv.h.
 *
 * Owns the physical-line rules: the BOM, "\r\n", comments, the parser
 * directives (escape, syntax, check) before the first instruction,
 * continuation lines with the escape char, empty continuation lines;
 * then extractBuilderFlags and the flag parser.  What each instruction's
 * arguments mean is dockerfile.c's.
 */
#include "lib/common.h"
#include "build/dockerfile_priv.h"

#include <ctype.h>

char *dockerfile_trim_dup(const char *s, size_t n)
{
	while (n && shlex_is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && shlex_is_space((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* ---- logical lines ---- */

static void node_release(struct node *n)
{
	free(n->line);
	free(n->keyword);
	strlist_release(&n->flags);
	free(n->rest);
}

void dockerfile_nodes_free(struct node *nodes, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		node_release(&nodes[i]);
	free(nodes);
}

/* extractBuilderFlags: leading "--flag" words, up to a "--"; returns the rest. */
static const char *extract_flags(const char *line, struct strlist *flags)
{
	struct strbuf word = STRBUF_INIT;
	size_t n = strlen(line), pos = 0;

	for (;;) {
		while (pos < n && shlex_is_space((unsigned char)line[pos]))
			pos++;
		if (pos + 1 >= n || line[pos] != '-' || line[pos + 1] != '-')
			break;
		strbuf_reset(&word);
		shlex_scan_word(line, n, &pos, '\\', 0, &word);	/* "--..." counts */
		if (!strcmp(word.buf, "--"))
			break;
		strlist_push(flags, word.buf);
	}
	strbuf_release(&word);
	return line + pos;
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
		n->rest = dockerfile_trim_dup(rest, strlen(rest));
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
			rc = dockerfile_error(df, line, "only one escape parser directive can be used");
		} else if (strcmp(value, "\\") && strcmp(value, "`")) {
			rc = dockerfile_error(df, line, "invalid escape token '%s' does not match ` or \\", value);
		} else {
			df->escape = value[0];
			d->seen_escape = 1;
		}
	} else if (!strcmp(key, "syntax")) {
		if (d->seen_syntax) {
			rc = dockerfile_error(df, line, "only one syntax parser directive can be used");
		} else {
			df->syntax = value;
			value = NULL;
			d->seen_syntax = 1;
		}
	} else if (!strcmp(key, "check")) {
		if (d->seen_check) {
			rc = dockerfile_error(df, line, "only one check parser directive can be used");
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

int dockerfile_read_nodes(struct dockerfile *df, const char *buf, size_t len, struct node **out,
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
		dockerfile_nodes_free(nodes, nr);
		return rc;
	}
	*out = nodes;
	*out_nr = nr;
	return 0;
}

/* ---- flags (BFlags) ---- */

static int parse_flags(struct dockerfile *df, const struct node *n, const char *cmd,
		       struct flagdef *defs, size_t ndefs)
{
	for (size_t i = 0; i < n->flags.nr; i++) {
		const char *arg = n->flags.items[i], *eq;
		struct flagdef *f = NULL;
		size_t namelen;

		if (strncmp(arg, "--", 2))
			return dockerfile_error(df, n->start, "arg should start with -- : %s", arg);
		if (!strcmp(arg, "--"))
			return 0;
		arg += 2;
		eq = strchr(arg, '=');
		namelen = eq ? (size_t)(eq - arg) : strlen(arg);
		for (size_t k = 0; k < ndefs; k++)
			if (strlen(defs[k].name) == namelen && !strncmp(defs[k].name, arg, namelen))
				f = &defs[k];
		if (!f)
			return dockerfile_error(df, n->start, "unknown flag: --%.*s", (int)namelen, arg);
		if (f->value)
			return dockerfile_error(df, n->start, "duplicate flag specified: --%s", f->name);
		if (f->type == FLAG_BOOL) {
			if (eq && !eq[1])
				return dockerfile_error(df, n->start, "missing a value on flag: --%s", f->name);
			if (!eq || !strcasecmp(eq + 1, "true"))
				f->value = xstrdup("true");
			else if (!strcasecmp(eq + 1, "false"))
				f->value = xstrdup("false");
			else
				return dockerfile_error(df, n->start, "expecting boolean value for flag --%s, not: %s",
						f->name, eq + 1);
		} else {
			if (!eq)
				return dockerfile_error(df, n->start, "missing a value on flag: --%s", f->name);
			f->value = xstrdup(eq + 1);
		}
	}
	return 0;
}

void dockerfile_flags_release(struct flagdef *defs, size_t ndefs)
{
	for (size_t i = 0; i < ndefs; i++) {
		free(defs[i].value);
		defs[i].value = NULL;
	}
}

int dockerfile_check_flags(struct dockerfile *df, const struct node *n, const char *cmd,
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
			rc = dockerfile_error(df, n->start, "unknown flag: --%.*s (%s accepts %s)", (int)namelen,
				      arg, cmd, ndefs ? sb.buf : "no flags");
			strbuf_release(&sb);
			return rc;
		}
	}
	return parse_flags(df, n, cmd, defs, ndefs);
}
