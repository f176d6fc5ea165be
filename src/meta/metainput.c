/*
 * metainput.c: see metainput.h.
 */
#include "lib/common.h"
#include "meta/metainput.h"
#include "lib/strlist.h"
#include "meta/csvrec.h"
#include "meta/jsstr.h"

void metainput_trim(const char *s, struct strbuf *out)
{
	size_t b, e;

	jsstr_trim_span(s, strlen(s), &b, &e);
	strbuf_add(out, s + b, e - b);
}

int metainput_list(const char *input, struct strlist *out, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, joined = STRBUF_INIT, item = STRBUF_INIT;
	struct strlist fields = STRLIST_INIT, items = STRLIST_INIT;
	const char *p = input;
	int rc = 0;

	while (*p) {
		const char *e = p + strcspn(p, "\r\n");

		strbuf_reset(&line);
		strbuf_add(&line, p, e - p);
		p = e;
		if (*p == '\r' && p[1] == '\n')
			p += 2;
		else if (*p)
			p++;
		if (!line.len || line.buf[0] == '#')
			continue;
		strlist_release(&fields);
		if (csvrec_split(line.buf, 1, &fields, err) < 0) {
			rc = -1;
			strbuf_addf(err, " in '%s'", line.buf);
			break;
		}
		strbuf_reset(&joined);
		if (fields.nr == 1)
			strbuf_addstr(&joined, fields.items[0]);
		else
			csvrec_join_input(&fields, &joined);
		strbuf_reset(&item);
		metainput_trim(joined.buf, &item);
		if (item.len)
			strlist_push(&items, item.buf);
	}
	if (!rc)
		for (size_t i = 0; i < items.nr; i++)
			strlist_push(out, items.items[i]);
	strlist_release(&items);
	strlist_release(&fields);
	strbuf_release(&line);
	strbuf_release(&joined);
	strbuf_release(&item);
	return rc;
}
