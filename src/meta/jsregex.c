/*
 * jsregex.c: JavaScript RegExp on PCRE2 (see jsregex.h for what is
 * translated and the differences that remain).
 *
 * The translator walks the JS pattern once, as the ECMAScript grammar
 * reads it, and writes an equivalent PCRE2 pattern: characters become
 * \x{...}, JS-only meanings become explicit classes or lookarounds,
 * and JS syntax errors stop it with a message.  A first quick pass
 * counts the capturing groups and notes named ones, because the meaning
 * of \N and \k depends on them.
 */
#include "lib/common.h"
#include "meta/jsregex.h"
#include "meta/jsstr.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* JavaScript's \s, as the inside of a PCRE2 class. */
#define JS_SPACE "\\x{9}-\\x{d}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}" \
		 "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"
#define JS_LINE_END "\\x{a}\\x{d}\\x{2028}\\x{2029}"

enum group_kind { GROUP_PLAIN, GROUP_LOOKAHEAD, GROUP_LOOKBEHIND };

struct group_frame {
	enum group_kind kind;
	int dotall, multiline;	/* state to restore at ')' */
};

struct xlat {
	const char *p;
	size_t len, i;
	int umode, vmode;
	int dotall, multiline;
	size_t ngroups;
	int has_names;
	int atom;		/* the last thing written may take a quantifier */
	struct group_frame *stack;
	size_t depth, alloc;
	struct strbuf *out;
	const char *err;	/* set on a syntax error */
};

enum atom_kind { ATOM_CHAR, ATOM_CLASS_ESCAPE };

struct class_atom {
	enum atom_kind kind;
	unsigned long cp;	/* ATOM_CHAR */
	char esc[64];		/* ATOM_CLASS_ESCAPE: "d", "S", "p{L}"... */
};

static int utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			   (c & 0xf8) == 0xf0 ? 4 : 0;

		if (!n || i + n > len || (n == 2 && c < 0xc2))
			return 0;
		for (size_t k = 1; k < n; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

static unsigned long next_cp(struct xlat *x)
{
	const unsigned char *s = (const unsigned char *)x->p + x->i;
	unsigned long c = s[0];
	size_t n = 1;

	if (c >= 0xf0)
		c &= 0x07, n = 4;
	else if (c >= 0xe0)
		c &= 0x0f, n = 3;
	else if (c >= 0xc0)
		c &= 0x1f, n = 2;
	for (size_t k = 1; k < n; k++)
		c = (c << 6) | (s[k] & 0x3f);
	x->i += n;
	return c;
}

static int peek(const struct xlat *x, size_t ahead)
{
	return x->i + ahead < x->len ? (unsigned char)x->p[x->i + ahead] : -1;
}

static int fail(struct xlat *x, const char *msg)
{
	if (!x->err)
		x->err = msg;
	return -1;
}

static int is_surrogate(unsigned long cp)
{
	return cp >= 0xd800 && cp <= 0xdfff;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static int is_octal(int c)
{
	return c >= '0' && c <= '7';
}

static void emit_char(struct xlat *x, unsigned long cp)
{
	if (is_surrogate(cp))
		strbuf_addstr(x->out, "(?!)");	/* no UTF-8 text holds one */
	else if (cp < 0x80 && ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')))
		strbuf_addch(x->out, (int)cp);
	else
		strbuf_addf(x->out, "\\x{%lx}", cp);
}

/* n hex digits at the current position (exactly), or -1. */
static long read_hex(struct xlat *x, int n)
{
	long v = 0;

	for (int k = 0; k < n; k++) {
		int h = hexval(peek(x, k));

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	x->i += n;
	return v;
}

/*
 * After "\u": the code point of \uHHHH (a surrogate pair \uHHHH\uHHHH
 * joined), or \u{H...} with u.  -2: not a unicode escape (then in
 * non-u mode the escape is a plain 'u'); -1: syntax error.
 */
static long read_unicode_escape(struct xlat *x)
{
	long v, lo;

	if (x->umode && peek(x, 0) == '{') {
		size_t save = x->i++;

		v = 0;
		if (hexval(peek(x, 0)) < 0)
			goto bad_brace;
		while (hexval(peek(x, 0)) >= 0) {
			v = v * 16 + hexval(peek(x, 0));
			if (v > 0x10ffff)
				goto bad_brace;
			x->i++;
		}
		if (peek(x, 0) != '}')
			goto bad_brace;
		x->i++;
		return v;
bad_brace:
		x->i = save;
		return fail(x, "invalid Unicode escape");
	}
	v = read_hex(x, 4);
	if (v < 0)
		return x->umode ? fail(x, "invalid Unicode escape") : -2;
	if (v >= 0xd800 && v <= 0xdbff && peek(x, 0) == '\\' && peek(x, 1) == 'u') {
		size_t save = x->i;

		x->i += 2;
		lo = read_hex(x, 4);
		if (lo >= 0xdc00 && lo <= 0xdfff)
			return 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
		x->i = save;
	}
	return v;
}

/* Annex B legacy octal escape, the first digit at the current position. */
static unsigned long read_legacy_octal(struct xlat *x)
{
	int d1 = peek(x, 0) - '0';
	unsigned long v = d1;

	x->i++;
	if (is_octal(peek(x, 0))) {
		v = v * 8 + (peek(x, 0) - '0');
		x->i++;
		if (d1 <= 3 && is_octal(peek(x, 0))) {
			v = v * 8 + (peek(x, 0) - '0');
			x->i++;
		}
	}
	return v;
}

static int is_syntax_char(int c)
{
	return c >= 0 && c < 0x80 && strchr("^$\\.*+?()[]{}|/", c) && c;
}

static const struct {
	const char *longname, *shortname;
} gc_names[] = {
	{ "Letter", "L" }, { "Cased_Letter", "LC" }, { "Uppercase_Letter", "Lu" },
	{ "Lowercase_Letter", "Ll" }, { "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
	{ "Other_Letter", "Lo" }, { "Mark", "M" }, { "Combining_Mark", "M" },
	{ "Nonspacing_Mark", "Mn" }, { "Spacing_Mark", "Mc" }, { "Enclosing_Mark", "Me" },
	{ "Number", "N" }, { "Decimal_Number", "Nd" }, { "digit", "Nd" }, { "Letter_Number", "Nl" },
	{ "Other_Number", "No" }, { "Punctuation", "P" }, { "punct", "P" },
	{ "Connector_Punctuation", "Pc" }, { "Dash_Punctuation", "Pd" },
	{ "Open_Punctuation", "Ps" }, { "Close_Punctuation", "Pe" },
	{ "Initial_Punctuation", "Pi" }, { "Final_Punctuation", "Pf" },
	{ "Other_Punctuation", "Po" }, { "Symbol", "S" }, { "Math_Symbol", "Sm" },
	{ "Currency_Symbol", "Sc" }, { "Modifier_Symbol", "Sk" }, { "Other_Symbol", "So" },
	{ "Separator", "Z" }, { "Space_Separator", "Zs" }, { "Line_Separator", "Zl" },
	{ "Paragraph_Separator", "Zp" }, { "Other", "C" }, { "Control", "Cc" }, { "cntrl", "Cc" },
	{ "Format", "Cf" }, { "Surrogate", "Cs" }, { "Private_Use", "Co" }, { "Unassigned", "Cn" },
};

/* After "\p" or "\P" (u mode): "{...}" into esc as a PCRE2 escape body. */
static int read_property(struct xlat *x, int negated, char *esc, size_t esc_len)
{
	size_t b, e;
	const char *name, *eq;
	char val[48];

	if (peek(x, 0) != '{')
		return fail(x, "invalid property name");
	b = ++x->i;
	while (x->i < x->len && x->p[x->i] != '}') {
		int c = (unsigned char)x->p[x->i];

		if (!(c == '_' || c == '=' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return fail(x, "invalid property name");
		x->i++;
	}
	if (x->i >= x->len || x->i == b || x->i - b >= sizeof(val))
		return fail(x, "invalid property name");
	e = x->i++;
	memcpy(val, x->p + b, e - b);
	val[e - b] = '\0';
	name = val;
	eq = strchr(val, '=');
	if (eq) {
		size_t klen = eq - val;

		if (klen == 16 && !strncmp(val, "General_Category", 16))
			name = eq + 1;
		else if (klen == 2 && !strncmp(val, "gc", 2))
			name = eq + 1;
		else if ((klen == 6 && !strncmp(val, "Script", 6)) || (klen == 2 && !strncmp(val, "sc", 2))) {
			snprintf(esc, esc_len, "%c{sc:%s}", negated ? 'P' : 'p', eq + 1);
			return 0;
		} else if ((klen == 17 && !strncmp(val, "Script_Extensions", 17)) ||
			   (klen == 3 && !strncmp(val, "scx", 3))) {
			snprintf(esc, esc_len, "%c{scx:%s}", negated ? 'P' : 'p', eq + 1);
			return 0;
		} else {
			return fail(x, "invalid property name");
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(gc_names); k++)
		if (!strcmp(name, gc_names[k].longname))
			name = gc_names[k].shortname;
	snprintf(esc, esc_len, "%c{%s}", negated ? 'P' : 'p', name);
	return 0;
}

/* A group name after "(?<" or "\k<", through '>'. */
static int read_group_name(struct xlat *x, struct strbuf *name)
{
	size_t b = x->i;

	while (x->i < x->len && x->p[x->i] != '>') {
		int c = (unsigned char)x->p[x->i];
		int ok_char = c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
			      (x->i > b && c >= '0' && c <= '9');

		if (!ok_char)
			return fail(x, (c == '$' || c >= 0x80) ? "group name not supported"
							      : "invalid capture group name");
		x->i++;
	}
	if (x->i >= x->len || x->i == b)
		return fail(x, "invalid capture group name");
	if (x->i - b > 32)
		return fail(x, "group name not supported (longer than 32)");
	strbuf_add(name, x->p + b, x->i - b);
	x->i++;		/* '>' */
	return 0;
}

/*
 * A class atom: a character (possibly escaped) or a class escape.  The
 * current position is at the atom.
 */
static int read_class_atom(struct xlat *x, struct class_atom *a)
{
	int c;
	long v;

	a->kind = ATOM_CHAR;
	if (peek(x, 0) != '\\') {
		a->cp = next_cp(x);
		return 0;
	}
	x->i++;
	if (x->i >= x->len)
		return fail(x, "\\ at end of pattern");
	c = peek(x, 0);
	switch (c) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
		a->kind = ATOM_CLASS_ESCAPE;
		a->esc[0] = (char)c;
		a->esc[1] = '\0';
		x->i++;
		return 0;
	case 'p': case 'P':
		if (!x->umode)
			break;
		x->i++;
		a->kind = ATOM_CLASS_ESCAPE;
		return read_property(x, c == 'P', a->esc, sizeof(a->esc));
	case 'b':
		x->i++;
		a->cp = 8;
		return 0;
	case '-':
		x->i++;
		a->cp = '-';
		return 0;
	case 't': x->i++; a->cp = 9; return 0;
	case 'n': x->i++; a->cp = 10; return 0;
	case 'v': x->i++; a->cp = 11; return 0;
	case 'f': x->i++; a->cp = 12; return 0;
	case 'r': x->i++; a->cp = 13; return 0;
	case 'c': {
		int n = peek(x, 1);

		if (n >= 0 && ((n | 0x20) >= 'a' && (n | 0x20) <= 'z')) {
			x->i += 2;
			a->cp = n % 32;
			return 0;
		}
		if (!x->umode && ((n >= '0' && n <= '9') || n == '_')) {
			x->i += 2;
			a->cp = n % 32;
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid class escape");
		a->cp = '\\';	/* "\c" stands for itself; 'c' is read next */
		return 0;
	}
	case 'x':
		x->i++;
		v = read_hex(x, 2);
		if (v >= 0) {
			a->cp = v;
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid escape");
		a->cp = 'x';
		return 0;
	case 'u':
		x->i++;
		v = read_unicode_escape(x);
		if (v == -1)
			return -1;
		a->cp = v == -2 ? 'u' : (unsigned long)v;
		return 0;
	case '0':
		if (!(peek(x, 1) >= '0' && peek(x, 1) <= '9')) {
			x->i++;
			a->cp = 0;
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid class escape");
		a->cp = read_legacy_octal(x);
		return 0;
	default:
		break;
	}
	if (c >= '1' && c <= '9') {
		if (x->umode)
			return fail(x, "invalid class escape");
		if (c >= '8') {
			x->i++;
			a->cp = c;
			return 0;
		}
		a->cp = read_legacy_octal(x);
		return 0;
	}
	if (x->umode) {
		if (!is_syntax_char(c) && c != '-')
			return fail(x, "invalid escape");
	} else if (c == 'k' && x->has_names) {
		return fail(x, "invalid escape");
	}
	a->cp = next_cp(x);
	return 0;
}

static void class_add_char(struct strbuf *body, unsigned long lo, unsigned long hi)
{
	if (lo <= 0xdfff && hi >= 0xd800) {	/* leave the surrogates out */
		if (lo < 0xd800)
			class_add_char(body, lo, 0xd7ff);
		if (hi > 0xdfff)
			class_add_char(body, 0xe000, hi);
		return;
	}
	if (lo == hi)
		strbuf_addf(body, "\\x{%lx}", lo);
	else
		strbuf_addf(body, "\\x{%lx}-\\x{%lx}", lo, hi);
}

static void class_add_atom(struct strbuf *body, const struct class_atom *a, int *has_not_space)
{
	if (a->kind == ATOM_CHAR)
		class_add_char(body, a->cp, a->cp);
	else if (!strcmp(a->esc, "s"))
		strbuf_addstr(body, JS_SPACE);
	else if (!strcmp(a->esc, "S"))
		*has_not_space = 1;
	else
		strbuf_addf(body, "\\%s", a->esc);
}

static int translate_class(struct xlat *x)
{
	struct strbuf body = STRBUF_INIT;
	int negate = 0, has_not_space = 0, rc = -1;

	x->i++;		/* '[' */
	if (peek(x, 0) == '^') {
		negate = 1;
		x->i++;
	}
	for (;;) {
		struct class_atom a, b;

		if (x->i >= x->len) {
			fail(x, "missing terminating ] for character class");
			goto out;
		}
		if (peek(x, 0) == ']') {
			x->i++;
			break;
		}
		if (x->vmode && (peek(x, 0) == '[' ||
				 (peek(x, 0) == '&' && peek(x, 1) == '&') ||
				 (peek(x, 0) == '-' && peek(x, 1) == '-'))) {
			fail(x, "class set notation (v flag) not supported");
			goto out;
		}
		if (read_class_atom(x, &a) < 0)
			goto out;
		if (peek(x, 0) == '-' && peek(x, 1) != ']' && peek(x, 1) != -1) {
			x->i++;
			if (read_class_atom(x, &b) < 0)
				goto out;
			if (a.kind != ATOM_CHAR || b.kind != ATOM_CHAR) {
				if (x->umode) {
					fail(x, "invalid character class");
					goto out;
				}
				class_add_atom(&body, &a, &has_not_space);
				class_add_char(&body, '-', '-');
				class_add_atom(&body, &b, &has_not_space);
				continue;
			}
			if (a.cp > b.cp) {
				fail(x, "range out of order in character class");
				goto out;
			}
			class_add_char(&body, a.cp, b.cp);
			continue;
		}
		class_add_atom(&body, &a, &has_not_space);
	}

	if (!has_not_space) {
		if (!body.len)
			strbuf_addstr(x->out, negate ? "(?s:.)" : "(?!)");
		else
			strbuf_addf(x->out, "[%s%s]", negate ? "^" : "", body.buf);
	} else if (!negate) {
		if (!body.len)
			strbuf_addstr(x->out, "[^" JS_SPACE "]");
		else
			strbuf_addf(x->out, "(?:[%s]|[^" JS_SPACE "])", body.buf);
	} else {
		if (!body.len)
			strbuf_addstr(x->out, "[" JS_SPACE "]");
		else
			strbuf_addf(x->out, "(?:(?![%s])[" JS_SPACE "])", body.buf);
	}
	rc = 0;
out:
	strbuf_release(&body);
	return rc;
}

/* An escape outside a class; the current position is at the '\\'. */
static int translate_escape(struct xlat *x)
{
	int c;
	long v;

	x->i++;
	if (x->i >= x->len)
		return fail(x, "\\ at end of pattern");
	c = peek(x, 0);
	x->atom = 1;
	switch (c) {
	case 'd': case 'D': case 'w': case 'W':
		strbuf_addf(x->out, "\\%c", c);
		x->i++;
		return 0;
	case 's':
		strbuf_addstr(x->out, "[" JS_SPACE "]");
		x->i++;
		return 0;
	case 'S':
		strbuf_addstr(x->out, "[^" JS_SPACE "]");
		x->i++;
		return 0;
	case 'b': case 'B':
		strbuf_addf(x->out, "\\%c", c);
		x->i++;
		x->atom = 0;
		return 0;
	case 'k':
		if (x->umode || x->has_names) {
			struct strbuf name = STRBUF_INIT;

			x->i++;
			if (peek(x, 0) != '<') {
				strbuf_release(&name);
				return fail(x, "invalid named reference");
			}
			x->i++;
			if (read_group_name(x, &name) < 0) {
				strbuf_release(&name);
				return -1;
			}
			strbuf_addf(x->out, "\\k<%s>", name.buf);
			strbuf_release(&name);
			return 0;
		}
		break;
	case 'p': case 'P':
		if (x->umode) {
			char esc[64];

			x->i++;
			if (read_property(x, c == 'P', esc, sizeof(esc)) < 0)
				return -1;
			strbuf_addf(x->out, "\\%s", esc);
			return 0;
		}
		break;
	case 'c': {
		int n = peek(x, 1);

		if (n >= 0 && (n | 0x20) >= 'a' && (n | 0x20) <= 'z') {
			x->i += 2;
			emit_char(x, n % 32);
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid unicode escape");
		emit_char(x, '\\');	/* "\c" stands for itself; 'c' is read next */
		return 0;
	}
	case 't': x->i++; emit_char(x, 9); return 0;
	case 'n': x->i++; emit_char(x, 10); return 0;
	case 'v': x->i++; emit_char(x, 11); return 0;
	case 'f': x->i++; emit_char(x, 12); return 0;
	case 'r': x->i++; emit_char(x, 13); return 0;
	case 'x':
		x->i++;
		v = read_hex(x, 2);
		if (v < 0) {
			if (x->umode)
				return fail(x, "invalid escape");
			v = 'x';
		}
		emit_char(x, v);
		return 0;
	case 'u':
		x->i++;
		v = read_unicode_escape(x);
		if (v == -1)
			return -1;
		emit_char(x, v == -2 ? 'u' : (unsigned long)v);
		return 0;
	case '0':
		if (!(peek(x, 1) >= '0' && peek(x, 1) <= '9')) {
			x->i++;
			emit_char(x, 0);
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid decimal escape");
		emit_char(x, read_legacy_octal(x));
		return 0;
	default:
		break;
	}
	if (c >= '1' && c <= '9') {
		size_t b = x->i, n = 0;

		while (peek(x, 0) >= '0' && peek(x, 0) <= '9') {
			if (n < 100000)
				n = n * 10 + (peek(x, 0) - '0');
			x->i++;
		}
		if (n <= x->ngroups) {
			strbuf_addf(x->out, "\\g{%zu}", n);
			return 0;
		}
		if (x->umode)
			return fail(x, "invalid escape (no such group)");
		x->i = b;
		if (c >= '8') {
			x->i++;
			emit_char(x, c);
		} else {
			emit_char(x, read_legacy_octal(x));
		}
		return 0;
	}
	if (x->umode && !is_syntax_char(c))
		return fail(x, "invalid escape");
	emit_char(x, next_cp(x));
	return 0;
}

/* "{n}", "{n,}" or "{n,m}" at the current position: its length, or 0. */
static size_t brace_quantifier(const struct xlat *x, long *min, long *max)
{
	size_t k = 1;
	long a = 0, b = -1;
	int digits = 0;

	while (peek(x, k) >= '0' && peek(x, k) <= '9') {
		if (a < 1000000)
			a = a * 10 + (peek(x, k) - '0');
		k++, digits++;
	}
	if (!digits)
		return 0;
	b = a;
	if (peek(x, k) == ',') {
		k++;
		b = -1;
		if (peek(x, k) >= '0' && peek(x, k) <= '9') {
			b = 0;
			while (peek(x, k) >= '0' && peek(x, k) <= '9') {
				if (b < 1000000)
					b = b * 10 + (peek(x, k) - '0');
				k++;
			}
		}
	}
	if (peek(x, k) != '}')
		return 0;
	*min = a;
	*max = b;
	return k + 1;
}

static int translate_group_open(struct xlat *x)
{
	struct group_frame f = { GROUP_PLAIN, x->dotall, x->multiline };

	x->i++;		/* '(' */
	if (peek(x, 0) != '?') {
		strbuf_addch(x->out, '(');
	} else if (peek(x, 1) == ':') {
		x->i += 2;
		strbuf_addstr(x->out, "(?:");
	} else if (peek(x, 1) == '=' || peek(x, 1) == '!') {
		strbuf_addf(x->out, "(?%c", peek(x, 1));
		x->i += 2;
		f.kind = GROUP_LOOKAHEAD;
	} else if (peek(x, 1) == '<' && (peek(x, 2) == '=' || peek(x, 2) == '!')) {
		strbuf_addf(x->out, "(?<%c", peek(x, 2));
		x->i += 3;
		f.kind = GROUP_LOOKBEHIND;
	} else if (peek(x, 1) == '<') {
		struct strbuf name = STRBUF_INIT;

		x->i += 2;
		if (read_group_name(x, &name) < 0) {
			strbuf_release(&name);
			return -1;
		}
		strbuf_addf(x->out, "(?<%s>", name.buf);
		strbuf_release(&name);
	} else {
		/* modifiers: (?ims-ims:...) */
		int seen = 0, minus = 0, add_i = 0, del_i = 0, any_add = 0, any_del = 0;

		x->i++;
		for (;;) {
			int c = peek(x, 0), bit;

			if (c == ':')
				break;
			if (c == '-' && !minus) {
				minus = 1;
				x->i++;
				continue;
			}
			bit = c == 'i' ? 1 : c == 'm' ? 2 : c == 's' ? 4 : 0;
			if (!bit || (seen & bit))
				return fail(x, "invalid group");
			seen |= bit;
			if (minus)
				any_del = 1;
			else
				any_add = 1;
			if (bit == 1)
				*(minus ? &del_i : &add_i) = 1;
			if (bit == 2)
				x->multiline = !minus;
			if (bit == 4)
				x->dotall = !minus;
			x->i++;
		}
		if (minus && !any_add && !any_del)
			return fail(x, "invalid group");
		if (!any_add && !any_del)
			return fail(x, "invalid group");
		x->i++;	/* ':' */
		strbuf_addf(x->out, "(?%s%s:", add_i ? "i" : "", del_i ? "-i" : "");
	}
	ALLOC_GROW(x->stack, x->depth + 1, x->alloc);
	x->stack[x->depth++] = f;
	x->atom = 0;
	return 0;
}

static int translate(struct xlat *x)
{
	while (x->i < x->len && !x->err) {
		int c = peek(x, 0);
		long min, max;
		size_t n;

		switch (c) {
		case '\\':
			if (translate_escape(x) < 0)
				return -1;
			break;
		case '(':
			if (translate_group_open(x) < 0)
				return -1;
			break;
		case ')': {
			struct group_frame f;

			if (!x->depth)
				return fail(x, "unmatched closing parenthesis");
			f = x->stack[--x->depth];
			x->dotall = f.dotall;
			x->multiline = f.multiline;
			strbuf_addch(x->out, ')');
			x->i++;
			x->atom = f.kind == GROUP_PLAIN || (f.kind == GROUP_LOOKAHEAD && !x->umode);
			break;
		}
		case '|':
			strbuf_addch(x->out, '|');
			x->i++;
			x->atom = 0;
			break;
		case '^':
			strbuf_addstr(x->out, x->multiline ? "(?:^|(?<=[" JS_LINE_END "]))" : "^");
			x->i++;
			x->atom = 0;
			break;
		case '$':
			strbuf_addstr(x->out, x->multiline ? "(?=[" JS_LINE_END "]|\\z)" : "\\z");
			x->i++;
			x->atom = 0;
			break;
		case '.':
			strbuf_addstr(x->out, x->dotall ? "(?s:.)" : "[^" JS_LINE_END "]");
			x->i++;
			x->atom = 1;
			break;
		case '[':
			if (translate_class(x) < 0)
				return -1;
			x->atom = 1;
			break;
		case '*': case '+': case '?':
			if (!x->atom)
				return fail(x, "nothing to repeat");
			strbuf_addch(x->out, c);
			x->i++;
			if (peek(x, 0) == '?') {
				strbuf_addch(x->out, '?');
				x->i++;
			}
			x->atom = 0;
			break;
		case '{':
			n = brace_quantifier(x, &min, &max);
			if (n) {
				if (!x->atom)
					return fail(x, "nothing to repeat");
				if (max >= 0 && min > max)
					return fail(x, "numbers out of order in {} quantifier");
				strbuf_add(x->out, x->p + x->i, n);
				x->i += n;
				if (peek(x, 0) == '?') {
					strbuf_addch(x->out, '?');
					x->i++;
				}
				x->atom = 0;
				break;
			}
			/* not a quantifier: a lone brace */
			__attribute__((fallthrough));
		case '}': case ']':
			if (x->umode)
				return fail(x, "lone quantifier brackets");
			emit_char(x, c);
			x->i++;
			x->atom = 1;
			break;
		default:
			emit_char(x, next_cp(x));
			x->atom = 1;
			break;
		}
	}
	if (x->err)
		return -1;
	if (x->depth)
		return fail(x, "missing )");
	return 0;
}

/* Count capturing groups and notice named ones. */
static void prescan(struct xlat *x)
{
	size_t i = 0;
	int in_class = 0;

	while (i < x->len) {
		char c = x->p[i];

		if (c == '\\') {
			i += 2;
			continue;
		}
		if (in_class) {
			if (c == ']')
				in_class = 0;
		} else if (c == '[') {
			in_class = 1;
		} else if (c == '(') {
			if (i + 1 >= x->len || x->p[i + 1] != '?') {
				x->ngroups++;
			} else if (i + 2 < x->len && x->p[i + 2] == '<' && i + 3 < x->len &&
				   x->p[i + 3] != '=' && x->p[i + 3] != '!') {
				x->ngroups++;
				x->has_names = 1;
			}
		}
		i++;
	}
}

int jsregex_compile(struct jsregex *out, const char *pattern, const char *flags)
{
	struct jsregex re = { 0 };
	struct strbuf pcre = STRBUF_INIT;
	struct xlat x = { 0 };
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_UNSET_BACKREF | PCRE2_AUTO_CALLOUT;
	pcre2_code *code;
	int errcode, rc = 0;
	PCRE2_SIZE erroff;

	if (!flags)
		flags = "";
	for (const char *f = flags; *f; f++) {
		int *bit = NULL, dummy = 0;

		switch (*f) {
		case 'd': bit = &dummy; break;
		case 'g': bit = &re.global; break;
		case 'i': bit = &re.ignore_case; break;
		case 'm': bit = &re.multiline; break;
		case 's': bit = &re.dotall; break;
		case 'u': bit = &re.unicode; break;
		case 'v': bit = &x.vmode; break;
		case 'y': bit = &re.sticky; break;
		}
		if (!bit || strchr(f + 1, *f) || (*f == 'v' && strchr(flags, 'u')))
			return error_as(EXIT_INPUT, "invalid regular expression flags '%s' for '/%s/'",
					flags, pattern);
		*bit = 1;
	}
	if (!utf8_valid(pattern, strlen(pattern)))
		return error_as(EXIT_INPUT, "invalid regular expression '/%s/%s': not UTF-8",
				pattern, flags);

	x.p = pattern;
	x.len = strlen(pattern);
	x.umode = re.unicode || x.vmode;
	x.dotall = re.dotall;
	x.multiline = re.multiline;
	x.out = &pcre;
	prescan(&x);
	if (translate(&x) < 0) {
		rc = error_as(EXIT_INPUT, "invalid regular expression '/%s/%s': %s",
			      pattern, flags, x.err ? x.err : "syntax error");
		goto out;
	}
	if (re.ignore_case)
		opts |= PCRE2_CASELESS;
	code = pcre2_compile((PCRE2_SPTR)pcre.buf, pcre.len, opts, &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rc = error_as(EXIT_INPUT, "invalid regular expression '/%s/%s': %s",
			      pattern, flags, (char *)msg);
		goto out;
	}
	re.unicode = x.umode;
	re.group_nr = x.ngroups;
	re.code = code;
	re.source = xstrdup(pattern);
	re.flags = xstrdup(flags);
	re.translated = strbuf_detach(&pcre, NULL);
	*out = re;
out:
	free(x.stack);
	strbuf_release(&pcre);
	return rc;
}

static size_t char_len_at(const char *s, size_t len, size_t at)
{
	size_t n = 1;

	if (at >= len)
		return 1;
	while (at + n < len && ((unsigned char)s[at + n] & 0xc0) == 0x80 && n < 4)
		n++;
	return n;
}

/*
 * The subject as Node hands it to the RegExp: a GITHUB_REF or a value
 * that is not UTF-8 has been decoded with each maximal ill-formed
 * subsequence replaced by U+FFFD (the WHATWG decoder).  Doing the same
 * here keeps "$", "." and the captured text as JS has them, and leaves
 * PCRE2 only valid UTF-8 to match (no fragment-by-fragment matching).
 * 1 when sb holds a repaired copy, 0 when s was valid already.
 */
static int repair_utf8(const char *s, size_t len, struct strbuf *sb)
{
	size_t i = 0, start = 0;
	int changed = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t need, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		need = (c >= 0xc2 && c <= 0xdf) ? 1 : (c >= 0xe0 && c <= 0xef) ? 2 :
		       (c >= 0xf0 && c <= 0xf4) ? 3 : 0;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (k = 1; k <= need && i + k < len; k++) {
			unsigned char b = s[i + k];

			if (b < lo || b > hi)
				break;
			lo = 0x80, hi = 0xbf;
		}
		if (need && k > need) {
			i += k;
			continue;
		}
		/* bytes i .. i+k-1 (at least the lead byte) are one bad sequence */
		strbuf_add(sb, s + start, i - start);
		strbuf_addstr(sb, "\xef\xbf\xbd");
		i += need ? k : 1;
		start = i;
		changed = 1;
	}
	if (changed)
		strbuf_add(sb, s + start, len - start);
	return changed;
}

/*
 * Steps one jsregex_match() or jsregex_exec() may take, counted by an
 * automatic callout before every pattern item, over every start
 * position and every match of g.  PCRE2's own match limit counts
 * per start position, so a pattern like /(a+)+$/ on a few hundred
 * bytes could run for seconds without reaching it; 5 million steps
 * are about 0.1 s.  The match, depth and heap limits are set too, so
 * one start position can neither run nor grow further.
 */
#define STEP_BUDGET 5000000UL
#define HEAP_LIMIT_KIB 65536

struct budget {
	unsigned long steps;
};

static int count_step(pcre2_callout_block *cb, void *data)
{
	struct budget *b = data;

	(void)cb;
	return ++b->steps > STEP_BUDGET ? PCRE2_ERROR_CALLOUT : 0;
}

static int run(const struct jsregex *re, const char *subject_in, int all, struct jsregex_match *out)
{
	struct jsregex_match m = { 0 };
	struct strbuf fixed = STRBUF_INIT;
	struct budget budget = { 0 };
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	const char *subject = subject_in;
	size_t len = strlen(subject), start = 0, alloc = 0;
	uint32_t opts = re->sticky ? PCRE2_ANCHORED : 0;
	int rc = 0;

	if (!md || !mc) {
		rc = error("out of memory matching '/%s/%s'", re->source, re->flags);
		goto out;
	}
	if (repair_utf8(subject, len, &fixed)) {
		subject = fixed.buf;
		len = fixed.len;
	}
	pcre2_set_callout(mc, count_step, &budget);
	pcre2_set_match_limit(mc, STEP_BUDGET);
	pcre2_set_depth_limit(mc, STEP_BUDGET);
	pcre2_set_heap_limit(mc, HEAP_LIMIT_KIB);
	while (start <= len) {
		PCRE2_SIZE *ov;
		int r = pcre2_match(re->code, (PCRE2_SPTR)subject, len, start, opts, md, mc);

		if (r == PCRE2_ERROR_NOMATCH)
			break;
		if (r < 0) {
			PCRE2_UCHAR msg[256];

			if (r == PCRE2_ERROR_CALLOUT)
				snprintf((char *)msg, sizeof(msg), "more than %lu steps (backtracking limit)",
					 STEP_BUDGET);
			else
				pcre2_get_error_message(r, msg, sizeof(msg));
			rc = error_as(EXIT_INPUT, "regular expression '/%s/%s' gave up on '%s': %s",
				      re->source, re->flags, subject, (char *)msg);
			goto out;
		}
		ov = pcre2_get_ovector_pointer(md);
		if (!all) {
			m.nr = re->group_nr + 1;
			m.values = xcalloc(m.nr, sizeof(char *));
			for (size_t g = 0; g < m.nr && g < pcre2_get_ovector_count(md); g++)
				if (ov[2 * g] != PCRE2_UNSET)
					m.values[g] = xstrndup(subject + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
			m.index = jsstr_utf16_len(subject, ov[0]);
			m.matched = 1;
			break;
		}
		ALLOC_GROW(m.values, m.nr + 1, alloc);
		m.values[m.nr++] = xstrndup(subject + ov[0], ov[1] - ov[0]);
		m.matched = 1;
		start = ov[1] == ov[0] ? ov[1] + char_len_at(subject, len, ov[1]) : ov[1];
	}
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	jsregex_match_release(&m);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	strbuf_release(&fixed);
	return rc;
}

int jsregex_exec(const struct jsregex *re, const char *subject, struct jsregex_match *out)
{
	return run(re, subject, 0, out);
}

int jsregex_match(const struct jsregex *re, const char *subject, struct jsregex_match *out)
{
	return run(re, subject, re->global, out);
}

int jsregex_split_literal(const char *s, struct strbuf *pattern, struct strbuf *flags)
{
	size_t len = strlen(s);
	const char *last;

	if (len < 3 || s[0] != '/')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\n' || c == '\r' ||
		    (c == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
		     ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
			return 0;
	}
	last = strrchr(s, '/');
	if (last - s < 2)
		return 0;
	strbuf_add(pattern, s + 1, last - s - 1);
	strbuf_addstr(flags, last + 1);
	return 1;
}

void jsregex_match_release(struct jsregex_match *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr; i++)
		free(m->values[i]);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

void jsregex_release(struct jsregex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->source);
	free(re->flags);
	free(re->translated);
	memset(re, 0, sizeof(*re));
}
