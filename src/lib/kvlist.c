/*
 * kvlist.c: see kvlist.h.
 */
#include "lib/common.h"
#include "lib/kvlist.h"

void kvlist_push(struct kvlist *l, const char *key, const char *value)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr].key = xstrdup(key);
	l->items[l->nr].value = value ? xstrdup(value) : NULL;
	l->nr++;
}

void kvlist_set(struct kvlist *l, const char *key, const char *value)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcmp(l->items[i].key, key)) {
			free(l->items[i].value);
			l->items[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	}
	kvlist_push(l, key, value);
}

void kvlist_set_pair(struct kvlist *l, const char *pair)
{
	const char *eq = strchr(pair, '=');
	char *key;

	if (!eq) {
		kvlist_set(l, pair, "");
		return;
	}
	key = xstrndup(pair, eq - pair);
	kvlist_set(l, key, eq + 1);
	free(key);
}

const struct kvlist_item *kvlist_find(const struct kvlist *l, const char *key)
{
	for (size_t i = l->nr; i-- > 0;)
		if (!strcmp(l->items[i].key, key))
			return &l->items[i];
	return NULL;
}

const char *kvlist_get(const struct kvlist *l, const char *key)
{
	const struct kvlist_item *it = kvlist_find(l, key);

	return it ? it->value : NULL;
}

void kvlist_release(struct kvlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
