/*
 * pep440.c: PEP 440 versions the way @renovate/pep440 1.x reads them
 * (see pep440.h for the quirks kept on purpose).
 *
 * The version grammar is the canonical expression of PEP 440 (appendix
 * B), matched with PCRE2 without regard to case.  Backtracking
 * alternation picks the same parse as the JavaScript engine, since the
 * alternatives are listed in the same order.  Numbers then go through
 * JavaScript's Number() and String() rules (jsstr).
 */
#include "lib/common.h"
#include "meta/pep440.h"
#include "meta/jsstr.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const char version_re[] =
	"^v?"
	"(?:"
	"(?:(?<epoch>[0-9]+)!)?"
	"(?<release>[0-9]+(?:\\.[0-9]+)*)"
	"(?<pre>[-_.]?(?<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?<pre_n>[0-9]+)?)?"
	"(?<post>-(?<post_n1>[0-9]+)|[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?)?"
	"(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?"
	")"
	"(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?"
	"$";

struct groups {
	const char *s;
	pcre2_code *re;
	pcre2_match_data *md;
};

/* The named group's text, or NULL when it did not take part (or is empty). */
static char *group(struct groups *g, const char *name)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(g->md);
	int n = pcre2_substring_number_from_name(g->re, (PCRE2_SPTR)name);

	if (n < 0 || ov[2 * n] == PCRE2_UNSET || ov[2 * n] == ov[2 * n + 1])
		return NULL;
	return xstrndup(g->s + ov[2 * n], ov[2 * n + 1] - ov[2 * n]);
}

static char *number_text(const char *digits)
{
	struct strbuf sb = STRBUF_INIT;

	jsstr_add_digits_number(&sb, digits, strlen(digits));
	return strbuf_detach(&sb, NULL);
}

/*
 * JavaScript's Number(part) for a local part of [A-Za-z0-9]: decimal
 * digits, digits with an exponent, 0x/0o/0b literals and "Infinity"
 * are numbers; NULL means NaN.
 */
static char *local_number(const char *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(p), i = 0;
	double v = 0;
	int base = 0;

	if (!strcmp(p, "Infinity"))
		return xstrdup("Infinity");
	if (len > 2 && p[0] == '0') {
		int c = p[1] | 0x20;

		base = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
	}
	if (base) {
		for (i = 2; i < len; i++) {
			int c = p[i] | 0x20, d;

			d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
			if (d >= base)
				return NULL;
			v = v * base + d;
		}
		if (base == 16)
			v = strtod(p, NULL);	/* correctly rounded */
		jsstr_add_number(&sb, v);
		return strbuf_detach(&sb, NULL);
	}
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	if (!i)
		return NULL;
	if (i < len) {
		size_t e = i + 1;

		if ((p[i] | 0x20) != 'e' || e >= len)
			return NULL;
		for (size_t k = e; k < len; k++)
			if (p[k] < '0' || p[k] > '9')
				return NULL;
	}
	jsstr_add_number(&sb, strtod(p, NULL));
	return strbuf_detach(&sb, NULL);
}

static char *letter_number(const char *letter, const char *n)
{
	struct strbuf sb = STRBUF_INIT;
	struct strbuf low = STRBUF_INIT;

	strbuf_addstr(&low, letter);
	strbuf_tolower(&low);
	if (!strcmp(low.buf, "alpha"))
		strbuf_addstr(&sb, "a");
	else if (!strcmp(low.buf, "beta"))
		strbuf_addstr(&sb, "b");
	else if (!strcmp(low.buf, "c") || !strcmp(low.buf, "pre") || !strcmp(low.buf, "preview"))
		strbuf_addstr(&sb, "rc");
	else if (!strcmp(low.buf, "rev") || !strcmp(low.buf, "r"))
		strbuf_addstr(&sb, "post");
	else
		strbuf_addbuf(&sb, &low);
	if (n)
		jsstr_add_digits_number(&sb, n, strlen(n));
	else
		strbuf_addch(&sb, '0');
	strbuf_release(&low);
	return strbuf_detach(&sb, NULL);
}

static void build_strings(struct pep440 *v)
{
	struct strbuf sb = STRBUF_INIT;
	char *plus;

	if (strcmp(v->epoch, "0"))
		strbuf_addf(&sb, "%s!", v->epoch);
	for (size_t i = 0; i < v->release_nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "." : "", v->release[i]);
	v->base_version = xstrdup(sb.buf);
	if (v->pre)
		strbuf_addstr(&sb, v->pre);
	if (v->post)
		strbuf_addf(&sb, ".post%s", v->post);
	if (v->dev)
		strbuf_addf(&sb, ".dev%s", v->dev);
	if (v->local_nr) {
		strbuf_addch(&sb, '+');
		for (size_t i = 0; i < v->local_nr; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", v->local[i]);
	}
	v->clean = xstrdup(sb.buf);
	plus = strchr(sb.buf, '+');
	v->public_version = plus ? xstrndup(sb.buf, plus - sb.buf) : xstrdup(sb.buf);
	strbuf_release(&sb);

	if (v->local_nr) {
		for (size_t i = 0; i < v->local_nr; i++)
			strbuf_addf(&sb, "%s%s", i ? "." : "", v->local[i]);
		v->local_str = strbuf_detach(&sb, NULL);
	}
	v->major = xstrdup(v->release[0]);
	v->minor = xstrdup(v->release_nr > 1 ? v->release[1] : "0");
	v->micro = xstrdup(v->release_nr > 2 ? v->release[2] : "0");
}

/* Match s (exactly, no trimming) and fill out; -1 if it is not a version. */
static int parse_exact(struct pep440 *out, const char *s, size_t len, const char *raw)
{
	struct pep440 v = { 0 };
	struct groups g = { s, NULL, NULL };
	int errcode, rc = -1;
	PCRE2_SIZE erroff;
	char *epoch = NULL, *release = NULL, *pre_l = NULL, *pre_n = NULL;
	char *post_n = NULL, *post_l = NULL, *dev_l = NULL, *dev_n = NULL, *local = NULL;
	size_t alloc = 0;

	g.re = pcre2_compile((PCRE2_SPTR)version_re, PCRE2_ZERO_TERMINATED,
			     PCRE2_CASELESS | PCRE2_DOLLAR_ENDONLY, &errcode, &erroff, NULL);
	if (!g.re)
		return error_as(EXIT_INTERNAL, "pep440: cannot compile the version pattern");
	g.md = pcre2_match_data_create_from_pattern(g.re, NULL);
	if (pcre2_match(g.re, (PCRE2_SPTR)s, len, 0, 0, g.md, NULL) < 0)
		goto out;

	epoch = group(&g, "epoch");
	release = group(&g, "release");
	pre_l = group(&g, "pre_l");
	pre_n = group(&g, "pre_n");
	post_n = group(&g, "post_n1");
	if (!post_n)
		post_n = group(&g, "post_n2");
	post_l = group(&g, "post_l");
	dev_l = group(&g, "dev_l");
	dev_n = group(&g, "dev_n");
	local = group(&g, "local");

	v.epoch = epoch ? number_text(epoch) : xstrdup("0");
	for (char *p = release, *dot; p; p = dot ? dot + 1 : NULL) {
		dot = strchr(p, '.');
		if (dot)
			*dot = '\0';
		ALLOC_GROW(v.release, v.release_nr + 1, alloc);
		v.release[v.release_nr++] = number_text(p);
	}
	if (pre_l)
		v.pre = letter_number(pre_l, pre_n);
	if (post_l || post_n) {
		/* a number without a letter is the implicit post release (1.0-1) */
		char *pn = letter_number(post_l ? post_l : "post", post_n);

		v.post = xstrdup(pn + strlen("post"));
		free(pn);
	}
	if (dev_l) {
		char *dn = letter_number(dev_l, dev_n);

		v.dev = xstrdup(dn + strlen("dev"));
		free(dn);
	}
	if (local) {
		char *p = local;

		alloc = 0;
		for (;;) {
			size_t n = strcspn(p, "._-");
			char save = p[n], *num;

			p[n] = '\0';
			num = local_number(p);
			if (!num) {
				struct strbuf low = STRBUF_INIT;

				strbuf_addstr(&low, p);
				strbuf_tolower(&low);
				num = strbuf_detach(&low, NULL);
			}
			ALLOC_GROW(v.local, v.local_nr + 1, alloc);
			v.local[v.local_nr++] = num;
			if (!save)
				break;
			p += n + 1;
		}
	}
	v.is_prerelease = v.pre || v.dev;
	v.is_devrelease = !!v.dev;
	v.is_postrelease = !!v.post;
	v.raw = xstrdup(raw);
	build_strings(&v);
	*out = v;
	rc = 0;
out:
	free(epoch);
	free(release);
	free(pre_l);
	free(pre_n);
	free(post_n);
	free(post_l);
	free(dev_l);
	free(dev_n);
	free(local);
	pcre2_match_data_free(g.md);
	pcre2_code_free(g.re);
	return rc;
}

int pep440_parse(struct pep440 *out, const char *input)
{
	return parse_exact(out, input, strlen(input), input);
}

int pep440_valid(const char *input)
{
	struct pep440 v;

	if (pep440_parse(&v, input) < 0)
		return 0;
	pep440_release(&v);
	return 1;
}

int pep440_clean(const char *input, struct strbuf *out)
{
	struct pep440 v;
	size_t b, e;

	jsstr_trim_span(input, strlen(input), &b, &e);
	if (parse_exact(&v, input + b, e - b, input) < 0)
		return -1;
	strbuf_addstr(out, v.clean);
	pep440_release(&v);
	return 0;
}

int pep440_field(const struct pep440 *v, const char *name, struct strbuf *out)
{
	if (!strcmp(name, "raw"))
		strbuf_addstr(out, v->raw);
	else if (!strcmp(name, "version"))
		strbuf_addstr(out, v->clean);
	else if (!strcmp(name, "major"))
		strbuf_addstr(out, v->major);
	else if (!strcmp(name, "minor"))
		strbuf_addstr(out, v->minor);
	else if (!strcmp(name, "patch"))
		strbuf_addstr(out, v->micro);
	else
		return -1;
	return 0;
}

void pep440_release(struct pep440 *v)
{
	if (!v)
		return;
	free(v->raw);
	free(v->epoch);
	for (size_t i = 0; i < v->release_nr; i++)
		free(v->release[i]);
	free(v->release);
	free(v->pre);
	free(v->post);
	free(v->dev);
	for (size_t i = 0; i < v->local_nr; i++)
		free(v->local[i]);
	free(v->local);
	free(v->local_str);
	free(v->clean);
	free(v->public_version);
	free(v->base_version);
	free(v->major);
	free(v->minor);
	free(v->micro);
	memset(v, 0, sizeof(*v));
}
