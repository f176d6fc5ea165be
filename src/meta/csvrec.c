/*
 * csvrec.c: see csvrec.h.
 */
#include "lib/common.h"
#include "meta/csvrec.h"
#include "lib/strlist.h"

int csvrec_split(const char *s, int relax, struct strlist *out, struct strbuf *err)
{
	struct strbuf field = STRBUF_INIT;
	struct strlist fields = STRLIST_INIT;
	const char *p = s;
	int rc = -1;

	for (;;) {
		strbuf_reset(&field);
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					strbuf_addf(err, "quote not closed");
					goto out;
				}
				if (*p == '"' && p[1] == '"') {
					strbuf_addch(&field, '"');
					p += 2;
					continue;
				}
				if (*p == '"') {
					p++;
					break;
				}
				strbuf_addch(&field, *p++);
			}
			if (*p && *p != ',' && *p != '\n' && *p != '\r') {
				strbuf_addf(err, "invalid closing quote: got '%c' instead of a delimiter", *p);
				goto out;
			}
		} else {
			while (*p && *p != ',' && *p != '\n' && *p != '\r') {
				if (*p == '"' && !relax) {
					strbuf_addf(err, "invalid opening quote: a quote is found in field %zu, value is '%s'",
						    fields.nr, field.buf);
					goto out;
				}
				strbuf_addch(&field, *p++);
			}
		}
		strlist_push(&fields, field.buf);
		if (*p != ',')
			break;
		p++;
	}
	for (size_t i = 0; i < fields.nr; i++)
		strlist_push_nodup(out, fields.items[i]);
	free(fields.items);
	fields.items = NULL;
	fields.nr = 0;
	rc = 0;
out:
	strlist_release(&fields);
	strbuf_release(&field);
	return rc;
}

static void add_field(struct strbuf *out, const char *f, const char *needs_quotes)
{
	if (!strpbrk(f, needs_quotes)) {
		strbuf_addstr(out, f);
		return;
	}
	strbuf_addch(out, '"');
	for (; *f; f++) {
		if (*f == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *f);
	}
	strbuf_addch(out, '"');
}

void csvrec_join(const struct strlist *fields, struct strbuf *out)
{
	for (size_t i = 0; i < fields->nr; i++) {
		if (i)
			strbuf_addch(out, ',');
		add_field(out, fields->items[i], "\",\n\r");
	}
}

void csvrec_join_input(const struct strlist *fields, struct strbuf *out)
{
	for (size_t i = 0; i < fields->nr; i++) {
		if (i)
			strbuf_addch(out, ',');
		add_field(out, fields->items[i], ",\n\r");
	}
}
