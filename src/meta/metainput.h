/*
 * metainput.h: reading the list inputs of `publish meta` (images, tags,
 * flavor, labels, annotations) the way docker/metadata-action's
 * Util.getInputList(name, {ignoreComma, comment: '#', commentNoInfix})
 * reads them.
 *
 * Each line is one entry.  A line starting with '#' is a comment (a '#'
 * later in a line is text).  The line is split as CSV with relaxed
 * quotes and its fields joined again with ',' (a field holding a comma is
 * re-quoted, so a quoted `"pattern=\d{1,3}"` keeps its comma for the tag
 * rule parser).  Entries are trimmed (JavaScript white space) and empty
 * ones dropped.  Pure, no I/O.
 */
#ifndef METAINPUT_H
#define METAINPUT_H

struct strlist;
struct strbuf;

/* Append the entries of input to out (nothing on error); -1 and a reason in err on a CSV error. */
int metainput_list(const char *input, struct strlist *out, struct strbuf *err);

/* Append s trimmed of JavaScript white space at both ends. */
void metainput_trim(const char *s, struct strbuf *out);

#endif
