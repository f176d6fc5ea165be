/*
 * shlex.c: Docker's shell words.  See shlex.h.
 *
 * The lexer is BuildKit's shell.Lex ProcessWord: one pass over the word,
 * quotes and escapes removed, each $ expanded where it stands.  The
 * pattern modifiers (${V#p} ${V%p} ${V/p/r}) run as an NFA without
 * backtracking.  Every byte a variable adds and every matching step is
 * counted against the caller's budget before it is spent.
 */
#include "lib/common.h"
#include "build/shlex.h"

#include <ctype.h>

/*
 * Caps on $VAR expansion.  Without them a few ENV lines that each repeat
 * the previous variable 32 times ask for gigabytes.  Checked before each
 * append, so an oversized value is never allocated.
 */
#define SHLEX_VALUE_MAX ((size_t)1 << 20)	/* one expanded value: 1 MiB */
#define SHLEX_TOTAL_MAX ((size_t)64 << 20)	/* all expansions of one Dockerfile */
#define SHLEX_STEPS_MAX ((uint64_t)1 << 28)	/* ${V#p} ${V%p} ${V/p/r} matching steps, same */
#define SHLEX_DEPTH_MAX 64			/* ${V:-${W:-...}} nesting */

/* ---- character classes and word splitting (BuildKit's line parsers) ---- */

int shlex_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int shlex_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

void shlex_split_ws(const char *s, struct strlist *out)
{
	const char *p = s;

	if (!*s)
		return;
	for (;;) {
		const char *q = p;

		while (*q && !shlex_is_ws((unsigned char)*q))
			q++;
		strlist_push_nodup(out, xstrndup(p, q - p));
		if (!*q)
			break;
		while (*q && shlex_is_ws((unsigned char)*q))
			q++;
		p = q;
	}
}

int shlex_scan_word(const char *s, size_t n, size_t *pos, int esc, int keep, struct strbuf *word)
{
	size_t i = *pos;
	int quote = 0, quoted = 0;

	for (; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!quote && shlex_is_space(c))
			break;
		if (!quote && (c == '\'' || c == '"')) {
			quote = c;
			quoted = 1;
			if (keep)
				strbuf_addch(word, c);
			continue;
		}
		if (quote && c == quote) {
			quote = 0;
			if (keep)
				strbuf_addch(word, c);
			continue;
		}
		if (c == esc && (!keep || quote != '\'')) {
			if (i + 1 == n)
				continue;	/* an escape at the end is dropped */
			if (keep)
				strbuf_addch(word, c);
			c = (unsigned char)s[++i];
		}
		strbuf_addch(word, c);
	}
	*pos = i;
	return quoted || word->len;
}

void shlex_split_words(const char *s, int esc, struct strlist *out)
{
	struct strbuf word = STRBUF_INIT;
	size_t n = strlen(s), pos = 0;

	for (;;) {
		while (pos < n && shlex_is_space((unsigned char)s[pos]))
			pos++;
		if (pos == n)
			break;
		strbuf_reset(&word);
		if (shlex_scan_word(s, n, &pos, esc, 1, &word))
			strlist_push(out, word.buf);
	}
	strbuf_release(&word);
}

/* ---- the lexer (BuildKit shell.Lex) ---- */

struct lexer {
	const char *s;
	size_t len, pos;
	int esc;
	const struct kvlist *env;
	struct strbuf err;
	struct shlex_budget *budget;
	struct strbuf var;	/* the variable expanded last, for messages */
	int depth;
	int capped;		/* err is a cap, not a syntax error */
};

struct words {
	struct strbuf word;
	struct strlist *out;
	int in_word;
};

static int lx_peek(struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : -1;
}

static int lx_next(struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos++] : -1;
}

static void words_raw_char(struct words *w, int c)
{
	if (!w)
		return;
	strbuf_addch(&w->word, c);
	w->in_word = 1;
}

static void words_char(struct words *w, int c)
{
	if (!w)
		return;
	if (shlex_is_space(c) && w->in_word) {
		if (w->word.len) {
			strlist_push_nodup(w->out, strbuf_detach(&w->word, NULL));
			w->in_word = 0;
		}
	} else if (!shlex_is_space(c)) {
		words_raw_char(w, c);
	}
}

static void words_string(struct words *w, const struct strbuf *s)
{
	for (size_t i = 0; w && i < s->len; i++)
		words_char(w, (unsigned char)s->buf[i]);
}

static void words_raw_string(struct words *w, const struct strbuf *s)
{
	if (!w)
		return;
	strbuf_addbuf(&w->word, s);
	w->in_word = 1;
}

static void words_finish(struct words *w)
{
	if (w->word.len)
		strlist_push_nodup(w->out, strbuf_detach(&w->word, NULL));
	strbuf_release(&w->word);
}

static int lx_fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lx_fail(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;

	if (!lx->err.len) {
		va_start(ap, fmt);
		strbuf_vaddf(&lx->err, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Append n bytes that came from a variable to out, within the caps.  The
 * message names the variable; the caller adds Dockerfile:LINE and the
 * instruction.  lx_put() counts the bytes against the file's total,
 * lx_move() does not (they were counted when first expanded).
 */
static int lx_append(struct lexer *lx, struct strbuf *out, const char *s, size_t n, int count)
{
	if (n > SHLEX_VALUE_MAX - out->len) {
		lx->capped = 1;
		return lx_fail(lx, "expanding $%s makes a value longer than 1 MiB (%zu bytes), the limit on an expanded value",
			       lx->var.buf, out->len + n);
	}
	if (count && n > SHLEX_TOTAL_MAX - lx->budget->bytes) {
		lx->capped = 1;
		return lx_fail(lx, "expanding $%s takes the expansions of this Dockerfile over 64 MiB in total",
			       lx->var.buf);
	}
	if (count)
		lx->budget->bytes += n;
	strbuf_add(out, s, n);
	return 0;
}

static int lx_put(struct lexer *lx, struct strbuf *out, const char *s, size_t n)
{
	return lx_append(lx, out, s, n, 1);
}

static int lx_move(struct lexer *lx, struct strbuf *out, const struct strbuf *from)
{
	return lx_append(lx, out, from->buf, from->len, 0);
}

static int lx_putstr(struct lexer *lx, struct strbuf *out, const char *s)
{
	return lx_put(lx, out, s, strlen(s));
}

static int process_stop_on(struct lexer *lx, int stop, int raw_escapes, struct strbuf *out,
			   struct words *w);
static int process_dollar(struct lexer *lx, struct strbuf *out);

static int process_single_quote(struct lexer *lx, struct strbuf *out)
{
	int c;

	lx_next(lx);	/* the quote */
	for (;;) {
		c = lx_next(lx);
		if (c < 0)
			return lx_fail(lx, "unexpected end of statement while looking for matching single-quote");
		if (c == '\'')
			return 0;
		strbuf_addch(out, c);
	}
}

static int process_double_quote(struct lexer *lx, struct strbuf *out)
{
	lx_next(lx);	/* the quote */
	for (;;) {
		int c = lx_peek(lx);

		if (c < 0)
			return lx_fail(lx, "unexpected end of statement while looking for matching double-quote");
		if (c == '"') {
			lx_next(lx);
			return 0;
		}
		if (c == '$') {
			if (process_dollar(lx, out) < 0)
				return -1;
			continue;
		}
		c = lx_next(lx);
		if (c == lx->esc) {
			int p = lx_peek(lx);

			if (p < 0)
				continue;	/* an escape at the end of the word is dropped */
			if (p == '"' || p == '$' || p == lx->esc)
				c = lx_next(lx);
		}
		strbuf_addch(out, c);
	}
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

static int is_special_param(int c)
{
	return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

static void process_name(struct lexer *lx, struct strbuf *name)
{
	int c;

	while ((c = lx_peek(lx)) >= 0) {
		if (!name->len && isdigit(c)) {
			while ((c = lx_peek(lx)) >= 0 && isdigit(c))
				strbuf_addch(name, lx_next(lx));
			return;
		}
		if (!name->len && is_special_param(c)) {
			strbuf_addch(name, lx_next(lx));
			return;
		}
		if (!is_name_char(c))
			return;
		strbuf_addch(name, lx_next(lx));
	}
}

/*
 * Shell patterns for ${VAR#p} ${VAR%p} ${VAR/p/r} (BuildKit's
 * convertShellPatternToRegex): '*' any string, '?' one character, no
 * bracket expressions; "\\}" and "\\/" stand for the character, '\\'
 * escapes '*', '?' and itself.  Run as an NFA whose threads carry their
 * start position (no backtracking): one pass over the value costs its
 * length times the pattern's, and every step counts against the
 * Dockerfile's budget.
 */
enum { PAT_ANY = 256, PAT_STAR = 257 };
#define PAT_NONE SIZE_MAX

struct shpat {
	int *tok;		/* a byte, PAT_ANY or PAT_STAR */
	size_t nr, alloc;
};

/* rev: the tokens reversed, to match suffixes walking backwards */
static void shpat_compile(const char *p, int rev, struct shpat *out)
{
	for (; *p; p++) {
		int t;

		if (*p == '*') {
			t = PAT_STAR;
		} else if (*p == '?') {
			t = PAT_ANY;
		} else {
			if (*p == '\\' && p[1])
				p++;
			t = (unsigned char)*p;
		}
		if (t == PAT_STAR && out->nr && out->tok[out->nr - 1] == PAT_STAR)
			continue;
		ALLOC_GROW(out->tok, out->nr + 1, out->alloc);
		out->tok[out->nr++] = t;
	}
	for (size_t i = 0; rev && i < out->nr / 2; i++) {
		int t = out->tok[i];

		out->tok[i] = out->tok[out->nr - 1 - i];
		out->tok[out->nr - 1 - i] = t;
	}
}

static void shpat_release(struct shpat *p)
{
	free(p->tok);
}

/* a star also lets its thread skip it */
static void shpat_closure(const struct shpat *p, size_t *st)
{
	for (size_t j = 0; j < p->nr; j++)
		if (p->tok[j] == PAT_STAR && st[j] < st[j + 1])
			st[j + 1] = st[j];
}

/* cur over one byte into nxt (both nr + 1 states); 1 when a thread lives */
static int shpat_step(const struct shpat *p, const size_t *cur, size_t *nxt, int c)
{
	int alive = 0;

	for (size_t j = 0; j <= p->nr; j++)
		nxt[j] = PAT_NONE;
	for (size_t j = 0; j < p->nr; j++) {
		size_t to;

		if (cur[j] == PAT_NONE)
			continue;
		if (p->tok[j] == PAT_STAR)
			to = j;
		else if (p->tok[j] == PAT_ANY || p->tok[j] == c)
			to = j + 1;
		else
			continue;
		if (cur[j] < nxt[to])
			nxt[to] = cur[j];
		alive = 1;
	}
	shpat_closure(p, nxt);
	return alive;
}

static int lx_steps(struct lexer *lx, const struct shpat *p)
{
	uint64_t n = p->nr + 1;

	if (lx->budget->steps + n > SHLEX_STEPS_MAX) {
		lx->capped = 1;
		return lx_fail(lx, "matching the pattern in ${%s...} takes more than %llu steps, the limit for one Dockerfile",
			       lx->var.buf, (unsigned long long)SHLEX_STEPS_MAX);
	}
	lx->budget->steps += n;
	return 0;
}

/*
 * The shortest (greedy: longest) prefix of v that p matches, walking v
 * backwards from its end when rev (a suffix, p compiled reversed).
 * 1 found with *len, 0 none, -1 over budget.
 */
static int shpat_prefix(struct lexer *lx, const struct shpat *p, const char *v, size_t n, int rev,
			int greedy, size_t *len)
{
	size_t *cur = xmalloc((p->nr + 1) * sizeof(*cur)), *nxt = xmalloc((p->nr + 1) * sizeof(*nxt));
	int found = 0, alive = 1;

	for (size_t j = 0; j <= p->nr; j++)
		cur[j] = PAT_NONE;
	cur[0] = 0;
	shpat_closure(p, cur);
	for (size_t k = 0;; k++) {
		size_t *t;

		if (cur[p->nr] != PAT_NONE) {
			*len = k;
			found = 1;
			if (!greedy)
				break;
		}
		if (k == n || !alive)
			break;
		if (lx_steps(lx, p) < 0) {
			found = -1;
			break;
		}
		alive = shpat_step(p, cur, nxt, (unsigned char)(rev ? v[n - 1 - k] : v[k]));
		t = cur;
		cur = nxt;
		nxt = t;
	}
	free(cur);
	free(nxt);
	return found;
}

/*
 * The leftmost match of p in v at or after from, the longest at that
 * position: 1 with [*start, *end), 0 none, -1 over budget.
 */
static int shpat_find(struct lexer *lx, const struct shpat *p, const char *v, size_t n, size_t from,
		      size_t *start, size_t *end)
{
	size_t *cur = xmalloc((p->nr + 1) * sizeof(*cur)), *nxt = xmalloc((p->nr + 1) * sizeof(*nxt));
	size_t best = PAT_NONE, best_end = 0;
	int rc = 0;

	for (size_t j = 0; j <= p->nr; j++)
		cur[j] = PAT_NONE;
	for (size_t pos = from;; pos++) {
		size_t *t;
		int alive;

		if (best == PAT_NONE && pos < cur[0])
			cur[0] = pos;	/* a new thread starts here */
		shpat_closure(p, cur);
		if (cur[p->nr] != PAT_NONE && (cur[p->nr] < best || cur[p->nr] == best)) {
			best = cur[p->nr];
			best_end = pos;
		}
		alive = 0;
		for (size_t j = 0; j <= p->nr; j++) {
			if (cur[j] != PAT_NONE && best != PAT_NONE && cur[j] > best)
				cur[j] = PAT_NONE;	/* starts right of a match: never leftmost */
			alive |= cur[j] != PAT_NONE;
		}
		if (pos == n || (!alive && best != PAT_NONE))
			break;
		if (lx_steps(lx, p) < 0) {
			rc = -1;
			goto out;
		}
		shpat_step(p, cur, nxt, (unsigned char)v[pos]);
		t = cur;
		cur = nxt;
		nxt = t;
	}
	if (best != PAT_NONE) {
		*start = best;
		*end = best_end;
		rc = 1;
	}
out:
	free(cur);
	free(nxt);
	return rc;
}

/* The escapes convertShellPatternToRegex accepts; -1 with a message. */
static int shell_pat_check(struct lexer *lx, const char *p)
{
	for (; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == '}' || p[1] == '/' || p[1] == '*' || p[1] == '?' || p[1] == '\\') {
			p++;
			continue;
		}
		return lx_fail(lx, "invalid pattern in substitution: invalid escape '\\%c'", p[1]);
	}
	return 0;
}

static int process_dollar(struct lexer *lx, struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT, word = STRBUF_INIT, repl = STRBUF_INIT;
	struct shpat pat = { 0 };
	const char *value;
	int c, ret = 0, null_unset = 0, nested = 0;
	char mod[3] = "";

	lx_next(lx);	/* '$' */
	if (lx_peek(lx) != '{') {
		process_name(lx, &name);
		if (!name.len) {
			strbuf_addch(out, '$');
			goto out;
		}
		value = kvlist_get(lx->env, name.buf);
		strbuf_reset(&lx->var);
		strbuf_addbuf(&lx->var, &name);
		if (value)
			ret = lx_putstr(lx, out, value);
		goto out;
	}
	lx_next(lx);	/* '{' */
	nested = 1;
	if (++lx->depth > SHLEX_DEPTH_MAX) {
		lx->capped = 1;
		ret = lx_fail(lx, "substitutions nested more than %d deep", SHLEX_DEPTH_MAX);
		goto out;
	}
	c = lx_peek(lx);
	if (c < 0) {
		ret = lx_fail(lx, "syntax error: missing '}'");
		goto out;
	}
	if (c == '{' || c == '}' || c == ':') {
		ret = lx_fail(lx, "syntax error: bad substitution");
		goto out;
	}
	process_name(lx, &name);
	c = lx_next(lx);
	value = kvlist_get(lx->env, name.buf);
	if (c < 0) {
		ret = lx_fail(lx, "syntax error: missing '}'");
		goto out;
	}
	mod[0] = c;
	switch (c) {
	case '}':
		strbuf_reset(&lx->var);
		strbuf_addbuf(&lx->var, &name);
		if (value)
			ret = lx_putstr(lx, out, value);
		goto out;
	case ':':
		null_unset = 1;
		c = lx_next(lx);
		if (c < 0) {
			ret = lx_fail(lx, "syntax error: missing '}'");
			goto out;
		}
		mod[1] = c;
		if (c != '+' && c != '-' && c != '?') {
			int rc = process_stop_on(lx, '}', 0, &word, NULL);

			if (rc < 0 && lx->capped) {
				ret = -1;
				goto out;
			}
			if (rc < 0 && lx_peek(lx) < 0) {
				strbuf_reset(&lx->err);
				ret = lx_fail(lx, "syntax error: missing '}'");
				goto out;
			}
			strbuf_reset(&lx->err);
			ret = lx_fail(lx, "unsupported modifier (%s) in substitution", mod);
			goto out;
		}
		/* fallthrough */
	/*
	 * ${V-w} ${V+w} ${V?w} (no ':'): accepted, as BuildKit's lexer does;
	 * only Docker's classic builder said "missing ':' in substitution".
	 */
	case '+':
	case '-':
	case '?':
	case '#':
	case '%':
		if (process_stop_on(lx, '}', c == '#' || c == '%', &word, NULL) < 0) {
			if (lx_peek(lx) < 0 && !lx->capped) {
				strbuf_reset(&lx->err);
				lx_fail(lx, "syntax error: missing '}'");
			}
			ret = -1;
			goto out;
		}
		strbuf_reset(&lx->var);
		strbuf_addbuf(&lx->var, &name);
		if (c == '-') {
			if (!value || (null_unset && !*value))
				ret = lx_move(lx, out, &word);
			else
				ret = lx_putstr(lx, out, value);
		} else if (c == '+') {
			if (value && !(null_unset && !*value))
				ret = lx_move(lx, out, &word);
		} else if (c == '?') {
			if (!value) {
				ret = lx_fail(lx, "%s: %s", name.buf,
					      word.len ? word.buf : "is not allowed to be unset");
				goto out;
			}
			if (null_unset && !*value) {
				ret = lx_fail(lx, "%s: %s", name.buf,
					      word.len ? word.buf : "is not allowed to be empty");
				goto out;
			}
			ret = lx_putstr(lx, out, value);
		} else {
			/* '#' shortest prefix, '##' longest; '%' and '%%' suffixes */
			const char *v = value ? value : "";
			const char *p = word.buf;
			size_t n = strlen(v), k = 0;
			int greedy = 0, found;

			if (*p == c) {
				greedy = 1;
				p++;
			}
			if (shell_pat_check(lx, p) < 0) {
				ret = -1;
				goto out;
			}
			shpat_compile(p, c == '%', &pat);
			found = shpat_prefix(lx, &pat, v, n, c == '%', greedy, &k);
			if (found < 0)
				ret = -1;
			else if (!found)
				ret = lx_put(lx, out, v, n);
			else if (c == '#')
				ret = lx_put(lx, out, v + k, n - k);
			else
				ret = lx_put(lx, out, v, n - k);
		}
		goto out;
	case '/': {
		int all = 0, after_match = 0;
		const char *v = value ? value : "";
		size_t n = strlen(v), i = 0;

		if (lx_peek(lx) == '/') {
			lx_next(lx);
			all = 1;
		}
		if (process_stop_on(lx, '/', 1, &word, NULL) < 0) {
			if (lx_peek(lx) < 0 && !lx->capped) {
				strbuf_reset(&lx->err);
				lx_fail(lx, "syntax error: missing '/' in ${}");
			}
			ret = -1;
			goto out;
		}
		if (process_stop_on(lx, '}', 1, &repl, NULL) < 0) {
			if (lx_peek(lx) < 0 && !lx->capped) {
				strbuf_reset(&lx->err);
				lx_fail(lx, "syntax error: missing '}'");
			}
			ret = -1;
			goto out;
		}
		if (shell_pat_check(lx, word.buf) < 0) {
			ret = -1;
			goto out;
		}
		strbuf_reset(&lx->var);
		strbuf_addbuf(&lx->var, &name);
		shpat_compile(word.buf, 0, &pat);
		while (i <= n) {
			size_t s, e;
			int found = shpat_find(lx, &pat, v, n, i, &s, &e);

			if (found < 0) {
				ret = -1;
				goto out;
			}
			if (!found) {
				ret = lx_put(lx, out, v + i, n - i);
				goto out;
			}
			if (e == s && s == i && after_match) {
				/* Go's ReplaceAll: an empty match right after a match does not count */
				if (s < n && lx_put(lx, out, v + s, 1) < 0) {
					ret = -1;
					goto out;
				}
				i = s + 1;
				after_match = 0;
				continue;
			}
			if (lx_put(lx, out, v + i, s - i) < 0 || lx_put(lx, out, repl.buf, repl.len) < 0) {
				ret = -1;
				goto out;
			}
			if (!all) {
				ret = lx_put(lx, out, v + e, n - e);
				goto out;
			}
			after_match = e > s;
			if (e == s) {
				/* an empty match: keep the byte after it and move on */
				if (s < n && lx_put(lx, out, v + s, 1) < 0) {
					ret = -1;
					goto out;
				}
				i = s + 1;
			} else {
				i = e;
			}
		}
		goto out;
	}
	default:
		ret = lx_fail(lx, "unsupported modifier (%s) in substitution", mod);
		goto out;
	}
out:
	lx->depth -= nested;
	strbuf_release(&name);
	strbuf_release(&word);
	strbuf_release(&repl);
	shpat_release(&pat);
	return ret;
}

static int process_stop_on(struct lexer *lx, int stop, int raw_escapes, struct strbuf *out,
			   struct words *w)
{
	struct strbuf tmp = STRBUF_INIT;
	int c;

	while ((c = lx_peek(lx)) >= 0) {
		if (stop >= 0 && c == stop) {
			lx_next(lx);
			strbuf_release(&tmp);
			return 0;
		}
		if (c == '\'' || c == '"' || c == '$') {
			int rc;

			strbuf_reset(&tmp);
			if (c == '\'')
				rc = process_single_quote(lx, &tmp);
			else if (c == '"')
				rc = process_double_quote(lx, &tmp);
			else
				rc = process_dollar(lx, &tmp);
			if (rc < 0 || lx_move(lx, out, &tmp) < 0) {
				strbuf_release(&tmp);
				return -1;
			}
			if (c == '$')
				words_string(w, &tmp);
			else
				words_raw_string(w, &tmp);
			continue;
		}
		c = lx_next(lx);
		if (c == lx->esc) {
			if (raw_escapes) {
				words_raw_char(w, c);
				strbuf_addch(out, c);
			}
			c = lx_next(lx);
			if (c < 0)
				break;
			words_raw_char(w, c);
		} else {
			words_char(w, c);
		}
		strbuf_addch(out, c);
	}
	strbuf_release(&tmp);
	if (stop >= 0)
		return lx_fail(lx, "unexpected end of statement while looking for matching %c", stop);
	return 0;
}

int shlex_expand(const char *word, int esc, const struct kvlist *env,
		 struct shlex_budget *budget, struct strbuf *out, struct strlist *words,
		 struct strbuf *err, int *capped)
{
	struct lexer lx = { word, strlen(word), 0, esc, env, STRBUF_INIT, budget, STRBUF_INIT, 0, 0 };
	struct words w = { STRBUF_INIT, words, 0 };
	struct strbuf res = STRBUF_INIT;
	int rc;

	rc = process_stop_on(&lx, -1, 0, &res, words ? &w : NULL);
	if (!rc && res.len > SHLEX_VALUE_MAX) {
		lx.capped = 1;
		rc = lx_fail(&lx, "the value is longer than 1 MiB (%zu bytes), the limit on an expanded value",
			     res.len);
	}
	if (words)
		words_finish(&w);
	*capped = lx.capped;
	if (rc < 0 && lx.capped)
		strbuf_addbuf(err, &lx.err);
	else if (rc < 0)
		strbuf_addf(err, "failed to process '%s': %s", word, lx.err.buf);
	else if (out)
		strbuf_addbuf(out, &res);
	strbuf_release(&res);
	strbuf_release(&lx.err);
	strbuf_release(&lx.var);
	return rc;
}

int shlex_expand_env(const char *word, char escape, const char *const *env, size_t env_nr,
		     struct strbuf *out)
{
	struct kvlist e = KVLIST_INIT;
	struct shlex_budget budget = { 0, 0 };
	struct strbuf err = STRBUF_INIT;
	int rc, capped;

	for (size_t i = 0; i < env_nr; i++)
		kvlist_set_pair(&e, env[i]);
	rc = shlex_expand(word, escape, &e, &budget, out, NULL, &err, &capped);
	if (rc < 0)
		rc = error("%s", err.buf);
	strbuf_release(&err);
	kvlist_release(&e);
	return rc;
}
