/*
 * strlist.c: see strlist.h.
 */
#include "lib/common.h"
#include "lib/strlist.h"

void strlist_push_nodup(struct strlist *l, char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

void strlist_push(struct strlist *l, const char *s)
{
	strlist_push_nodup(l, xstrdup(s));
}

int strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

void strlist_join(const struct strlist *l, const char *sep, struct strbuf *out)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addstr(out, sep);
		strbuf_addstr(out, l->items[i]);
	}
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort(struct strlist *l)
{
	if (l->nr > 1)
		qsort(l->items, l->nr, sizeof(*l->items), cmp_item);
}

void strlist_split(struct strlist *l, const char *s, char c)
{
	const char *p;

	while ((p = strchr(s, c))) {
		strlist_push_nodup(l, xstrndup(s, p - s));
		s = p + 1;
	}
	strlist_push(l, s);
}

void strlist_release(struct strlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
