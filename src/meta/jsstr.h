/*
 * jsstr.h: the few JavaScript string and number behaviours that the
 * metadata-action re-implementations (semver, pep440, datefmt, jsregex)
 * must reproduce byte for byte.
 *
 * - JavaScript's idea of white space (String.prototype.trim, RegExp \s):
 *   the ASCII blanks plus U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
 *   U+202F, U+205F, U+3000 and U+FEFF, here read as UTF-8.
 * - Number to string: String(n) for a non-negative double, as JS prints
 *   it ("12", "12345678901234567000", "1.2345678901234568e+22").
 * - Length in UTF-16 code units, which is what JS's .length counts.
 *
 * Pure functions, no allocation except into the caller's strbuf.
 */
#ifndef JSSTR_H
#define JSSTR_H

#include <stddef.h>

struct strbuf;

/* Bytes of the JS white-space character at s (UTF-8), 0 if s[0] is not one. */
size_t jsstr_space_len(const char *s, size_t avail);

/*
 * The [begin, end) of s with JS white space removed from both ends, as
 * String.prototype.trim() does.  *begin and *end are byte offsets.
 */
void jsstr_trim_span(const char *s, size_t len, size_t *begin, size_t *end);

/* Length of UTF-8 s in UTF-16 code units (invalid bytes count one each). */
size_t jsstr_utf16_len(const char *s, size_t len);

/* Append String(v) for a double v >= 0 (or +Infinity), the way JavaScript prints it. */
void jsstr_add_number(struct strbuf *out, double v);

/* Append String(Number(digits)) for a string of ASCII digits. */
void jsstr_add_digits_number(struct strbuf *out, const char *digits, size_t len);

#endif
