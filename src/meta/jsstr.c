/*
 * jsstr.c: JavaScript string and number behaviours (see jsstr.h).
 *
 * Number printing follows ECMAScript Number::toString: the shortest
 * decimal digits that round-trip to the same double, printed plainly
 * while the exponent is below 21 and as d.ddde+NN from there on.  The
 * shortest digits are found by asking printf for 1..17 significant
 * digits and keeping the first that strtod reads back exactly.
 */
#include "lib/common.h"
#include "meta/jsstr.h"

#include <float.h>

static unsigned long utf8_decode(const unsigned char *s, size_t avail, size_t *used)
{
	unsigned long c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*used = 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0)
		n = 2, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 3, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 4, c &= 0x07;
	else
		goto bad;
	if (n > avail)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*used = n;
	return c;
bad:
	*used = 1;
	return 0xfffffffful;
}

size_t jsstr_space_len(const char *s, size_t avail)
{
	size_t used;
	unsigned long c;

	if (!avail)
		return 0;
	c = utf8_decode((const unsigned char *)s, avail, &used);
	switch (c) {
	case '\t': case '\n': case 0x0b: case '\f': case '\r': case ' ':
	case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000: case 0xfeff:
		return used;
	}
	if (c >= 0x2000 && c <= 0x200a)
		return used;
	return 0;
}

void jsstr_trim_span(const char *s, size_t len, size_t *begin, size_t *end)
{
	size_t b = 0, e = len, n;

	while (b < e && (n = jsstr_space_len(s + b, e - b)))
		b += n;
	/* trailing: walk back to the start of each UTF-8 character */
	while (e > b) {
		size_t start = e - 1;

		while (start > b && ((unsigned char)s[start] & 0xc0) == 0x80 && e - start < 4)
			start--;
		n = jsstr_space_len(s + start, e - start);
		if (n != e - start)
			break;
		e = start;
	}
	*begin = b;
	*end = e;
}

size_t jsstr_utf16_len(const char *s, size_t len)
{
	size_t i = 0, units = 0, used;

	while (i < len) {
		unsigned long c = utf8_decode((const unsigned char *)s + i, len - i, &used);

		units += (c != 0xfffffffful && c >= 0x10000) ? 2 : 1;
		i += used;
	}
	return units;
}

void jsstr_add_number(struct strbuf *out, double v)
{
	char buf[64], digits[32];
	int prec, exp10, nd = 0;
	char *p;

	if (v == 0) {
		strbuf_addch(out, '0');
		return;
	}
	if (v > DBL_MAX) {
		strbuf_addstr(out, "Infinity");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* buf is d[.ddd]e[+-]XX */
	for (p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	exp10 = (int)strtol(p + 1, NULL, 10);	/* value = 0.d1d2.. * 10^(exp10+1) */

	if (exp10 >= 21) {
		strbuf_addch(out, digits[0]);
		if (nd > 1) {
			strbuf_addch(out, '.');
			strbuf_addstr(out, digits + 1);
		}
		strbuf_addf(out, "e+%d", exp10);
	} else if (exp10 >= 0) {
		int k;

		for (k = 0; k <= exp10 || k < nd; k++) {
			if (k == exp10 + 1)
				strbuf_addch(out, '.');
			strbuf_addch(out, k < nd ? digits[k] : '0');
		}
	} else if (exp10 >= -6) {
		strbuf_addstr(out, "0.");
		for (int k = -1; k > exp10; k--)
			strbuf_addch(out, '0');
		strbuf_addstr(out, digits);
	} else {
		strbuf_addch(out, digits[0]);
		if (nd > 1) {
			strbuf_addch(out, '.');
			strbuf_addstr(out, digits + 1);
		}
		strbuf_addf(out, "e%d", exp10);
	}
}

void jsstr_add_digits_number(struct strbuf *out, const char *digits, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;

	strbuf_add(&tmp, digits, len);
	jsstr_add_number(out, strtod(tmp.buf, NULL));
	strbuf_release(&tmp);
}
