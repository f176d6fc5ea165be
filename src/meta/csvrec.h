/*
 * csvrec.h: one CSV record split into fields, the way the npm package
 * csv-parse does it for docker/metadata-action (delimiter ',', quote '"',
 * no trimming).
 *
 * metadata-action parses every input line twice: once when it reads the
 * input list (with relax_quotes, so a '"' inside an unquoted field is
 * kept as text) and once per tag, flavor or image entry (strict: such a
 * quote is an error).  A quoted field may hold commas and "" for a quote;
 * after its closing quote only a delimiter or the end may follow.
 *
 * Only the first record is read: a newline (\n, \r\n or \r) outside
 * quotes ends it.  Pure, no I/O.
 */
#ifndef CSVREC_H
#define CSVREC_H

struct strlist;
struct strbuf;

/*
 * Split s into fields appended to out.  relax: keep quotes found inside
 * an unquoted field.  Returns 0, or -1 with the reason appended to err.
 */
int csvrec_split(const char *s, int relax, struct strlist *out, struct strbuf *err);

/*
 * Join fields with ',', quoting a field that holds a comma, a quote or a
 * newline (the quote doubled), so csvrec_split() gives the fields back.
 */
void csvrec_join(const struct strlist *fields, struct strbuf *out);

/*
 * metadata-action's input lists: record.join(',') of the relaxed split,
 * except that a field holding a comma or a newline is quoted again (so
 * "pattern=\d{1,2}" stays one field when the rule is parsed).  A quote
 * in a field that needs no quoting is left bare, so the strict parse of
 * the rule refuses it as metadata-action does.
 */
void csvrec_join_input(const struct strlist *fields, struct strbuf *out);

#endif
