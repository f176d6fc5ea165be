/*
 * expr.c: see expr.h.  A template is parsed whole into a list of nodes
 * (text, mustache, comment), whitespace control is applied, then the
 * nodes are rendered in order.
 */
#include "lib/common.h"
#include "meta/expr.h"
#include <ctype.h>

enum node_kind { NODE_TEXT, NODE_MUSTACHE, NODE_COMMENT };

struct node {
	enum node_kind kind;
	struct strbuf text;
	int escape;
	int strip_before, strip_after;	/* "{{~" and "~}}" */
	struct expr_call call;
};

struct tmpl {
	struct node *nodes;
	size_t nr, alloc;
};

static struct node *add_node(struct tmpl *t, enum node_kind kind)
{
	struct node *n;

	ALLOC_GROW(t->nodes, t->nr + 1, t->alloc);
	n = &t->nodes[t->nr++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	strbuf_init(&n->text, 0);
	return n;
}

static void free_arg(struct expr_arg *a)
{
	free(a->text);
	free(a->key);
}

static void tmpl_release(struct tmpl *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		struct node *n = &t->nodes[i];

		strbuf_release(&n->text);
		free(n->call.name);
		for (size_t j = 0; j < n->call.params_nr; j++)
			free_arg(&n->call.params[j]);
		for (size_t j = 0; j < n->call.hash_nr; j++)
			free_arg(&n->call.hash[j]);
		free(n->call.params);
		free(n->call.hash);
	}
	free(t->nodes);
	t->nodes = NULL;
	t->nr = t->alloc = 0;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Handlebars ID characters: anything but white space and !"#%&'()*+,./;<=>@[\]^`{|}~ */
static int is_id_char(int c)
{
	if (is_ws(c) || !c)
		return 0;
	return !strchr("!\"#%&'()*+,./;<=>@[\\]^`{|}~", c);
}

/* What may follow an ID: = ~ } white space / . ) | */
static int id_lookahead(int c)
{
	return c == '=' || c == '~' || c == '}' || is_ws(c) || c == '/' || c == '.' || c == ')' || c == '|';
}

/* What may follow a literal: ~ } white space ) */
static int literal_lookahead(int c)
{
	return c == '~' || c == '}' || is_ws(c) || c == ')';
}

static int starts_literal(const char *p, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(p, word, n) && literal_lookahead((unsigned char)p[n]);
}

static size_t number_len(const char *p)
{
	const char *q = p;

	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return 0;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.' && isdigit((unsigned char)q[1])) {
		q++;
		while (isdigit((unsigned char)*q))
			q++;
	}
	return literal_lookahead((unsigned char)*q) ? (size_t)(q - p) : 0;
}

/* Parse a path at *pp into name; 0 or -1. */
static int parse_path(const char **pp, struct strbuf *name, int *nparts, struct strbuf *err)
{
	const char *p = *pp;
	int parts = 0;

	strbuf_reset(name);
	if (*p == '@') {
		strbuf_addch(name, '@');
		p++;
	}
	for (;;) {
		const char *s = p;

		if (*p == '[') {
			const char *e = strchr(p + 1, ']');
			if (!e) {
				strbuf_addstr(err, "unterminated '[' in path");
				return -1;
			}
			s = p + 1;
			p = e + 1;
			if (parts || name->len > 1 || (name->len == 1 && name->buf[0] != '@'))
				strbuf_addch(name, '.');
			strbuf_add(name, s, e - s);
			parts++;
		} else if (p[0] == '.' && p[1] == '.') {
			p += 2;
			if (parts)
				strbuf_addch(name, '.');
			strbuf_addstr(name, "..");
			parts++;
		} else if (*p == '.' && (p[1] == '/' || id_lookahead((unsigned char)p[1]))) {
			p++;	/* "." is this */
		} else {
			while (is_id_char((unsigned char)*p))
				p++;
			if (p == s || !id_lookahead((unsigned char)*p)) {
				strbuf_addf(err, "expecting an identifier at '%.20s'", s);
				return -1;
			}
			if (!parts && (size_t)(p - s) == 4 && !strncmp(s, "this", 4)) {
				/* "this" alone or "this.x": the context itself */
			} else {
				if (parts)
					strbuf_addch(name, '.');
				strbuf_add(name, s, p - s);
				parts++;
			}
		}
		if ((*p == '.' || *p == '/') && (is_id_char((unsigned char)p[1]) || p[1] == '[')) {
			p++;
			continue;
		}
		break;
	}
	*nparts = parts;
	*pp = p;
	return 0;
}

static int parse_string(const char **pp, struct strbuf *out, struct strbuf *err)
{
	const char *p = *pp;
	char q = *p++;

	while (*p && *p != q) {
		if (*p == '\\' && p[1] == q) {
			strbuf_addch(out, q);
			p += 2;
			continue;
		}
		strbuf_addch(out, *p++);
	}
	if (!*p) {
		strbuf_addstr(err, "unterminated string");
		return -1;
	}
	p++;
	if (!literal_lookahead((unsigned char)*p)) {
		strbuf_addf(err, "unexpected '%c' after a string", *p);
		return -1;
	}
	*pp = p;
	return 0;
}

/* Parse one parameter (or hash value) at *pp into a. */
static int parse_arg(const char **pp, struct expr_arg *a, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = *pp;
	size_t n;
	int nparts;

	if (*p == '\'' || *p == '"') {
		if (parse_string(&p, &sb, err) < 0)
			goto fail;
		a->kind = EXPR_ARG_STRING;
	} else if (*p == '(') {
		strbuf_addstr(err, "sub-expressions are not supported");
		goto fail;
	} else if ((n = number_len(p))) {
		strbuf_add(&sb, p, n);
		p += n;
		a->kind = EXPR_ARG_NUMBER;
	} else if (starts_literal(p, "true") || starts_literal(p, "false")) {
		n = *p == 't' ? 4 : 5;
		strbuf_add(&sb, p, n);
		p += n;
		a->kind = EXPR_ARG_BOOLEAN;
	} else if (starts_literal(p, "undefined")) {
		p += 9;
		a->kind = EXPR_ARG_UNDEFINED;
	} else if (starts_literal(p, "null")) {
		p += 4;
		a->kind = EXPR_ARG_NULL;
	} else {
		if (parse_path(&p, &sb, &nparts, err) < 0)
			goto fail;
		a->kind = EXPR_ARG_PATH;
	}
	a->text = strbuf_detach(&sb, NULL);
	*pp = p;
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

static void skip_ws(const char **pp)
{
	while (is_ws((unsigned char)**pp))
		(*pp)++;
}

/* Is there "ID=" at p (a hash argument)? Returns the key length or 0. */
static size_t hash_key_len(const char *p)
{
	const char *q = p;

	while (is_id_char((unsigned char)*q))
		q++;
	return (q > p && *q == '=') ? (size_t)(q - p) : 0;
}

/* Parse the inside of a mustache starting after "{{" (and "{" or "&"). */
static int parse_mustache(const char **pp, struct node *n, int triple, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	const char *p = *pp;
	size_t klen;

	if (*p == '~') {
		n->strip_before = 1;
		p++;
	}
	if (*p == '&' && !triple) {
		n->escape = 0;
		p++;
	}
	skip_ws(&p);
	if (*p == '#' || *p == '/' || *p == '^' || *p == '>' || *p == '*' ||
	    (!strncmp(p, "else", 4) && !is_id_char((unsigned char)p[4]))) {
		strbuf_addf(err, "block helpers and partials are not supported ('{{%.10s')", p);
		goto fail;
	}
	if (*p == '\'' || *p == '"' || number_len(p)) {
		strbuf_addstr(err, "a literal cannot be a mustache name");
		goto fail;
	}
	if (parse_path(&p, &name, &n->call.nparts, err) < 0)
		goto fail;
	n->call.name = strbuf_detach(&name, NULL);
	for (;;) {
		struct expr_arg a = { EXPR_ARG_UNDEFINED, NULL, NULL };

		skip_ws(&p);
		if (*p == '~' || *p == '}')
			break;
		if (!*p) {
			strbuf_addstr(err, "unterminated '{{'");
			goto fail;
		}
		if ((klen = hash_key_len(p))) {
			a.key = xstrndup(p, klen);
			p += klen + 1;
			if (parse_arg(&p, &a, err) < 0) {
				free_arg(&a);
				goto fail;
			}
			n->call.hash = xrealloc(n->call.hash, (n->call.hash_nr + 1) * sizeof(a));
			n->call.hash[n->call.hash_nr++] = a;
			continue;
		}
		if (n->call.hash_nr) {
			strbuf_addstr(err, "a parameter after a hash argument");
			goto fail;
		}
		if (parse_arg(&p, &a, err) < 0)
			goto fail;
		n->call.params = xrealloc(n->call.params, (n->call.params_nr + 1) * sizeof(a));
		n->call.params[n->call.params_nr++] = a;
	}
	if (*p == '~') {
		n->strip_after = 1;
		p++;
	}
	if (triple) {
		if (strncmp(p, "}}}", 3)) {
			strbuf_addstr(err, "expecting '}}}'");
			goto fail;
		}
		p += 3;
	} else {
		if (strncmp(p, "}}", 2)) {
			strbuf_addstr(err, "expecting '}}'");
			goto fail;
		}
		p += 2;
	}
	*pp = p;
	return 0;
fail:
	strbuf_release(&name);
	return -1;
}

static int parse_template(const char *s, struct tmpl *t, struct strbuf *err)
{
	const char *p = s;
	struct node *text = NULL;

	while (*p) {
		const char *open = strstr(p, "{{");
		struct node *n;

		if (!open) {
			if (!text)
				text = add_node(t, NODE_TEXT);
			strbuf_addstr(&text->text, p);
			break;
		}
		if (open > p && open[-1] == '\\' && !(open - 1 > p && open[-2] == '\\')) {
			/* "\{{": a literal mustache, kept as text up to its "}}" */
			const char *close = strstr(open, "}}");
			const char *end = close ? close + 2 : open + strlen(open);

			if (!text)
				text = add_node(t, NODE_TEXT);
			strbuf_add(&text->text, p, open - 1 - p);
			strbuf_add(&text->text, open, end - open);
			p = end;
			continue;
		}
		if (open > p) {
			const char *tend = open;

			if (!text)
				text = add_node(t, NODE_TEXT);
			if (open - 1 > p && open[-1] == '\\' && open[-2] == '\\')
				tend--;	/* "\\{{": one backslash, then a real mustache */
			strbuf_add(&text->text, p, tend - p);
		}
		text = NULL;
		p = open + 2;
		if (p[0] == '!' || (p[0] == '~' && p[1] == '!')) {
			int strip = p[0] == '~';
			const char *body = p + (strip ? 2 : 1);
			const char *close;

			n = add_node(t, NODE_COMMENT);
			n->strip_before = strip;
			if (!strncmp(body, "--", 2)) {
				close = strstr(body + 2, "--");
				while (close && !(close[2] == '}' && close[3] == '}') &&
				       !(close[2] == '~' && close[3] == '}' && close[4] == '}'))
					close = strstr(close + 1, "--");
				if (!close) {
					strbuf_addstr(err, "unterminated comment");
					return -1;
				}
				close += 2;
			} else {
				close = strstr(body, "}}");
				if (!close) {
					strbuf_addstr(err, "unterminated comment");
					return -1;
				}
				if (close > body && close[-1] == '~')
					close--;
			}
			if (*close == '~') {
				n->strip_after = 1;
				close++;
			}
			p = close + 2;
			continue;
		}
		n = add_node(t, NODE_MUSTACHE);
		n->escape = 1;
		if (*p == '{' || (p[0] == '~' && p[1] == '{')) {
			if (*p == '~') {
				n->strip_before = 1;
				p++;
			}
			p++;
			n->escape = 0;
			if (parse_mustache(&p, n, 1, err) < 0)
				return -1;
		} else if (parse_mustache(&p, n, 0, err) < 0) {
			return -1;
		}
	}
	/* whitespace control */
	for (size_t i = 0; i < t->nr; i++) {
		struct node *n = &t->nodes[i];

		if (n->kind == NODE_TEXT)
			continue;
		if (n->strip_before && i > 0 && t->nodes[i - 1].kind == NODE_TEXT)
			strbuf_rtrim(&t->nodes[i - 1].text);
		if (n->strip_after && i + 1 < t->nr && t->nodes[i + 1].kind == NODE_TEXT)
			strbuf_ltrim(&t->nodes[i + 1].text);
	}
	return 0;
}

void expr_escape(const char *s, size_t len, struct strbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&#x27;"); break;
		case '`': strbuf_addstr(out, "&#x60;"); break;
		case '=': strbuf_addstr(out, "&#x3D;"); break;
		default: strbuf_addch(out, s[i]);
		}
	}
}

int expr_render(const char *tmpl, expr_resolve_fn fn, void *data,
		struct strbuf *out, struct strbuf *err)
{
	struct tmpl t = { NULL, 0, 0 };
	struct strbuf val = STRBUF_INIT;
	int rc = -1;

	if (parse_template(tmpl, &t, err) < 0)
		goto out;
	for (size_t i = 0; i < t.nr; i++) {
		struct node *n = &t.nodes[i];
		int r;

		if (n->kind == NODE_TEXT) {
			strbuf_addbuf(out, &n->text);
			continue;
		}
		if (n->kind == NODE_COMMENT)
			continue;
		strbuf_reset(&val);
		r = fn(data, &n->call, &val, err);
		if (r < 0)
			goto out;
		if (r > 0) {
			if (n->call.params_nr || n->call.hash_nr) {
				strbuf_addf(err, "missing helper \"%s\"", n->call.name);
				goto out;
			}
			continue;
		}
		if (n->escape)
			expr_escape(val.buf, val.len, out);
		else
			strbuf_addbuf(out, &val);
	}
	rc = 0;
out:
	strbuf_release(&val);
	tmpl_release(&t);
	return rc;
}

int expr_is_raw_statement(const char *tmpl)
{
	struct tmpl t = { NULL, 0, 0 };
	struct strbuf err = STRBUF_INIT;
	int raw = 0;

	if (parse_template(tmpl, &t, &err) == 0 && t.nr == 1 &&
	    t.nodes[0].kind == NODE_MUSTACHE && t.nodes[0].call.nparts == 1 &&
	    !strcmp(t.nodes[0].call.name, "raw"))
		raw = 1;
	tmpl_release(&t);
	strbuf_release(&err);
	return raw;
}
