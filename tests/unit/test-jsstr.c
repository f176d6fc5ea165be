/*
 * test-jsstr.c: JavaScript white space, trim, UTF-16 length and number
 * printing (expected values from node: String(Number(s)), s.trim()).
 */
#include "lib/common.h"
#include "meta/jsstr.h"
#include "tap.h"

static const struct { const char *in, *want; } numbers[] = {
	{ "0", "0" }, { "7", "7" }, { "000123", "123" },
	{ "9007199254740993", "9007199254740992" },
	{ "12345678901234567890", "12345678901234567000" },
	{ "99999999999999999999", "100000000000000000000" },
	{ "100000000000000000000", "100000000000000000000" },
	{ "999999999999999999999", "1e+21" },
	{ "1000000000000000000000", "1e+21" },
	{ "12345678901234567890123", "1.2345678901234568e+22" },
	{ "0.5", "0.5" }, { "0.000001", "0.000001" }, { "0.0000001", "1e-7" },
	{ "1.5e-10", "1.5e-10" }, { "1e400", "Infinity" },
};

static const struct { const char *in, *want; } trims[] = {
	{ "  a b  ", "a b" }, { "\t\n\v\f\r a \r\n", "a" },
	{ "\xc2\xa0" "a" "\xe3\x80\x80", "a" },			/* U+00A0, U+3000 */
	{ "\xef\xbb\xbf" "a" "\xe2\x80\xa8", "a" },		/* U+FEFF, U+2028 */
	{ "\xe2\x80\x8a" "a" "\xe2\x80\x80", "a" },		/* U+200A, U+2000 */
	{ "\xc2\x85" "a", "\xc2\x85" "a" },			/* U+0085 is not JS space */
	{ "\xe1\xa0\x8e" "a", "\xe1\xa0\x8e" "a" },		/* U+180E neither */
	{ "a\xc3\xa9", "a\xc3\xa9" }, { "   ", "" }, { "", "" },
};

int main(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
		strbuf_reset(&sb);
		jsstr_add_number(&sb, strtod(numbers[i].in, NULL));
		is_str(sb.buf, numbers[i].want, "String(Number('%s'))", numbers[i].in);
	}
	strbuf_reset(&sb);
	jsstr_add_digits_number(&sb, "0012345", 5);
	is_str(sb.buf, "123", "digits by length");
	for (size_t i = 0; i < ARRAY_SIZE(trims); i++) {
		size_t b, e;

		jsstr_trim_span(trims[i].in, strlen(trims[i].in), &b, &e);
		strbuf_reset(&sb);
		strbuf_add(&sb, trims[i].in + b, e - b);
		is_str(sb.buf, trims[i].want, "trim case %zu", i);
	}
	is_int(jsstr_utf16_len("abc", 3), 3, "ASCII length");
	is_int(jsstr_utf16_len("\xc3\xa9\xe4\xb8\xad", 5), 2, "BMP characters count one each");
	is_int(jsstr_utf16_len("\xf0\x9f\x98\x80", 4), 2, "astral counts two");
	is_int(jsstr_utf16_len("\xff\xfe", 2), 2, "invalid bytes count one each");
	is_int(jsstr_space_len(" ", 1), 1, "space");
	is_int(jsstr_space_len("\xe2\x80\xa9", 3), 3, "U+2029");
	is_int(jsstr_space_len("\xe2\x80", 2), 0, "truncated sequence");
	is_int(jsstr_space_len("x", 0), 0, "nothing available");
	strbuf_release(&sb);
	return tap_done();
}
