/*
 * fuzz-tagrule.c: the `tags` input of metadata-action, one entry a line
 * (read by metainput_list(), as the action and publish meta read it): tagrule_list_parse()
 * on all of them, tagrule_parse() on each, and tagrule_js_number() on
 * each line and each parsed priority.
 *
 * Checks: an error has a reason; a rule has a type name; when every
 * priority is a finite number the list comes out in descending
 * priority (metadata-action's comparator).
 */
#include <math.h>
#include "fuzz.h"
#include "meta/tagrule.h"
#include "lib/strlist.h"
#include "meta/metainput.h"

#define MAX_LEN 4096

static void check_order(const struct tagrule_list *l)
{
	double prev = INFINITY;

	for (size_t i = 0; i < l->nr; i++) {
		const char *p = tagrule_get(&l->rules[i], "priority");
		double d;

		if (!p || tagrule_js_number(p, &d) || !isfinite(d))
			return;
		FUZZ_CHECK(d <= prev);
		prev = d;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist entries = STRLIST_INIT;
	struct tagrule_list list = TAGRULE_LIST_INIT;
	struct strbuf err = STRBUF_INIT;
	char *in;
	double d;

	if (size > MAX_LEN)
		return 0;
	fuzz_quiet();
	in = xstrndup((const char *)data, size);
	/* the input as the action and publish meta read it: lines, comments, CSV */
	if (metainput_list(in, &entries, &err)) {
		FUZZ_CHECK(err.len > 0);
		goto out;
	}

	if (tagrule_list_parse(&list, &entries, &err)) {
		FUZZ_CHECK(err.len > 0);
	} else {
		FUZZ_CHECK(list.nr == (entries.nr ? entries.nr : 4));
		for (size_t i = 0; i < list.nr; i++)
			FUZZ_CHECK(tagrule_type_name(list.rules[i].type) != NULL);
		check_order(&list);
		tagrule_list_release(&list);
	}

	for (size_t i = 0; i < entries.nr; i++) {
		struct tagrule r;

		strbuf_reset(&err);
		memset(&r, 0, sizeof(r));
		if (tagrule_parse(&r, entries.items[i], &err)) {
			FUZZ_CHECK(err.len > 0);
			tagrule_release(&r);
		} else {
			FUZZ_CHECK(tagrule_get(&r, "priority") != NULL);
			FUZZ_CHECK(tagrule_get(&r, "enable") != NULL);
			tagrule_set(&r, "priority", "1");
			tagrule_release(&r);
		}
		(void)tagrule_js_number(entries.items[i], &d);
	}

out:
	strbuf_release(&err);
	strlist_release(&entries);
	free(in);
	return 0;
}
