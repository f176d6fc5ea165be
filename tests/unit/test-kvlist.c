/*
 * test-kvlist.c: the key/value list (lib/kvlist.h) and the string list's
 * sort (lib/strlist.h).
 */
#include "lib/common.h"
#include "lib/kvlist.h"
#include "lib/strlist.h"
#include "tap.h"

static void dump(const struct kvlist *l, struct strbuf *out)
{
	strbuf_reset(out);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(out, "%s%s%s%s", i ? " " : "", l->items[i].key,
			    l->items[i].value ? "=" : "", l->items[i].value ? l->items[i].value : "");
}

int main(void)
{
	struct kvlist l = KVLIST_INIT;
	struct strlist sl = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	char key[] = "A";

	kvlist_push(&l, key, "1");
	key[0] = 'Z';
	kvlist_push(&l, "B", NULL);
	kvlist_push(&l, "A", "2");
	dump(&l, &sb);
	is_str(sb.buf, "A=1 B A=2", "push appends copies, keys may repeat, a value may be NULL");
	is_str(kvlist_get(&l, "A"), "2", "get: the last pair of a key");
	ok(kvlist_get(&l, "B") == NULL && kvlist_find(&l, "B") != NULL, "a key without a value is found, its value NULL");
	ok(kvlist_find(&l, "C") == NULL && kvlist_get(&l, "C") == NULL, "an absent key");
	ok(kvlist_find(&l, "") == NULL, "the empty key is absent");

	kvlist_set(&l, "A", "3");
	dump(&l, &sb);
	is_str(sb.buf, "A=3 B A=2", "set replaces the first pair of a key");
	kvlist_set(&l, "C", "4");
	kvlist_set_pair(&l, "B=x=y");
	kvlist_set_pair(&l, "D");
	kvlist_set_pair(&l, "E=");
	dump(&l, &sb);
	is_str(sb.buf, "A=3 B=x=y A=2 C=4 D= E=", "set appends a new key; set_pair splits at the first '=', a bare key is \"\"");
	kvlist_release(&l);
	ok(l.nr == 0 && l.items == NULL, "release empties the list");
	kvlist_push(&l, "K", "v");
	is_str(kvlist_get(&l, "K"), "v", "a released list is usable again");
	kvlist_release(&l);
	kvlist_release(NULL);

	strlist_split(&sl, "b,a,,c,a", ',');
	strlist_sort(&sl);
	strbuf_reset(&sb);
	strlist_join(&sl, "|", &sb);
	is_str(sb.buf, "|a|a|b|c", "strlist_sort: byte order, duplicates and empty items kept");
	strlist_release(&sl);
	strlist_sort(&sl);
	ok(sl.nr == 0, "sorting an empty list");
	strbuf_release(&sb);
	return tap_done();
}
